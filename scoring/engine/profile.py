"""Scoring profiles: every weight, threshold and constant the engine uses.

A profile is a frozen value. The Django side stores it as JSON (``profile.to_dict()``) with
a name and a version, and rebuilds it with ``profile_from_dict()``, so a stored score can be
recomputed exactly. ``fingerprint`` is a hash of that JSON: two profiles with the same
fingerprint score identically under the same ``ENGINE_VERSION``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import re
import types
import typing
from dataclasses import dataclass, field
from typing import Any

# Bumped whenever a formula changes, so a stored score names the code that computed it too.
# 2: prices are converted to the profile's reference currency before any value figure.
ENGINE_VERSION = "2"

FOLLOWER_TIERS = ("nano", "micro", "mid", "macro", "mega")
ENGAGEMENT_TIERS = ("low", "average", "high", "exceptional")

# Fields holding a small platform/stage -> number table are tuples of pairs (hashable, so
# the profile stays a value) and are written to JSON as objects.
_MAPPING = {"json": "mapping"}


def _pairs(**values: float) -> tuple[tuple[str, float], ...]:
    return tuple(values.items())


@dataclass(frozen=True)
class Weights:
    """Weights of the four Rs in the total; renormalised over the components present."""

    reach: float = 0.25
    relevance: float = 0.25
    resonance: float = 0.30
    relationship: float = 0.20

    def __post_init__(self) -> None:
        values = dataclasses.astuple(self)
        if min(values) < 0 or sum(values) <= 0:
            raise ValueError("weights must be non-negative with a positive sum")


@dataclass(frozen=True)
class FollowerTiers:
    """Lower follower bounds of each tier. Accounts below ``nano`` are labelled nano too."""

    nano: int = 1_000
    micro: int = 10_000
    mid: int = 50_000
    macro: int = 500_000
    mega: int = 1_000_000

    def __post_init__(self) -> None:
        bounds = dataclasses.astuple(self)
        if any(low >= high for low, high in itertools.pairwise(bounds)):
            raise ValueError("follower tier bounds must increase: nano < micro < … < mega")


@dataclass(frozen=True)
class EngagementTiers:
    """Percentile cut points within platform × follower tier, and how many peers a fair
    comparison needs (below that, the platform's accounts of every tier are used)."""

    average_from: float = 25.0
    high_from: float = 75.0
    exceptional_from: float = 95.0
    minimum_peers: int = 20

    def __post_init__(self) -> None:
        if not 0 < self.average_from < self.high_from < self.exceptional_from < 100:
            raise ValueError("engagement tier cut points must satisfy 0 < average < high < 100")
        if self.minimum_peers < 1:
            raise ValueError("minimum_peers must be at least 1")


@dataclass(frozen=True)
class SuspiciousRules:
    """When an engagement figure is implausible. A flag lowers the confidence, not the
    score: the marketer sees the flag and its reason and decides."""

    top_percentile_factor: float = 2.0  # rate above this × the peers' 99th percentile
    likes_without_comments_minimum_likes: float = 1_000.0
    minimum_comments_per_like: float = 0.001  # fewer comments per like than this is odd
    maximum_engagement_rate: float = 1.0  # more engagements per post than followers
    minimum_audience_credibility: float = 0.5
    confidence_factor: float = 0.5


@dataclass(frozen=True)
class ReachScale:
    """Reach = 100 × (log10(followers) − log10(floor)) / (log10(ceiling) − log10(floor)),
    clipped to 0..100, with floor and ceiling per platform."""

    default_floor: float = 1_000.0
    default_ceiling: float = 10_000_000.0
    floors: tuple[tuple[str, float], ...] = field(default=(), metadata=_MAPPING)
    ceilings: tuple[tuple[str, float], ...] = field(
        default=_pairs(twitch=1_000_000.0, blog=1_000_000.0, podcast=1_000_000.0),
        metadata=_MAPPING,
    )

    def floor_for(self, platform: str) -> float:
        return dict(self.floors).get(platform, self.default_floor)

    def ceiling_for(self, platform: str) -> float:
        return dict(self.ceilings).get(platform, self.default_ceiling)

    def __post_init__(self) -> None:
        platforms = {name for name, _ in self.floors + self.ceilings}
        for platform in platforms | {""}:
            if not 0 < self.floor_for(platform) < self.ceiling_for(platform):
                raise ValueError(f"reach floor must be positive and below the ceiling ({platform})")


@dataclass(frozen=True)
class ResonanceAdjustments:
    """Points added to the engagement percentile.

    Conversation depth: ``conversation_points × clip(log2(share / reference), −1, 1)`` where
    share = comments / (likes + comments). Audience credibility:
    ``credibility_points × clip((credibility − reference) / (1 − reference), −1, 1)``.
    """

    conversation_points: float = 10.0
    reference_comment_share: float = 0.02
    credibility_points: float = 15.0
    reference_credibility: float = 0.75


@dataclass(frozen=True)
class RelevanceWeights:
    """Parts of relevance, renormalised over the parts the target asks for and the account
    has data for. Text similarity counts as a full match at ``full_match_similarity``."""

    text: float = 0.50
    country: float = 0.25
    language: float = 0.15
    platform: float = 0.10
    full_match_similarity: float = 0.5


@dataclass(frozen=True)
class RelationshipPoints:
    """Relationship = stage + advocate + (events + responsiveness − declines) × recency,
    clipped to 0..100; recency halves every ``half_life_days`` since the last event."""

    stage_points: tuple[tuple[str, float], ...] = field(
        default=_pairs(none=0.0, identified=10.0, engaged=25.0, active=40.0, ambassador=60.0),
        metadata=_MAPPING,
    )
    advocate: float = 10.0
    per_delivered: float = 6.0
    per_collaborated: float = 3.0
    events_cap: float = 20.0
    responsiveness: float = 10.0  # × replied / contacted
    per_declined: float = 10.0
    half_life_days: float = 365.0


@dataclass(frozen=True)
class Staleness:
    """Confidence × 0.5 ** ((age − fresh_days) / half_life_days) once metrics are older than
    ``fresh_days``; × ``unknown_date_factor`` when the as-of date is unknown."""

    fresh_days: float = 30.0
    half_life_days: float = 180.0
    unknown_date_factor: float = 0.5


@dataclass(frozen=True)
class FairPrice:
    """Fair price = peers' median cost per engagement × expected engagements × factor."""

    low_factor: float = 0.67
    high_factor: float = 1.5
    minimum_peers: int = 10


@dataclass(frozen=True)
class Profile:
    """A named set of every weight and threshold. Frozen: edit with ``dataclasses.replace``."""

    name: str = "default"
    description: str = ""
    weights: Weights = field(default_factory=Weights)
    follower_tiers: FollowerTiers = field(default_factory=FollowerTiers)
    engagement_tiers: EngagementTiers = field(default_factory=EngagementTiers)
    suspicious: SuspiciousRules = field(default_factory=SuspiciousRules)
    reach: ReachScale = field(default_factory=ReachScale)
    resonance: ResonanceAdjustments = field(default_factory=ResonanceAdjustments)
    relevance: RelevanceWeights = field(default_factory=RelevanceWeights)
    relationship: RelationshipPoints = field(default_factory=RelationshipPoints)
    staleness: Staleness = field(default_factory=Staleness)
    fair_price: FairPrice = field(default_factory=FairPrice)
    # ISO 4217 code every price is converted to before cost per engagement, the peers'
    # median and the fair-price band are computed (and in which those are expressed).
    reference_currency: str = "USD"

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Z]{3}", self.reference_currency):
            raise ValueError(
                f"reference_currency must be an ISO 4217 code such as USD, "
                f"got {self.reference_currency!r}"
            )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (numbers, strings, objects)."""
        return _to_json(self)

    @property
    def fingerprint(self) -> str:
        canonical = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(f"{ENGINE_VERSION}:{canonical}".encode()).hexdigest()[:16]


def profile_from_dict(data: dict[str, Any]) -> Profile:
    """Inverse of ``Profile.to_dict``; missing keys take the defaults, unknown keys fail."""
    return _from_json(Profile, data)


def _to_json(value: Any) -> Any:
    result: dict[str, Any] = {}
    for item in dataclasses.fields(value):
        current = getattr(value, item.name)
        if dataclasses.is_dataclass(current):
            result[item.name] = _to_json(current)
        elif item.metadata.get("json") == "mapping":
            result[item.name] = dict(current)
        else:
            result[item.name] = current
    return result


def _from_json(cls: type, data: dict[str, Any]) -> Any:
    if not isinstance(data, dict):
        raise ValueError(f"{cls.__name__}: expected an object, got {data!r}")
    known = {item.name: item for item in dataclasses.fields(cls)}
    unknown = set(data) - set(known)
    if unknown:
        raise ValueError(f"{cls.__name__}: unknown keys {sorted(unknown)}")
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for name, raw in data.items():
        hint = hints[name]
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            values[name] = _from_json(hint, raw)
        elif known[name].metadata.get("json") == "mapping":
            values[name] = tuple((str(key), float(number)) for key, number in raw.items())
        elif hint is int:
            values[name] = int(raw)
        elif hint is float:
            values[name] = float(raw)
        elif hint is str:
            values[name] = str(raw)
        else:  # pragma: no cover - every field type is listed above
            raise TypeError(f"{cls.__name__}.{name}: unsupported type {hint}")
    return cls(**values)


DEFAULT_PROFILE = Profile(
    name="default",
    description="Tiers nano 1k, micro 10k–50k, mid 50k, macro 500k, mega 1M (DESIGN.md).",
)

MICRO_5K_20K_PROFILE = Profile(
    name="micro-5k-20k",
    description=(
        "The seeds' tiers: nano 1k–5k, micro 5k–20k, mid 20k–100k, macro 100k–1M, mega 1M+ "
        "(the HypeAuditor 2018 buckets, so published benchmarks line up with the tiers)."
    ),
    follower_tiers=FollowerTiers(
        nano=1_000, micro=5_000, mid=20_000, macro=100_000, mega=1_000_000
    ),
)

AWARENESS_PROFILE = dataclasses.replace(
    DEFAULT_PROFILE,
    name="awareness",
    description="Campaign goal awareness: leans on reach.",
    weights=Weights(reach=0.45, relevance=0.20, resonance=0.20, relationship=0.15),
)

ENGAGEMENT_PROFILE = dataclasses.replace(
    DEFAULT_PROFILE,
    name="engagement",
    description="Campaign goal engagement: leans on resonance.",
    weights=Weights(reach=0.15, relevance=0.25, resonance=0.45, relationship=0.15),
)

CONVERSIONS_PROFILE = dataclasses.replace(
    DEFAULT_PROFILE,
    name="conversions",
    description="Campaign goal conversions: leans on resonance and relevance.",
    weights=Weights(reach=0.10, relevance=0.35, resonance=0.35, relationship=0.20),
)

PRESETS: types.MappingProxyType[str, Profile] = types.MappingProxyType(
    {
        profile.name: profile
        for profile in (
            DEFAULT_PROFILE,
            MICRO_5K_20K_PROFILE,
            AWARENESS_PROFILE,
            ENGAGEMENT_PROFILE,
            CONVERSIONS_PROFILE,
        )
    }
)
