"""prepare() and preview(): detection, mapping overrides, chunks, and one clear file error."""

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from influencers.importing import (
    CANONICAL_COLUMNS,
    FORMATS,
    ImportFileError,
    prepare,
    preview,
    read_all,
)

TEMPLATE = Path(__file__).resolve().parents[2] / "influencers" / "importing" / "template.csv"
REAL = Path(__file__).resolve().parents[3] / "shared/data/real"
TODAY = date(2025, 1, 15)

VENDOR_EXPORT = b"""Username,Followers,Engagement rate (%),Gender,Audience Country,Rank
@Ana,3.3k,2.5,F,U.S.A,1
@bo,N/A,16%,M,India,2
cy,lots,1.1,,Narnia,3
"""


def test_the_formats():
    assert FORMATS == (
        "csv",
        "tsv",
        "xlsx",
        "canonical",
        "instagram_graph",
        "youtube_channels",
        "youtube_videos",
        "tiktok_user_info",
        "tiktok_videos",
    )


def test_the_template_is_a_canonical_file_without_rows():
    header = TEMPLATE.read_text(encoding="utf-8").strip().split(",")
    assert header == [column for column in CANONICAL_COLUMNS if column != "source_line"]
    prepared = prepare(TEMPLATE, today=TODAY)
    good, errors = read_all(prepared)
    assert prepared.format == "canonical"
    assert good.empty and errors.empty


def test_a_canonical_file_round_trips():
    data = (
        b"platform,handle,display_name,country,categories,followers,posts,avg_likes,"
        b"avg_comments,engagement_rate,price_per_post,price_currency,as_of\n"
        b'instagram,example.creator,Example Creator,FR,"travel,food",24300,388,612.5,41.2,'
        b"0.0269,450,EUR,2025-01-15\n"
        b"tiktok,@Example_Dancer,Example Dancer,U.S.A,dance,1.2M,310,85k,1.1k,7.4%,,,2025-01-14\n"
    )
    prepared = prepare(data, today=TODAY)
    good, errors = read_all(prepared)
    assert prepared.format == "canonical"
    assert prepared.platform is None  # each row says
    assert good.drop(columns="as_of").dropna(axis=1, how="all").to_dict("records") == [
        {
            "platform": "instagram",
            "handle": "example.creator",
            "display_name": "Example Creator",
            "country": "FR",
            "categories": "travel,food",
            "followers": 24300,
            "posts": 388,
            "avg_likes": 612.5,
            "avg_comments": 41.2,
            "engagement_rate": 0.0269,
            "price_per_post": "450",
            "price_currency": "EUR",
            "source_line": 2,
        },
        {
            "platform": "tiktok",
            "handle": "example_dancer",
            "display_name": "Example Dancer",
            "country": "US",
            "categories": "dance",
            "followers": 1_200_000,
            "posts": 310,
            "avg_likes": 85_000.0,
            "avg_comments": 1_100.0,
            "engagement_rate": 0.074,
            "price_per_post": None,
            "price_currency": None,
            "source_line": 3,
        },
    ]
    assert good["as_of"].tolist() == [date(2025, 1, 15), date(2025, 1, 14)]
    assert {str(good[column].dtype) for column in ("followers", "posts")} == {"Int64"}
    assert str(good["engagement_rate"].dtype) == "Float64"
    assert str(good["as_of"].dtype) == "date32[day][pyarrow]"
    assert errors.empty


def test_a_vendor_export_is_mapped_parsed_and_reported():
    prepared = prepare(VENDOR_EXPORT, today=TODAY, platform="tiktok", as_of=date(2025, 1, 1))
    assert prepared.format == "csv"
    assert prepared.mapping == {
        "Username": "handle",
        "Followers": "followers",
        "Engagement rate (%)": "engagement_rate_percent",
        "Audience Country": "audience_country",
        "Rank": None,
        "Gender": "excluded",
    }
    (chunk,) = list(prepared)
    assert chunk.rows_read == 3
    assert chunk.rejected == 1
    assert chunk.good[["handle", "followers", "engagement_rate", "audience_country"]].to_dict(
        "records"
    ) == [
        {"handle": "ana", "followers": 3300, "engagement_rate": 0.025, "audience_country": "US"},
        {"handle": "bo", "followers": None, "engagement_rate": 0.16, "audience_country": "IN"},
    ]
    assert chunk.good["as_of"].tolist() == [date(2025, 1, 1)] * 2
    assert chunk.errors.astype(object).to_dict("records") == [
        {
            "line": 4,
            "column": "Followers",
            "field": "followers",
            "value": "lots",
            "reason": "not a number",
            "severity": "error",
        },
        {
            "line": 4,
            "column": "Audience Country",
            "field": "audience_country",
            "value": "Narnia",
            "reason": "unknown country",
            "severity": "warning",
        },
    ]


def test_the_mapping_can_be_changed():
    prepared = prepare(
        VENDOR_EXPORT,
        today=TODAY,
        platform="tiktok",
        mapping={"Engagement rate (%)": None, "Rank": "posts"},
    )
    good, _ = read_all(prepared)
    assert prepared.mapping["Engagement rate (%)"] is None
    assert good["posts"].tolist() == [1, 2]
    assert good["engagement_rate"].isna().all()


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"Gender": "bio"}, "column 'Gender' describes a protected personal trait"),
        ({"Nope": "bio"}, "the mapping names a column the file does not have: 'Nope'"),
        ({"Rank": "likes"}, "'likes' is not a column we import"),
        ({"Rank": "followers"}, "columns 'Followers' and 'Rank' are both mapped to followers"),
        ({"Username": None}, "no column holds the account handle: map one to handle"),
    ],
)
def test_a_wrong_mapping_is_refused(mapping, message):
    with pytest.raises(ImportFileError, match=message):
        prepare(VENDOR_EXPORT, today=TODAY, platform="tiktok", mapping=mapping)


def test_the_platform_comes_from_the_headers_or_must_be_chosen():
    assert prepare(b"Tiktoker name,Followers\nana,1\n", today=TODAY).platform == "tiktok"
    with pytest.raises(ImportFileError, match="does not say which platform"):
        prepare(b"Username,Followers\nana,1\n", today=TODAY)
    with pytest.raises(ImportFileError, match="unknown platform 'myspace'"):
        prepare(b"Username,Followers\nana,1\n", today=TODAY, platform="myspace")


def test_rows_without_a_date_are_dated_today_and_say_so():
    prepared = prepare(b"handle,platform\nana,instagram\n", today=TODAY)
    good, _ = read_all(prepared)
    assert good["as_of"].tolist() == [TODAY]
    assert prepared.notes == ["Rows without their own date are dated 2025-01-15 (today)."]


def test_chunks_give_the_same_result_as_one_block_and_find_duplicates_across_them():
    lines = ["handle,followers,bio"]
    for number in range(300):
        lines.append(f'user{number % 250},{number},"bio\nof {number}"')
    data = ("\n".join(lines) + "\n").encode()
    whole, whole_errors = read_all(prepare(data, today=TODAY, platform="x"))
    chunks = list(prepare(data, today=TODAY, platform="x", block_bytes=256))
    assert len(chunks) > 10
    chunked = pd.concat([chunk.good for chunk in chunks], ignore_index=True)
    chunked_errors = pd.concat([chunk.errors for chunk in chunks], ignore_index=True)
    pd.testing.assert_frame_equal(chunked, whole)
    pd.testing.assert_frame_equal(chunked_errors, whole_errors)
    assert len(whole) == 250
    assert whole_errors["line"].tolist() == list(range(502, 602, 2))
    assert whole_errors["reason"].iloc[0] == (
        "duplicate of line 2: same platform, handle and as_of date"
    )
    assert sum(chunk.rows_read for chunk in chunks) == 300
    assert sum(chunk.rejected for chunk in chunks) == 50


def test_a_prepared_import_is_read_once():
    prepared = prepare(b"handle\nana\n", today=TODAY, platform="x")
    read_all(prepared)
    with pytest.raises(RuntimeError, match="read only once"):
        list(prepared)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (b"", "the file is empty"),
        (b"\xd0\xcf\x11\xe0 old excel", "old Excel .xls files are not supported"),
        (b"just,a,header\n", "no column holds the account handle"),
        ([], "no file given"),
    ],
)
def test_files_that_cannot_be_read_raise_one_clear_error(source, message):
    with pytest.raises(ImportFileError, match=message):
        prepare(source, today=TODAY, platform="instagram")


def test_an_unknown_format_is_refused():
    with pytest.raises(ImportFileError, match="unknown format 'pdf'"):
        prepare(b"handle\nana\n", today=TODAY, format="pdf")


def test_several_tables_cannot_be_imported_together():
    with pytest.raises(ImportFileError, match="import one table at a time"):
        prepare([b"handle\na\n", b"handle\nb\n"], today=TODAY, platform="x")


def test_preview_shows_the_mapping_and_the_first_rows_without_refusing():
    shown = preview(VENDOR_EXPORT, today=TODAY, rows=2)
    assert shown.format == "csv"
    assert shown.platform is None
    assert shown.notes == ["The file does not say which platform its accounts are on: choose one."]
    assert shown.columns == [
        {"header": "Username", "target": "handle", "status": "mapped"},
        {"header": "Followers", "target": "followers", "status": "mapped"},
        {
            "header": "Engagement rate (%)",
            "target": "engagement_rate_percent",
            "status": "mapped",
        },
        {"header": "Audience Country", "target": "audience_country", "status": "mapped"},
        {"header": "Rank", "target": None, "status": "recognised, not imported"},
        {"header": "Gender", "target": "excluded", "status": "protected: never imported"},
    ]
    assert list(shown.sample.columns) == [
        "Username",
        "Followers",
        "Engagement rate (%)",
        "Audience Country",
        "Rank",
        "source_line",
    ]
    assert shown.sample["Username"].tolist() == ["@Ana", "@bo"]
    assert shown.rows["handle"].tolist() == ["ana", "bo"]
    assert shown.rows["followers"].tolist() == [3300, pd.NA]
    assert set(shown.errors["reason"]) == {"missing platform"}


def test_preview_with_the_users_choices():
    shown = preview(VENDOR_EXPORT, today=TODAY, platform="tiktok", mapping={"Rank": "posts"})
    assert shown.platform == "tiktok"
    assert shown.rows["posts"].tolist() == [1, 2, 3]
    assert shown.errors["line"].tolist() == [4, 4]


def test_preview_of_an_api_export():
    shown = preview(REAL / "api" / "youtube_v3__channels_list_snippet_statistics_multi.json")
    assert shown.format == "youtube_channels"
    assert shown.rows["handle"].tolist() == ["google", "googledevelopers"]
    assert shown.mapping == {}


def test_a_file_object_can_be_read(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(b"handle,followers\nana,1.2k\n")
    with path.open("rb") as upload:
        good, _ = read_all(prepare(upload, today=TODAY, platform="twitch"))
    assert good["followers"].tolist() == [1200]
