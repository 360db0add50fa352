"""Exchange rates for the scoring engine: the newest reference rate of each currency.

The engine (scoring/engine/value.py) converts every price to the profile's reference
currency before computing cost per engagement, the peers' median and the fair-price band.
It takes ``{ISO code: units per one unit of a common base}``; the base here is the US
dollar (``ExchangeRate.units_per_usd``). Rates are edited in the admin; a currency without
a rate leaves its prices unknown, it is never taken to be dollars.
"""

from scoring.models import ExchangeRate


def current_rates():
    """{currency: units per US dollar} from the newest ``as_of`` of each currency.

    The base itself is always present (1 USD buys one USD), with or without a row.
    """
    newest = (
        ExchangeRate.objects.order_by("currency", "-as_of")
        .distinct("currency")
        .values_list("currency", "units_per_usd")
    )
    rates = {currency: float(units) for currency, units in newest}
    rates[ExchangeRate.BASE_CURRENCY] = 1.0
    return rates
