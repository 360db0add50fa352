"""Exchange rates, so that prices in different currencies can be compared.

The value figures (cost per engagement, the peers' median, the fair-price band) convert
every price to the profile's reference currency first. The seed covers the currencies of
the demo data (USD, EUR, GBP) plus INR and BRL (India and Brazil are among the demo's
largest markets; the real exports in shared/data carry no prices). The figures are rounded approximations of mid-2025 market levels, not an
official fixing: they are labelled so, and an operator replaces or extends them in the
admin (a new row per date; the newest counts). A currency without a row leaves its prices
unknown.
"""

import datetime
from decimal import Decimal

import django.core.validators
from django.db import migrations, models

SEED_DATE = datetime.date(2025, 7, 1)
SEED_SOURCE = (
    "Approximate mid-2025 market level, rounded (not an official fixing): "
    "seeded by migration 0004, edit in the admin"
)
SEED_RATES = {  # units per US dollar
    "USD": Decimal("1"),
    "EUR": Decimal("0.85"),
    "GBP": Decimal("0.73"),
    "INR": Decimal("85.5"),
    "BRL": Decimal("5.5"),
}


def seed_rates(apps, schema_editor):
    ExchangeRate = apps.get_model("scoring", "ExchangeRate")
    ExchangeRate.objects.bulk_create(
        [
            ExchangeRate(currency=code, units_per_usd=units, as_of=SEED_DATE, source=SEED_SOURCE)
            for code, units in SEED_RATES.items()
        ],
        ignore_conflicts=True,
    )


def remove_seeded_rates(apps, schema_editor):
    ExchangeRate = apps.get_model("scoring", "ExchangeRate")
    ExchangeRate.objects.filter(as_of=SEED_DATE, source=SEED_SOURCE).delete()


class Migration(migrations.Migration):
    dependencies = [("scoring", "0003_explanations_on_demand")]

    operations = [
        migrations.CreateModel(
            name="ExchangeRate",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "currency",
                    models.CharField(
                        help_text="ISO 4217 code, e.g. EUR.",
                        max_length=3,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[A-Z]{3}$", "An ISO 4217 code in capitals, e.g. EUR."
                            )
                        ],
                    ),
                ),
                (
                    "units_per_usd",
                    models.DecimalField(
                        decimal_places=8,
                        help_text=(
                            "Units of this currency one US dollar buys "
                            "(EUR 0.85 means 1 USD = 0.85 EUR)."
                        ),
                        max_digits=20,
                        verbose_name="units per US dollar",
                    ),
                ),
                ("as_of", models.DateField(help_text="The date the rate is for.")),
                (
                    "source",
                    models.CharField(
                        help_text="Where the rate comes from, e.g. 'ECB reference rates'.",
                        max_length=200,
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "ordering": ["currency", "-as_of"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("currency", "as_of"), name="exchange_rate_per_day"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("currency__regex", "^[A-Z]{3}$")),
                        name="exchange_rate_iso_code",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("units_per_usd__gt", 0)),
                        name="exchange_rate_positive",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("currency", "USD"), _negated=True),
                            ("units_per_usd", 1),
                            _connector="OR",
                        ),
                        name="exchange_rate_base_is_one",
                    ),
                ],
            },
        ),
        migrations.RunPython(seed_rates, remove_seeded_rates),
    ]
