"""Known answers: tier benchmarks, their storage form, and the published reference table."""

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from scoring.engine import (
    BENCHMARK_COLUMNS,
    PUBLISHED_BENCHMARKS,
    benchmarks_from_records,
    benchmarks_to_records,
    compute_benchmarks,
)
from scoring.engine.profile import DEFAULT_PROFILE


def accounts(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(
        [{"account_id": index + 1, **row} for index, row in enumerate(rows)]
    )
    return frame.astype({"followers": "Int64"})


def test_benchmarks_hold_percentiles_and_median_cost_per_platform_and_tier():
    frame = accounts(
        [
            {
                "platform": "instagram",
                "followers": 20_000,
                "avg_likes": 200.0 * step,
                "price_per_post": 100.0 * step * step,
                "price_currency": "USD",
            }
            for step in range(1, 6)
        ]
        + [
            {
                "platform": "instagram",
                "followers": 600_000,
                "avg_likes": 6_000.0,
                "price_per_post": np.nan,
            },
            {
                "platform": "tiktok",
                "followers": np.nan,
                "avg_likes": 50.0,
                "price_per_post": np.nan,
            },
        ]
    )

    benchmarks = compute_benchmarks(frame, DEFAULT_PROFILE)

    assert list(benchmarks.columns) == list(BENCHMARK_COLUMNS)
    assert benchmarks[["platform", "follower_tier", "n", "n_priced"]].to_dict("records") == [
        {"platform": "instagram", "follower_tier": "micro", "n": 5, "n_priced": 5},
        {"platform": "instagram", "follower_tier": "macro", "n": 1, "n_priced": 0},
        {"platform": "instagram", "follower_tier": "all", "n": 6, "n_priced": 5},
        {"platform": "tiktok", "follower_tier": "all", "n": 0, "n_priced": 0},
    ]
    micro = benchmarks.iloc[0]
    assert [micro["p0"], micro["p25"], micro["p50"], micro["p75"], micro["p95"], micro["p100"]] == (
        pytest.approx([0.01, 0.02, 0.03, 0.04, 0.048, 0.05])
    )
    # Cost per engagement of step k: 100 k² / (200 k) = 0.5 k; the median is step 3.
    assert micro["median_cpe"] == pytest.approx(1.5)
    assert np.isnan(benchmarks.iloc[1]["median_cpe"])
    assert benchmarks.iloc[3][["p0", "p50", "p100"]].isna().all()


def test_benchmarks_depend_on_the_profile_tiers():
    frame = accounts([{"platform": "instagram", "followers": 15_000, "avg_likes": 300.0}])

    seeds = dataclasses.replace(
        DEFAULT_PROFILE,
        follower_tiers=dataclasses.replace(DEFAULT_PROFILE.follower_tiers, micro=5_000, mid=20_000),
    )

    assert compute_benchmarks(frame, DEFAULT_PROFILE)["follower_tier"].tolist() == ["micro", "all"]
    assert compute_benchmarks(frame, seeds)["follower_tier"].tolist() == ["micro", "all"]
    bigger = accounts([{"platform": "instagram", "followers": 25_000, "avg_likes": 300.0}])
    assert compute_benchmarks(bigger, seeds)["follower_tier"].tolist() == ["mid", "all"]


def test_benchmarks_survive_a_round_trip_through_json_records():
    frame = accounts(
        [
            {
                "platform": "youtube",
                "followers": 2_000_000 + step,
                "avg_likes": 1_000.0 * step,
                "price_per_post": 500.0,
                "price_currency": "USD",
            }
            for step in range(1, 4)
        ]
        + [
            {
                "platform": "blog",
                "followers": 500,
                "avg_likes": np.nan,
                "price_per_post": 5.0,
                "price_currency": "USD",
            }
        ]
    )
    benchmarks = compute_benchmarks(frame, DEFAULT_PROFILE)

    records = json.loads(json.dumps(benchmarks_to_records(benchmarks)))

    assert records[0]["platform"] == "youtube"
    assert records[0]["follower_tier"] == "mega"
    assert len(records[0]["percentiles"]) == 101
    assert records[-1]["percentiles"][0] is None
    pd.testing.assert_frame_equal(benchmarks_from_records(records), benchmarks)


def test_published_benchmarks_are_labelled_with_source_year_and_denominator():
    table = PUBLISHED_BENCHMARKS

    assert set(table["source"]) == {"HypeAuditor"}
    assert set(table["year"]) == {2018}
    assert set(table["denominator"]) == {"(likes + comments) / followers"}
    assert table["engagement_rate"].tolist() == [0.0426, 0.0228, 0.0162, 0.0155, 0.0154]
    assert table["followers_min"].tolist() == [1_000, 5_000, 20_000, 100_000, 1_000_000]
    assert table["follower_tier"].tolist() == ["nano", "micro", "mid", "macro", "mega"]
