"""Prices in several currencies: converted to the profile's reference currency before any
value figure, unknown (never the reference currency) when they cannot be converted."""

import dataclasses
import datetime
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine import PRESETS, compute_benchmarks, profile_from_dict, score_accounts
from scoring.engine.profile import DEFAULT_PROFILE, EngagementTiers, FairPrice

TODAY = datetime.date(2024, 6, 15)
SMALL_GROUPS = dataclasses.replace(
    DEFAULT_PROFILE,
    engagement_tiers=EngagementTiers(minimum_peers=1),
    fair_price=FairPrice(minimum_peers=1),
)
# Units per US dollar. BRL has no rate.
RATES = {"USD": 1.0, "EUR": 0.8, "INR": 80.0, "GBP": 0.75}
VALUE_COLUMNS = ["cost_per_engagement", "fair_price_low", "fair_price_high", "is_overpriced"]


def mixed_accounts() -> pd.DataFrame:
    """Six Instagram micro accounts with 1,000 expected engagements per post each."""
    return pd.DataFrame(
        {
            "account_id": [1, 2, 3, 4, 5, 6],
            "platform": "instagram",
            "followers": 20_000,
            "avg_likes": 1_000.0,
            "price_per_post": [500.0, 400.0, 8_000.0, 600.0, 1_200.0, 900.0],
            "price_currency": ["USD", "EUR", " inr ", "GBP", "BRL", ""],
        }
    )


def value_text(explanation: str) -> str:
    return explanation[explanation.index("Expected ") :]


def test_prices_are_converted_to_the_reference_currency_before_cost_per_engagement():
    result = score_accounts(mixed_accounts(), SMALL_GROUPS, today=TODAY, currency_rates=RATES)

    # 500 USD; 400 EUR / 0.8 = 500 USD; 8,000 INR / 80 = 100 USD; 600 GBP / 0.75 = 800 USD.
    assert result["cost_per_engagement"].iloc[:4].tolist() == pytest.approx([0.5, 0.5, 0.1, 0.8])
    # The peers' median is 0.5 USD per engagement: fair 335–750 USD for 1,000 engagements.
    assert result["fair_price_low"].tolist() == pytest.approx([335.0] * 6)
    assert result["fair_price_high"].tolist() == pytest.approx([750.0] * 6)
    assert result["is_overpriced"].tolist() == [False, False, False, True, False, False]


def test_a_price_without_a_rate_or_a_currency_is_unknown_and_never_overpriced():
    result = score_accounts(mixed_accounts(), SMALL_GROUPS, today=TODAY, currency_rates=RATES)

    no_rate, no_currency = result.iloc[4], result.iloc[5]
    assert np.isnan(no_rate["cost_per_engagement"])
    assert np.isnan(no_currency["cost_per_engagement"])
    assert not no_rate["is_overpriced"]
    assert not no_currency["is_overpriced"]
    # 1,200 BRL would be 1,200 "dollars", above the 750 high bound, if it were taken as USD.
    # The band itself comes from the peers, as for an account without a price.
    assert (no_rate["fair_price_low"], no_rate["fair_price_high"]) == pytest.approx((335, 750))


def test_peer_medians_are_computed_over_converted_prices():
    benchmarks = compute_benchmarks(mixed_accounts(), SMALL_GROUPS, currency_rates=RATES)

    micro = benchmarks.set_index("follower_tier").loc["micro"]
    # Converted costs 0.5, 0.5, 0.1, 0.8 (BRL and the blank currency left out): median 0.5.
    # Unconverted they would be 0.5, 0.4, 8, 0.6, 1.2, 0.9: median 0.75.
    assert micro["n_priced"] == 4
    assert micro["median_cpe"] == pytest.approx(0.5)


def test_without_rates_only_prices_in_the_reference_currency_count():
    benchmarks = compute_benchmarks(mixed_accounts(), SMALL_GROUPS)
    result = score_accounts(mixed_accounts(), SMALL_GROUPS, today=TODAY)

    micro = benchmarks.set_index("follower_tier").loc["micro"]
    assert (micro["n_priced"], micro["median_cpe"]) == (1, 0.5)
    assert result["cost_per_engagement"].isna().tolist() == [False] + [True] * 5


def test_a_frame_without_currencies_has_no_known_price():
    frame = mixed_accounts().drop(columns=["price_currency"])

    result = score_accounts(frame, SMALL_GROUPS, today=TODAY, currency_rates=RATES)

    assert result["cost_per_engagement"].isna().all()
    assert result["fair_price_high"].isna().all()  # no priced peers either
    assert not result["is_overpriced"].any()
    assert "price 500.00 in an unknown currency" in result["explanation"].iloc[0]


def test_fair_price_bounds_are_in_the_profiles_reference_currency():
    in_euros = dataclasses.replace(SMALL_GROUPS, reference_currency="EUR")

    result = score_accounts(mixed_accounts(), in_euros, today=TODAY, currency_rates=RATES)

    # 500 USD = 400 EUR; 400 EUR; 8,000 INR = 80 EUR (100 INR per EUR); 600 GBP = 640 EUR.
    assert result["cost_per_engagement"].iloc[:4].tolist() == pytest.approx([0.4, 0.4, 0.08, 0.64])
    assert result["fair_price_low"].iloc[0] == pytest.approx(0.4 * 1_000 * 0.67)
    assert result["fair_price_high"].iloc[0] == pytest.approx(0.4 * 1_000 * 1.5)
    assert result["is_overpriced"].tolist() == [False, False, False, True, False, False]
    assert value_text(result["explanation"].iloc[0]) == (
        "Expected 1,000 engagements per post; price 500.00 USD (400.00 EUR at 1.25 USD per EUR) "
        "= 0.400 EUR per engagement; fair price 268.00–600.00 EUR (Instagram micro median 0.400 "
        "EUR per engagement × 0.67–1.5)."
    )


def test_the_explanation_shows_the_price_the_converted_price_and_the_rate_used():
    result = score_accounts(mixed_accounts(), SMALL_GROUPS, today=TODAY, currency_rates=RATES)

    fair = (
        "fair price 335.00–750.00 USD (Instagram micro median 0.500 USD per engagement × 0.67–1.5)"
    )
    expected = "Expected 1,000 engagements per post; price"
    assert [value_text(text) for text in result["explanation"]] == [
        f"{expected} 500.00 USD = 0.500 USD per engagement; {fair}.",
        f"{expected} 400.00 EUR (500.00 USD at 0.8 EUR per USD) = "
        f"0.500 USD per engagement; {fair}.",
        f"{expected} 8,000.00 INR (100.00 USD at 80 INR per USD) "
        f"= 0.100 USD per engagement; {fair}.",
        f"{expected} 600.00 GBP (800.00 USD at 0.75 GBP per USD) "
        f"= 0.800 USD per engagement; {fair} — overpriced.",
        f"{expected} 1,200.00 BRL: no exchange rate to USD, cost "
        f"per engagement not computed; {fair}.",
        f"{expected} 900.00 in an unknown currency: cost per engagement not computed; {fair}.",
    ]


@settings(max_examples=40, deadline=None)
@given(
    prices=st.lists(
        st.tuples(
            st.floats(1, 100_000),
            st.sampled_from(["USD", "EUR", "INR", "GBP", "BRL", ""]),
            st.integers(1_000, 2_000_000),
        ),
        min_size=1,
        max_size=20,
    ),
    base_change=st.floats(0.01, 100),
)
def test_the_base_of_the_rates_does_not_change_any_value(prices, base_change):
    frame = pd.DataFrame(
        {
            "account_id": range(1, len(prices) + 1),
            "platform": "instagram",
            "followers": [followers for _, _, followers in prices],
            "avg_likes": 500.0,
            "price_per_post": [price for price, _, _ in prices],
            "price_currency": [currency for _, currency, _ in prices],
        }
    )
    # The same rates against another base (e.g. per euro instead of per dollar).
    rebased = {code: rate * base_change for code, rate in RATES.items()}

    per_dollar = score_accounts(frame, SMALL_GROUPS, today=TODAY, currency_rates=RATES)
    per_other = score_accounts(frame, SMALL_GROUPS, today=TODAY, currency_rates=rebased)

    pd.testing.assert_frame_equal(
        per_dollar[VALUE_COLUMNS[:3]], per_other[VALUE_COLUMNS[:3]], rtol=1e-9
    )


def test_the_reference_currency_survives_a_json_round_trip():
    in_euros = dataclasses.replace(PRESETS["conversions"], reference_currency="EUR")

    stored = json.loads(json.dumps(in_euros.to_dict()))

    assert stored["reference_currency"] == "EUR"
    assert profile_from_dict(stored) == in_euros
    assert in_euros.fingerprint != PRESETS["conversions"].fingerprint


def test_every_preset_uses_dollars_and_older_stored_profiles_default_to_them():
    older = DEFAULT_PROFILE.to_dict()
    del older["reference_currency"]

    assert {profile.reference_currency for profile in PRESETS.values()} == {"USD"}
    assert profile_from_dict(older) == DEFAULT_PROFILE


@pytest.mark.parametrize("code", ["usd", "EURO", "", "€"])
def test_a_reference_currency_must_be_an_iso_code(code):
    with pytest.raises(ValueError, match="ISO 4217"):
        profile_from_dict({"reference_currency": code})
