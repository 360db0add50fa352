"""Value for money: expected engagements, cost per engagement and a fair-price band.

Prices must all be in one currency (convert before scoring): the band comes from the
peers' median cost per engagement, which mixes every account of a platform × tier.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scoring.engine.engagement import EngagementRates
from scoring.engine.inputs import AccountArrays
from scoring.engine.profile import Profile


@dataclass
class Value:
    expected_engagements: np.ndarray
    cost_per_engagement: np.ndarray
    peer_median_cpe: np.ndarray
    fair_price_low: np.ndarray
    fair_price_high: np.ndarray
    is_overpriced: np.ndarray


def expected_engagements(accounts: AccountArrays, rates: EngagementRates) -> np.ndarray:
    """Engagements per post = followers × rate (or average views × rate per view)."""
    return np.select(
        [rates.denominator_code == 0, rates.denominator_code == 1],
        [accounts.followers * rates.rate, accounts.views * rates.rate],
        np.nan,
    )


def value_scores(
    accounts: AccountArrays,
    rates: EngagementRates,
    peer_median_cpe: np.ndarray,
    profile: Profile,
) -> Value:
    expected = expected_engagements(accounts, rates)
    with np.errstate(divide="ignore", invalid="ignore"):
        cost = np.where(expected > 0, accounts.price / expected, np.nan)
    fair = peer_median_cpe * expected
    low = fair * profile.fair_price.low_factor
    high = fair * profile.fair_price.high_factor
    with np.errstate(invalid="ignore"):
        is_overpriced = accounts.price > high
    return Value(expected, cost, peer_median_cpe, low, high, is_overpriced)
