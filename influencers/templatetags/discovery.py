"""Formatting for the discovery pages: percentages, compact counts, scores, money."""

import math
from decimal import Decimal

from django import template

register = template.Library()
DASH = "—"


def _missing(value):
    """Unknown: None, NaN, or not a number at all (a missing attribute renders as "")."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return True
    return isinstance(value, float) and math.isnan(value)


@register.filter
def percent(fraction, digits=2):
    """0.0336 → "3.36 %" (engagement rates are stored as fractions)."""
    if _missing(fraction):
        return DASH
    return f"{fraction * 100:.{int(digits)}f} %"


@register.filter
def compact(number):
    """25300 → "25.3k", 1250000 → "1.25M"."""
    if _missing(number):
        return DASH
    number = float(number)
    for size, suffix, digits in ((1e9, "B", 2), (1e6, "M", 2), (1e3, "k", 1)):
        if abs(number) >= size:
            text = f"{number / size:.{digits}f}".rstrip("0").rstrip(".")
            return f"{text}{suffix}"
    return f"{number:.0f}"


@register.filter
def score(value):
    """A 0–100 component, rounded; unknown is a dash."""
    return DASH if _missing(value) else f"{value:.0f}"


@register.filter
def bar(value):
    """A 0–100 component as a CSS width (unknown: 0)."""
    return 0 if _missing(value) else max(0, min(100, round(value)))


@register.filter
def money(value, currency=""):
    if _missing(value):
        return DASH
    return f"{float(value):,.0f} {currency}".strip()


@register.filter
def cost(value):
    if _missing(value):
        return DASH
    value = float(value)
    return f"{value:,.3f}" if value < 1 else f"{value:,.2f}"


@register.filter
def signed_percent(fraction):
    if _missing(fraction):
        return DASH
    return f"{fraction * 100:+.1f} %"
