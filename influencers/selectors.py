"""Reads for pages and the API: querysets shaped for one screen each."""

from django.core.cache import cache
from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone

from campaigns.models import Brand, Relationship

from .models import Influencer, MetricSnapshot, Platform, SocialAccount
from .querysets import BELOW_NANO, DEFAULT_FOLLOWER_TIERS

TIER_ORDER = [BELOW_NANO, *(name for name, _ in reversed(DEFAULT_FOLLOWER_TIERS)), "unknown"]
EXACT_COUNT_LIMIT = 10_000


def table_counts(*models):
    """{model: (count, is_exact)}: exact up to 10,000 rows, else PostgreSQL's estimate.

    An exact COUNT(*) reads the whole table; past ten thousand rows nobody needs the last
    digit, and the planner's estimate (pg_class.reltuples, kept by ANALYZE/autovacuum) is
    free. One query reads the estimates of every table asked for.
    """
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r' "
            "AND relname = ANY(%s) AND relnamespace = current_schema()::regnamespace",
            [tables],
        )
        estimates = dict(cursor.fetchall())
    counts = {}
    for model, table in zip(models, tables, strict=True):
        estimate = estimates.get(table)
        if estimate is not None and estimate > EXACT_COUNT_LIMIT:
            counts[model] = (estimate, False)
        else:
            counts[model] = (model.objects.count(), True)
    return counts


OVERVIEW_CACHE_KEY = "dashboard:platform-tier-counts"
OVERVIEW_CACHE_SECONDS = 600


def platform_tier_counts(*, is_large):
    """[{platform, tier, accounts}] and when they were counted.

    Counting a million accounts per platform and tier takes about half a second, on every
    dashboard view; once the database is large (more than 10,000 influencers) the table is
    kept in the cache for ten minutes and the page says when it was counted.
    """
    if is_large:
        cached = cache.get(OVERVIEW_CACHE_KEY)
        if cached is not None:
            return cached
    counted = (list(SocialAccount.objects.counts_by_platform_and_tier()), timezone.now())
    if is_large:
        cache.set(OVERVIEW_CACHE_KEY, counted, OVERVIEW_CACHE_SECONDS)
    return counted


def database_overview(*, user):
    """What is in the database: totals and accounts per platform × follower tier."""
    platform_labels = dict(Platform.choices)
    counts = table_counts(Influencer, MetricSnapshot)
    influencers, influencers_exact = counts[Influencer]
    snapshots, snapshots_exact = counts[MetricSnapshot]
    tier_rows, counted_at = platform_tier_counts(is_large=not influencers_exact)
    table = {}
    for row in tier_rows:
        platform_row = table.setdefault(row["platform"], dict.fromkeys(TIER_ORDER, 0))
        platform_row[row["tier"] or "unknown"] = row["accounts"]
    rows = [
        {
            "platform": platform,
            "label": platform_labels.get(platform, platform),
            "counts": [counts[tier] for tier in TIER_ORDER],
            "total": sum(counts.values()),
        }
        for platform, counts in sorted(table.items(), key=lambda item: -sum(item[1].values()))
    ]
    tier_totals = [sum(row["counts"][index] for row in rows) for index in range(len(TIER_ORDER))]
    return {
        "influencers": influencers,
        "influencers_exact": influencers_exact,
        "snapshots": snapshots,
        "snapshots_exact": snapshots_exact,
        "accounts": sum(row["total"] for row in rows),
        "brands": Brand.objects.visible_to(user).count(),
        "relationships": Relationship.objects.visible_to(user).count(),
        "tiers": TIER_ORDER,
        "tier_totals": tier_totals,
        "rows": rows,
        "counted_at": None if influencers_exact else counted_at,
    }


MOVERS_LIMIT = 5
RECENT_IMPORTS = 5


def dashboard_activity(*, user):
    """Recent imports of the user (staff: everyone's) and the biggest follower movers of
    the default ranking since the previous snapshot (read through its growth index)."""
    from scoring.models import AccountScore

    from .discovery import published_ranking, sort_key_sql
    from .models import ImportJob

    imports = list(ImportJob.objects.visible_to(user).select_related("created_by")[:RECENT_IMPORTS])
    ranking = published_ranking()
    risers, fallers = [], []
    if ranking is not None:
        scores = (
            AccountScore.objects.filter(ranking_id=ranking.pk, follower_growth__isnull=False)
            .select_related("account", "influencer")
            .only(
                "rank",
                "platform",
                "followers",
                "follower_growth",
                "follower_tier",
                "account__handle",
                "account__platform",
                "influencer__name",
            )
        )
        key = RawSQL(sort_key_sql("growth"), [])
        risers = list(scores.order_by(key.asc(), "rank")[:MOVERS_LIMIT])
        fallers = list(scores.order_by(key.desc(), "-rank")[:MOVERS_LIMIT])
    return {
        "imports": imports,
        "ranking": ranking,
        "movers": [("Gaining", risers), ("Losing", fallers)],
    }
