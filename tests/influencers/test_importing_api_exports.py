"""Recorded API responses become canonical rows: exact ids, strings as counts, hidden values."""

import json
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from influencers.importing import ImportFileError, prepare, read_all
from influencers.importing.api_exports import detect_api_format, load_json, read_api_export

API = Path(__file__).resolve().parents[3] / "shared/data/real/api"
TODAY = date(2025, 1, 15)
USER_FIELDS = API / "instagram_graph__business_discovery_user_fields.json"
MEDIA_PAGES = [
    API / "instagram_graph__business_discovery_media_page1.json",
    API / "instagram_graph__business_discovery_media_page2.json",
]
CHANNELS = API / "youtube_v3__channels_list_snippet_statistics_multi.json"
VIDEOS = API / "youtube_v3__videos_list_statistics_2019_with_dislikeCount.json"
TIKTOK_USER = API / "tiktok_research__user_info.json"
TIKTOK_VIDEOS = API / "tiktok_research__video_query.json"


def imported(source, **options):
    prepared = prepare(source, today=TODAY, **options)
    good, errors = read_all(prepared)
    return prepared, good, errors


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        (USER_FIELDS, "instagram_graph"),
        (MEDIA_PAGES[0], "instagram_graph"),
        (CHANNELS, "youtube_channels"),
        (VIDEOS, "youtube_videos"),
        (TIKTOK_USER, "tiktok_user_info"),
        (TIKTOK_VIDEOS, "tiktok_videos"),
    ],
)
def test_every_recorded_response_is_detected(path, kind):
    document, _ = load_json(path)
    assert detect_api_format(document) == kind


def test_instagram_profile_fields():
    prepared, good, errors = imported(USER_FIELDS)
    assert prepared.format == "instagram_graph"
    assert prepared.platform == "instagram"
    row = good.iloc[0]
    assert (row["platform"], row["handle"], row["display_name"]) == (
        "instagram",
        "facebookfordevelopers",
        "Facebook for Developers",
    )
    assert row["external_id"] == "17841407673135339"
    assert (row["followers"], row["posts"]) == (64976, 436)
    assert pd.isna(row["following"]) and pd.isna(row["avg_likes"])
    assert row["as_of"] == TODAY
    assert errors.empty


def test_instagram_profile_with_its_media_pages_gets_averages_and_medians():
    prepared, good, errors = imported([USER_FIELDS, *MEDIA_PAGES])
    assert len(good) == 1
    row = good.iloc[0]
    assert row["avg_likes"] == (87 + 186 + 50 + 86) / 4
    assert row["median_likes"] == 86.5
    assert row["avg_comments"] == (11 + 16 + 3 + 5) / 4
    assert row["median_comments"] == 8.0
    assert pd.isna(row["avg_views"])
    assert prepared.posts["post_id"].tolist() == [
        "17885103395504675",
        "17886271043461692",
        "17939347456563225",
        "18165241603086291",
    ]
    assert prepared.posts["published_at"].iloc[0] == pd.Timestamp("2021-08-17T19:00:42Z")
    assert errors.empty


def test_instagram_media_pages_alone_name_no_account():
    _, good, errors = imported(MEDIA_PAGES[0])
    assert good.empty
    assert errors[["line", "column", "reason", "severity"]].to_dict("records") == [
        {
            "line": 1,
            "column": "handle",
            "reason": "the export does not name the account: import the media pages together "
            "with (or after) the business_discovery profile response",
            "severity": "error",
        }
    ]


def test_instagram_hidden_likes_are_unknown_not_zero(tmp_path):
    document = json.loads(MEDIA_PAGES[0].read_text())
    posts = document["business_discovery"]["media"]["data"]
    posts[0]["like_count"] = 0  # hidden: 0 likes but 11 comments
    del posts[1]["like_count"]  # hidden: the field is absent
    page = tmp_path / "hidden.json"
    page.write_text(json.dumps(document))
    prepared, good, _ = imported([USER_FIELDS, page])
    assert prepared.posts["likes"].isna().tolist() == [True, True]
    assert pd.isna(good.iloc[0]["avg_likes"])
    assert good.iloc[0]["avg_comments"] == 13.5
    assert prepared.notes == [
        "hidden.json: 2 post(s) hide their likes (0 or no like_count while commented): their "
        "likes are unknown, not 0."
    ]


def test_youtube_string_counts_become_integers():
    prepared, good, errors = imported(CHANNELS)
    assert prepared.format == "youtube_channels"
    assert good[["handle", "external_id", "followers", "posts", "country"]].to_dict("records") == [
        {
            "handle": "google",
            "external_id": "UCK8sQmJBp8GCxrOtXWBpyEA",
            "followers": 10_700_000,
            "posts": 2678,
            "country": None,  # the Google channel states no country
        },
        {
            "handle": "googledevelopers",
            "external_id": "UC_x5XG1OV2P6uZZ5FSM9Ttw",
            "followers": 2_260_000,
            "posts": 5652,
            "country": "US",
        },
    ]
    assert str(good["followers"].dtype) == "Int64"
    assert errors.empty


def test_youtube_hidden_subscriber_count_is_unknown(tmp_path):
    document = json.loads(CHANNELS.read_text())
    document["items"][0]["statistics"]["hiddenSubscriberCount"] = True
    path = tmp_path / "channels.json"
    path.write_text(json.dumps(document))
    _, good, errors = imported(path)
    assert pd.isna(good.iloc[0]["followers"])
    assert good.iloc[1]["followers"] == 2_260_000
    assert errors[["line", "column", "reason", "severity"]].to_dict("records") == [
        {
            "line": 1,
            "column": "channels.json: items[0].statistics.hiddenSubscriberCount",
            "reason": "the channel hides its subscriber count: unknown",
            "severity": "warning",
        }
    ]


def test_youtube_channels_with_videos_get_per_video_averages():
    prepared, good, errors = imported([CHANNELS, VIDEOS])
    developers = good[good["handle"] == "googledevelopers"].iloc[0]
    assert (developers["avg_views"], developers["avg_likes"], developers["avg_comments"]) == (
        7920.0,
        190.0,
        32.0,
    )
    assert (developers["median_views"], developers["median_likes"]) == (7920.0, 190.0)
    assert pd.isna(good[good["handle"] == "google"].iloc[0]["avg_views"])
    assert prepared.posts["post_id"].tolist() == ["D-lhorsDlUQ"]
    assert "dislikes" not in prepared.posts.columns
    assert errors.empty


def test_youtube_a_missing_like_count_is_unknown_for_that_video(tmp_path):
    document = json.loads(VIDEOS.read_text())
    del document["items"][0]["statistics"]["likeCount"]
    path = tmp_path / "videos.json"
    path.write_text(json.dumps(document))
    _, good, _ = imported([CHANNELS, path])
    developers = good[good["handle"] == "googledevelopers"].iloc[0]
    assert pd.isna(developers["avg_likes"])
    assert developers["avg_views"] == 7920.0


def test_youtube_a_count_that_is_not_a_number_rejects_the_channel(tmp_path):
    document = json.loads(CHANNELS.read_text())
    document["items"][1]["statistics"]["videoCount"] = "lots"
    path = tmp_path / "channels.json"
    path.write_text(json.dumps(document))
    _, good, errors = imported(path)
    assert good["handle"].tolist() == ["google"]
    assert errors[["line", "column", "field", "value", "reason"]].to_dict("records") == [
        {
            "line": 2,
            "column": "channels.json: items[1].statistics.videoCount",
            "field": "posts",
            "value": "lots",
            "reason": "not a number",
        }
    ]


def test_tiktok_user_info_needs_the_handle_it_was_requested_for():
    _, good, errors = imported(TIKTOK_USER)
    assert good.empty
    assert errors["reason"].tolist() == [
        "the TikTok API response does not name the account: give its handle"
    ]
    _, good, errors = imported(TIKTOK_USER, handle="@My_User")
    row = good.iloc[0]
    assert (row["handle"], row["display_name"], row["bio"]) == ("my_user", "my nick name", "my_bio")
    assert (row["followers"], row["following"], row["posts"]) == (232, 45, 44)
    assert row["url"] == "https://www.tiktok.com/@my_user"
    assert errors.empty


def test_tiktok_video_ids_keep_every_digit():
    literal = re.search(r'"video_id":\s*(\d+)', TIKTOK_VIDEOS.read_text()).group(1)
    assert literal == "702874395068494965"
    assert float(literal) != int(literal)  # would not survive a float
    export = read_api_export(TIKTOK_VIDEOS, handle="my_user")
    assert [post["post_id"] for post in export.posts] == [literal, literal]
    prepared, good, errors = imported([TIKTOK_USER, TIKTOK_VIDEOS], handle="my_user")
    assert prepared.posts["post_id"].tolist() == [literal]  # the same video twice counts once
    row = good.iloc[0]
    assert (row["followers"], row["avg_views"], row["avg_comments"]) == (232, 1050.0, 2.0)
    assert pd.isna(row["avg_likes"]) and pd.isna(row["avg_shares"])  # not in the response
    assert prepared.notes == ["1 post(s) appear more than once: each is counted once."]
    assert errors.empty


def test_a_tiktok_envelope_with_an_error_code_refuses_the_file(tmp_path):
    document = json.loads(TIKTOK_USER.read_text())
    document["error"] = {
        "code": "access_token_invalid",
        "message": "The access token is invalid or not found in the request.",
        "log_id": "20230113024658F0D7C5D6CA3A9B79C5B9",
    }
    path = tmp_path / "user_info.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ImportFileError) as raised:
        prepare(path, today=TODAY, handle="my_user")
    assert str(raised.value) == (
        "user_info.json: the TikTok API reported error 'access_token_invalid': The access token "
        "is invalid or not found in the request."
    )


def test_youtube_and_graph_api_error_responses_refuse_the_file(tmp_path):
    youtube = tmp_path / "quota.json"
    youtube.write_text(
        json.dumps({"error": {"code": 403, "message": "quota exceeded", "errors": [{}]}})
    )
    with pytest.raises(ImportFileError, match="YouTube API reported error 403: quota exceeded"):
        prepare(youtube, today=TODAY)
    graph = tmp_path / "token.json"
    graph.write_text(
        json.dumps({"error": {"message": "Invalid token", "type": "OAuthException", "code": 190}})
    )
    with pytest.raises(ImportFileError, match="Instagram Graph API reported error 190"):
        prepare(graph, today=TODAY)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "upload is not valid JSON"),
        (b'{"hello": "world"}', "upload is JSON but not an API export this importer knows"),
        (b"\xff\xfe{}", "upload is not UTF-8 JSON"),
    ],
)
def test_json_that_is_not_a_known_export_is_refused(content, message):
    with pytest.raises(ImportFileError, match=message):
        prepare(content, today=TODAY, format="instagram_graph" if b"hello" not in content else None)


def test_a_format_that_contradicts_the_document_is_refused():
    with pytest.raises(ImportFileError, match="is a youtube_channels export, not tiktok_videos"):
        prepare(CHANNELS, today=TODAY, format="tiktok_videos")


def test_json_and_tables_cannot_be_imported_together(tmp_path):
    table = tmp_path / "table.csv"
    table.write_text("handle\nana\n")
    with pytest.raises(ImportFileError, match="only API exports"):
        prepare([CHANNELS, table], today=TODAY)
