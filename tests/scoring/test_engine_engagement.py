"""Known answers: engagement rate, follower tier, engagement tier, suspicious flags."""

import dataclasses
import datetime

import numpy as np
import pandas as pd
import pytest

from scoring.engine import PRESETS, compute_benchmarks, score_accounts
from scoring.engine.profile import DEFAULT_PROFILE, EngagementTiers
from tests.scoring.frames import accounts

TODAY = datetime.date(2024, 6, 15)
SMALL_GROUPS = dataclasses.replace(
    DEFAULT_PROFILE, engagement_tiers=EngagementTiers(minimum_peers=1)
)


def score(frame: pd.DataFrame, profile=SMALL_GROUPS, **options) -> pd.DataFrame:
    return score_accounts(frame, profile, today=TODAY, **options)


def test_engagement_rate_sums_the_known_counts_over_followers():
    frame = accounts(
        {"followers": 55_600, "avg_likes": 1_200, "avg_comments": 85},
        {"followers": 1_000, "avg_likes": 100, "avg_comments": 10, "avg_shares": 5},
        {"followers": 1_000, "avg_comments": 30},
    )

    result = score(frame)

    assert result["engagement_rate"].tolist() == pytest.approx([1_285 / 55_600, 0.115, 0.03])
    assert result["engagement_rate_denominator"].tolist() == ["followers"] * 3
    assert result["engagement_rate_per_view"].isna().all()
    assert result["expected_engagements"].tolist() == pytest.approx([1_285, 115, 30])


def test_engagement_rate_is_unknown_without_counts_or_followers():
    frame = accounts(
        {"followers": 10_000},
        {"avg_likes": 100, "avg_comments": 5},
        {"followers": 0, "avg_likes": 100},
        {"followers": 5_000, "avg_likes": -3},
    )

    result = score(frame)

    assert result["engagement_rate"].isna().all()
    assert result["engagement_rate_denominator"].isna().all()
    assert result["engagement_percentile"].isna().all()
    assert result["engagement_tier"].isna().all()
    assert result["resonance"].isna().all()


def test_reported_rate_is_used_only_when_the_counts_cannot_give_one():
    frame = accounts(
        {"followers": 20_000, "reported_engagement_rate": 0.0139},
        {"followers": 20_000, "avg_likes": 300, "reported_engagement_rate": 0.0139},
    )

    result = score(frame)

    assert result["engagement_rate"].tolist() == pytest.approx([0.0139, 0.015])
    assert result["engagement_rate_denominator"].tolist() == ["followers", "followers"]


def test_video_platforms_also_get_a_rate_per_view():
    frame = accounts(
        {
            "platform": "youtube",
            "followers": 100_000,
            "avg_likes": 900,
            "avg_comments": 100,
            "avg_views": 20_000,
        },
        {"platform": "tiktok", "avg_likes": 300, "avg_comments": 10, "avg_views": 4_000},
        {"platform": "instagram", "followers": 100_000, "avg_likes": 900, "avg_views": 20_000},
    )

    result = score(frame)

    assert result["engagement_rate"].tolist() == pytest.approx([0.01, 0.0775, 0.009])
    assert result["engagement_rate_denominator"].tolist() == ["followers", "views", "followers"]
    assert result["engagement_rate_per_view"].iloc[:2].tolist() == pytest.approx([0.05, 0.0775])
    assert np.isnan(result["engagement_rate_per_view"].iloc[2])
    # A rate per view is not compared with per-follower peers.
    assert np.isnan(result["engagement_percentile"].iloc[1])
    assert result["expected_engagements"].tolist() == pytest.approx([1_000, 310, 900])


@pytest.mark.parametrize(
    ("followers", "default_tier", "seed_tier"),
    [
        (500, "nano", "nano"),
        (1_000, "nano", "nano"),
        (4_999, "nano", "nano"),
        (5_000, "nano", "micro"),
        (9_999, "nano", "micro"),
        (10_000, "micro", "micro"),
        (19_999, "micro", "micro"),
        (20_000, "micro", "mid"),
        (49_999, "micro", "mid"),
        (50_000, "mid", "mid"),
        (99_999, "mid", "mid"),
        (100_000, "mid", "macro"),
        (499_999, "mid", "macro"),
        (500_000, "macro", "macro"),
        (999_999, "macro", "macro"),
        (1_000_000, "mega", "mega"),
    ],
)
def test_follower_tiers_follow_the_profile(followers, default_tier, seed_tier):
    frame = accounts({"followers": followers})

    assert score(frame, PRESETS["default"])["follower_tier"].iloc[0] == default_tier
    assert score(frame, PRESETS["micro-5k-20k"])["follower_tier"].iloc[0] == seed_tier


def test_unknown_followers_have_no_tier():
    result = score(accounts({"avg_likes": 10}))

    assert pd.isna(result["follower_tier"].iloc[0])


def test_engagement_percentile_and_tier_within_platform_and_follower_tier():
    peers = [{"followers": 20_000, "avg_likes": 200 * step} for step in range(1, 6)]
    others = [{"platform": "tiktok", "followers": 20_000, "avg_likes": 5_000}]
    benchmarks = compute_benchmarks(accounts(*peers, *others), SMALL_GROUPS)
    # Rates of the five Instagram micro peers: 1 %, 2 %, 3 %, 4 %, 5 %.
    probe = accounts(
        {"followers": 20_000, "avg_likes": 600},  # 3 %: the median
        {"followers": 20_000, "avg_likes": 440},  # 2.2 %: p30
        {"followers": 20_000, "avg_likes": 900},  # 4.5 %: p87.5
        {"followers": 20_000, "avg_likes": 1_000},  # 5 %: the top
        {"followers": 20_000, "avg_likes": 100},  # 0.5 %: below everyone
        {"followers": 20_000, "avg_likes": 300},  # 1.5 %: p12.5
    )

    result = score(probe, benchmarks=benchmarks)

    assert result["engagement_percentile"].tolist() == pytest.approx([50, 30, 87.5, 100, 0, 12.5])
    assert result["engagement_tier"].tolist() == [
        "average",
        "average",
        "high",
        "exceptional",
        "low",
        "low",
    ]


def test_a_tier_with_too_few_peers_is_compared_with_the_whole_platform():
    profile = dataclasses.replace(
        DEFAULT_PROFILE, engagement_tiers=EngagementTiers(minimum_peers=3)
    )
    frame = accounts(
        {"followers": 20_000, "avg_likes": 200},  # micro, 1 %
        {"followers": 20_000, "avg_likes": 400},  # micro, 2 %
        {"followers": 60_000, "avg_likes": 1_800},  # mid, 3 %
        {"followers": 60_000, "avg_likes": 2_400},  # mid, 4 %
        {"followers": 60_000, "avg_likes": 3_000},  # mid, 5 %
    )

    result = score(frame, profile)

    # Micro accounts: against all five Instagram rates; mid accounts: against the three mids.
    assert result["engagement_percentile"].tolist() == pytest.approx([0, 25, 0, 50, 100])
    assert "of all Instagram accounts" in result["explanation"].iloc[0]
    assert "fewer than 3 micro accounts to compare" in result["explanation"].iloc[0]
    assert "percentile of Instagram mid accounts" in result["explanation"].iloc[2]


def test_without_enough_peers_anywhere_there_is_no_percentile():
    result = score(accounts({"followers": 20_000, "avg_likes": 200}), DEFAULT_PROFILE)

    assert np.isnan(result["engagement_percentile"].iloc[0])
    assert np.isnan(result["resonance"].iloc[0])
    assert "not compared (fewer than 20 Instagram accounts" in result["explanation"].iloc[0]


def test_a_whole_tier_with_one_rate_puts_it_at_the_median():
    frame = accounts(*[{"followers": 20_000, "avg_likes": 400}] * 3)

    assert score(frame)["engagement_percentile"].tolist() == [50.0, 50.0, 50.0]


def test_rate_far_above_the_peers_top_percentile_is_suspicious():
    peers = [{"followers": 20_000, "avg_likes": 200 * step} for step in range(1, 6)]
    benchmarks = compute_benchmarks(accounts(*peers), SMALL_GROUPS)
    # p99 of 1 %..5 % is 4.96 %; twice that is 9.92 %.
    probe = accounts(
        {"followers": 20_000, "avg_likes": 1_985, "avg_comments": 15},  # 10.0 %
        {"followers": 20_000, "avg_likes": 1_960, "avg_comments": 14},  # 9.87 %
    )

    result = score(probe, benchmarks=benchmarks)

    assert result["is_suspicious"].tolist() == [True, False]
    assert result["suspicious_reasons"].tolist() == ["engagement_far_above_peers", ""]
    assert "rate above 2× the peers' 99th percentile (4.96 %)" in result["explanation"].iloc[0]


def test_many_likes_with_almost_no_comments_is_suspicious():
    frame = accounts(
        {"followers": 100_000, "avg_likes": 1_000, "avg_comments": 0},
        {"followers": 100_000, "avg_likes": 999, "avg_comments": 0},
        {"followers": 100_000, "avg_likes": 5_000, "avg_comments": 4},
        {"followers": 100_000, "avg_likes": 5_000, "avg_comments": 5},
        {"followers": 100_000, "avg_likes": 5_000},
    )

    result = score(frame)

    assert result["suspicious_reasons"].tolist() == [
        "likes_without_comments",
        "",
        "likes_without_comments",
        "",
        "",
    ]


def test_more_engagements_than_followers_or_views_is_suspicious():
    frame = accounts(
        {"followers": 100, "avg_likes": 150, "avg_comments": 10},
        {
            "platform": "youtube",
            "followers": 10_000,
            "avg_likes": 150,
            "avg_comments": 10,
            "avg_views": 100,
        },
        {"audience_credibility": 0.49},
        {"audience_credibility": 0.5},
    )

    result = score(frame)

    assert result["suspicious_reasons"].tolist() == [
        "engagement_above_followers",
        "engagement_above_views",
        "low_audience_credibility",
        "",
    ]


def test_several_reasons_are_listed_together():
    frame = accounts(
        {"followers": 100, "avg_likes": 2_000, "avg_comments": 0, "audience_credibility": 0.2}
    )

    result = score(frame)

    assert result["suspicious_reasons"].iloc[0] == (
        "likes_without_comments,engagement_above_followers,low_audience_credibility"
    )
    assert result["explanation"].iloc[0].count("Suspicious: ") == 1
    assert (
        "Suspicious: 2,000 likes but only 0 comments; more engagements per post than followers; "
        "audience credibility 20 % (below 50 %)."
    ) in result["explanation"].iloc[0]
