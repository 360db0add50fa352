"""Engagement rate, follower tier, engagement-rate tier and the suspicious flag."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scoring.engine.inputs import AccountArrays
from scoring.engine.profile import FOLLOWER_TIERS, Profile

# Where an account's engagement rate came from (``EngagementRates.source``).
SOURCE_UNKNOWN = 0
SOURCE_COUNTS_PER_FOLLOWER = 1  # (likes + comments + shares + saves, those known) / followers
SOURCE_REPORTED = 2  # the export's own rate; used when the counts cannot give one
SOURCE_COUNTS_PER_VIEW = 3  # video platform, followers unknown: engagements / average views

DENOMINATORS = ("followers", "views")  # label codes: 0 followers, 1 views, -1 unknown

SUSPICIOUS_REASONS = (
    "engagement_far_above_peers",
    "likes_without_comments",
    "engagement_above_followers",
    "engagement_above_views",
    "low_audience_credibility",
)


@dataclass
class EngagementRates:
    engagements: np.ndarray  # sum of the known counts per post, NaN if none known
    rate: np.ndarray
    source: np.ndarray
    denominator_code: np.ndarray
    per_view: np.ndarray


def engagement_rates(accounts: AccountArrays) -> EngagementRates:
    counts = (accounts.likes, accounts.comments, accounts.shares, accounts.saves)
    is_any_known = np.zeros(accounts.size, dtype=bool)
    engagements = np.zeros(accounts.size)
    for values in counts:
        known = ~np.isnan(values)
        is_any_known |= known
        engagements = engagements + np.where(known, values, 0.0)
    engagements[~is_any_known] = np.nan

    followers = accounts.followers
    views = accounts.views
    has_followers = followers > 0
    has_views = (views > 0) & accounts.is_video()
    with np.errstate(divide="ignore", invalid="ignore"):
        per_follower = np.where(has_followers, engagements / followers, np.nan)
        per_view = np.where(has_views, engagements / views, np.nan)

    by_counts = ~np.isnan(per_follower)
    by_report = ~by_counts & ~np.isnan(accounts.reported_rate)
    by_views = ~by_counts & ~by_report & ~np.isnan(per_view)
    rate = np.select(
        [by_counts, by_report, by_views], [per_follower, accounts.reported_rate, per_view], np.nan
    )
    source = np.select(
        [by_counts, by_report, by_views],
        [SOURCE_COUNTS_PER_FOLLOWER, SOURCE_REPORTED, SOURCE_COUNTS_PER_VIEW],
        SOURCE_UNKNOWN,
    )
    denominator_code = np.select([by_counts | by_report, by_views], [0, 1], -1)
    return EngagementRates(engagements, rate, source, denominator_code, per_view)


def follower_tier_codes(followers: np.ndarray, profile: Profile) -> np.ndarray:
    """Index into FOLLOWER_TIERS, -1 when followers are unknown. Below the nano floor is
    nano too: it is the smallest tier, and the profile's floor only names where it starts."""
    tiers = profile.follower_tiers
    bounds = np.array([tiers.micro, tiers.mid, tiers.macro, tiers.mega], dtype=np.float64)
    codes = np.searchsorted(bounds, followers, side="right").astype(np.int64)
    codes[np.isnan(followers)] = -1
    return codes


def engagement_tier_codes(percentile: np.ndarray, profile: Profile) -> np.ndarray:
    """Index into ENGAGEMENT_TIERS (low, average, high, exceptional), -1 when unknown."""
    cuts = profile.engagement_tiers
    bounds = np.array([cuts.average_from, cuts.high_from, cuts.exceptional_from])
    codes = np.searchsorted(bounds, percentile, side="right").astype(np.int64)
    codes[np.isnan(percentile)] = -1
    return codes


@dataclass
class SuspiciousFlags:
    far_above_peers: np.ndarray
    likes_without_comments: np.ndarray
    above_followers: np.ndarray
    above_views: np.ndarray
    low_credibility: np.ndarray

    def as_tuple(self) -> tuple[np.ndarray, ...]:
        return (
            self.far_above_peers,
            self.likes_without_comments,
            self.above_followers,
            self.above_views,
            self.low_credibility,
        )

    def any(self) -> np.ndarray:
        return np.logical_or.reduce(self.as_tuple())


def suspicious_flags(
    accounts: AccountArrays,
    rates: EngagementRates,
    peer_p99: np.ndarray,
    profile: Profile,
) -> SuspiciousFlags:
    rules = profile.suspicious
    per_follower = np.where(rates.denominator_code == 0, rates.rate, np.nan)
    with np.errstate(invalid="ignore"):
        far_above = per_follower > rules.top_percentile_factor * peer_p99
        likes_without_comments = (accounts.likes >= rules.likes_without_comments_minimum_likes) & (
            accounts.comments < rules.minimum_comments_per_like * accounts.likes
        )
        above_followers = per_follower > rules.maximum_engagement_rate
        above_views = rates.per_view > 1.0
        low_credibility = accounts.credibility < rules.minimum_audience_credibility
    return SuspiciousFlags(
        far_above, likes_without_comments, above_followers, above_views, low_credibility
    )


__all__ = [
    "DENOMINATORS",
    "FOLLOWER_TIERS",
    "SUSPICIOUS_REASONS",
    "EngagementRates",
    "engagement_rates",
    "engagement_tier_codes",
    "follower_tier_codes",
    "suspicious_flags",
]
