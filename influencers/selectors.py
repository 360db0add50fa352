"""Reads for pages and the API: querysets shaped for one screen each."""

from django.db import connection
from django.db.models.expressions import RawSQL

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


def database_overview(*, user):
    """What is in the database: totals and accounts per platform × follower tier."""
    platform_labels = dict(Platform.choices)
    table = {}
    for row in SocialAccount.objects.counts_by_platform_and_tier():
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
    counts = table_counts(Influencer, MetricSnapshot)
    influencers, influencers_exact = counts[Influencer]
    snapshots, snapshots_exact = counts[MetricSnapshot]
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
    }


MOVERS_LIMIT = 5
RECENT_IMPORTS = 5


def dashboard_activity(*, user):
    """Recent imports of the user (staff: everyone's) and the biggest follower movers of
    the default ranking since the previous snapshot (read through its growth index)."""
    from scoring import storage
    from scoring.models import AccountScore, Ranking

    from .models import ImportJob

    imports = list(ImportJob.objects.visible_to(user).select_related("created_by")[:RECENT_IMPORTS])
    ranking = (
        Ranking.objects.published().filter(profile__is_default=True, brand__isnull=True).first()
    )
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
        key = RawSQL(storage.sort_key_sql("growth", table='"scoring_accountscore"'), [])
        risers = list(scores.order_by(key.asc(), "rank")[:MOVERS_LIMIT])
        fallers = list(scores.order_by(key.desc(), "-rank")[:MOVERS_LIMIT])
    return {
        "imports": imports,
        "ranking": ranking,
        "movers": [("Gaining", risers), ("Losing", fallers)],
    }
