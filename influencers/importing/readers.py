"""Reading CSV, TSV and XLSX files as chunks of text columns with their line numbers.

``read_table(source)`` opens a file (a path, bytes or a binary file object) and reads its
header; iterating ``reader.chunks(columns)`` then yields ``RawChunk``s: a DataFrame with one
text column per header plus ``source_line`` (the line where each record starts, the header
being line 1 when it is the first line), and the reader's own problems (records with the
wrong number of fields, undecodable bytes) in the error-report shape.

What it takes care of:

- Encoding: UTF-8 with or without BOM; UTF-16 with a BOM (Excel's "Unicode text"); otherwise
  cp1252 (Windows Western, a superset of Latin-1's printable characters). A file is read as
  UTF-8 until a byte proves otherwise; bytes that fit neither are replaced by U+FFFD and
  reported as warnings with their line, never fatal.
- Delimiter: comma, semicolon, tab or pipe, whichever splits the first records most
  consistently (``format="tsv"`` forces the tab).
- Header cells: inner line breaks and runs of spaces become one space; blank ones are named
  "column N". The same name twice (``Subscribers count``, once as ``221.7K`` and once as
  ``221700``): the copy whose values are plain numbers is kept, else the first.
- Records: CRLF or LF, quoted fields with delimiters and line breaks, blank lines skipped.
- Memory: the file is read in blocks of ``block_bytes`` (8 MiB) cut at record boundaries, so a
  file of a million rows never sits in memory whole. Each block is parsed by pyarrow's CSV
  reader. Line numbers: when pyarrow finds exactly as many records as the block has lines,
  they are consecutive; otherwise (blank lines, line breaks inside quotes) a vectorised scan
  of the newlines outside quotes gives them. A block with irregular quoting or ragged rows
  is re-read with Python's csv module instead, so its problems get exact line numbers.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .error_report import ERROR, WARNING, error_frame
from .exceptions import ImportFileError
from .values import decimal_text

DEFAULT_BLOCK_BYTES = 8 * 1024 * 1024
XLSX_CHUNK_ROWS = 50_000
DELIMITERS = (",", ";", "\t", "|")
MAX_ENCODING_WARNINGS = 1000
SOURCE_LINE = "source_line"

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_INVISIBLE = str.maketrans("", "", "\u200b\u200c\u200d\u2060\ufeff")
_NEWLINE, _QUOTE, _CARRIAGE_RETURN = 10, 34, 13

Source = str | Path | bytes | bytearray | memoryview | IO[bytes]


@dataclass(frozen=True)
class RawChunk:
    """Consecutive records of a file: text cells plus ``source_line``, and reading problems."""

    frame: pd.DataFrame
    problems: pd.DataFrame


def clean_header(cell: object, position: int) -> str:
    """A header cell with inner line breaks and runs of spaces folded; blank → "column N"."""
    text = re.sub(r"\s+", " ", str(cell or "").translate(_INVISIBLE)).strip()
    return text or f"column {position + 1}"


def _numeric_share(texts: pa.Array) -> float:
    """The share of non-blank cells that are plain numbers (``221700``, not ``221.7K``)."""
    trimmed = pc.utf8_trim_whitespace(texts)
    present = pc.fill_null(pc.not_equal(trimmed, ""), False)
    count = pc.sum(present).as_py() or 0
    if not count:
        return 0.0
    numeric = pc.match_substring_regex(trimmed, pattern=r"^[+-]?\d+(\.\d+)?$")
    return (pc.sum(pc.and_(present, numeric)).as_py() or 0) / count


def _resolve_duplicates(
    headers: list[str], sample: Callable[[int], pa.Array | None]
) -> tuple[list[int], list[str]]:
    """Choose one physical column per header name; returns kept positions and notes."""
    groups: dict[str, list[int]] = {}
    for position, header in enumerate(headers):
        groups.setdefault(header.casefold(), []).append(position)
    kept: list[int] = []
    notes: list[str] = []
    for positions in groups.values():
        if len(positions) == 1:
            kept.append(positions[0])
            continue
        shares = [
            _numeric_share(texts) if (texts := sample(p)) is not None else 0.0 for p in positions
        ]
        best = positions[int(np.argmax(shares))]
        kept.append(best)
        others = ", ".join(str(p + 1) for p in positions if p != best)
        reason = "its values are plain numbers" if max(shares) > 0 else "it comes first"
        notes.append(
            f"Column {headers[best]!r} appears {len(positions)} times: kept column {best + 1} "
            f"({reason}), ignored column {others}."
        )
    return sorted(kept), notes


# --- sources -------------------------------------------------------------------------------


def open_source(source: Source) -> tuple[IO[bytes], str]:
    """Open a path, bytes or binary file object for reading; returns the stream and a name."""
    if isinstance(source, str | Path):
        try:
            return open(source, "rb"), Path(source).name
        except OSError as error:
            raise ImportFileError(f"cannot open {source}: {error.strerror}") from error
    if isinstance(source, bytes | bytearray | memoryview):
        return io.BytesIO(bytes(source)), "upload"
    if hasattr(source, "read"):
        return source, str(getattr(source, "name", "upload"))
    raise ImportFileError(f"cannot read from a {type(source).__name__}")


def peek(source: Source, size: int) -> bytes | None:
    """The first ``size`` bytes of a source, a stream left where it was; None for a stream
    that cannot be rewound (reading it would consume it)."""
    if isinstance(source, str | Path):
        try:
            with open(source, "rb") as stream:
                return stream.read(size)
        except OSError as error:
            raise ImportFileError(f"cannot open {source}: {error.strerror}") from error
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source[:size])
    if not source.seekable():
        return None
    position = source.tell()
    head = source.read(size)
    source.seek(position)
    return head


# Files people pick by mistake whose first bytes hold too few NULs for the binary check of
# the text reader: said by name instead of read as a cp1252 table of garbage.
_BINARY_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"RIFF": "a media file (WebP, WAV or AVI)",
    b"\x1f\x8b": "a gzip archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"\x7fELF": "a program",
}


def sniff_kind(head: bytes) -> str:
    """``xlsx``, ``json`` or ``text`` from a file's first bytes; unreadable kinds raise."""
    if head.startswith(_ZIP_MAGIC):
        return "xlsx"
    if head.startswith(_OLE_MAGIC):
        raise ImportFileError("old Excel .xls files are not supported: save it as .xlsx or CSV")
    if head.startswith(b"%PDF"):
        raise ImportFileError("this is a PDF, not a table: export the data as CSV or XLSX")
    for magic, kind in _BINARY_MAGIC.items():
        if head.startswith(magic):
            raise ImportFileError(
                f"this is {kind}, not a table or an API export: export the data as CSV, XLSX "
                "or JSON"
            )
    stripped = head.removeprefix(_UTF8_BOM).lstrip()
    if stripped[:1] in (b"{", b"["):
        return "json"
    return "text"


# --- text decoding -------------------------------------------------------------------------

_recorded = threading.local()


def _record_undecodable(error: UnicodeDecodeError) -> tuple[str, int]:
    _recorded.errors.append((error.start, error.object[error.start : error.end]))
    return "\ufffd", error.end


codecs.register_error("fourscore.record", _record_undecodable)


class _Decoder:
    """Turns raw blocks into UTF-8, deciding between UTF-8 and cp1252 on the first evidence."""

    def __init__(self) -> None:
        self.encoding = "utf-8"
        self.decided = False
        self.warnings: list[tuple[object, ...]] = []
        self.warning_count = 0
        self.carry = b""

    def decode(self, raw: bytes, first_line: Callable[[], int], *, final: bool) -> bytes:
        """The whole lines of ``raw`` (after what the last call kept) as UTF-8.

        A character may straddle two blocks, so an unfinished last line waits for the next
        call (a newline byte is never part of a UTF-8 or cp1252 character). ``first_line()``
        gives the line the decoded text starts on, for warnings.
        """
        raw = self.carry + raw
        cut = len(raw) if final else raw.rfind(b"\n") + 1
        raw, self.carry = raw[:cut], raw[cut:]
        if self.encoding == "cp1252":
            return self._transcode(raw, "cp1252", first_line)
        if raw.isascii():
            return raw
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            if not self.decided:
                text = raw.decode("utf-8", errors="replace")
                invalid = text.count("\ufffd")
                valid = len(re.findall(r"[^\x00-\x7f\ufffd]", text))
                self.decided = True
                # cp1252 text seldom forms valid UTF-8 sequences by chance: a few of them
                # mean UTF-8 with some bad bytes; none (or very few) mean cp1252.
                if valid == 0 or valid * 4 < invalid:
                    self.encoding = "cp1252"
                    return self._transcode(raw, "cp1252", first_line)
            return self._transcode(raw, "utf-8", first_line)
        self.decided = True
        return raw

    def _transcode(self, raw: bytes, codec: str, first_line: Callable[[], int]) -> bytes:
        _recorded.errors = []
        text = raw.decode(codec, errors="fourscore.record")
        start = first_line() if _recorded.errors else 0
        for position, bad in _recorded.errors:
            self.warning_count += 1
            if len(self.warnings) < MAX_ENCODING_WARNINGS:
                line = start + raw.count(b"\n", 0, position)
                shown = " ".join(f"0x{byte:02X}" for byte in bad)
                reason = f"undecodable byte {shown} in {codec} (replaced by \ufffd)"
                self.warnings.append((line, None, None, shown, reason, WARNING))
        return text.encode("utf-8")


# --- record scanning -----------------------------------------------------------------------


@dataclass
class _Piece:
    """Complete records cut from the stream: their bytes and the line each starts on.

    ``rows`` is set when the csv module already split the records (irregular quoting)."""

    data: bytes
    lines: np.ndarray | None  # None until the piece is parsed (the quick path)
    first_line: int
    quoted_newlines: bool
    newlines: int = -1
    rows: list[list[str]] | None = None
    problems: list[tuple[object, ...]] = field(default_factory=list)


def _quotes_are_regular(array: np.ndarray, quotes: np.ndarray, delimiter: int) -> bool:
    """Whether every quote opens at a field start and closes at a field end (RFC 4180)."""
    if quotes.size % 2:
        return False
    allowed = np.zeros(256, dtype=bool)
    allowed[[delimiter, _NEWLINE, _CARRIAGE_RETURN, _QUOTE]] = True
    openers, closers = quotes[0::2], quotes[1::2]
    opens_well = allowed[array[np.maximum(openers - 1, 0)]] | (openers == 0)
    after_positions = closers + 1
    inside = after_positions < array.size
    closes_well = allowed[array[np.minimum(after_positions, array.size - 1)]] | ~inside
    return bool(opens_well.all() and closes_well.all())


def _scan(
    data: bytes, first_line: int, delimiter: str, column_count: int, eof: bool
) -> tuple[_Piece, bytes] | None:
    """Cut ``data`` after its last complete record; None when it holds no complete record.

    Record boundaries are the newlines outside quotes (quote parity, vectorised). When the
    quotes are irregular (a stray ``"`` inside a field) parity cannot be trusted and the csv
    module splits the records instead.
    """
    array = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(array == _NEWLINE)
    quotes = np.flatnonzero(array == _QUOTE)
    terminators = newlines
    quoted_newlines = False
    if quotes.size:
        inside = (np.searchsorted(quotes, newlines) & 1).astype(bool)
        terminators = newlines[~inside]
        quoted_newlines = bool(inside.any())
    if eof:
        cut = len(data)
    elif terminators.size:
        cut = int(terminators[-1]) + 1
    else:
        cut = 0
    if quotes.size:
        # Only the quotes of complete records: the last record may still be open.
        # (With no complete record yet, all but a last quote still open must be regular.)
        closed = quotes[quotes < cut] if cut else quotes[: quotes.size - quotes.size % 2]
        if not _quotes_are_regular(array, closed, ord(delimiter)):
            return _scan_with_csv_module(data, first_line, delimiter, column_count, eof)
    if cut == 0:
        return None
    ends = terminators[terminators < cut]
    starts = np.concatenate(([0], ends + 1)).astype(np.int64)
    stops = np.concatenate((ends, [cut])).astype(np.int64)
    lengths = stops - starts
    first_bytes = array[np.minimum(starts, array.size - 1)] if array.size else starts
    blank = (lengths <= 0) | ((lengths == 1) & (first_bytes == _CARRIAGE_RETURN))
    lines = first_line + np.searchsorted(newlines, starts[~blank])
    return _Piece(data[:cut], lines.astype(np.int64), first_line, quoted_newlines), data[cut:]


def _scan_with_csv_module(
    data: bytes, first_line: int, delimiter: str, column_count: int, eof: bool
) -> tuple[_Piece, bytes] | None:
    split = _split_records(data, first_line, delimiter, column_count, eof)
    if split is None:
        return None
    rows, lines, problems, cut = split
    piece = _Piece(
        data[:cut],
        np.array(lines, dtype=np.int64),
        first_line,
        quoted_newlines=True,
        rows=rows,
        problems=problems,
    )
    return piece, data[cut:]


def _split_records(
    data: bytes, first_line: int, delimiter: str, column_count: int, eof: bool
) -> tuple[list[list[str]], list[int], list[tuple[object, ...]], int] | None:
    """Split records with Python's csv module; returns rows, their lines, problems, bytes used.

    Without ``eof``, a record still open at the end of ``data`` is left for the next block.
    """
    raw_lines = data.split(b"\n")
    complete = [line + b"\n" for line in raw_lines[:-1]]
    if eof and raw_lines[-1]:
        complete.append(raw_lines[-1])
    consumed = 0
    exhausted = False

    def lines() -> Iterator[str]:
        nonlocal consumed, exhausted
        for line in complete:
            consumed += 1
            yield line.decode("utf-8")
        exhausted = True

    reader = csv.reader(lines(), delimiter=delimiter, strict=False)
    rows: list[list[str]] = []
    starts: list[int] = []
    problems: list[tuple[object, ...]] = []
    before = used = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append((first_line + before, None, None, None, f"unreadable: {error}", ERROR))
            before = used = consumed
            continue
        if exhausted and not eof:
            break  # the record goes on in the next block
        line = first_line + before
        before = used = consumed
        if not record or (len(record) == 1 and not record[0].strip() and column_count > 1):
            continue
        if len(record) > column_count and not any(cell.strip() for cell in record[column_count:]):
            record = record[:column_count]  # trailing empty fields: harmless
        if len(record) != column_count:
            reason = f"expected {column_count} fields, found {len(record)}"
            problems.append((line, None, None, delimiter.join(record), reason, ERROR))
            continue
        rows.append(record)
        starts.append(line)
    if not eof and used == 0:
        return None
    cut = len(data) if eof else sum(len(line) for line in complete[:used])
    return rows, starts, problems, cut


def _count(data: bytes, byte: int) -> int:
    """How many times a byte occurs (numpy counts much faster than bytes.count)."""
    return int(np.count_nonzero(np.frombuffer(data, dtype=np.uint8) == byte))


def _lines_in(data: bytes) -> int:
    return _count(data, _NEWLINE)


def _quick_cut(data: bytes, eof: bool) -> int | None:
    """Where to cut ``data`` after a complete record, found with a few byte counts.

    The last newline with an even number of quotes before it ends a record (when quotes are
    regular; ``_parse_piece`` checks). Returns 0 when more data is needed and None when a
    full scan must decide.
    """
    if eof:
        return len(data)
    cut = data.rfind(b"\n") + 1
    if cut == 0 or b'"' not in data:
        return cut
    quotes = _count(data[:cut], _QUOTE)
    for _ in range(64):
        if quotes % 2 == 0:
            return cut
        previous = data.rfind(b"\n", 0, cut - 1) + 1
        if previous == 0:
            return None
        quotes -= data.count(b'"', previous, cut)
        cut = previous
    return None


def _physical_lines(piece: _Piece) -> int:
    """How many lines a piece holds (a last line without its newline counts if not empty)."""
    newlines = piece.newlines if piece.newlines >= 0 else _lines_in(piece.data)
    tail = piece.data[piece.data.rfind(b"\n") + 1 :]
    return newlines + (1 if tail not in (b"", b"\r") else 0)


def _has_lone_carriage_returns(data: bytes) -> bool:
    """A CR not followed by LF: pyarrow would end a record there, our line count would not."""
    return b"\r" in data and _count(data, _CARRIAGE_RETURN) != data.count(b"\r\n")


def _read_with_pyarrow(
    data: bytes, physical: list[str], include: list[str], delimiter: str, quoted: bool
) -> pa.Table | None:
    """Parse records with pyarrow; None if it refuses them or skips some (ragged rows)."""
    invalid_rows = 0

    def count_invalid(row: object) -> str:
        nonlocal invalid_rows
        invalid_rows += 1
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=physical, block_size=1 << 20),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                newlines_in_values=quoted,
                invalid_row_handler=count_invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(include, pa.string()),
                include_columns=include,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    return None if invalid_rows else table


def _parse_piece(
    piece: _Piece, physical: list[str], positions: list[int], delimiter: str, column_count: int
) -> tuple[pa.Table, np.ndarray, pd.DataFrame]:
    """Parse a piece's records with pyarrow, or with the csv module when pyarrow cannot.

    Line numbers: when pyarrow finds exactly one record per line (the common case) they are
    consecutive; otherwise (blank lines, line breaks inside quotes) a scan of the newlines
    outside quotes gives them, and ragged or irregular records go to the csv module.
    """
    include = [physical[p] for p in positions]
    if piece.rows is None and piece.data:
        # First assume no line break inside quotes (pyarrow is faster so); the counts tell.
        quoted = piece.quoted_newlines and piece.lines is not None
        table = _read_with_pyarrow(piece.data, physical, include, delimiter, quoted)
        if piece.lines is None:
            lines = _physical_lines(piece)
            lone_carriage_returns = _has_lone_carriage_returns(piece.data)
            if table is not None and table.num_rows == lines and not lone_carriage_returns:
                piece.lines = piece.first_line + np.arange(lines, dtype=np.int64)
            else:
                scanned = _scan(piece.data, piece.first_line, delimiter, column_count, True)
                assert scanned is not None  # at the end of the data there is always an answer
                detailed = scanned[0]
                piece.lines, piece.rows, piece.problems = (
                    detailed.lines,
                    detailed.rows,
                    detailed.problems,
                )
                if piece.rows is None and detailed.quoted_newlines:
                    table = _read_with_pyarrow(piece.data, physical, include, delimiter, True)
        if piece.rows is None and table is not None and table.num_rows == len(piece.lines):
            return table, piece.lines, error_frame()
    if piece.rows is None:
        # Ragged rows or something pyarrow refused: the csv module reports them by line.
        split = _split_records(piece.data, piece.first_line, delimiter, column_count, True)
        assert split is not None  # at the end of the data there is always an answer
        piece.rows, lines, piece.problems, _ = split
        piece.lines = np.array(lines, dtype=np.int64)
    table = pa.table(
        {
            name: pa.array([row[position] for row in piece.rows], pa.string())
            for name, position in zip(include, positions, strict=True)
        }
    )
    return table, piece.lines, error_frame(piece.problems)


# --- the reader ----------------------------------------------------------------------------


@dataclass
class TableReader:
    """An opened table. Iterate ``chunks(columns)`` once to read the records."""

    format: str
    headers: list[str]
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    header_line: int = 1
    _encoding: str | None = None
    _decoder: _Decoder | None = None
    _iterate: Callable[[list[int]], Iterator[RawChunk]] | None = None
    _positions: dict[str, int] = field(default_factory=dict)
    _close: Callable[[], None] | None = None

    @property
    def encoding(self) -> str | None:
        """utf-8, utf-8-sig, utf-16 or cp1252 (known for sure once the file has been read)."""
        if self._decoder is not None and self._decoder.encoding == "cp1252":
            return "cp1252"
        return self._encoding

    def chunks(self, columns: Iterable[str] | None = None) -> Iterator[RawChunk]:
        """Yield the records in chunks, with only ``columns`` (default: every header).

        Rows empty in every selected column are skipped, like blank lines."""
        wanted = self.headers if columns is None else [h for h in self.headers if h in columns]
        if self._iterate is None:
            raise RuntimeError("the reader has already been read")
        iterate, self._iterate = self._iterate, None
        try:
            yield from iterate([self._positions[header] for header in wanted])
        finally:
            self.close()

    def __iter__(self) -> Iterator[RawChunk]:
        return self.chunks()

    def close(self) -> None:
        if self._close is not None:
            self._close()
            self._close = None

    def __enter__(self) -> TableReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def read_table(
    source: Source,
    *,
    format: str | None = None,
    block_bytes: int = DEFAULT_BLOCK_BYTES,
    exclude: Callable[[str], bool] | None = None,
) -> TableReader:
    """Open a CSV, TSV or XLSX file and read its header (and its first block).

    ``exclude(header)`` names columns that must never be read (protected personal traits):
    they are dropped before any value is parsed.
    """
    stream, _ = open_source(source)
    try:
        head = stream.read(block_bytes)
        kind = sniff_kind(head)
        if format == "xlsx" or kind == "xlsx":
            return _read_xlsx(source, stream, head, exclude)
        if kind == "json":
            raise ImportFileError("this is a JSON file, not a table: import it as an API export")
        return _DelimitedFile(stream, head, format, block_bytes, exclude).reader()
    except BaseException:
        stream.close()
        raise


class _DelimitedFile:
    """The state of one CSV/TSV file being read block by block."""

    def __init__(
        self,
        stream: IO[bytes],
        head: bytes,
        format: str | None,
        block_bytes: int,
        exclude: Callable[[str], bool] | None,
    ) -> None:
        if not head.strip():
            raise ImportFileError("the file is empty")
        self.block_bytes = block_bytes
        self.notes: list[str] = []
        self.stream, head, self.encoding = self._unwrap_utf16(stream, head)
        self.carriage_returns_only = b"\r" in head and b"\n" not in head
        head = self._newlines(head)
        if head.startswith(_UTF8_BOM):
            self.encoding = "utf-8-sig"
            head = head.removeprefix(_UTF8_BOM)
        self.decoder = _Decoder()
        self.eof = len(head) < block_bytes
        data = self.decoder.decode(head, lambda: 1, final=self.eof)
        while not self.eof and b"\n" not in data:  # the header alone is longer than a block
            more = self._newlines(self.stream.read(block_bytes))
            self.eof = len(more) < block_bytes
            data += self.decoder.decode(more, lambda data=data: 1 + _lines_in(data), final=self.eof)
        sample = data[: 256 * 1024].decode("utf-8", errors="replace")
        self.delimiter = "\t" if format == "tsv" else sniff_delimiter(sample)
        cells, header_bytes, self.header_line, header_end = _parse_header(
            data, self.delimiter, self.eof
        )
        self.headers = [clean_header(cell, position) for position, cell in enumerate(cells)]
        self.column_count = len(self.headers)
        self.excluded = [h for h in self.headers if exclude is not None and exclude(h)]
        self.readable = [p for p, h in enumerate(self.headers) if h not in self.excluded]
        self.physical = [f"c{position}" for position in range(self.column_count)]
        self.pending = data[header_bytes:]
        self.line = header_end + 1

    def _unwrap_utf16(self, stream: IO[bytes], head: bytes) -> tuple[IO[bytes], bytes, str]:
        looks_utf16 = head[:200].count(b"\x00") > 20
        if not head.startswith(_UTF16_BOMS) and not looks_utf16:
            return stream, head, "utf-8"
        if not head.startswith(_UTF16_BOMS) and head[1:200:2].count(b"\x00") < 50:
            raise ImportFileError("this is not a text file (it contains binary data)")
        # UTF-16 (Excel's "Unicode text") files are small: convert the whole file at once.
        whole = head + stream.read()
        stream.close()
        codec = "utf-16" if whole.startswith(_UTF16_BOMS) else "utf-16-le"
        try:
            converted = whole.decode(codec).encode("utf-8")
        except UnicodeDecodeError as error:
            raise ImportFileError("the file looks like UTF-16 but cannot be decoded") from error
        converted_stream = io.BytesIO(converted)
        return converted_stream, converted_stream.read(self.block_bytes), "utf-16"

    def _newlines(self, raw: bytes) -> bytes:
        return raw.replace(b"\r", b"\n") if self.carriage_returns_only else raw

    def pieces(self) -> Iterator[_Piece]:
        """Complete records, block after block, until the end of the file."""
        while True:
            cut = _quick_cut(self.pending, self.eof)
            if cut is None:
                scanned = _scan(
                    self.pending, self.line, self.delimiter, self.column_count, self.eof
                )
            elif cut:
                data = self.pending[:cut]
                scanned = _Piece(data, None, self.line, b'"' in data), self.pending[cut:]
            else:
                scanned = None
            if scanned is not None:
                piece, self.pending = scanned
                piece.newlines = _lines_in(piece.data)
                self.line += piece.newlines
                if piece.data:
                    yield piece
            if self.eof:
                return
            raw = self._newlines(self.stream.read(self.block_bytes))
            self.eof = len(raw) < self.block_bytes
            # The line a raw block starts on matters only for undecodable bytes: count lazily.
            pending_line = self.line
            pending = self.pending
            self.pending += self.decoder.decode(
                raw, lambda line=pending_line, tail=pending: line + _lines_in(tail), final=self.eof
            )

    def parse(
        self, piece: _Piece, positions: list[int]
    ) -> tuple[pa.Table, np.ndarray, pd.DataFrame]:
        return _parse_piece(piece, self.physical, positions, self.delimiter, self.column_count)

    def reader(self) -> TableReader:
        pieces = self.pieces()
        first = next(pieces, None)
        parsed_first = None if first is None else self.parse(first, self.readable)

        def sample(position: int) -> pa.Array | None:
            if parsed_first is None:
                return None
            return parsed_first[0].column(f"c{position}").combine_chunks()

        readable_headers = [self.headers[p] for p in self.readable]
        kept, notes = _resolve_duplicates(
            readable_headers, lambda index: sample(self.readable[index])
        )
        self.notes.extend(notes)
        positions = {readable_headers[index]: self.readable[index] for index in kept}

        def iterate(selected: list[int]) -> Iterator[RawChunk]:
            names = [self.headers[p] for p in selected]
            if parsed_first is not None:
                table, lines, problems = parsed_first
                yield _raw_chunk(table, lines, problems, selected, names)
            for piece in pieces:
                table, lines, problems = self.parse(piece, selected)
                yield _raw_chunk(table, lines, problems, selected, names)
            if self.decoder.warnings:
                yield RawChunk(_empty_frame(names), error_frame(self.decoder.warnings))
                self.decoder.warnings = []

        return TableReader(
            format="tsv" if self.delimiter == "\t" else "csv",
            headers=[readable_headers[index] for index in kept],
            delimiter=self.delimiter,
            notes=self.notes,
            excluded=self.excluded,
            header_line=self.header_line,
            _encoding=self.encoding,
            _decoder=self.decoder,
            _iterate=iterate,
            _positions=positions,
            _close=self.stream.close,
        )


def sniff_delimiter(sample: str) -> str:
    """The delimiter that splits the first records into the most consistent number of fields."""
    best, best_score = ",", (0.0, 0)
    lines = sample.split("\n")
    if len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut
    text = "\n".join(lines[:200])
    for candidate in DELIMITERS:
        try:
            records = list(csv.reader(io.StringIO(text), delimiter=candidate))
        except csv.Error:
            continue
        records = [record for record in records if record][:50]
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        rest = records[1:]
        consistency = sum(len(record) == width for record in rest) / len(rest) if rest else 1.0
        score = (consistency, width)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _parse_header(data: bytes, delimiter: str, eof: bool) -> tuple[list[str], int, int, int]:
    """The header record: its cells, its length in bytes, its first and its last line."""
    consumed = 0
    used_bytes = 0

    def lines() -> Iterator[str]:
        nonlocal consumed, used_bytes
        position = 0
        while position < len(data):
            end = data.find(b"\n", position)
            if end < 0:
                if not eof:
                    return
                end = len(data) - 1
            consumed += 1
            used_bytes = end + 1
            yield data[position : end + 1].decode("utf-8")
            position = end + 1

    before = 0
    for record in csv.reader(lines(), delimiter=delimiter, strict=False):
        if any(cell.strip() for cell in record):
            return record, used_bytes, before + 1, consumed
        before = consumed
    raise ImportFileError("the file has no header row")


def _empty_frame(names: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series([], dtype="str") for name in names})
    frame[SOURCE_LINE] = pd.Series([], dtype="int64")
    return frame


def _raw_chunk(
    table: pa.Table,
    lines: np.ndarray,
    problems: pd.DataFrame,
    selected: list[int],
    names: list[str],
) -> RawChunk:
    """A chunk of text columns named by header, without the rows blank in all of them."""
    arrays = [table.column(f"c{position}") for position in selected]
    keep = None
    for array in arrays:
        filled = pc.greater(pc.binary_length(array), 0)
        keep = filled if keep is None else pc.or_(keep, filled)
    columns = {name: array.to_pandas() for name, array in zip(names, arrays, strict=True)}
    frame = pd.DataFrame(columns) if columns else pd.DataFrame(index=range(len(lines)))
    if SOURCE_LINE in frame.columns:
        frame = frame.rename(columns={SOURCE_LINE: f"{SOURCE_LINE} (file)"})
    frame[SOURCE_LINE] = lines
    if keep is not None:
        mask = pc.fill_null(keep, False).to_numpy(zero_copy_only=False)
        if not mask.all():
            frame = frame[mask].reset_index(drop=True)
    return RawChunk(frame, problems)


# --- XLSX ----------------------------------------------------------------------------------


def _cell_text(cell: Any) -> str:
    """A spreadsheet cell as the text a CSV export would hold (percent cells keep their %)."""
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if "%" in str(getattr(cell, "number_format", "") or ""):
            return f"{decimal_text(Decimal(repr(value)).scaleb(2))}%"
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _read_xlsx(
    source: Source, stream: IO[bytes], head: bytes, exclude: Callable[[str], bool] | None
) -> TableReader:
    import openpyxl  # imported here: only XLSX uploads pay for it

    if isinstance(source, str | Path):
        stream.close()
        workbook_source: Any = source
    else:
        workbook_source = io.BytesIO(head + stream.read())
        stream.close()
    try:
        workbook = openpyxl.load_workbook(workbook_source, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(f"not a readable XLSX workbook ({error})") from error
    sheets = [sheet for sheet in workbook.worksheets if sheet.sheet_state == "visible"]
    if not sheets:
        workbook.close()
        raise ImportFileError("the workbook has no visible sheet")
    sheet = sheets[0]
    notes = []
    if len(sheets) > 1:
        notes.append(f"Read the first sheet, {sheet.title!r}; the workbook has {len(sheets)}.")
    rows = enumerate(sheet.iter_rows(), start=1)
    header_line, header_cells = 0, []
    for number, row in rows:
        texts = [_cell_text(cell) for cell in row]
        if any(text.strip() for text in texts):
            header_line, header_cells = number, texts
            break
    if not header_cells:
        workbook.close()
        raise ImportFileError("the workbook's first sheet is empty")
    while header_cells and not header_cells[-1].strip():
        header_cells.pop()
    headers = [clean_header(cell, position) for position, cell in enumerate(header_cells)]
    column_count = len(headers)
    excluded = [header for header in headers if exclude is not None and exclude(header)]
    readable = [position for position, header in enumerate(headers) if header not in excluded]
    readable_set = set(readable)

    def batches() -> Iterator[tuple[pa.Table, np.ndarray, pd.DataFrame]]:
        records: list[list[str]] = []
        lines: list[int] = []
        problems: list[tuple[object, ...]] = []

        def flush() -> tuple[pa.Table, np.ndarray, pd.DataFrame]:
            table = pa.table(  # excluded (protected) columns are left out here already
                {
                    f"c{p}": pa.array([record[p] for record in records], pa.string())
                    for p in readable
                }
            )
            result = (table, np.array(lines, dtype=np.int64), error_frame(problems))
            records.clear()
            lines.clear()
            problems.clear()
            return result

        for number, row in rows:
            texts = [
                "" if position < column_count and position not in readable_set else _cell_text(cell)
                for position, cell in enumerate(row)
            ]
            if not any(text.strip() for text in texts):
                continue
            extra = texts[column_count:]
            if any(text.strip() for text in extra):
                reason = f"cells beyond the {column_count} named columns"
                problems.append((number, None, None, "\t".join(texts), reason, ERROR))
                continue
            texts = (texts + [""] * column_count)[:column_count]
            records.append(texts)
            lines.append(number)
            if len(records) >= XLSX_CHUNK_ROWS:
                yield flush()
        if records or problems:
            yield flush()

    batch_iterator = batches()
    first = next(batch_iterator, None)

    def sample(position: int) -> pa.Array | None:
        return None if first is None else first[0].column(f"c{position}").combine_chunks()

    kept, duplicate_notes = _resolve_duplicates(
        [headers[p] for p in readable], lambda index: sample(readable[index])
    )
    notes.extend(duplicate_notes)
    positions = {headers[readable[index]]: readable[index] for index in kept}

    def iterate(selected: list[int]) -> Iterator[RawChunk]:
        names = [headers[p] for p in selected]
        try:
            if first is not None:
                yield _raw_chunk(first[0], first[1], first[2], selected, names)
            for table, lines, problems in batch_iterator:
                yield _raw_chunk(table, lines, problems, selected, names)
        finally:
            workbook.close()

    return TableReader(
        format="xlsx",
        headers=[headers[readable[index]] for index in kept],
        notes=notes,
        excluded=excluded,
        header_line=header_line,
        _iterate=iterate,
        _positions=positions,
        _close=workbook.close,
    )
