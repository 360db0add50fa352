"""CSV exports that are safe to open in a spreadsheet."""

import csv
import io

# A cell starting with one of these is a formula to Excel, LibreOffice and Sheets
# (OWASP "CSV injection"); a leading apostrophe makes it plain text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
STREAM_BATCH_ROWS = 1000


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def write_rows(stream, header, rows):
    writer = csv.writer(stream)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(value) for value in row])


def stream_rows(header, rows):
    """``write_rows`` as text chunks of a thousand rows, for a streaming response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow([neutralise(value) for value in row])
        if count % STREAM_BATCH_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
