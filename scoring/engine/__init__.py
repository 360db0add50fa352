"""Fourscore's scoring engine: pure functions over pandas/numpy frames (no Django).

    benchmarks = compute_benchmarks(all_accounts, profile)          # once per full rescoring
    scores = score_accounts(chunk, profile, today=date, benchmarks=benchmarks,
                            target=Target(categories=[...]), relationships=brand_rows)

Every weight and threshold lives in a ``Profile`` (``PRESETS`` holds the built-in ones);
docs/scoring.md gives every formula.
"""

from scoring.engine.benchmarks import (
    BENCHMARK_COLUMNS,
    PERCENTILE_COLUMNS,
    PUBLISHED_BENCHMARKS,
    benchmarks_from_records,
    benchmarks_to_records,
    compute_benchmarks,
)
from scoring.engine.engagement import SUSPICIOUS_REASONS
from scoring.engine.inputs import (
    ACCOUNT_COLUMNS,
    PLATFORMS,
    RELATIONSHIP_COLUMNS,
    RELATIONSHIP_STAGES,
    VIDEO_PLATFORMS,
    Target,
)
from scoring.engine.profile import (
    DEFAULT_PROFILE,
    ENGAGEMENT_TIERS,
    ENGINE_VERSION,
    FOLLOWER_TIERS,
    PRESETS,
    Profile,
    profile_from_dict,
)
from scoring.engine.score import OUTPUT_COLUMNS, score_accounts

__all__ = [
    "ACCOUNT_COLUMNS",
    "BENCHMARK_COLUMNS",
    "DEFAULT_PROFILE",
    "ENGAGEMENT_TIERS",
    "ENGINE_VERSION",
    "FOLLOWER_TIERS",
    "OUTPUT_COLUMNS",
    "PERCENTILE_COLUMNS",
    "PLATFORMS",
    "PRESETS",
    "PUBLISHED_BENCHMARKS",
    "RELATIONSHIP_COLUMNS",
    "RELATIONSHIP_STAGES",
    "SUSPICIOUS_REASONS",
    "VIDEO_PLATFORMS",
    "Profile",
    "Target",
    "benchmarks_from_records",
    "benchmarks_to_records",
    "compute_benchmarks",
    "profile_from_dict",
    "score_accounts",
]
