"""Reads of the ranked influencer browser: one published ranking's partition, filtered,
sorted and paged by keyset, with a count that is exact only when it is cheap.

A page costs at most three queries: the ranking (profile × brand; cached for everyone until
the next publish), the count (exact up to 10,000 rows, else the planner's estimate, in one
statement that also checks that the user may see the chosen brand) and the rows (the
partition joined to the account and the person by primary key, LIMIT n+1).
Pages are keyset-paginated on the stored, unique integer rank: `rank > last` for the
4R order, `(sort key, rank) > (key of last, last)` for the other orders, so a page 10,000
rows deep reads as few rows as the first one.
"""

import dataclasses
import functools
import math
import re
from types import SimpleNamespace

import pandas as pd
from django.core.cache import cache
from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils import timezone

from campaigns.models import Brand, Relationship
from scoring import storage
from scoring.engine import PUBLISHED_BENCHMARKS
from scoring.models import AccountScore, Ranking, ScoringProfile, TierBenchmark
from scoring.services import explain_scores, published_rankings_version

from .filters import AccountScoreFilterSet
from .models import MetricSnapshot, Platform

PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
EXACT_COUNT_LIMIT = 10_000
# A search is counted exactly only up to 2,000 matches: above that, walking the ranks and
# checking each row's words finds a page faster than collecting every match from the
# full-text index (whose prefix lookups are the expensive part), so the planner's estimate
# is shown and the walk is taken.
SEARCH_EXACT_COUNT_LIMIT = 2_000
TABLE = f'"{storage.PARENT_TABLE}"'
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


def published_ranking(*, profile_id=None, brand_id=None):
    """The published ranking of a profile (default: the default one) and brand (default:
    none), or None. The same for every user, so it is cached until the next publish (the
    key holds the publish version): a results request then costs the count and the rows.

    It does not check that the requester may see the brand; every caller does, in the
    same request: `ranked_page` in its count statement, `visible_ranking` and the
    influencer page with the requester's brands.
    """
    version = published_rankings_version()
    key = f"discovery:ranking:{profile_id or 'default'}:{brand_id or 'none'}:{version}"
    ranking = cache.get(key)
    if ranking is None:
        # "No ranking" is not cached: in tests (and for a moment after a commit) a publish
        # may not have bumped the version yet.
        ranking = _published_ranking_query(profile_id=profile_id, brand_id=brand_id)
        if ranking is not None:
            cache.set(key, ranking, RANKING_CACHE_SECONDS)
    return ranking


def _published_ranking_query(*, profile_id=None, brand_id=None):
    rankings = Ranking.objects.published().select_related("profile", "brand")
    if profile_id:
        rankings = rankings.filter(profile_id=profile_id)
    else:
        rankings = rankings.filter(profile__is_default=True)
    if brand_id:
        rankings = rankings.filter(brand_id=brand_id)
    else:
        rankings = rankings.filter(brand__isnull=True)
    return rankings.first()


def visible_ranking(*, user, profile_id=None, brand_id=None):
    """The published ranking (or None) of a profile and a brand the user may see; raises
    BrandNotVisible for any other brand, whether it exists or not."""
    check_brand_visible(user=user, brand_id=brand_id)
    return published_ranking(profile_id=profile_id, brand_id=brand_id)


def check_brand_visible(*, user, brand_id):
    if brand_id and not Brand.objects.visible_to(user).filter(pk=brand_id).exists():
        raise BrandNotVisible(brand_id)


def brand_access(*, user, brand_id):
    """The chosen brand, scoped to the user: empty when they may not see it. Discovery
    reads it inside the statement that counts the results (see count_results)."""
    if not brand_id:
        return None
    if not user.is_authenticated:
        raise BrandNotVisible(brand_id)
    return Brand.objects.visible_to(user).filter(pk=brand_id).values("pk")


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
    *,
    ranking,
    filterset,
    queryset,
    lead_accounts_only=False,
    limit=EXACT_COUNT_LIMIT,
    access=None,
):
    """Exact up to 10,000 rows, else the planner's estimate, in one statement (the
    discovery_count function, influencers migration 0004). Without row filters the
    ranking knows its size.

    With a brand, `access` (brand_access: the brand scoped to the requester) is checked by
    the same statement, `WHERE EXISTS (…)`: when the requester may not see the brand, no
    row comes back, nothing is counted, and the result is None. The brand's ranking is
    cached for every user, so this is the request's only access check, at no extra query.
    """
    needs_count = bool(filterset.active_filters) or lead_accounts_only
    if access is None and not needs_count:
        return ResultCount(ranking.accounts_ranked, True)
    with connection.cursor() as cursor:
        if needs_count:
            inner_sql, params = queryset.order_by().values("rank").query.sql_with_params()
            inner = cursor.mogrify(inner_sql, params).decode()
            sql = "SELECT value, is_exact FROM discovery_count(%s, %s)"
            params = [inner, limit]
        else:
            sql, params = "SELECT %s::bigint, true", [ranking.accounts_ranked]
        if access is not None:
            access_sql, access_params = access.query.sql_with_params()
            # Uncorrelated: PostgreSQL evaluates it once, before counting anything.
            sql = f"{sql} WHERE EXISTS ({access_sql})"
            params = [*params, *access_params]
        cursor.execute(sql, params)
        found = cursor.fetchone()
    if found is None:
        return None
    value, is_exact = found
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
    access = brand_access(user=user, brand_id=brand_id)
    ranking = published_ranking(profile_id=profile_id, brand_id=brand_id)
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
        access=access,
    )
    if count is None:
        # The brand exists and has a ranking, but not for this user: the same answer
        # as a brand that does not exist.
        raise BrandNotVisible(brand_id)
    is_sparse = count.is_exact and count.value < (ranking.accounts_ranked or 0)
    rows = ranked_rows(
        ordered(filtered, ranking=ranking, sort=sort, after=after, is_sparse=is_sparse)[
            : page_size + 1
        ]
    )
    next_after = rows[page_size - 1].rank if len(rows) > page_size else None
    return ResultPage(
        ranking,
        rows[:page_size],
        next_after,
        count,
        effective_sort(ranking, sort),
        filterset,
        is_sparse,
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


def scores_and_explanations(*, ranking, account_ids):
    """({account_id: AccountScore}, {account_id: explanation}) of the accounts in the
    ranking (both empty without one): the influencer page and the API detail read these."""
    if ranking is None:
        return {}, {}
    scores = {
        score.account_id: score
        for score in AccountScore.objects.filter(
            ranking_id=ranking.pk, account_id__in=account_ids
        ).defer("search_vector")
    }
    return scores, explain_scores(ranking, list(scores))


def influencer_profile(*, user, influencer, data):
    """Everything the influencer page shows, for the chosen profile and brand."""
    profile_id = _int_or_none(data.get("profile"))
    brand_id = _int_or_none(data.get("brand"))
    brands = list(Brand.objects.visible_to(user).only("id", "name"))
    if brand_id and brand_id not in {brand.pk for brand in brands}:
        raise BrandNotVisible(brand_id)
    brand = next((brand for brand in brands if brand.pk == brand_id), None)
    # The brand is one of the user's (checked just above).
    ranking = published_ranking(profile_id=profile_id, brand_id=brand_id)
    # A brand without a ranking of its own yet: the profile's general scores, said so.
    is_fallback = False
    if ranking is None and brand_id:
        ranking = published_ranking(profile_id=profile_id, brand_id=None)
        is_fallback = ranking is not None
    accounts = list(influencer.accounts.order_by("-followers", "platform"))
    scores, explanations = scores_and_explanations(
        ranking=ranking, account_ids=[account.pk for account in accounts]
    )
    today = timezone.localdate()
    for account in accounts:
        account.score = scores.get(account.pk)
        account.explanation = explanations.get(account.pk, "")
        account.components = components_of(account.score) if account.score else []
        account.metrics_age = (
            (today - account.metrics_as_of).days if account.metrics_as_of else None
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

    similar = (
        similar_accounts(ranking=ranking, account=lead, bio=influencer.bio)
        if lead and lead.score
        else []
    )
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


# --- similar influencers -------------------------------------------------------------------

# Peers (same platform and follower tier) read on each side of the person's rank: the
# candidates come from these 1,000 at most, whatever the size of the database.
SIMILAR_NEIGHBOURHOOD = 500
# Of those, the nearest in rank that share a category, and the nearest that share one of
# the person's most distinctive bio words, are compared.
SIMILAR_CANDIDATES = 60
SIMILAR_KEYWORDS = 8
SIMILAR_REASON_TERMS = 3
TERM_STATISTICS_SECONDS = 3600
CATEGORY, WORD = "category", "word"
WORD_PATTERN = re.compile(r"[^\W_]+")


@dataclasses.dataclass
class SimilarInfluencer:
    """A suggestion of the influencer page, with what it shares with the person."""

    influencer_id: int
    name: str
    handle: str
    rank: int
    total: float | None
    followers: int | None
    categories: list
    similarity: float
    shared_categories: list
    shared_words: list

    @property
    def reason(self):
        """In words: "shares fitness, travel; bio mentions hiking"."""
        parts = []
        if self.shared_categories:
            parts.append(f"shares {', '.join(self.shared_categories)}")
        if self.shared_words:
            parts.append(f"bio mentions {', '.join(self.shared_words)}")
        return "; ".join(parts)


@dataclasses.dataclass(frozen=True)
class TermStatistics:
    """How common each category and word is among a ranking's accounts: PostgreSQL's own
    statistics of the partition (`pg_stats.most_common_elems` of `categories` and
    `search_vector`, gathered by the ANALYZE that ends every build), so the rarity of a
    term costs no scan. A term missing from the list is rarer than every listed one: it
    counts as half the rarest listed share, as the planner assumes."""

    accounts: int
    shares: dict  # {(kind, term): share of the accounts that have it}
    floors: dict  # {kind: the smallest listed share}; no entry: no statistics

    def idf(self, kind, term):
        """ln((N + 1) / (N × share + 1)): 0 for a term every account has. Without
        statistics every term weighs 1 (plain cosine)."""
        floor = self.floors.get(kind)
        if floor is None:
            return 1.0
        share = self.shares.get((kind, term), floor / 2)
        return math.log((self.accounts + 1) / (self.accounts * share + 1))


def term_statistics(ranking):
    """The ranking's TermStatistics, cached for an hour (a ranking's table never changes)."""
    key = f"discovery:term-statistics:{ranking.pk}"
    statistics = cache.get(key)
    if statistics is None:
        statistics = _read_term_statistics(ranking)
        cache.set(key, statistics, TERM_STATISTICS_SECONDS)
    return statistics


def _read_term_statistics(ranking):
    kinds = {"categories": CATEGORY, "search_vector": WORD}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, most_common_elems::text::text[], most_common_elem_freqs "
            "FROM pg_stats WHERE schemaname = current_schema() AND tablename = %s "
            "AND attname = ANY(%s)",
            [storage.partition_table(ranking.pk), list(kinds)],
        )
        found = cursor.fetchall()
    shares, floors = {}, {}
    for column, elements, frequencies in found:
        if not elements or not frequencies:
            continue
        kind = kinds[column]
        # The frequencies are followed by their minimum, maximum (and for arrays the
        # share of NULLs).
        shares.update(
            ((kind, element), frequency)
            for element, frequency in zip(elements, frequencies, strict=False)
        )
        floors[kind] = frequencies[len(elements)]
    return TermStatistics(
        accounts=max(ranking.accounts_ranked or 0, 1), shares=shares, floors=floors
    )


@functools.cache
def _stop_words():
    # The list relevance uses (scoring/engine/terms.py), so both read the same words.
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return ENGLISH_STOP_WORDS


def bio_words(text):
    """{word: count}: runs of letters and digits, lower-cased, of two characters or more,
    without English stop words (a hashtag is its word: `#hiking` is `hiking`)."""
    stop_words = _stop_words()
    counts = {}
    for word in WORD_PATTERN.findall((text or "").lower()):
        if len(word) > 1 and word not in stop_words:
            counts[word] = counts.get(word, 0) + 1
    return counts


def term_weights(*, categories, bio, statistics):
    """TF-IDF weights of a profile's terms: each category once, each bio word
    1 + ln(count) (as relevance counts words), both times its rarity. Terms that every
    account has weigh nothing and are dropped."""
    weights = {}
    for category in dict.fromkeys(categories or []):
        weights[(CATEGORY, category)] = statistics.idf(CATEGORY, category)
    for word, count in bio_words(bio).items():
        weights[(WORD, word)] = (1 + math.log(count)) * statistics.idf(WORD, word)
    return {term: weight for term, weight in weights.items() if weight > 0}


def similar_accounts(*, ranking, account, bio, limit=SIMILAR_LIMIT):
    """Influencers like the person of `account` (their best-ranked, scored account), one
    suggestion per person: same platform and follower tier, nearest by categories and bio
    words.

    Nearness is the cosine of TF-IDF vectors over categories and bio words, the rarity of
    a term read from the ranking's statistics (TermStatistics): sharing "hiking" says more
    than sharing "creator". It is computed for a bounded set of candidates, so the page
    costs the same at a million accounts: of the 1,000 peers ranked nearest to the
    account (500 on each side, read through the rank index), the 60 nearest that share a
    category and the 60 nearest that share one of the person's eight most distinctive
    bio words. Comparing every peer would read tens of thousands of rows.
    """
    score = account.score
    if ranking is None or score is None:
        return []
    statistics = term_statistics(ranking)
    own = term_weights(categories=score.categories, bio=bio, statistics=statistics)
    categories = [term for kind, term in own if kind == CATEGORY]
    keywords = sorted(
        (term for kind, term in own if kind == WORD), key=lambda word: (-own[(WORD, word)], word)
    )[:SIMILAR_KEYWORDS]
    ranks = _similar_candidate_ranks(
        ranking=ranking, score=score, categories=categories, keywords=keywords
    )
    if not ranks:
        return []
    candidates = (
        AccountScore.objects.filter(ranking_id=ranking.pk, rank__in=ranks)
        .exclude(influencer_id=score.influencer_id)
        .values(
            "rank",
            "influencer_id",
            "total",
            "followers",
            "categories",
            "account__handle",
            "influencer__name",
            "influencer__bio",
        )
    )
    own_norm = math.sqrt(sum(weight * weight for weight in own.values()))
    similar = []
    for candidate in candidates:
        theirs = term_weights(
            categories=candidate["categories"],
            bio=candidate["influencer__bio"],
            statistics=statistics,
        )
        shared = {term: own[term] * theirs[term] for term in own.keys() & theirs.keys()}
        if not shared:
            continue
        norm = math.sqrt(sum(weight * weight for weight in theirs.values()))
        similarity = sum(shared.values()) / (own_norm * norm)
        # Most telling first; words that repeat a shared category are not said twice.
        by_weight = sorted(shared, key=lambda term: (-shared[term], term[1]))
        shared_categories = [term for kind, term in by_weight if kind == CATEGORY]
        said = {word for category in shared_categories for word in bio_words(category)}
        shared_words = [term for kind, term in by_weight if kind == WORD and term not in said]
        similar.append(
            SimilarInfluencer(
                influencer_id=candidate["influencer_id"],
                name=candidate["influencer__name"],
                handle=candidate["account__handle"],
                rank=candidate["rank"],
                total=candidate["total"],
                followers=candidate["followers"],
                categories=candidate["categories"] or [],
                similarity=similarity,
                shared_categories=shared_categories[:SIMILAR_REASON_TERMS],
                shared_words=shared_words[:SIMILAR_REASON_TERMS],
            )
        )
    # Rounded, so that equal similarities summed in another order tie (then: by rank).
    similar.sort(key=lambda item: (-round(item.similarity, 9), item.rank))
    # One suggestion per person: their nearest (then best-ranked) account.
    people = {}
    for item in similar:
        people.setdefault(item.influencer_id, item)
    return list(people.values())[:limit]


def _similar_candidate_ranks(*, ranking, score, categories, keywords):
    """Ranks of the candidates (see similar_accounts), in one statement. The neighbourhood
    is read first and bounded (LIMIT on each side), so a rare word never makes the walk
    through the rank index run to the end of the table."""
    if not categories and not keywords:
        return []
    if score.follower_tier is None:
        tier_sql, tier_params = "follower_tier IS NULL", []
    else:
        tier_sql, tier_params = "follower_tier = %s", [score.follower_tier]
    side = (
        f"SELECT rank, influencer_id, categories, search_vector FROM {TABLE} "
        f"WHERE ranking_id = %s AND platform = %s AND {tier_sql} AND rank {{}} %s "
        "ORDER BY rank {} LIMIT %s"
    )
    side_params = [ranking.pk, score.platform, *tier_params, score.rank, SIMILAR_NEIGHBOURHOOD]
    sql = f"WITH near AS (({side.format('>', 'ASC')}) UNION ALL ({side.format('<', 'DESC')}))"
    params = [*side_params, *side_params]
    nearest = "ORDER BY abs(rank - %s), rank LIMIT %s"
    branches = []
    if categories:
        branches.append(
            "(SELECT rank FROM near WHERE influencer_id <> %s "
            f"AND categories && %s::varchar[] {nearest})"
        )
        params += [score.influencer_id, categories, score.rank, SIMILAR_CANDIDATES]
    if keywords:
        # Any of the words; plainto_tsquery takes each as text, never as query syntax.
        query = " || ".join(["plainto_tsquery('simple', %s)"] * len(keywords))
        branches.append(
            "(SELECT rank FROM near WHERE influencer_id <> %s "
            f"AND search_vector @@ ({query}) {nearest})"
        )
        params += [score.influencer_id, *keywords, score.rank, SIMILAR_CANDIDATES]
    sql += " " + " UNION ".join(branches)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [rank for (rank,) in cursor.fetchall()]


def _int_or_none(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
