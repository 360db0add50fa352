"""The ranked list at a million accounts: page and API server time against the bare SQL.

    DATABASE_URL=postgresql://root@127.0.0.1:5432/test .venv/bin/python bench/discovery.py \
        [--accounts 1000000] [--seconds 1.0]

Uses the benchmark database (`fourscore_bench`, or BENCH_DATABASE_URL): seeds it when it has
fewer accounts than asked (as bench/seed.py does) and builds the default ranking when none
is published, then VACUUMs the ranking's partition (what autovacuum does shortly after a
build: it sets the visibility map that index-only counts rely on).

For every scenario — the first page, a page 10,000 rows deep, each single filter, each sort
(first and deep) — it drives, in this process and one request at a time for a fixed time:
the list page's results request (what htmx asks for on every filter, sort and page) and the
list endpoint (/api/v1/accounts/). Server time is the Django handler's time (middleware,
session, view, template or serializer, every query). In the same run it times the bare SQL
behind the page (the count and the rows statements, executed on a plain cursor) and prints
p50/p95, requests per second, queries per request and the ratio page / bare SQL.
"""

import argparse
import statistics
import sys
import time

from support import setup_django

SORTS = [
    "reach",
    "resonance",
    "followers",
    "engagement_rate",
    "cost_per_engagement",
    "price",
    "growth",
]
FILTERS = {
    "platform": {"platform": "tiktok"},
    "follower tier": {"tier": "micro"},
    "engagement tier": {"engagement_tier": "exceptional"},
    "followers range": {"followers_min": "5000", "followers_max": "50000"},
    "engagement range": {"engagement_min": "3", "engagement_max": "8"},
    "country": {"country": "DE"},
    "language": {"language": "es"},
    "category": {"category": "fitness"},
    "price range": {"price_min": "100", "price_max": "500"},
    "stage (brand)": None,  # filled in with the bench brand
    "has contact email": {"has_email": "true"},
    "hide suspicious": {"hide_suspicious": "true"},
    "metrics newer than": {"fresh_days": "30"},
    "search": {"q": "fitness travel"},
    "search (rare)": {"q": "zoe"},
}
DEEP_ROWS = 10_000


def percentile(values, level):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(level / 100 * (len(ordered) - 1))))
    return ordered[index]


def drive(function, seconds):
    """Call `function` repeatedly for `seconds` (after two warm-up calls): times in ms."""
    function()
    function()
    times = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(times) < 5:
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return times


def prepare(accounts):
    from django.db import connection

    from influencers.models import SocialAccount
    from scoring import storage
    from scoring.models import Ranking, ScoringProfile
    from scoring.services import ranking_build, scoring_profiles_install_presets

    present = SocialAccount.objects.count()
    if present < accounts:
        import datetime as dt

        from influencers import demo_data

        print(f"seeding {accounts:,} accounts (the database has {present:,})…", flush=True)
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE influencers_metricsnapshot, influencers_socialaccount, "
                "influencers_influencer, campaigns_relationshipevent, campaigns_relationship "
                "CASCADE"
            )
        demo_data.seed(accounts=accounts, seed=1, as_of=dt.date(2026, 11, 1))
    scoring_profiles_install_presets()
    profile = ScoringProfile.objects.default()
    ranking = Ranking.objects.published_for(profile, None)
    if ranking is None or ranking.accounts_ranked < accounts:
        print("building the default ranking…", flush=True)
        ranking = ranking_build(profile=profile)
    connection.ensure_connection()
    previous = connection.connection.autocommit
    connection.connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {storage.partition_table(ranking.pk)}")
    connection.connection.autocommit = previous
    return ranking


def deep_cursor(ranking, sort, params):
    """The rank of the 10,000th row of an order (the `after` of a page that deep)."""
    from influencers import discovery
    from influencers.filters import AccountScoreFilterSet
    from scoring.models import AccountScore

    filterset = AccountScoreFilterSet(params, queryset=AccountScore.objects.none())
    assert filterset.is_valid(), filterset.form.errors
    queryset = discovery.ordered(
        discovery.filtered_scores(ranking=ranking, filterset=filterset),
        ranking=ranking,
        sort=sort,
    )
    ranks = list(queryset.values_list("rank", flat=True)[DEEP_ROWS - 1 : DEEP_ROWS])
    return ranks[0] if ranks else None


def scenarios(ranking, brand):
    rows = [("first page", {})]
    rows.append(("10,000 rows deep", {"after": str(deep_cursor(ranking, "rank", {}))}))
    for name, params in FILTERS.items():
        if params is None:
            if brand is None:
                continue
            params = {"brand": str(brand.pk), "stage": "active"}
        rows.append((f"filter: {name}", params))
    rows.append(
        (
            "filter: platform, 10,000 deep",
            {
                "platform": "instagram",
                "after": str(deep_cursor(ranking, "rank", {"platform": "instagram"})),
            },
        )
    )
    if brand is not None:
        rows.append(("brand ranking: first page", {"brand": str(brand.pk)}))
        for sort in ("relevance", "relationship"):
            rows.append((f"brand ranking: sort {sort}", {"brand": str(brand.pk), "sort": sort}))
    for sort in SORTS:
        rows.append((f"sort: {sort}", {"sort": sort}))
        rows.append(
            (
                f"sort: {sort}, 10,000 deep",
                {"sort": sort, "after": str(deep_cursor(ranking, sort, {}))},
            )
        )
    return rows


def bare_statements(user, params):
    """The count and rows statements of a page, as the page runs them, and its count."""
    from urllib.parse import urlencode

    from django.db import connection
    from django.http import QueryDict
    from django.test.utils import CaptureQueriesContext

    from influencers import discovery

    with CaptureQueriesContext(connection) as captured:
        page = discovery.ranked_page(user=user, data=QueryDict(urlencode(params)))
    # the statements that read the ranking (the count, the rows); not the ranking lookup,
    # which is cached after the first request
    statements = [
        query["sql"]
        for query in captured.captured_queries
        if "scoring_accountscore" in query["sql"]
    ]
    return statements, page.count.label


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=1.0, help="per scenario and driver")
    arguments = parser.parse_args()

    setup_django()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from campaigns.models import Brand

    settings.ALLOWED_HOSTS = ["*"]
    # The API's throttle is a business policy (600/minute), not part of the server time.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"expensive": "60/minute", "discovery": "100000000/minute"},
    }
    ranking = prepare(arguments.accounts)
    user, _ = get_user_model().objects.get_or_create(
        username="bench-discovery", defaults={"is_staff": True, "is_superuser": True}
    )
    brand = Brand.objects.order_by("pk").first()
    if brand is not None and not ranking.__class__.objects.published_for(ranking.profile, brand):
        brand = None  # the stage filter needs the brand's own ranking
    client = Client()
    client.force_login(user)
    htmx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"}

    print(
        f"\nranking #{ranking.pk}: {ranking.accounts_ranked:,} accounts, "
        f"{arguments.seconds:.1f} s per scenario and driver, one request at a time, in-process"
    )
    header = (
        f"{'scenario':<34} {'page p50':>8} {'p95':>6} {'req/s':>6} {'q':>2} "
        f"{'api p50':>8} {'p95':>6} {'req/s':>6} {'q':>2} {'SQL p50':>8} {'ratio':>6} {'rows':>10}"
    )
    print(header)
    print("-" * len(header))
    worst = {"page": 0.0, "api": 0.0, "queries": 0}
    for name, params in scenarios(ranking, brand):
        if params.get("after") == "None":
            continue
        results = {}
        for driver, path, extra in (
            ("page", "/influencers/", htmx),
            ("api", "/api/v1/accounts/", {}),
        ):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path, params, **extra)
            assert response.status_code == 200, (name, driver, response.status_code)
            # the session (cached) and user reads come with every authenticated request;
            # counted apart, the rest is the page's own
            queries = sum(
                1
                for query in captured.captured_queries
                if 'FROM "django_session"' not in query["sql"]
                and 'FROM "auth_user"' not in query["sql"]
            )
            times = drive(
                lambda p=path, e=extra, q=params: client.get(p, q, **e), arguments.seconds
            )
            results[driver] = (times, queries)
        statements, count = bare_statements(user, params)

        def bare(statements=statements):
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
                    cursor.fetchall()

        sql_times = drive(bare, arguments.seconds / 2)
        page_times, page_queries = results["page"]
        api_times, api_queries = results["api"]
        page_p95, api_p95 = percentile(page_times, 95), percentile(api_times, 95)
        worst["page"] = max(worst["page"], page_p95)
        worst["api"] = max(worst["api"], api_p95)
        worst["queries"] = max(worst["queries"], page_queries, api_queries)
        sql_p50 = statistics.median(sql_times)
        print(
            f"{name:<34} {statistics.median(page_times):>8.1f} {page_p95:>6.1f} "
            f"{1000 * len(page_times) / sum(page_times):>6.0f} {page_queries:>2} "
            f"{statistics.median(api_times):>8.1f} {api_p95:>6.1f} "
            f"{1000 * len(api_times) / sum(api_times):>6.0f} {api_queries:>2} "
            f"{sql_p50:>8.2f} {statistics.median(page_times) / sql_p50:>5.1f}× {count:>10}",
            flush=True,
        )
    print(
        f"\nworst p95: page {worst['page']:.1f} ms, API {worst['api']:.1f} ms "
        f"(bar: 30 ms); most queries a request: {worst['queries']} besides session and user "
        "(bar: 3)"
    )
    print("times in ms; `SQL` = the count and rows statements of the page on a bare cursor")


if __name__ == "__main__":
    sys.exit(main())
