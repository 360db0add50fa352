"""Tier benchmarks: the engagement-rate distribution of each platform × follower tier.

An account's percentile is read from this table, never from the other rows it is scored
with, so scoring in chunks against the same benchmarks equals scoring all at once. Each
platform also gets a row with ``follower_tier == "all"``: the fallback when a tier has fewer
than ``profile.engagement_tiers.minimum_peers`` accounts with a known rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scoring.engine.engagement import engagement_rates, follower_tier_codes
from scoring.engine.inputs import PLATFORMS, AccountArrays, account_arrays
from scoring.engine.profile import FOLLOWER_TIERS, Profile
from scoring.engine.value import convert_prices, cost_per_engagement, expected_engagements

ALL_TIERS = "all"
QUANTILE_LEVELS = np.arange(101) / 100.0
PERCENTILE_COLUMNS = tuple(f"p{level}" for level in range(101))
BENCHMARK_COLUMNS = (
    "platform",
    "follower_tier",
    "n",
    *PERCENTILE_COLUMNS,
    "n_priced",
    "median_cpe",
)

# Basis of a looked-up benchmark (``BenchmarkLookup.basis``).
BASIS_NONE = -1
BASIS_TIER = 0
BASIS_PLATFORM = 1

PUBLISHED_BENCHMARKS = pd.DataFrame(
    {
        "source": ["HypeAuditor"] * 5,
        "year": [2018] * 5,
        "platform": ["instagram"] * 5,
        "followers_min": [1_000, 5_000, 20_000, 100_000, 1_000_000],
        "followers_max": [5_000, 20_000, 100_000, 1_000_000, pd.NA],
        # The tier of the same followers under the "micro-5k-20k" profile.
        "follower_tier": ["nano", "micro", "mid", "macro", "mega"],
        "engagement_rate": [0.0426, 0.0228, 0.0162, 0.0155, 0.0154],
        "denominator": ["(likes + comments) / followers"] * 5,
        "sample": ["about 37,000 Instagram accounts"] * 5,
    }
).astype({"followers_max": "Int64"})


def _platform_order(name: str) -> tuple[int, str]:
    return (PLATFORMS.index(name) if name in PLATFORMS else len(PLATFORMS), name)


def compute_benchmarks(
    accounts: pd.DataFrame,
    profile: Profile,
    *,
    currency_rates: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Percentiles p0..p100 of the per-follower engagement rate and the median cost per
    engagement, per platform × follower tier (plus the platform's ``all`` row).

    ``accounts`` is the same frame ``score_accounts`` takes, holding every account (a full
    rescoring computes benchmarks once and scores every chunk against them). Costs are in
    ``profile.reference_currency``: prices are converted with ``currency_rates`` (see
    ``scoring.engine.value``), and a price that cannot be converted is left out.
    """
    arrays = account_arrays(accounts)
    rates = engagement_rates(arrays)
    tiers = follower_tier_codes(arrays.followers, profile)
    has_rate = rates.denominator_code == 0
    prices = convert_prices(arrays, currency_rates, profile.reference_currency)
    costs = cost_per_engagement(prices.converted, expected_engagements(arrays, rates))
    has_cost = ~np.isnan(costs)

    rows: list[dict[str, Any]] = []
    for platform_code in np.unique(arrays.platform_codes):
        on_platform = arrays.platform_codes == platform_code
        platform = arrays.platforms[platform_code]
        groups = [(tier, on_platform & (tiers == code)) for code, tier in enumerate(FOLLOWER_TIERS)]
        groups.append((ALL_TIERS, on_platform))
        for tier, members in groups:
            rate_values = rates.rate[members & has_rate]
            cost_values = costs[members & has_cost]
            if tier != ALL_TIERS and not (len(rate_values) or len(cost_values)):
                continue
            row: dict[str, Any] = {"platform": platform, "follower_tier": tier}
            row["n"] = len(rate_values)
            quantiles = (
                np.quantile(rate_values, QUANTILE_LEVELS)
                if len(rate_values)
                else np.full(len(QUANTILE_LEVELS), np.nan)
            )
            row.update(zip(PERCENTILE_COLUMNS, quantiles.tolist(), strict=True))
            row["n_priced"] = len(cost_values)
            row["median_cpe"] = float(np.median(cost_values)) if len(cost_values) else np.nan
            rows.append(row)

    tier_order = {name: index for index, name in enumerate((*FOLLOWER_TIERS, ALL_TIERS))}
    rows.sort(key=lambda row: (_platform_order(row["platform"]), tier_order[row["follower_tier"]]))
    frame = pd.DataFrame(rows, columns=list(BENCHMARK_COLUMNS))
    return frame.astype({"n": "int64", "n_priced": "int64"})


def benchmarks_to_records(benchmarks: pd.DataFrame) -> list[dict[str, Any]]:
    """One JSON-ready dict per row, the 101 percentiles as a list (None for unknown)."""
    table = benchmarks[list(PERCENTILE_COLUMNS)].to_numpy(dtype=np.float64)
    records = []
    for index, row in enumerate(benchmarks.itertuples(index=False)):
        median = float(row.median_cpe)
        records.append(
            {
                "platform": str(row.platform),
                "follower_tier": str(row.follower_tier),
                "n": int(row.n),
                "percentiles": [None if np.isnan(value) else value for value in table[index]],
                "n_priced": int(row.n_priced),
                "median_cpe": None if np.isnan(median) else median,
            }
        )
    return records


def benchmarks_from_records(records: list[dict[str, Any]]) -> pd.DataFrame:
    """Inverse of ``benchmarks_to_records``."""
    rows = []
    for record in records:
        percentiles = [np.nan if value is None else float(value) for value in record["percentiles"]]
        if len(percentiles) != len(PERCENTILE_COLUMNS):
            raise ValueError("a benchmark record needs 101 percentiles (p0..p100)")
        row = {"platform": record["platform"], "follower_tier": record["follower_tier"]}
        row["n"] = int(record["n"])
        row.update(zip(PERCENTILE_COLUMNS, percentiles, strict=True))
        row["n_priced"] = int(record.get("n_priced", 0))
        median = record.get("median_cpe")
        row["median_cpe"] = np.nan if median is None else float(median)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(BENCHMARK_COLUMNS))
    return frame.astype({"n": "int64", "n_priced": "int64"})


@dataclass
class BenchmarkLookup:
    """For each account: which benchmark row applies (-1 none) and on which basis."""

    row: np.ndarray
    basis: np.ndarray


def lookup_benchmarks(
    accounts: AccountArrays,
    tier_codes: np.ndarray,
    benchmarks: pd.DataFrame,
    *,
    count_column: str,
    minimum: int,
) -> BenchmarkLookup:
    """The tier's row when it has at least ``minimum`` peers, else the platform's ``all`` row
    when that has enough, else none. Decided per (platform, tier) pair, not per account."""
    position = {
        (str(platform), str(tier)): index
        for index, (platform, tier) in enumerate(
            zip(benchmarks["platform"], benchmarks["follower_tier"], strict=True)
        )
    }
    counts = benchmarks[count_column].to_numpy(dtype=np.int64)
    tier_names = (*FOLLOWER_TIERS, None)  # column -1 (unknown tier) is the last one
    chosen = np.full((len(accounts.platforms), len(tier_names)), -1, dtype=np.int64)
    basis = np.full(chosen.shape, BASIS_NONE, dtype=np.int64)
    for platform_code, platform in enumerate(accounts.platforms):
        platform_row = position.get((platform, ALL_TIERS), -1)
        for tier_code, tier in enumerate(tier_names):
            tier_row = position.get((platform, tier), -1) if tier else -1
            if tier_row >= 0 and counts[tier_row] >= minimum:
                chosen[platform_code, tier_code] = tier_row
                basis[platform_code, tier_code] = BASIS_TIER
            elif platform_row >= 0 and counts[platform_row] >= minimum:
                chosen[platform_code, tier_code] = platform_row
                basis[platform_code, tier_code] = BASIS_PLATFORM
    if accounts.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return BenchmarkLookup(empty, empty.copy())
    return BenchmarkLookup(
        chosen[accounts.platform_codes, tier_codes], basis[accounts.platform_codes, tier_codes]
    )


def benchmark_values(benchmarks: pd.DataFrame, column: str, rows: np.ndarray) -> np.ndarray:
    """``benchmarks[column]`` gathered per account, NaN where no row applies."""
    values = np.append(benchmarks[column].to_numpy(dtype=np.float64), np.nan)
    return values[np.where(rows >= 0, rows, len(values) - 1)]


def percentile_rank(rates: np.ndarray, benchmarks: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """Percentile (0–100) of each rate, interpolated in its row's p0..p100 table.

    Between two stored percentiles the position is linear; on a run of equal stored values
    it is the middle of the run (so a tier where everyone has the same rate puts that rate at
    the 50th). Non-decreasing in the rate for a fixed row.
    """
    result = np.full(len(rates), np.nan)
    table = benchmarks[list(PERCENTILE_COLUMNS)].to_numpy(dtype=np.float64)
    known = (rows >= 0) & ~np.isnan(rates)
    for row in np.unique(rows[known]):
        quantiles = table[row]
        if np.isnan(quantiles).any():
            continue
        members = np.flatnonzero(known & (rows == row))
        values = rates[members]
        left = _position(quantiles, values, side="left")
        right = _position(quantiles, values, side="right")
        result[members] = (left + right) / 2.0 * (100.0 / (len(quantiles) - 1))
    return result


def _position(quantiles: np.ndarray, values: np.ndarray, *, side: str) -> np.ndarray:
    """Fractional index of each value in the sorted ``quantiles``."""
    last = len(quantiles) - 1
    upper = np.searchsorted(quantiles, values, side=side)
    inside = (upper > 0) & (upper <= last)
    high = np.clip(upper, 1, last)
    low_value = quantiles[high - 1]
    high_value = quantiles[high]
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = (values - low_value) / (high_value - low_value)
    # Inside the table the neighbours differ (searchsorted lands on a strict step); outside
    # it the fraction is not used, so only its 0/0 needs a harmless value.
    fraction = np.where(high_value > low_value, fraction, 0.0)
    position = (high - 1) + np.clip(fraction, 0.0, 1.0)
    return np.select([upper == 0, upper > last], [0.0, float(last)], np.where(inside, position, 0))
