"""Known answers on the real API exports in ../shared/data/real (read with plain json)."""

import datetime
import json
import math
from pathlib import Path

import pandas as pd
import pytest

from scoring.engine import PRESETS, score_accounts

REAL = Path(__file__).resolve().parents[3] / "shared/data/real"


def load(name: str) -> dict:
    return json.loads((REAL / "api" / name).read_text(encoding="utf-8"))


def test_youtube_channel_engagement_rate_per_view_from_its_video_statistics():
    videos = load("youtube_v3__videos_list_statistics_2019_with_dislikeCount.json")["items"]
    channels = load("youtube_v3__channels_list_snippet_statistics_multi.json")["items"]
    channel_id = videos[0]["snippet"]["channelId"]
    channel = next(item for item in channels if item["id"] == channel_id)
    statistics = [video["statistics"] for video in videos]

    def average(name: str) -> float:
        return sum(int(item[name]) for item in statistics) / len(statistics)

    frame = pd.DataFrame(
        {
            "account_id": [1],
            "platform": ["youtube"],
            "followers": pd.array([int(channel["statistics"]["subscriberCount"])], dtype="Int64"),
            "avg_likes": [average("likeCount")],
            "avg_comments": [average("commentCount")],
            "avg_views": [average("viewCount")],
            "country": [channel["snippet"]["country"]],
        }
    )

    result = score_accounts(frame, PRESETS["default"], today=datetime.date(2019, 4, 1))

    # videos.list: one video with viewCount "7920", likeCount "190", commentCount "32";
    # channels.list: Google Developers, subscriberCount "2260000".
    assert len(videos) == 1
    assert result["engagement_rate_per_view"].iloc[0] == (190 + 32) / 7_920
    assert result["engagement_rate"].iloc[0] == (190 + 32) / 2_260_000
    assert result["engagement_rate_denominator"].iloc[0] == "followers"
    assert result["follower_tier"].iloc[0] == "mega"
    assert result["reach"].iloc[0] == pytest.approx(25 * (math.log10(2_260_000) - 3))
    assert result["expected_engagements"].iloc[0] == pytest.approx(222)
    explanation = result["explanation"].iloc[0]
    assert explanation.startswith(
        "Engagement rate 0.01 % of followers ((190 likes + 32 comments) / 2,260,000 "
        "followers); 2.80 % of 7,920 average views"
    )


def test_tiktok_videos_without_like_counts_use_the_counts_that_are_known():
    videos = load("tiktok_research__video_query.json")["data"]["videos"]
    views = sum(video["view_count"] for video in videos) / len(videos)
    comments = sum(video["comment_count"] for video in videos) / len(videos)
    frame = pd.DataFrame(
        {
            "account_id": [1],
            "platform": ["tiktok"],
            "followers": pd.array([None], dtype="Int64"),
            "avg_comments": [comments],
            "avg_views": [views],
        }
    )

    result = score_accounts(frame, PRESETS["default"], today=datetime.date(2023, 1, 13))

    # Two videos, each view_count 1050 and comment_count 2; no like_count in the export.
    assert all("like_count" not in video for video in videos)
    assert result["engagement_rate_per_view"].iloc[0] == 2 / 1_050
    assert result["engagement_rate"].iloc[0] == 2 / 1_050
    assert result["engagement_rate_denominator"].iloc[0] == "views"
    assert result["reach"].iloc[0] == pytest.approx(25 * (math.log10(1_050) - 3))


def test_arrow_backed_text_columns_in_several_chunks_are_accepted():
    import pyarrow as pa

    from scoring.engine import DEFAULT_PROFILE, score_accounts

    platforms = pa.chunked_array([["instagram", "tiktok"], ["youtube"]])
    frame = pd.DataFrame(
        {
            "account_id": [1, 2, 3],
            "platform": pd.Series(pd.arrays.ArrowExtensionArray(platforms)),
            "followers": [10_000, 20_000, 30_000],
        }
    )

    scores = score_accounts(frame, DEFAULT_PROFILE, today="2026-11-22")

    assert scores["follower_tier"].tolist() == ["micro", "micro", "micro"]
