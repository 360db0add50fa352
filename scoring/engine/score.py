"""``score_accounts``: accounts in, one row of scores per account out."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from scoring.engine import formatting as fmt
from scoring.engine.benchmarks import (
    BENCHMARK_COLUMNS,
    benchmark_values,
    compute_benchmarks,
    lookup_benchmarks,
    percentile_rank,
)
from scoring.engine.components import (
    Reach,
    Relationship,
    Resonance,
    Total,
    reach_scores,
    relationship_scores,
    resonance_scores,
    total_scores,
)
from scoring.engine.engagement import (
    DENOMINATORS,
    SUSPICIOUS_REASONS,
    EngagementRates,
    SuspiciousFlags,
    engagement_rates,
    engagement_tier_codes,
    follower_tier_codes,
    suspicious_flags,
)
from scoring.engine.explanation import build_explanation
from scoring.engine.inputs import AccountArrays, Target, account_arrays, today_days
from scoring.engine.profile import ENGAGEMENT_TIERS, FOLLOWER_TIERS, Profile
from scoring.engine.relevance import Relevance, relevance_scores
from scoring.engine.value import Value, convert_prices, value_scores

OUTPUT_COLUMNS = (
    "account_id",
    "engagement_rate",
    "engagement_rate_denominator",
    "engagement_rate_per_view",
    "follower_tier",
    "engagement_percentile",
    "engagement_tier",
    "is_suspicious",
    "suspicious_reasons",
    "reach",
    "resonance",
    "relevance",
    "relationship",
    "total",
    "confidence",
    "expected_engagements",
    "cost_per_engagement",
    "fair_price_low",
    "fair_price_high",
    "is_overpriced",
    "explanation",
)


@dataclass
class Computation:
    """Every intermediate array of one scoring run (what the explanation is built from)."""

    profile: Profile
    target: Target | None
    accounts: AccountArrays
    rates: EngagementRates
    follower_tier: np.ndarray
    rate_basis: np.ndarray
    percentile: np.ndarray
    engagement_tier: np.ndarray
    peer_p99: np.ndarray
    flags: SuspiciousFlags
    is_suspicious: np.ndarray
    reach: Reach
    resonance: Resonance
    relevance: Relevance
    relationship: Relationship
    components: dict[str, np.ndarray]
    total: Total
    price_basis: np.ndarray
    value: Value


def score_accounts(
    accounts: pd.DataFrame,
    profile: Profile,
    *,
    today: datetime.date | datetime.datetime | str | pd.Timestamp,
    benchmarks: pd.DataFrame | None = None,
    target: Target | None = None,
    relationships: pd.DataFrame | None = None,
    currency_rates: Mapping[str, float] | None = None,
    explain: bool = True,
) -> pd.DataFrame:
    """Score every account; one row per ``account_id``, in the input's order.

    ``benchmarks`` (from ``compute_benchmarks`` over all accounts) make every row depend
    only on its own inputs, so chunks scored against the same benchmarks equal one run over
    everything; without them they are computed from ``accounts``. ``relationships`` holds
    one brand's rows (one per influencer). ``currency_rates`` ({ISO code: units per one
    unit of a common base}) convert prices to ``profile.reference_currency``; without a rate
    only prices already in that currency are known. Pass the rates the benchmarks were
    computed with. ``explain=False`` leaves the explanation empty.
    """
    if benchmarks is None:
        benchmarks = compute_benchmarks(accounts, profile, currency_rates=currency_rates)
    missing = [name for name in BENCHMARK_COLUMNS if name not in benchmarks.columns]
    if missing:
        raise ValueError(f"benchmarks lack columns: {missing[:5]}")
    result = compute(
        accounts,
        profile,
        today=today,
        benchmarks=benchmarks,
        target=target,
        relationships=relationships,
        currency_rates=currency_rates,
    )
    return output_frame(result, explain=explain)


def compute(
    accounts: pd.DataFrame,
    profile: Profile,
    *,
    today: datetime.date | datetime.datetime | str | pd.Timestamp,
    benchmarks: pd.DataFrame,
    target: Target | None,
    relationships: pd.DataFrame | None,
    currency_rates: Mapping[str, float] | None = None,
) -> Computation:
    today_value = today_days(today)
    arrays = account_arrays(accounts)
    rates = engagement_rates(arrays)
    tier = follower_tier_codes(arrays.followers, profile)

    by_rate = lookup_benchmarks(
        arrays,
        tier,
        benchmarks,
        count_column="n",
        minimum=profile.engagement_tiers.minimum_peers,
    )
    per_follower = np.where(rates.denominator_code == 0, rates.rate, np.nan)
    percentile = percentile_rank(per_follower, benchmarks, by_rate.row)
    peer_p99 = benchmark_values(benchmarks, "p99", by_rate.row)
    flags = suspicious_flags(arrays, rates, peer_p99, profile)
    is_suspicious = flags.any()

    reach = reach_scores(arrays, profile)
    resonance = resonance_scores(arrays, percentile, profile)
    relevance = relevance_scores(arrays, target, profile)
    relationship = relationship_scores(arrays, relationships, profile, today_value)
    components = {
        "reach": reach.score,
        "relevance": relevance.score,
        "resonance": resonance.score,
        "relationship": relationship.score,
    }
    total = total_scores(components, arrays, is_suspicious, profile, today_value)

    by_price = lookup_benchmarks(
        arrays,
        tier,
        benchmarks,
        count_column="n_priced",
        minimum=profile.fair_price.minimum_peers,
    )
    median_cpe = benchmark_values(benchmarks, "median_cpe", by_price.row)
    prices = convert_prices(arrays, currency_rates, profile.reference_currency)
    value = value_scores(arrays, rates, prices, median_cpe, profile)
    return Computation(
        profile=profile,
        target=target,
        accounts=arrays,
        rates=rates,
        follower_tier=tier,
        rate_basis=by_rate.basis,
        percentile=percentile,
        engagement_tier=engagement_tier_codes(percentile, profile),
        peer_p99=peer_p99,
        flags=flags,
        is_suspicious=is_suspicious,
        reach=reach,
        resonance=resonance,
        relevance=relevance,
        relationship=relationship,
        components=components,
        total=total,
        price_basis=by_price.basis,
        value=value,
    )


def output_frame(result: Computation, *, explain: bool = True) -> pd.DataFrame:
    size = result.accounts.size
    reasons = fmt.join(
        [
            fmt.when(flag, code)
            for flag, code in zip(result.flags.as_tuple(), SUSPICIOUS_REASONS, strict=True)
        ],
        ",",
    )
    explanation = build_explanation(result) if explain else pa.scalar("")
    value = result.value
    columns = {
        "account_id": result.accounts.account_id,
        "engagement_rate": result.rates.rate,
        "engagement_rate_denominator": fmt.to_series(
            fmt.labels(result.rates.denominator_code, DENOMINATORS), size
        ),
        "engagement_rate_per_view": result.rates.per_view,
        "follower_tier": fmt.to_series(fmt.labels(result.follower_tier, FOLLOWER_TIERS), size),
        "engagement_percentile": result.percentile,
        "engagement_tier": fmt.to_series(
            fmt.labels(result.engagement_tier, ENGAGEMENT_TIERS), size
        ),
        "is_suspicious": result.is_suspicious,
        "suspicious_reasons": fmt.to_series(reasons, size),
        "reach": result.reach.score,
        "resonance": result.resonance.score,
        "relevance": result.relevance.score,
        "relationship": result.relationship.score,
        "total": result.total.score,
        "confidence": result.total.confidence,
        "expected_engagements": value.expected_engagements,
        "cost_per_engagement": value.cost_per_engagement,
        "fair_price_low": value.fair_price_low,
        "fair_price_high": value.fair_price_high,
        "is_overpriced": value.is_overpriced,
        "explanation": fmt.to_series(explanation, size),
    }
    frame = pd.DataFrame(columns)
    frame = frame.astype(
        {
            "account_id": "int64",
            "is_suspicious": "bool",
            "is_overpriced": "bool",
            **{
                name: "float64"
                for name in OUTPUT_COLUMNS
                if name not in ("account_id", "is_suspicious", "is_overpriced")
                and name not in _TEXT_COLUMNS
            },
        }
    )
    return frame[list(OUTPUT_COLUMNS)]


_TEXT_COLUMNS = frozenset(
    {
        "engagement_rate_denominator",
        "follower_tier",
        "engagement_tier",
        "suspicious_reasons",
        "explanation",
    }
)
