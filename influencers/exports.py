"""CSV exports that are safe to open in a spreadsheet."""

import csv

# A cell starting with one of these is a formula to Excel, LibreOffice and Sheets
# (OWASP "CSV injection"); a leading apostrophe makes it plain text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def write_rows(stream, header, rows):
    writer = csv.writer(stream)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(value) for value in row])


def write_error_report(stream, rows):
    write_rows(stream, ["line", "column", "value", "reason", "severity"], rows)
