"""Value for money: expected engagements, cost per engagement and a fair-price band.

Prices come in the account's own currency (``price_currency``) and are converted to the
profile's ``reference_currency`` first: the band comes from the peers' median cost per
engagement, which mixes every account of a platform × tier, so a median over rupees and
dollars would mean nothing. A price whose currency is unknown, or has no exchange rate, is
an unknown price (NaN) — never taken to be in the reference currency.

``currency_rates`` maps ISO 4217 codes to the units of that currency one unit of a common
base currency buys (``{"USD": 1.0, "EUR": 0.85, "INR": 85.5}`` with base USD). Any base
works as long as it is the same for every code: the reference currency's own rate cancels
it out. A price already in the reference currency needs no rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from scoring.engine.engagement import EngagementRates
from scoring.engine.inputs import AccountArrays
from scoring.engine.profile import Profile

# How a price was turned into the reference currency (``Prices.status``).
PRICE_UNKNOWN = 0  # no price
PRICE_IN_REFERENCE = 1  # already in the reference currency
PRICE_CONVERTED = 2  # converted with an exchange rate
PRICE_WITHOUT_RATE = 3  # a currency without a usable rate: unknown
PRICE_WITHOUT_CURRENCY = 4  # no currency given: unknown


@dataclass
class Prices:
    """Each account's price as given and in the reference currency."""

    given: np.ndarray  # in the account's currency, NaN when unknown
    currency_codes: np.ndarray  # index into ``AccountArrays.price_currencies``
    units_per_reference: np.ndarray  # the account's currency per reference unit (NaN: none)
    converted: np.ndarray  # in the reference currency, NaN when unknown or not convertible
    status: np.ndarray  # PRICE_* codes


@dataclass
class Value:
    prices: Prices
    expected_engagements: np.ndarray
    cost_per_engagement: np.ndarray
    peer_median_cpe: np.ndarray
    fair_price_low: np.ndarray
    fair_price_high: np.ndarray
    is_overpriced: np.ndarray


def _units_per_reference(
    currencies: tuple[str, ...], currency_rates: Mapping[str, float] | None, reference: str
) -> np.ndarray:
    """For each distinct currency code, its units per one unit of the reference currency
    (1 for the reference itself, NaN when unknown or without a usable rate)."""
    rates = {
        str(code).strip().upper(): float(rate) for code, rate in (currency_rates or {}).items()
    }
    reference_rate = rates.get(reference, np.nan)
    # One value per distinct code (a handful); the caller gathers them per account.
    per_base = np.array([rates.get(code, np.nan) for code in currencies], dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        units = per_base / reference_rate
    units[~(np.isfinite(units) & (units > 0))] = np.nan
    units[np.array([code == reference for code in currencies], dtype=bool)] = 1.0
    return units


def convert_prices(
    accounts: AccountArrays, currency_rates: Mapping[str, float] | None, reference: str
) -> Prices:
    """Every price in ``reference``: the given price / its currency's units per reference
    unit. Vectorised: the rate is looked up once per distinct code, then gathered."""
    currencies = accounts.price_currencies
    codes = accounts.price_currency_codes
    units = _units_per_reference(currencies, currency_rates, reference)[codes]
    has_currency = np.array([code != "" for code in currencies], dtype=bool)[codes]
    is_reference = np.array([code == reference for code in currencies], dtype=bool)[codes]
    status = np.select(
        [np.isnan(accounts.price), ~has_currency, np.isnan(units), is_reference],
        [PRICE_UNKNOWN, PRICE_WITHOUT_CURRENCY, PRICE_WITHOUT_RATE, PRICE_IN_REFERENCE],
        PRICE_CONVERTED,
    )
    converted = accounts.price / units  # NaN stays NaN: no currency or no rate, no price
    return Prices(accounts.price, codes, units, converted, status)


def expected_engagements(accounts: AccountArrays, rates: EngagementRates) -> np.ndarray:
    """Engagements per post = followers × rate (or average views × rate per view)."""
    return np.select(
        [rates.denominator_code == 0, rates.denominator_code == 1],
        [accounts.followers * rates.rate, accounts.views * rates.rate],
        np.nan,
    )


def cost_per_engagement(price: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Price (in the reference currency) / expected engagements; NaN without engagements."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected > 0, price / expected, np.nan)


def value_scores(
    accounts: AccountArrays,
    rates: EngagementRates,
    prices: Prices,
    peer_median_cpe: np.ndarray,
    profile: Profile,
) -> Value:
    expected = expected_engagements(accounts, rates)
    cost = cost_per_engagement(prices.converted, expected)
    # The band comes from the peers and the account's reach, not from its own price: an
    # account whose price is unknown (or not convertible) still gets one, like an unpriced one.
    fair = peer_median_cpe * expected
    low = fair * profile.fair_price.low_factor
    high = fair * profile.fair_price.high_factor
    with np.errstate(invalid="ignore"):
        is_overpriced = prices.converted > high  # NaN compares False: never overpriced
    return Value(prices, expected, cost, peer_median_cpe, low, high, is_overpriced)
