"""A small catalogue of accounts with known values, and a published ranking over it."""

import datetime as dt

from django.utils import timezone

from tests.factories import InfluencerFactory, MetricSnapshotFactory, SocialAccountFactory

# handle: platform, followers, engagement rate, price, country, language, categories,
# contact email, days since the metrics, followers a month before (None: no snapshot).
CATALOGUE = {
    "anna_runs": ("instagram", 8_000, 0.061, 120, "DE", "de", ["fitness", "vegan"], True, 3, 7_000),
    "ben_bakes": (
        "instagram",
        24_000,
        0.034,
        400,
        "DE",
        "de",
        ["food", "baking"],
        False,
        10,
        26_000,
    ),
    "cara_codes": ("youtube", 120_000, 0.021, 2_500, "GB", "en", ["tech"], True, 40, 100_000),
    "dan_dives": ("tiktok", 15_000, 0.090, None, "ES", "es", ["travel", "outdoor"], True, 5, None),
    "eve_eats": ("instagram", 45_000, 0.012, 900, "FR", "fr", ["food", "vegan"], True, 120, 44_000),
    "finn_fit": ("tiktok", 650_000, 0.045, 8_000, "DE", "de", ["fitness"], False, 2, 600_000),
    "gia_games": ("twitch", 2_400_000, 0.008, 20_000, "US", "en", ["gaming"], True, 1, 2_500_000),
    "hal_hikes": (
        "instagram",
        3_000,
        None,
        50,
        "AT",
        "de",
        ["outdoor", "travel"],
        False,
        15,
        2_900,
    ),
    "ida_ink": ("instagram", 12_000, 0.025, 150, "DE", "de", ["art"], True, 7, 11_000),
    "jon_jokes": ("tiktok", 90_000, 0.150, 700, "US", "en", ["comedy"], False, 30, 60_000),
    "kim_knits": ("youtube", 30_000, 0.040, None, "DE", "de", ["crafts", "vegan"], True, 8, 30_000),
    "leo_lifts": (
        "instagram",
        18_000,
        0.052,
        260,
        "DE",
        "de",
        ["fitness", "food"],
        True,
        4,
        15_000,
    ),
}
HANDLES = set(CATALOGUE)


def build_catalogue():
    """Create the accounts (one person each) with a snapshot a month before the current
    one, and return {handle: account}."""
    today = timezone.localdate()
    accounts = {}
    for handle, values in CATALOGUE.items():
        (platform, followers, rate, price, country, language, categories, email, age, before) = (
            values
        )
        person = InfluencerFactory(
            name=handle.replace("_", " ").title(),
            bio=f"{' and '.join(categories).capitalize()} from {country}.",
            country=country,
            language=language,
            categories=categories,
            contact_email=f"{handle}@example.com" if email else "",
        )
        as_of = today - dt.timedelta(days=age)
        account = SocialAccountFactory(
            influencer=person,
            platform=platform,
            handle=handle,
            followers=followers,
            avg_likes=followers * rate * 0.9 if rate else None,
            avg_comments=followers * rate * 0.1 if rate else None,
            engagement_rate=rate,
            engagement_rate_denominator="followers" if rate else "",
            price_per_post=price,
            price_currency="USD" if price else "",
            metrics_as_of=as_of,
        )
        MetricSnapshotFactory(account=account, as_of=as_of, followers=followers)
        if before is not None:
            MetricSnapshotFactory(
                account=account, as_of=as_of - dt.timedelta(days=30), followers=before
            )
        accounts[handle] = account
    return accounts


def publish_ranking(brand=None):
    from scoring.models import ScoringProfile
    from scoring.services import ranking_build, scoring_profiles_install_presets

    scoring_profiles_install_presets()
    return ranking_build(
        profile=ScoringProfile.objects.default(), brand=brand, today=timezone.localdate()
    )
