"""Exchange rates in the database: the seed, the newest rate per currency, the admin, and
the rescoring that converts prices with them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from scoring import services
from scoring.currency import current_rates
from scoring.models import AccountScore, ExchangeRate, ScoringProfile
from tests.factories import MetricSnapshotFactory, SocialAccountFactory

TODAY = dt.date(2026, 11, 22)


def rate(currency, units, as_of, source="test"):
    return ExchangeRate.objects.create(
        currency=currency, units_per_usd=Decimal(units), as_of=as_of, source=source
    )


@pytest.mark.django_db
def test_the_migration_seeds_labelled_rates_for_the_demo_currencies():
    seeded = ExchangeRate.objects.filter(as_of=dt.date(2025, 7, 1))

    assert {row.currency: row.units_per_usd for row in seeded} == {
        "BRL": Decimal("5.5"),
        "EUR": Decimal("0.85"),
        "GBP": Decimal("0.73"),
        "INR": Decimal("85.5"),
        "USD": Decimal("1"),
    }
    assert {row.source for row in seeded} == {
        "Approximate mid-2025 market level, rounded (not an official fixing): "
        "seeded by migration 0004, edit in the admin"
    }


@pytest.mark.django_db
def test_current_rates_take_the_newest_as_of_of_each_currency(django_assert_num_queries):
    ExchangeRate.objects.all().delete()
    rate("EUR", "0.9", dt.date(2026, 1, 1))
    rate("EUR", "0.8", dt.date(2026, 6, 1))
    rate("EUR", "0.95", dt.date(2025, 12, 31))
    rate("GBP", "0.75", dt.date(2024, 3, 1))
    rate("INR", "80", dt.date(2026, 2, 1))
    rate("INR", "82.25", dt.date(2026, 2, 2))

    with django_assert_num_queries(1):
        rates = current_rates()

    # The base is always there, one dollar per dollar, with or without a row.
    assert rates == {"EUR": 0.8, "GBP": 0.75, "INR": 82.25, "USD": 1.0}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("currency", "units", "as_of"),
    [
        ("USD", "2", dt.date(2026, 1, 1)),  # the base buys exactly one of itself
        ("EUR", "0", dt.date(2026, 1, 1)),
        ("EUR", "-1", dt.date(2026, 1, 1)),
        ("eur", "0.9", dt.date(2026, 1, 1)),
        ("EUR", "0.9", dt.date(2025, 7, 1)),  # the seed has EUR on that day already
    ],
)
def test_the_database_refuses_impossible_rates(currency, units, as_of):
    before = ExchangeRate.objects.count()

    with pytest.raises(IntegrityError), transaction.atomic():
        rate(currency, units, as_of)

    assert ExchangeRate.objects.count() == before


@pytest.mark.django_db
def test_a_lower_case_code_is_refused_with_a_message():
    row = ExchangeRate(
        currency="eur", units_per_usd=Decimal("0.9"), as_of=dt.date(2026, 1, 1), source="x"
    )

    with pytest.raises(ValidationError, match="ISO 4217 code in capitals"):
        row.full_clean()


@pytest.mark.django_db
def test_staff_edit_rates_in_the_admin(client, staff_user):
    client.force_login(staff_user)

    listing = client.get("/admin/scoring/exchangerate/")
    added = client.post(
        "/admin/scoring/exchangerate/add/",
        {"currency": "JPY", "units_per_usd": "150", "as_of": "2026-11-20", "source": "ECB"},
    )

    assert listing.status_code == 200
    assert "1 USD = 85.5 INR on 2025-07-01" in listing.content.decode()
    assert added.status_code == 302
    assert current_rates()["JPY"] == 150.0


def test_users_who_are_not_staff_cannot_see_the_rates(logged_in_client):
    response = logged_in_client.get("/admin/scoring/exchangerate/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_a_rescoring_converts_prices_with_the_newest_rates():
    rate("EUR", "0.8", dt.date(2026, 11, 1), source="ECB reference rate")
    accounts = {
        currency: SocialAccountFactory(price_per_post=price, price_currency=currency)
        for currency, price in (("USD", Decimal("420")), ("EUR", Decimal("400")), ("CHF", 300))
    }
    for account in accounts.values():
        MetricSnapshotFactory(account=account)
    services.scoring_profiles_install_presets()

    ranking = services.ranking_build(profile=ScoringProfile.objects.default(), today=TODAY)

    scores = {
        score.account.price_currency: score
        for score in AccountScore.objects.filter(ranking=ranking).select_related("account")
    }
    # 25,000 followers × (800 + 40) / 25,000 = 840 expected engagements per post.
    assert scores["USD"].cost_per_engagement == pytest.approx(420 / 840)
    assert scores["EUR"].cost_per_engagement == pytest.approx(400 / 0.8 / 840)
    assert scores["CHF"].cost_per_engagement is None  # no CHF rate: unknown, not 300 dollars
    assert not scores["CHF"].is_overpriced
    explanation = services.explain_scores(ranking, [accounts["EUR"].pk])[accounts["EUR"].pk]
    assert "price 400.00 EUR (500.00 USD at 0.8 EUR per USD) = 0.595 USD per engagement" in (
        explanation
    )
    # The ranked list filters and sorts one currency: the ranking's reference currency.
    assert {
        currency: (score.price, score.price_currency) for currency, score in scores.items()
    } == {
        "USD": (pytest.approx(420.0), "USD"),
        "EUR": (pytest.approx(500.0), "USD"),
        "CHF": (None, ""),
    }
    assert ranking.currency_rates == {**current_rates()}


@pytest.mark.django_db
def test_a_ranking_keeps_the_rates_it_started_with():
    account = SocialAccountFactory(price_per_post=Decimal("400"), price_currency="EUR")
    MetricSnapshotFactory(account=account)
    services.scoring_profiles_install_presets()
    rate("EUR", "0.8", dt.date(2026, 11, 1))
    ranking = services.ranking_build(profile=ScoringProfile.objects.default(), today=TODAY)

    rate("EUR", "0.5", dt.date(2026, 11, 20))  # edited after the ranking was built

    ranking.refresh_from_db()
    assert ranking.currency_rates["EUR"] == 0.8
    explanation = services.explain_scores(ranking, [account.pk])[account.pk]
    assert "price 400.00 EUR (500.00 USD at 0.8 EUR per USD)" in explanation
    assert "inputs changed" not in explanation
