"""The explanation text and the column-at-a-time formatting behind it."""

import dataclasses
import datetime

import numpy as np
import pandas as pd

from scoring.engine import PRESETS, Target, compute_benchmarks, score_accounts
from scoring.engine import formatting as fmt
from scoring.engine.profile import EngagementTiers, FairPrice

PROFILE = dataclasses.replace(
    PRESETS["default"],
    engagement_tiers=EngagementTiers(minimum_peers=3),
    fair_price=FairPrice(minimum_peers=3),
)


def test_the_explanation_shows_every_input_and_intermediate_value():
    peers = pd.DataFrame(
        {
            "account_id": range(1, 6),
            "platform": "instagram",
            "followers": 60_000,  # mid tier; rates 1 % … 5 %
            "avg_likes": [600.0, 1_200, 1_800, 2_400, 3_000],
            "price_per_post": [200.0, 300, 400, 500, 600],
            "price_currency": "USD",
        }
    )
    account = pd.DataFrame(
        {
            "account_id": [42],
            "influencer_id": [7],
            "platform": ["instagram"],
            "followers": pd.array([55_600], dtype="Int64"),
            "avg_likes": [1_200.0],
            "avg_comments": [85.0],
            "audience_credibility": [0.65],
            "price_per_post": [900.0],
            "price_currency": ["USD"],
            "metrics_as_of": pd.to_datetime(["2024-05-01"]),
            "categories": ["Fitness, Food"],
            "bio": ["Vegan fitness coach in Berlin #vegan"],
            "country": ["DE"],
            "language": ["de"],
        }
    )
    relationship = pd.DataFrame(
        {
            "influencer_id": [7],
            "stage": ["active"],
            "is_advocate": [True],
            "contacted": [3],
            "replied": [2],
            "collaborated": [1],
            "delivered": [2],
            "declined": [0],
            "last_event_on": pd.to_datetime(["2024-03-17"]),
        }
    )
    target = Target(
        categories=["fitness"], keywords=["vegan", "yoga"], countries=["DE", "AT"], languages=["de"]
    )

    result = score_accounts(
        account,
        PROFILE,
        today=datetime.date(2024, 6, 15),
        benchmarks=compute_benchmarks(peers, PROFILE),
        target=target,
        relationships=relationship,
    )

    assert result["explanation"].iloc[0] == (
        "Engagement rate 2.31 % of followers ((1,200 likes + 85 comments) / 55,600 followers) — "
        "33rd percentile of Instagram mid accounts (average). "
        "Reach 44/100: log scale of 55,600 followers from 1,000 (0) to 10,000,000 (100). "
        "Resonance 37/100: 33rd percentile, +10.0 for conversation (comments 6.61 % of likes + "
        "comments, reference 2.00 %), -6.0 for audience credibility 65 % (reference 75 %). "
        "Relevance 100/100: text similarity 0.66 to the target's categories and keywords (full "
        "match at 0.5; matching: fitness, vegan), country DE matches, language de matches. "
        "Relationship 68/100: stage active +40, advocate +10, 2 delivered, 1 collaborated +15.0, "
        "2 replies to 3 contacts +6.7; events × 0.84 (last 90 days ago). "
        "Total 61/100 = (reach 44 × 0.25 + relevance 100 × 0.25 + resonance 37 × 0.30 + "
        "relationship 68 × 0.20) / 1.00. "
        "Confidence 0.94 = 1.00 of the weight with data × 0.94 for metrics 45 days old. "
        "Expected 1,285 engagements per post; price 900.00 USD = 0.700 USD per engagement; fair "
        "price 191.32–428.33 USD (Instagram mid median 0.222 USD per engagement × 0.67–1.5) — "
        "overpriced."
    )


def test_explain_false_leaves_the_explanation_empty():
    frame = pd.DataFrame({"account_id": [1, 2], "platform": ["x", "x"], "followers": [10, 20]})

    result = score_accounts(frame, PRESETS["default"], today="2024-06-15", explain=False)

    assert result["explanation"].tolist() == ["", ""]
    assert result["reach"].tolist() == [0.0, 0.0]


def test_an_empty_frame_gives_an_empty_result_with_every_column():
    frame = pd.DataFrame({"account_id": pd.Series([], dtype="int64"), "platform": []})

    result = score_accounts(frame, PRESETS["default"], today=datetime.date(2024, 6, 15))

    assert len(result) == 0
    assert result.dtypes["total"] == np.float64
    assert result.dtypes["is_suspicious"] == np.bool_
    assert result.dtypes["explanation"] == "str"


def test_numbers_are_grouped_rounded_and_signed():
    values = np.array([0, 0.5, 1_234.5678, -1_234.5, 1e9, np.nan, np.inf])

    assert fmt.integer(values).to_pylist() == [
        "0",
        "1",
        "1,235",
        "-1,235",
        "1,000,000,000",
        None,
        None,
    ]
    assert fmt.fixed(values, 2).to_pylist()[:5] == [
        "0.00",
        "0.50",
        "1,234.57",
        "-1,234.50",
        "1,000,000,000.00",
    ]
    assert fmt.signed(np.array([4.0, -6.0, 0.0])).to_pylist() == ["+4.0", "-6.0", "+0.0"]
    assert fmt.percent(np.array([0.0231, np.nan])).to_pylist() == ["2.31 %", None]


def test_ordinals_follow_english_suffixes():
    values = np.array([0, 1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 32.6, 100, np.nan])

    assert fmt.ordinal(values).to_pylist() == [
        "0th",
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "23rd",
        "33rd",
        "100th",
        None,
    ]


def test_join_skips_unknown_parts_even_when_a_row_has_none():
    parts = [
        fmt.when(np.array([True, False, False]), "a"),
        fmt.when(np.array([True, True, False]), "b"),
    ]

    assert fmt.join(parts, ", ").to_pylist() == ["a, b", "b", ""]
