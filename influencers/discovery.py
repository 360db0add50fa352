"""Reads of the ranked influencer browser: one published ranking's partition, filtered,
sorted and paged by keyset, with a count that is exact only when it is cheap.

A page costs three queries: the ranking (profile × brand, with the brand access check),
the rows (the partition joined to the account and the person by primary key, LIMIT n+1)
and the count (exact up to 10,000 rows, else the planner's estimate, in one statement).
Pages are keyset-paginated on the stored, unique integer rank: `rank > last` for the
4R order, `(sort key, rank) > (key of last, last)` for the other orders, so a page 10,000
rows deep reads as few rows as the first one.
"""

import dataclasses
from types import SimpleNamespace

import pandas as pd
from django.core.cache import cache
from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from campaigns.models import Brand
from scoring import storage
from scoring.models import AccountScore, Ranking, ScoringProfile
from scoring.services import published_rankings_version

from .filters import AccountScoreFilterSet
from .models import Platform

PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
EXACT_COUNT_LIMIT = 10_000
# A search is counted exactly only up to 2,000 matches: above that, walking the ranks and
# checking each row's words finds a page faster than collecting every match from the
# full-text index (whose prefix lookups are the expensive part), so the planner's estimate
# is shown and the walk is taken.
SEARCH_EXACT_COUNT_LIMIT = 2_000
TABLE = f'"{storage.PARENT_TABLE}"'
# Columns the list never shows: kept out of the row query.
DEFERRED = ("suspicious_reasons", "search_vector")
# The columns a row of the list (page, API, CSV) shows: building fewer fields per model
# instance is most of the Python time of a page.
ROW_FIELDS = (
    "ranking_id",
    "account_id",
    "rank",
    "platform",
    "followers",
    "follower_tier",
    "follower_growth",
    "engagement_rate",
    "engagement_rate_denominator",
    "engagement_percentile",
    "engagement_tier",
    "is_suspicious",
    "reach",
    "resonance",
    "relevance",
    "relationship",
    "total",
    "confidence",
    "expected_engagements",
    "cost_per_engagement",
    "fair_price_low",
    "fair_price_high",
    "is_overpriced",
    "influencer_id",
    "country",
    "language",
    "categories",
    "has_contact_email",
    "price",
    "price_currency",
    "metrics_as_of",
    "account__handle",
    "account__platform",
    "account__url",
    "influencer__name",
)
PLATFORM_LABELS = dict(Platform.choices)


class RankedRow(SimpleNamespace):
    """One row of the list: the stored score's columns, with `account` (handle, platform,
    url) and `influencer` (name) for display. Read with `.values()`: building three model
    instances per row was half of a page's Python time."""

    @classmethod
    def from_values(cls, values):
        account = SimpleNamespace(
            handle=values.pop("account__handle"),
            platform=values.pop("account__platform"),
            url=values.pop("account__url"),
        )
        account.platform_label = PLATFORM_LABELS.get(account.platform, account.platform)
        influencer = SimpleNamespace(name=values.pop("influencer__name"))
        return cls(account=account, influencer=influencer, **values)


def ranked_rows(queryset):
    return [RankedRow.from_values(values) for values in queryset.values(*ROW_FIELDS)]


@dataclasses.dataclass
class ResultCount:
    value: int
    is_exact: bool

    @property
    def label(self):
        return f"{self.value:,}" if self.is_exact else f"≈ {self.value:,}"


@dataclasses.dataclass
class ResultPage:
    ranking: Ranking | None
    rows: list
    next_after: int | None
    count: ResultCount | None
    sort: str
    filterset: AccountScoreFilterSet
    is_sparse: bool = False


class BrandNotVisible(Exception):
    """A brand the user may not see (or that does not exist): a 404 for the caller."""


RANKING_CACHE_SECONDS = 60


def published_ranking(*, user, profile_id=None, brand_id=None):
    """The published ranking of a profile (default: the default one) and brand (default:
    none), in one query; a brand the user may not see gives no ranking."""
    if not brand_id:
        # The same for every user: cached until the next publish (the key holds the
        # publish version), so a results request costs the count and the rows only.
        key = f"discovery:ranking:{profile_id or 'default'}:{published_rankings_version()}"
        ranking = cache.get(key)
        if ranking is None:
            ranking = _published_ranking_query(user=user, profile_id=profile_id)
            if ranking is not None:
                cache.set(key, ranking, RANKING_CACHE_SECONDS)
        return ranking
    return _published_ranking_query(user=user, profile_id=profile_id, brand_id=brand_id)


def _published_ranking_query(*, user, profile_id=None, brand_id=None):
    rankings = Ranking.objects.published().select_related("profile", "brand")
    if profile_id:
        rankings = rankings.filter(profile_id=profile_id)
    else:
        rankings = rankings.filter(profile__is_default=True)
    if brand_id:
        rankings = rankings.filter(brand_id=brand_id, brand__in=Brand.objects.visible_to(user))
    else:
        rankings = rankings.filter(brand__isnull=True)
    return rankings.first()


def check_brand_visible(*, user, brand_id):
    if brand_id and not Brand.objects.visible_to(user).filter(pk=brand_id).exists():
        raise BrandNotVisible(brand_id)


def sort_key_sql(sort, *, table=TABLE):
    return storage.sort_key_sql(sort, table=table)


def effective_sort(ranking, sort):
    """Relevance and relationship are NULL without a brand: the order is the rank's."""
    if sort not in storage.SORT_COLUMNS:
        return "rank"
    if sort in storage.BRAND_SORTS and not ranking.brand_id:
        return "rank"
    return sort


def ordered(queryset, *, ranking, sort, after=None, is_sparse=False):
    """Order by the sort's key and the rank, from the row after rank `after`.

    Dense results (more than 10,000 rows) walk the order's index and stop after a page.
    Sparse ones (`is_sparse`: counted exactly, at most 10,000 rows) must not: walking the
    order's index past a million non-matching rows to find a few is the slow plan the
    planner sometimes picks on a misestimate. Adding zero to the order hides the index
    from the ORDER BY, so the rows come from the filter's own index and are sorted.
    """
    sort = effective_sort(ranking, sort)
    if sort == "rank":
        if after:
            queryset = queryset.filter(rank__gt=after)
        if is_sparse:
            return queryset.order_by(RawSQL(f"{TABLE}.rank + 0", []).asc())
        return queryset.order_by("rank")
    key = sort_key_sql(sort)
    if after:
        # The key of the last row seen, read by its (unique) rank inside the same query.
        inner = storage.sort_key_sql(sort, table="seen")
        queryset = queryset.filter(
            RawSQL(
                f"({key}, {TABLE}.rank) > ((SELECT {inner} FROM {TABLE} seen "
                "WHERE seen.ranking_id = %s AND seen.rank = %s), %s)",
                [ranking.pk, after, after],
                output_field=BooleanField(),
            )
        )
    if is_sparse:
        return queryset.order_by(RawSQL(f"{key} + 0", []).asc(), "rank")
    return queryset.order_by(RawSQL(key, []).asc(), "rank")


def filtered_scores(*, ranking, filterset):
    """The ranking's rows that pass the filters (unordered, no display joins)."""
    queryset = AccountScore.objects.filter(ranking_id=ranking.pk)
    return filterset.filter_queryset(queryset)


def count_results(
    *, ranking, filterset, queryset, lead_accounts_only=False, limit=EXACT_COUNT_LIMIT
):
    """Exact up to 10,000 rows, else the planner's estimate, in one statement (the
    discovery_count function, influencers migration 0003). Without row filters the
    ranking knows its size: no query at all."""
    if not filterset.active_filters and not lead_accounts_only:
        return ResultCount(ranking.accounts_ranked, True)
    inner_sql, params = queryset.order_by().values("rank").query.sql_with_params()
    with connection.cursor() as cursor:
        inner = cursor.mogrify(inner_sql, params).decode()
        cursor.execute("SELECT value, is_exact FROM discovery_count(%s, %s)", [inner, limit])
        value, is_exact = cursor.fetchone()
    return ResultCount(int(value), bool(is_exact))


COMPONENT_LABELS = ("Reach", "Resonance", "Relevance", "Relationship")


def components_of(score):
    """(label, value) of the four Rs, for the small bars of a row."""
    return list(
        zip(
            COMPONENT_LABELS,
            (score.reach, score.resonance, score.relevance, score.relationship),
            strict=True,
        )
    )


def page_size_of(data):
    try:
        size = int(data.get("page_size") or PAGE_SIZE)
    except (TypeError, ValueError):
        size = PAGE_SIZE
    return max(1, min(size, MAX_PAGE_SIZE))


def ranked_page(*, user, data, page_size=PAGE_SIZE, lead_accounts_only=False):
    """One page of the ranked list for the query `data` (a QueryDict or dict).

    Raises BrandNotVisible for a brand the user may not see. An invalid filter leaves the
    filterset's form with errors and the page without rows.
    """
    filterset = AccountScoreFilterSet(data, queryset=AccountScore.objects.none())
    is_valid = filterset.is_valid()
    controls = filterset.form.cleaned_data if is_valid else {}
    profile_id = controls.get("profile")
    brand_id = controls.get("brand")
    sort = controls.get("sort") or "rank"
    after = controls.get("after")
    # The stage filter reads the relationships of the chosen brand.
    filterset.brand_id = brand_id
    if not is_valid:
        return ResultPage(None, [], None, None, sort, filterset)
    ranking = published_ranking(user=user, profile_id=profile_id, brand_id=brand_id)
    if ranking is None:
        check_brand_visible(user=user, brand_id=brand_id)
        return ResultPage(None, [], None, None, sort, filterset)
    filtered = filtered_scores(ranking=ranking, filterset=filterset)
    if lead_accounts_only:
        filtered = filtered.filter(is_lead_account=True)
    is_search = bool(controls.get("q", "").strip())
    count = count_results(
        ranking=ranking,
        filterset=filterset,
        queryset=filtered,
        lead_accounts_only=lead_accounts_only,
        limit=SEARCH_EXACT_COUNT_LIMIT if is_search else EXACT_COUNT_LIMIT,
    )
    is_sparse = count.is_exact and count.value < (ranking.accounts_ranked or 0)
    rows = ranked_rows(
        ordered(filtered, ranking=ranking, sort=sort, after=after, is_sparse=is_sparse)[
            : page_size + 1
        ]
    )
    next_after = rows[page_size - 1].rank if len(rows) > page_size else None
    rows = rows[:page_size]
    for row in rows:
        row.components = components_of(row)
    return ResultPage(
        ranking, rows, next_after, count, effective_sort(ranking, sort), filterset, is_sparse
    )


def iterate_results(*, ranking, filterset, sort, limit, is_sparse=False):
    """Every row of the results in order, up to `limit`, in keyset batches (CSV export)."""
    filtered = filtered_scores(ranking=ranking, filterset=filterset)
    after, yielded = None, 0
    while yielded < limit:
        batch = ranked_rows(
            ordered(filtered, ranking=ranking, sort=sort, after=after, is_sparse=is_sparse)[
                : min(1000, limit - yielded)
            ]
        )
        if not batch:
            return
        yield from batch
        yielded += len(batch)
        after = batch[-1].rank


def profile_choices():
    return list(ScoringProfile.objects.current_versions())


# --- the influencer page ------------------------------------------------------------------

HISTORY_POINTS = 60
SIMILAR_LIMIT = 6
DISTRIBUTION_PERCENTILES = (0, 5, 10, 25, 50, 75, 90, 95, 99, 100)


def benchmark_ranking_id(ranking):
    """Benchmarks are computed by full builds; a "changed" build uses its base's."""
    source = ranking
    while source is not None and source.kind != "full":
        source = source.base
    return source.pk if source else None


def influencer_profile(*, user, influencer, data):
    """Everything the influencer page shows, for the chosen profile and brand."""
    from campaigns.models import Relationship
    from scoring.engine import PUBLISHED_BENCHMARKS
    from scoring.models import TierBenchmark

    from .models import MetricSnapshot

    profile_id = _int_or_none(data.get("profile"))
    brand_id = _int_or_none(data.get("brand"))
    brands = list(Brand.objects.visible_to(user).only("id", "name"))
    if brand_id and brand_id not in {brand.pk for brand in brands}:
        raise BrandNotVisible(brand_id)
    brand = next((brand for brand in brands if brand.pk == brand_id), None)
    ranking = published_ranking(user=user, profile_id=profile_id, brand_id=brand_id)
    # A brand without a ranking of its own yet: the profile's general scores, said so.
    is_fallback = False
    if ranking is None and brand_id:
        ranking = published_ranking(user=user, profile_id=profile_id, brand_id=None)
        is_fallback = ranking is not None
    accounts = list(influencer.accounts.order_by("-followers", "platform"))
    scores = {}
    if ranking is not None:
        scores = {
            score.account_id: score
            for score in AccountScore.objects.filter(
                ranking_id=ranking.pk, account_id__in=[account.pk for account in accounts]
            ).defer("search_vector")
        }
    explanations = {}
    if scores:
        from scoring.services import explain_scores

        explanations = explain_scores(ranking, list(scores))
    for account in accounts:
        account.score = scores.get(account.pk)
        account.explanation = explanations.get(account.pk, "")
        account.metrics_age = (
            (timezone_today() - account.metrics_as_of).days if account.metrics_as_of else None
        )
    scored = sorted((account for account in accounts if account.score), key=lambda a: a.score.rank)
    lead = scored[0] if scored else (accounts[0] if accounts else None)

    history = {}
    for snapshot in MetricSnapshot.objects.filter(account__in=accounts).order_by(
        "account_id", "as_of", "source"
    ):
        history.setdefault(snapshot.account_id, []).append(snapshot)

    benchmarks = {}
    if ranking is not None and scored:
        pairs = {(a.platform, a.score.follower_tier) for a in scored if a.score.follower_tier}
        for benchmark in TierBenchmark.objects.filter(
            ranking_id=benchmark_ranking_id(ranking),
            platform__in={platform for platform, _ in pairs},
        ):
            if (benchmark.platform, benchmark.follower_tier) in pairs:
                benchmarks[(benchmark.platform, benchmark.follower_tier)] = benchmark

    relationship = None
    if brand is not None:
        relationship = (
            Relationship.objects.filter(brand=brand, influencer=influencer)
            .prefetch_related("events")
            .first()
        )

    similar = similar_accounts(ranking=ranking, account=lead) if lead and lead.score else []
    charts = {
        "components": [
            {
                "label": f"{account.get_platform_display()} @{account.handle}",
                "values": [
                    account.score.reach,
                    account.score.resonance,
                    account.score.relevance,
                    account.score.relationship,
                    account.score.total,
                ],
            }
            for account in scored
        ],
        "history": [
            {
                "label": f"{account.get_platform_display()} @{account.handle}",
                "dates": [s.as_of.isoformat() for s in history.get(account.pk, [])][
                    -HISTORY_POINTS:
                ],
                "followers": [s.followers for s in history.get(account.pk, [])][-HISTORY_POINTS:],
                "engagement": [
                    round(s.engagement_rate * 100, 3) if s.engagement_rate is not None else None
                    for s in history.get(account.pk, [])
                ][-HISTORY_POINTS:],
            }
            for account in accounts
        ],
        "distributions": [],
    }
    for account in scored:
        benchmark = benchmarks.get((account.platform, account.score.follower_tier))
        if benchmark is None or account.score.engagement_rate is None:
            continue
        charts["distributions"].append(
            {
                "label": f"{account.get_platform_display()} @{account.handle}",
                "platform": account.get_platform_display(),
                "tier": account.score.follower_tier,
                "n": benchmark.n,
                "percentiles": list(DISTRIBUTION_PERCENTILES),
                "rates": [
                    round(benchmark.percentiles[level] * 100, 3)
                    if benchmark.percentiles[level] is not None
                    else None
                    for level in DISTRIBUTION_PERCENTILES
                ],
                "account_rate": round(account.score.engagement_rate * 100, 3),
                "account_percentile": account.score.engagement_percentile,
            }
        )
    published = [
        {
            "tier": row.follower_tier,
            "followers": f"{row.followers_min:,}+"
            if pd.isna(row.followers_max)
            else f"{row.followers_min:,}–{int(row.followers_max):,}",
            "rate": row.engagement_rate * 100,
            "source": f"{row.source} {row.year}",
            "denominator": row.denominator,
            "sample": row.sample,
        }
        for row in PUBLISHED_BENCHMARKS.itertuples()
    ]
    return {
        "influencer": influencer,
        "accounts": accounts,
        "lead": lead,
        "ranking": ranking,
        "ranking_is_fallback": is_fallback,
        "profile_id": profile_id,
        "profiles": profile_choices(),
        "brands": brands,
        "brand": brand,
        "relationship": relationship,
        "similar": similar,
        "charts": charts,
        "published_benchmarks": published,
    }


SIMILAR_CANDIDATES = 60


def similar_accounts(*, ranking, account, limit=SIMILAR_LIMIT):
    """Same platform and follower tier, sharing a category: among the 60 best-ranked such
    accounts (read in rank order from the platform index), most shared categories first.

    Ranking every peer by shared categories would read tens of thousands of rows at a
    million accounts; the best-ranked candidates are the ones worth proposing anyway.
    """
    score = account.score
    categories = score.categories or []
    peers = AccountScore.objects.filter(
        ranking_id=ranking.pk, platform=score.platform, follower_tier=score.follower_tier
    ).exclude(influencer_id=score.influencer_id)
    if categories:
        peers = peers.filter(categories__overlap=categories)
    # Two statements: with the ranks as literals the planner reads exactly those rows.
    candidates = list(peers.order_by("rank").values_list("rank", flat=True)[:SIMILAR_CANDIDATES])
    if not candidates:
        return []
    queryset = AccountScore.objects.filter(ranking_id=ranking.pk, rank__in=candidates)
    if categories:
        shared = RawSQL(
            f"cardinality(ARRAY(SELECT unnest({TABLE}.categories) INTERSECT "
            "SELECT unnest(%s::varchar[])))",
            [categories],
        )
        queryset = queryset.annotate(shared=shared).order_by("-shared", "rank")
    else:
        queryset = queryset.order_by("rank")
    return list(queryset.select_related("account", "influencer").defer(*DEFERRED)[:limit])


def timezone_today():
    from django.utils import timezone

    return timezone.localdate()


def _int_or_none(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
