"""Reading CSV, TSV and XLSX: encodings, delimiters, headers, quoting, line numbers, chunks."""

import csv
import io
from datetime import datetime

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from influencers.importing.aliases import is_protected
from influencers.importing.exceptions import ImportFileError
from influencers.importing.readers import read_table, sniff_delimiter


def read_everything(source, **options):
    reader = read_table(source, **options)
    chunks = list(reader.chunks())
    if not chunks:
        return reader, pd.DataFrame(), pd.DataFrame()
    frame = pd.concat([chunk.frame for chunk in chunks], ignore_index=True)
    problems = pd.concat([chunk.problems for chunk in chunks], ignore_index=True)
    return reader, frame, problems


def rows_of(frame):
    return [tuple(row) for row in frame.astype(object).itertuples(index=False)]


def test_utf8_bom_and_crlf():
    reader, frame, problems = read_everything(
        b"\xef\xbb\xbfhandle,followers\r\nana,10\r\nbo,20\r\n"
    )
    assert reader.headers == ["handle", "followers"]
    assert reader.encoding == "utf-8-sig"
    assert rows_of(frame) == [("ana", "10", 2), ("bo", "20", 3)]
    assert problems.empty


def test_cp1252_file_is_decoded_and_undecodable_bytes_are_reported():
    data = "handle;bio\r\ncafé;naïve\r\nbob;x\x81y\r\n".encode("latin-1")
    reader, frame, problems = read_everything(data)
    assert reader.encoding == "cp1252"
    assert reader.delimiter == ";"
    assert rows_of(frame) == [("café", "naïve", 2), ("bob", "x\ufffdy", 3)]
    assert problems[["line", "value", "reason", "severity"]].to_dict("records") == [
        {
            "line": 3,
            "value": "0x81",
            "reason": "undecodable byte 0x81 in cp1252 (replaced by \ufffd)",
            "severity": "warning",
        }
    ]


def test_a_cp1252_byte_far_down_the_file_switches_the_encoding():
    rows = [f"user{number},plain" for number in range(40)]
    data = ("handle,bio\n" + "\n".join(rows) + "\nlast,caf\xe9\n").encode("latin-1")
    reader, frame, problems = read_everything(data, block_bytes=32)
    assert frame["bio"].iloc[-1] == "café"
    assert frame["source_line"].iloc[-1] == 42
    assert reader.encoding == "cp1252"
    assert problems.empty


def test_a_utf8_file_with_one_bad_byte_stays_utf8():
    data = "handle,bio\nzoë,ok\nbob,bad \xff byte\n".encode()
    data = data.replace("\xff".encode(), b"\xff")
    reader, frame, problems = read_everything(data)
    assert reader.encoding == "utf-8"
    assert rows_of(frame)[0] == ("zoë", "ok", 2)
    assert problems["line"].tolist() == [3]
    assert problems["reason"].tolist() == ["undecodable byte 0xFF in utf-8 (replaced by \ufffd)"]


def test_utf16_tab_separated_text_from_excel():
    data = "Username\tFollowers\r\n@Zoë\t1.2k\r\n".encode("utf-16")
    reader, frame, _ = read_everything(data)
    assert reader.encoding == "utf-16"
    assert reader.format == "tsv"
    assert rows_of(frame) == [("@Zoë", "1.2k", 2)]


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("a,b,c\n1,2,3\n", ","),
        ("a;b;c\n1;2,5;3\n", ";"),
        ("a\tb\tc\n1\t2\t3\n", "\t"),
        ("a|b\n1|2\n", "|"),
        ('name,bio\n"Smith; John","a;b;c"\n', ","),
        ("handle\nana\n", ","),
    ],
)
def test_delimiter_sniffing(text, delimiter):
    assert sniff_delimiter(text) == delimiter


def test_tsv_format_forces_the_tab():
    reader, frame, _ = read_everything(b"a,b\tc\n1,2\t3\n", format="tsv")
    assert reader.headers == ["a,b", "c"]
    assert rows_of(frame) == [("1,2", "3", 2)]


def test_header_cells_are_cleaned_and_a_multiline_header_shifts_the_lines():
    data = b'"Followers\r\ncount",  Avg   likes ,\r\n10,2,x\r\n'
    reader, frame, _ = read_everything(data)
    assert reader.headers == ["Followers count", "Avg likes", "column 3"]
    assert frame["source_line"].tolist() == [3]


def test_blank_lines_before_the_header_count_as_lines():
    reader, frame, _ = read_everything(b"\n\nhandle\nana\n")
    assert reader.header_line == 3
    assert rows_of(frame) == [("ana", 4)]


def test_duplicate_headers_keep_the_numeric_copy():
    data = b"name,Subscribers count,Subscribers count\nana,221.7K,221700\nbo,1.2M,1200000\n"
    reader, frame, _ = read_everything(data)
    assert reader.headers == ["name", "Subscribers count"]
    assert frame["Subscribers count"].tolist() == ["221700", "1200000"]
    assert reader.notes == [
        "Column 'Subscribers count' appears 2 times: kept column 3 (its values are plain "
        "numbers), ignored column 2."
    ]


def test_duplicate_text_headers_keep_the_first():
    reader, frame, _ = read_everything(b"Name,name\nAna,Ana B.\n")
    assert reader.headers == ["Name"]
    assert frame["Name"].tolist() == ["Ana"]


def test_quoted_line_breaks_delimiters_and_quotes_keep_the_line_numbers():
    data = b'handle,bio\nana,"first line\nsecond line"\nbo,"a, b and ""c"""\n\ncy,plain\n'
    _, frame, problems = read_everything(data)
    assert rows_of(frame) == [
        ("ana", "first line\nsecond line", 2),
        ("bo", 'a, b and "c"', 4),
        ("cy", "plain", 6),
    ]
    assert problems.empty


def test_ragged_rows_are_reported_with_their_line():
    data = b"handle,followers\nana,10\nbo\ncy,30,extra\ndi,40,,\n"
    _, frame, problems = read_everything(data)
    assert rows_of(frame) == [("ana", "10", 2), ("di", "40", 5)]
    assert problems[["line", "value", "reason", "severity"]].to_dict("records") == [
        {"line": 3, "value": "bo", "reason": "expected 2 fields, found 1", "severity": "error"},
        {
            "line": 4,
            "value": "cy,30,extra",
            "reason": "expected 2 fields, found 3",
            "severity": "error",
        },
    ]


def test_a_stray_quote_inside_a_field_does_not_shift_the_records():
    data = b'handle,bio\nana,5\'10" tall\nbo,"quoted\nbio"\ncy,ok\n'
    _, frame, problems = read_everything(data)
    assert rows_of(frame) == [
        ("ana", "5'10\" tall", 2),
        ("bo", "quoted\nbio", 3),
        ("cy", "ok", 5),
    ]
    assert problems.empty


def test_old_mac_line_endings():
    _, frame, _ = read_everything(b"handle,followers\rana,1\rbo,2\r")
    assert rows_of(frame) == [("ana", "1", 2), ("bo", "2", 3)]


def test_rows_empty_in_every_column_are_skipped():
    _, frame, _ = read_everything(b"handle,followers\nana,1\n,\n,,\nbo,2\n")
    assert rows_of(frame) == [("ana", "1", 2), ("bo", "2", 5)]


def test_a_column_named_source_line_does_not_clash():
    _, frame, _ = read_everything(b"handle,source_line\nana,7\n")
    assert list(frame.columns) == ["handle", "source_line (file)", "source_line"]


def test_excluded_columns_are_never_read():
    reader, frame, _ = read_everything(
        b"Username,Gender,Age,Followers\n@a,F,19,10\n", exclude=is_protected
    )
    assert reader.headers == ["Username", "Followers"]
    assert reader.excluded == ["Gender", "Age"]
    assert list(frame.columns) == ["Username", "Followers", "source_line"]


def test_chunks_can_select_columns():
    reader = read_table(b"a,b,c\n1,2,3\n")
    (chunk,) = list(reader.chunks(["c", "a"]))
    assert list(chunk.frame.columns) == ["a", "c", "source_line"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"\n \n", "the file is empty"),
        (b"\xd0\xcf\x11\xe0rest", "old Excel .xls files are not supported"),
        (b"%PDF-1.4", "this is a PDF, not a table"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "this is a PNG image, not a table or an API"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "this is a JPEG image, not a table"),
        (b"\x1f\x8b\x08\x00", "this is a gzip archive, not a table"),
        (b'{"a": 1}', "this is a JSON file, not a table"),
        (b"\x00\x01\x02" * 100, "this is not a text file"),
        (b"PK\x03\x04broken", "not a readable XLSX workbook"),
    ],
)
def test_unreadable_files_raise_one_clear_error(data, message):
    with pytest.raises(ImportFileError, match=message):
        read_table(data)


def test_a_missing_file_raises_import_file_error(tmp_path):
    with pytest.raises(ImportFileError, match="cannot open"):
        read_table(tmp_path / "missing.csv")


def test_header_only_file_has_no_rows():
    reader, frame, _ = read_everything(b"handle,followers\n")
    assert reader.headers == ["handle", "followers"]
    assert frame.empty


# --- chunking: tiny blocks give the same records and lines as one big block ----------------


def test_small_blocks_keep_records_and_lines_across_boundaries():
    lines = ["handle,bio,followers"]
    for number in range(200):
        bio = f'"bio {number}\nwith a line break, and ""quotes"""' if number % 7 == 0 else "x"
        lines.append(f"user{number},{bio},{number}")
        if number % 13 == 0:
            lines.append("")
    data = ("\r\n".join(lines) + "\r\n").encode()
    _, whole, _ = read_everything(data)
    _, chunked, problems = read_everything(data, block_bytes=64)
    assert rows_of(chunked) == rows_of(whole)
    assert len(whole) == 200
    assert problems.empty
    first_quoted = whole[whole["handle"] == "user7"]
    assert first_quoted["source_line"].tolist() == [11]


CELL = st.text(alphabet='ab ,;"\n\r\té', max_size=6)


def _lf_lines(buffer):
    text = buffer.getvalue()
    return [line + "\n" for line in text.split("\n")[:-1]]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(CELL, CELL, CELL), max_size=25), st.sampled_from([16, 40, 1 << 20]))
def test_records_and_lines_match_pythons_csv_module(rows, block_bytes):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["a", "b", "c"])
    writer.writerows(rows)
    data = buffer.getvalue().encode()
    expected = []
    # Lines are counted by line feeds (a lone CR inside quotes does not start a line).
    reader = csv.reader(_lf_lines(buffer))
    next(reader)
    before = reader.line_num
    for record in reader:
        line = before + 1
        before = reader.line_num
        if record and any(cell for cell in record):
            expected.append((*record, line))
    _, frame, problems = read_everything(data, block_bytes=block_bytes)
    assert rows_of(frame) == expected
    assert problems.empty


# --- XLSX ----------------------------------------------------------------------------------


def workbook_bytes(rows, formats=None):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Creators"
    for row in rows:
        sheet.append(row)
    for cell, number_format in (formats or {}).items():
        sheet[cell].number_format = number_format
    workbook.create_sheet("Notes")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_cells_become_the_text_a_csv_would_hold():
    data = workbook_bytes(
        [
            [None],
            ["Username", "Followers", "ER", "Joined", "Gender", "Score"],
            ["@A", 1500, 0.0139, datetime(2024, 1, 2), "F", 2.5],
            [None, None],
            ["b", "2.5k", 0.02, datetime(2024, 1, 2, 10, 30), "M", 475800000.0],
        ],
        formats={"C3": "0.00%"},
    )
    reader, frame, problems = read_everything(data, exclude=is_protected)
    assert reader.format == "xlsx"
    assert reader.header_line == 2
    assert reader.excluded == ["Gender"]
    assert reader.notes == ["Read the first sheet, 'Creators'; the workbook has 2."]
    assert rows_of(frame) == [
        ("@A", "1500", "1.39%", "2024-01-02", "2.5", 3),
        ("b", "2.5k", "0.02", "2024-01-02T10:30:00", "475800000", 5),
    ]
    assert problems.empty


def test_xlsx_duplicate_headers_and_cells_beyond_the_header():
    data = workbook_bytes(
        [
            ["Subscribers", "Subscribers", "Name"],
            ["1.2M", 1200000, "ana"],
            ["2M", 2000000, "bo", "?"],
        ]
    )
    reader, frame, problems = read_everything(data)
    assert reader.headers == ["Subscribers", "Name"]
    assert rows_of(frame) == [("1200000", "ana", 2)]
    assert problems[["line", "reason"]].to_dict("records") == [
        {"line": 3, "reason": "cells beyond the 3 named columns"}
    ]


def test_xlsx_from_a_path(tmp_path):
    path = tmp_path / "export.xlsx"
    path.write_bytes(workbook_bytes([["handle"], ["ana"]]))
    _, frame, _ = read_everything(path)
    assert rows_of(frame) == [("ana", 2)]
