"""Several files of one export: a list of files or a .zip of them, read as one import."""

import io
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from influencers.importing import ImportFileError, archives, prepare, read_all
from influencers.importing.pipeline import default_source

API = Path(__file__).resolve().parents[3] / "shared/data/real/api"
TODAY = date(2025, 1, 15)
INSTAGRAM = [
    API / "instagram_graph__business_discovery_user_fields.json",
    API / "instagram_graph__business_discovery_media_page1.json",
    API / "instagram_graph__business_discovery_media_page2.json",
]
CHANNELS = API / "youtube_v3__channels_list_snippet_statistics_multi.json"
VIDEOS = API / "youtube_v3__videos_list_statistics_2019_with_dislikeCount.json"
TIKTOK = [API / "tiktok_research__user_info.json", API / "tiktok_research__video_query.json"]


def zipped(members):
    """A zip archive of (name, bytes) pairs."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_of(paths):
    return zipped([(path.name, path.read_bytes()) for path in paths])


def test_a_zip_of_the_instagram_export_reads_like_its_files():
    from_files, _ = read_all(prepare(INSTAGRAM, today=TODAY))
    prepared = prepare(zip_of(INSTAGRAM), today=TODAY)
    good, errors = read_all(prepared)

    assert prepared.format == "instagram_graph"
    assert good.drop(columns="source_line").equals(from_files.drop(columns="source_line"))
    row = good.iloc[0]
    assert (row["handle"], row["followers"], row["posts"]) == ("facebookfordevelopers", 64976, 436)
    assert (row["avg_likes"], row["median_likes"]) == ((87 + 186 + 50 + 86) / 4, 86.5)
    assert (row["avg_comments"], row["median_comments"]) == ((11 + 16 + 3 + 5) / 4, 8.0)
    assert errors.empty


def test_problems_in_a_zip_name_the_member():
    document = CHANNELS.read_text().replace('"videoCount":"5652"', '"videoCount":"lots"')
    assert "lots" in document

    _, errors = read_all(prepare(zipped([("export/channels.json", document)]), today=TODAY))

    assert errors["column"].tolist() == ["export/channels.json: items[1].statistics.videoCount"]


def test_folders_hidden_files_and_macos_forks_are_skipped():
    archive = zipped(
        [
            ("export/", b""),
            ("export/.DS_Store", b"\x00\x01"),
            ("__MACOSX/export/._channels.json", b"\x00\x05\x16\x07"),
            ("export/channels.json", CHANNELS.read_bytes()),
        ]
    )

    [member] = archives.expand([archive])

    assert member.name == "export/channels.json"
    assert member.read() == CHANNELS.read_bytes()


def test_a_workbook_is_a_zip_but_not_an_archive_of_files(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["handle", "followers"])
    workbook.active.append(["maya", 12500])
    path = tmp_path / "book.xlsx"
    workbook.save(path)

    assert archives.is_archive(path) is False
    good, _ = read_all(prepare(path, today=TODAY, platform="instagram"))
    assert good[["handle", "followers"]].to_dict("records") == [
        {"handle": "maya", "followers": 12500}
    ]


def test_a_zip_of_one_table_imports_the_table():
    archive = zipped([("vendor.csv", "handle,followers\nmaya,12.5k\n")])

    good, _ = read_all(prepare(archive, today=TODAY, platform="instagram"))

    assert good[["handle", "followers"]].to_dict("records") == [
        {"handle": "maya", "followers": 12500}
    ]


@pytest.mark.parametrize(
    ("archive", "reason"),
    [
        (zipped([]), "upload holds no files"),
        (zipped([("__MACOSX/._a.json", b"x")]), "upload holds no files"),
        (zipped([("inner.zip", zipped([("a.json", b"{}")]))]), "inner.zip is an archive inside"),
        (b"PK\x03\x04 not really a zip", "upload is not a readable zip archive"),
        (
            zipped([("a.csv", "handle\nana\n"), ("b.csv", "handle\nbob\n")]),
            "import one table at a time",
        ),
        (
            zipped([("channels.json", CHANNELS.read_bytes()), ("b.csv", "handle\nbob\n")]),
            "only API exports (JSON) can be imported together",
        ),
    ],
    ids=["empty", "only-forks", "nested", "damaged", "two-tables", "json-and-table"],
)
def test_an_archive_that_cannot_be_imported_is_refused_with_a_reason(archive, reason):
    with pytest.raises(ImportFileError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        prepare(archive, today=TODAY, platform="instagram")


def test_an_archive_that_unpacks_to_too_much_is_refused(monkeypatch):
    monkeypatch.setattr(archives, "MAX_UNPACKED_BYTES", 1000)

    with pytest.raises(ImportFileError, match="upload unpacks to more than 0 MB"):
        prepare(zipped([("big.csv", "handle\n" + "ana\n" * 400)]), today=TODAY)


def test_an_archive_file_object_is_read_and_left_as_it_was():
    stream = io.BytesIO(zip_of([CHANNELS]))
    stream.name = "export.zip"

    assert archives.is_archive(stream) is True
    assert stream.tell() == 0


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        ([CHANNELS, VIDEOS], "YouTube Data API"),
        (INSTAGRAM[1:], "Instagram Graph API"),
        (TIKTOK, "TikTok Research API"),
        ([zip_of([CHANNELS, VIDEOS])], "YouTube Data API"),
        ([CHANNELS, TIKTOK[0]], None),  # two platforms
        ([b"handle,followers\nmaya,1\n"], None),  # a table
        ([b"{not json"], None),  # unreadable: the import says why, not this
    ],
    ids=["youtube", "instagram", "tiktok", "zip", "mixed", "table", "broken"],
)
def test_the_default_source_of_api_exports_is_their_api(sources, expected):
    assert default_source(sources) == expected


def test_an_account_named_only_by_its_id_takes_the_handle_known_for_it():
    asked = []

    def find_handles(platform, external_ids):
        asked.append((platform, external_ids))
        return {"UC_x5XG1OV2P6uZZ5FSM9Ttw": "googledevelopers"}

    prepared = prepare(VIDEOS, today=TODAY, find_handles=find_handles)
    good, errors = read_all(prepared)

    assert asked == [("youtube", ["UC_x5XG1OV2P6uZZ5FSM9Ttw"])]
    row = good.iloc[0]
    assert (row["handle"], row["external_id"]) == ("googledevelopers", "UC_x5XG1OV2P6uZZ5FSM9Ttw")
    assert pd.isna(row["followers"])  # not in videos.list: unknown
    assert (row["avg_views"], row["avg_likes"], row["avg_comments"]) == (7920.0, 190.0, 32.0)
    assert prepared.notes == [
        "1 account(s) that these files name only by their platform id were matched to "
        "accounts already imported with that id."
    ]
    assert errors.empty


def test_an_account_named_only_by_an_unknown_id_is_rejected_with_the_way_out():
    _, errors = read_all(prepare(VIDEOS, today=TODAY, find_handles=lambda platform, ids: {}))

    assert errors[["line", "reason", "severity"]].to_dict("records") == [
        {
            "line": 1,
            "reason": "the export does not name the channel: import videos.list together with "
            "(or after) channels.list",
            "severity": "error",
        }
    ]
