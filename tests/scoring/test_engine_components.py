"""Known answers: reach, resonance, relevance, relationship, total, confidence and value."""

import dataclasses
import datetime
import math

import numpy as np
import pandas as pd
import pytest

from scoring.engine import Target, compute_benchmarks, score_accounts
from scoring.engine.profile import DEFAULT_PROFILE, EngagementTiers, FairPrice
from tests.scoring.frames import accounts, relationships

TODAY = datetime.date(2024, 6, 15)
SMALL_GROUPS = dataclasses.replace(
    DEFAULT_PROFILE,
    engagement_tiers=EngagementTiers(minimum_peers=1),
    fair_price=FairPrice(minimum_peers=1),
)


def score(frame: pd.DataFrame, profile=SMALL_GROUPS, **options) -> pd.DataFrame:
    return score_accounts(frame, profile, today=TODAY, **options)


# Reach


def test_reach_is_log_scaled_followers_between_the_platform_floor_and_ceiling():
    frame = accounts(
        {"followers": 55_600},
        {"followers": 1_000},
        {"followers": 500},
        {"followers": 0},
        {"followers": 10_000_000},
        {"followers": 20_000_000},
        {"platform": "twitch", "followers": 31_623},
    )

    result = score(frame)

    assert result["reach"].tolist() == pytest.approx(
        [25 * (math.log10(55_600) - 3), 0, 0, 0, 100, 100, 100 * (math.log10(31_623) - 3) / 3]
    )


def test_reach_falls_back_to_average_views_and_is_unknown_without_either():
    frame = accounts(
        {"platform": "youtube", "avg_views": 10_000},
        {"platform": "youtube"},
    )

    result = score(frame)

    assert result["reach"].iloc[0] == pytest.approx(25.0)
    assert np.isnan(result["reach"].iloc[1])
    assert "Reach unknown: no follower count." in result["explanation"].iloc[1]


# Resonance


def test_resonance_adds_conversation_depth_and_audience_credibility_to_the_percentile():
    frame = accounts(
        # Alone in their tiers, so each sits at the 50th percentile.
        {"followers": 55_600, "avg_likes": 1_200, "avg_comments": 85, "audience_credibility": 0.65},
        {"followers": 5_000, "avg_likes": 990, "avg_comments": 10, "audience_credibility": 0.875},
        {"followers": 20_000, "avg_likes": 300, "audience_credibility": 1.0},
        {"followers": 600_000, "reported_engagement_rate": 0.02},
    )

    result = score(frame)

    assert result["engagement_percentile"].tolist() == [50.0] * 4
    # 85/1285 = 6.6 % comments: log2(6.6/2) > 1 so +10; credibility 65 %: 15 × -0.1/0.25 = -6.
    # 10/1000 = 1 % comments: log2(1/2) = -1 so -10; credibility 87.5 %: 15 × 0.5 = +7.5.
    # Comments unknown: no conversation adjustment; credibility 100 %: +15.
    assert result["resonance"].tolist() == pytest.approx([54.0, 47.5, 65.0, 50.0])


def test_conversation_depth_is_scaled_by_the_log_of_the_comment_share():
    share = 0.02 * math.sqrt(2)  # half a doubling above the reference
    frame = accounts(
        {"followers": 10_000, "avg_likes": 1_000 * (1 - share), "avg_comments": 1_000 * share}
    )

    assert score(frame)["resonance"].iloc[0] == pytest.approx(55.0)


def test_resonance_stays_within_zero_and_one_hundred():
    peers = [
        {"followers": 20_000, "avg_likes": 200 * step, "avg_comments": 20} for step in range(1, 6)
    ]
    benchmarks = compute_benchmarks(accounts(*peers), SMALL_GROUPS)
    frame = accounts(
        {"followers": 20_000, "avg_likes": 5_000, "avg_comments": 500, "audience_credibility": 1.0},
        {"followers": 20_000, "avg_likes": 10, "avg_comments": 0, "audience_credibility": 0.1},
    )

    result = score(frame, benchmarks=benchmarks)

    assert result["resonance"].tolist() == [100.0, 0.0]


# Relevance

TARGET = Target(categories=["Fitness"], keywords=["vegan"], countries=["de"], languages=["DE"])


def test_relevance_is_unknown_without_a_target():
    result = score(accounts({"followers": 1_000, "categories": "Fitness", "bio": "vegan"}))

    assert np.isnan(result["relevance"].iloc[0])
    assert "Relevance not scored: no target." in result["explanation"].iloc[0]


def test_relevance_combines_text_similarity_country_and_language():
    frame = accounts(
        # Tokens fitness, vegan, recipes against fitness, vegan: cosine 2 / (√3 √2) ≥ 0.5.
        {"categories": "Fitness", "bio": "Vegan recipes!", "country": "DE", "language": "de"},
        # Six tokens, one shared: cosine 1 / (√6 √2), below the full match at 0.5.
        {"bio": "vegan travel food photography art design", "country": "DE", "language": "en"},
        # Stop words and one-letter tokens do not count; country unknown is left out.
        {"bio": "The vegan and a travel", "language": "de"},
        {"bio": "Gaming streams", "country": "FR", "language": "fr"},
    )

    result = score(frame, target=TARGET)

    second = 1 / math.sqrt(12) / 0.5
    third = min(1.0, 1 / (math.sqrt(2) * math.sqrt(2)) / 0.5)
    assert result["relevance"].tolist() == pytest.approx(
        [
            100.0,
            100 * (0.5 * second + 0.25 * 1 + 0.15 * 0) / 0.9,
            100 * (0.5 * third + 0.15 * 1) / 0.65,
            0.0,
        ]
    )
    assert "matching: fitness, vegan" in result["explanation"].iloc[0]
    assert "text similarity 0.29" in result["explanation"].iloc[1]
    assert "language en is not among de" in result["explanation"].iloc[1]
    assert "no shared words" in result["explanation"].iloc[3]


def test_repeated_words_count_sublinearly():
    frame = accounts({"bio": "vegan vegan travel"})
    target = Target(keywords=["vegan", "coach", "fitness", "food", "gym", "yoga", "run", "bike"])

    # Account weights vegan 1 + ln 2, travel 1; the target has eight words of weight 1.
    vegan = 1 + math.log(2)
    cosine = vegan / (math.sqrt(vegan**2 + 1) * math.sqrt(8))
    assert score(frame, target=target)["relevance"].iloc[0] == pytest.approx(100 * cosine / 0.5)


def test_relevance_needs_audience_data_beyond_the_platform():
    target = Target(keywords=["vegan"], platforms=["instagram"])
    frame = accounts({"followers": 1_000}, {"platform": "tiktok", "bio": "vegan"})

    result = score(frame, target=target)

    assert np.isnan(result["relevance"].iloc[0])
    assert result["relevance"].iloc[1] == pytest.approx(100 * 0.5 / 0.6)
    assert "tiktok is not among instagram" in result["explanation"].iloc[1].lower()


# Relationship


def test_relationship_adds_stage_advocacy_and_recent_events():
    frame = accounts({"influencer_id": 7, "followers": 1_000}, {"influencer_id": 8})
    rows = relationships(
        {
            "influencer_id": 7,
            "stage": "active",
            "is_advocate": True,
            "contacted": 3,
            "replied": 2,
            "collaborated": 1,
            "delivered": 2,
            "declined": 1,
            "last_event_on": "2024-01-01",
        },
    )

    result = score(frame, relationships=rows)

    # 40 stage + 10 advocate + (2 × 6 + 1 × 3 + 10 × 2/3 − 10) × 0.5^(166/365).
    recency = 0.5 ** (166 / 365)
    assert result["relationship"].iloc[0] == pytest.approx(50 + (15 + 20 / 3 - 10) * recency)
    assert np.isnan(result["relationship"].iloc[1])
    assert (
        "Relationship not scored: no relationship with this brand."
        in (result["explanation"].iloc[1])
    )


def test_relationship_caps_events_and_stays_within_bounds():
    frame = accounts(*({"influencer_id": number} for number in range(1, 5)))
    rows = relationships(
        {
            "influencer_id": 1,
            "stage": "ambassador",
            "is_advocate": True,
            "contacted": 1,
            "replied": 1,
            "delivered": 10,
            "collaborated": 10,
        },
        {"influencer_id": 2, "stage": "identified", "declined": 5},
        {"influencer_id": 3},
        {"influencer_id": 4, "stage": None},
    )

    result = score(frame, relationships=rows)

    assert result["relationship"].tolist() == [100.0, 0.0, 0.0, 0.0]


def test_relationships_must_hold_one_row_per_influencer():
    rows = relationships({"influencer_id": 1}, {"influencer_id": 1})

    with pytest.raises(ValueError, match="one row per influencer_id"):
        score(accounts({"influencer_id": 1}), relationships=rows)


# Total and confidence


def test_total_renormalises_the_weights_over_the_components_present():
    frame = accounts(
        {
            "followers": 100_000,
            "avg_likes": 2_000,
            "avg_comments": 40,
            "metrics_as_of": "2024-06-01",
        }
    )

    result = score(frame)

    reach = 50.0  # log10(100,000) is halfway between 3 and 7
    resonance = 50.0  # alone in its tier; comments 40/2040 ≈ 1.96 % of likes + comments
    resonance += 10 * math.log2((40 / 2_040) / 0.02)
    assert result["reach"].iloc[0] == pytest.approx(reach)
    assert result["resonance"].iloc[0] == pytest.approx(resonance)
    assert result["total"].iloc[0] == pytest.approx((0.25 * reach + 0.30 * resonance) / 0.55)
    assert result["confidence"].iloc[0] == pytest.approx(0.55)


def test_confidence_loses_half_per_half_life_after_the_fresh_period():
    frame = accounts(
        {"followers": 1_000, "metrics_as_of": "2024-05-16"},  # 30 days: fresh
        {"followers": 1_000, "metrics_as_of": "2023-11-18"},  # 210 days: one half-life over
        {"followers": 1_000},  # unknown date
        {"followers": 1_000, "metrics_as_of": "2024-07-01"},  # future: fresh
    )

    result = score(frame)

    # Only reach has data: 0.25 of the weight.
    assert result["confidence"].tolist() == pytest.approx([0.25, 0.125, 0.125, 0.25])


def test_suspicious_accounts_lose_confidence_not_score():
    frame = accounts(
        {"followers": 100, "avg_likes": 150, "avg_comments": 10, "metrics_as_of": "2024-06-15"}
    )

    result = score(frame)

    assert result["is_suspicious"].iloc[0]
    assert result["confidence"].iloc[0] == pytest.approx(0.55 * 0.5)
    assert result["total"].iloc[0] == pytest.approx(
        (0.25 * 0 + 0.30 * result["resonance"][0]) / 0.55
    )


def test_total_is_unknown_when_no_component_has_data():
    result = score(accounts({"platform": "blog"}))

    assert np.isnan(result["total"].iloc[0])
    assert result["confidence"].iloc[0] == 0.0
    assert "Total unknown: no component has data." in result["explanation"].iloc[0]


# Value


def test_value_compares_the_price_with_the_peers_median_cost_per_engagement():
    peers = accounts(
        *(
            {"followers": 20_000, "avg_likes": 1_000, "price_per_post": price}
            for price in (200.0, 400.0, 600.0)
        )
    )
    benchmarks = compute_benchmarks(peers, SMALL_GROUPS)  # median cost 0.4 per engagement
    frame = accounts(
        {"followers": 20_000, "avg_likes": 1_200, "avg_comments": 85, "price_per_post": 800.0},
        {"followers": 20_000, "avg_likes": 1_200, "avg_comments": 85, "price_per_post": 500.0},
        {"followers": 20_000, "avg_likes": 1_200, "avg_comments": 85},
        {"followers": 20_000, "price_per_post": 100.0},
    )

    result = score(frame, benchmarks=benchmarks)

    assert result["expected_engagements"].iloc[:3].tolist() == pytest.approx([1_285] * 3)
    assert result["cost_per_engagement"].iloc[:2].tolist() == pytest.approx(
        [800 / 1_285, 500 / 1_285]
    )
    assert result["fair_price_low"].iloc[:3].tolist() == pytest.approx([0.4 * 1_285 * 0.67] * 3)
    assert result["fair_price_high"].iloc[:3].tolist() == pytest.approx([0.4 * 1_285 * 1.5] * 3)
    assert result["is_overpriced"].tolist() == [True, False, False, False]
    assert (
        result.iloc[3][["expected_engagements", "cost_per_engagement", "fair_price_high"]]
        .isna()
        .all()
    )
    assert "— overpriced" in result["explanation"].iloc[0]


def test_fair_price_needs_enough_priced_peers():
    frame = accounts({"followers": 20_000, "avg_likes": 1_000, "price_per_post": 400.0})

    result = score(frame, DEFAULT_PROFILE)

    assert np.isnan(result["fair_price_low"].iloc[0])
    assert not result["is_overpriced"].iloc[0]
    assert "no fair price (fewer than 10 priced peers)" in result["explanation"].iloc[0]
