"""Reading engine inputs from PostgreSQL and writing rankings back, set-based.

A ranking's scores are computed chunk by chunk into a staging table (unlogged, no index),
then built into a table of its own in one statement that also numbers the ranks, indexed,
and attached as a partition of `scoring_accountscore`. Publishing flips one row
(Ranking.status): readers switch from the complete old ranking to the complete new one.
"""

import io
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from django.db import connection, transaction

from scoring.engine import OUTPUT_COLUMNS

PARENT_TABLE = "scoring_accountscore"

# The columns of scoring_accountscore besides ranking_id and rank, in table order.
SCORE_COLUMNS = {
    "account_id": "bigint NOT NULL",
    "metrics_as_of": "date",
    "metrics_source": "varchar(100) NOT NULL",
    "platform": "varchar(20) NOT NULL",
    "followers": "bigint",
    "follower_tier": "varchar(20)",
    "engagement_rate": "double precision",
    "engagement_rate_denominator": "varchar(10)",
    "engagement_rate_per_view": "double precision",
    "engagement_percentile": "double precision",
    "engagement_tier": "varchar(20)",
    "is_suspicious": "boolean NOT NULL",
    "suspicious_reasons": "text NOT NULL",
    "reach": "double precision",
    "resonance": "double precision",
    "relevance": "double precision",
    "relationship": "double precision",
    "total": "double precision",
    "confidence": "double precision NOT NULL",
    "expected_engagements": "double precision",
    "cost_per_engagement": "double precision",
    "fair_price_low": "double precision",
    "fair_price_high": "double precision",
    "is_overpriced": "boolean NOT NULL",
}
# Denormalized for discovery (filters, sorts and search of the ranked list read one
# partition, never the account tables): filled from the accounts, their influencers and
# their snapshots by build_partition, after SCORE_COLUMNS in table order.
DISCOVERY_COLUMNS = {
    "influencer_id": "bigint",
    "is_lead_account": "boolean",
    "country": "varchar(2)",
    "language": "varchar(8)",
    "categories": "varchar(60)[]",
    "has_contact_email": "boolean",
    "price": "double precision",
    "price_currency": "varchar(3)",
    "follower_growth": "double precision",
    "search_vector": "tsvector",
}
DISCOVERY_SELECT = {
    "influencer_id": "a.influencer_id",
    # The account that ranks best among the person's accounts: the influencer list shows
    # one row per person through it (numbered with the ranks, see _number_ranks).
    "is_lead_account": "r.is_lead_account",
    "country": "i.country",
    "language": "i.language",
    "categories": "i.categories",
    "has_contact_email": "i.contact_email <> ''",
    # In the ranking's reference currency (fx: its rates, see _price_factors), so the price
    # filter and sort compare like with like; NULL when the currency has no rate.
    "price": "a.price_per_post::double precision * fx.factor",
    "price_currency": (
        "CASE WHEN a.price_per_post IS NOT NULL AND fx.factor IS NOT NULL "
        "THEN fx.reference ELSE '' END"
    ),
    # Followers now against the newest earlier snapshot (NULL without one): "growth".
    "follower_growth": (
        "(scored.followers - previous.followers)::double precision / NULLIF(previous.followers, 0)"
    ),
    # Free-text search: name, handle, bio and categories, 'simple' configuration (no
    # stemming: names and handles are not English words), searched by prefix.
    "search_vector": (
        "to_tsvector('simple', i.name || ' ' || a.handle || ' ' || "
        "replace(a.handle, '_', ' ') || ' ' || i.bio || ' ' || "
        "array_to_string(i.categories, ' '))"
    ),
}


# Sort orders other than the rank: an ascending key (NULLs last) with the rank as the tie
# breaker, so keyset pagination is a row comparison `(key, rank) > (…, …)` that walks one
# index. Descending orders are keyed on the negated value; NULL becomes +Infinity.
SORT_COLUMNS = {
    "reach": ("reach", "desc"),
    "resonance": ("resonance", "desc"),
    "relevance": ("relevance", "desc"),
    "relationship": ("relationship", "desc"),
    "followers": ("followers", "desc"),
    "engagement_rate": ("engagement_rate", "desc"),
    "growth": ("follower_growth", "desc"),
    "cost_per_engagement": ("cost_per_engagement", "asc"),
    "price": ("price", "asc"),
}


def sort_key_sql(sort, *, table=None):
    """The key expression of a sort order; the index and the query use the same one."""
    column, direction = SORT_COLUMNS[sort]
    qualified = f"{table}.{column}" if table else column
    if direction == "desc":
        return f"(-coalesce({qualified}::double precision, '-Infinity'::double precision))"
    return f"coalesce({qualified}::double precision, 'Infinity'::double precision)"


# Without a brand these components are NULL for every account: sorting by them is the rank.
BRAND_SORTS = ("relevance", "relationship")

# Engine outputs that are stored as they are.
ENGINE_COLUMNS = [name for name in OUTPUT_COLUMNS if name in SCORE_COLUMNS]

_NUMBER_COLUMNS = """
           a.id AS account_id, a.influencer_id, a.platform, a.followers,
           a.avg_likes, a.avg_comments, a.avg_shares, a.avg_saves, a.avg_views,
           a.engagement_rate AS reported_engagement_rate, a.audience_credibility,
           a.price_per_post::double precision AS price_per_post, a.price_currency,
           a.metrics_as_of, a.metrics_source"""
# Benchmarks (and rankings without a brand) need only the numbers, over every account.
NUMBERS_QUERY = f"""
    SELECT {_NUMBER_COLUMNS}
    FROM influencers_socialaccount a
"""
# Relevance also needs the person's text.
ACCOUNT_QUERY = f"""
    SELECT {_NUMBER_COLUMNS},
           array_to_string(i.categories, ',') AS categories, i.bio, i.country, i.language
    FROM influencers_socialaccount a
    JOIN influencers_influencer i ON i.id = a.influencer_id
"""
TEXT_COLUMNS = (
    "platform",
    "categories",
    "bio",
    "country",
    "language",
    "metrics_source",
    "price_currency",
)


def read_frame(query, params=None):
    """Run a SELECT through COPY and read it with pyarrow: fast for a million rows."""
    with connection.cursor() as cursor:
        sql = cursor.mogrify(query, params).decode() if params else query
        buffer = io.BytesIO()
        cursor.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)", buffer)
    buffer.seek(0)
    if buffer.getbuffer().nbytes == 0:
        return pd.DataFrame()
    types = {name: pa.string() for name in TEXT_COLUMNS}
    types["metrics_as_of"] = pa.date32()
    table = pa_csv.read_csv(
        buffer,
        parse_options=pa_csv.ParseOptions(newlines_in_values=True),
        convert_options=pa_csv.ConvertOptions(
            column_types=types, strings_can_be_null=True, quoted_strings_can_be_null=False
        ),
    )
    frame = table.to_pandas()
    if "metrics_as_of" in frame:
        frame["metrics_as_of"] = pd.to_datetime(frame["metrics_as_of"])
    return frame


def read_accounts(*, low=None, high=None, only_dirty=False, with_text=True):
    """Engine inputs of the accounts with ids in [low, high) (the marked ones only, for a
    "changed" build). The text columns (bio, categories, country, language) only matter
    for relevance, so a ranking without a brand reads the numbers alone."""
    conditions, params = [], []
    if low is not None:
        conditions.append("a.id >= %s")
        params.append(low)
    if high is not None:
        conditions.append("a.id < %s")
        params.append(high)
    if only_dirty:
        conditions.append("a.needs_rescore")
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    query = ACCOUNT_QUERY if with_text else NUMBERS_QUERY
    return read_frame(query + where + " ORDER BY a.id", params)


def read_numbers():
    return read_frame(NUMBERS_QUERY + " ORDER BY a.id")


def read_relationships(brand_id):
    """One row per influencer related to the brand: stage, advocate, event counts."""
    return read_frame(
        """
        SELECT r.influencer_id, r.stage, r.is_advocate::text AS is_advocate,
               count(*) FILTER (WHERE e.kind = 'contacted') AS contacted,
               count(*) FILTER (WHERE e.kind = 'replied') AS replied,
               count(*) FILTER (WHERE e.kind = 'collaborated') AS collaborated,
               count(*) FILTER (WHERE e.kind = 'delivered') AS delivered,
               count(*) FILTER (WHERE e.kind = 'declined') AS declined,
               max(e.occurred_on) AS last_event_on
        FROM campaigns_relationship r
        LEFT JOIN campaigns_relationshipevent e ON e.relationship_id = r.id
        WHERE r.brand_id = %s
        GROUP BY r.influencer_id, r.stage, r.is_advocate
        """,
        [brand_id],
    )


def id_ranges(chunk_size):
    """[low, high) account id ranges of about chunk_size accounts each."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id), count(*) FROM influencers_socialaccount")
        low, high, count = cursor.fetchone()
    if not count:
        return []
    parts = max(1, -(-count // chunk_size))
    edges = np.linspace(low, high + 1, parts + 1).round().astype(np.int64)
    return [(int(edges[i]), int(edges[i + 1])) for i in range(parts)]


def staging_table(ranking_id):
    return f"scoring_staged_{int(ranking_id)}"


def partition_table(ranking_id):
    return f"{PARENT_TABLE}_r{int(ranking_id)}"


def create_staging(ranking_id):
    columns = ", ".join(f"{name} {kind}" for name, kind in SCORE_COLUMNS.items())
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE UNLOGGED TABLE IF NOT EXISTS {staging_table(ranking_id)} ({columns})"
        )


def write_chunk(ranking_id, accounts, scores):
    """COPY one chunk's scores into the staging table.

    The caller runs this and records the chunk as done in one transaction, under a lock
    on the ranking, so a chunk's rows are staged exactly once however often it runs.
    """
    frame = scores[["account_id", *[c for c in ENGINE_COLUMNS if c != "account_id"]]].copy()
    inputs = accounts.set_index("account_id")
    for column in ("metrics_as_of", "metrics_source", "platform", "followers"):
        frame[column] = inputs[column].reindex(frame["account_id"]).to_numpy()
    frame["metrics_source"] = frame["metrics_source"].fillna("")
    frame["metrics_as_of"] = pd.to_datetime(frame["metrics_as_of"]).dt.strftime("%Y-%m-%d")
    frame["followers"] = frame["followers"].astype("Int64")
    frame = frame[list(SCORE_COLUMNS)]
    buffer = io.BytesIO()
    pa_csv.write_csv(
        pa.Table.from_pandas(frame, preserve_index=False),
        buffer,
        pa_csv.WriteOptions(include_header=False),
    )
    buffer.seek(0)
    table = staging_table(ranking_id)
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {table} ({', '.join(SCORE_COLUMNS)}) FROM STDIN WITH (FORMAT csv)", buffer
        )


def ranks_table(ranking_id):
    return f"scoring_ranks_{int(ranking_id)}"


def build_partition(
    ranking_id, *, base_ranking_id=None, has_brand=False, workers=1, currency=("USD", None)
):
    """Build the ranking's table from its staged rows (and, for a "changed" build, the base
    ranking's rows of every account that was not rescored), index it and attach it.
    Returns the number of ranked accounts.

    Three steps: number the ranks (a narrow table: account, rank, lead account of its
    person), fill the ranking's table in rank order with the scores and the discovery
    columns, build its indexes. `currency` is (reference currency, {code: units per US
    dollar}) of the ranking: the discovery price is converted with them. With `workers` > 1
    the fill and the indexes are shared by that many database sessions (the table is a
    plain, unattached table until the end, so nobody sees it half-built); inside a caller's
    transaction (tests, dry runs) everything runs on the caller's connection, because other
    sessions could not see its rows.
    """
    table = partition_table(ranking_id)
    ranking = int(ranking_id)
    sessions = 1 if connection.in_atomic_block else max(1, int(workers))
    ranked = _number_ranks(ranking, base_ranking_id)
    bounds = np.linspace(0, ranked, sessions + 1).round().astype(np.int64)
    fills = [
        [
            _fill_statement(
                ranking, base_ranking_id, int(bounds[i]), int(bounds[i + 1]), currency=currency
            )
        ]
        for i in range(sessions)
    ]
    _run_in_sessions(fills, work_mem="256MB")
    build_indexes(table, has_brand=has_brand, sessions=sessions)
    with connection.cursor() as cursor:
        cursor.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY USING INDEX {table}_pkey"
        )
        # Pages read about fifty rows through an index: starting parallel workers costs
        # more (several milliseconds) than the whole query.
        cursor.execute(f"ALTER TABLE {table} SET (parallel_workers = 0)")
        # Fresh statistics now, not when autovacuum comes by: the ranked list's plans (walk
        # an index in rank order, or fetch a rare filter's rows and sort them) depend on them.
        cursor.execute(f"ANALYZE {table}")
        cursor.execute(f"DROP TABLE IF EXISTS {staging_table(ranking)}, {ranks_table(ranking)}")
    return ranked


def build_indexes(table, *, has_brand, sessions):
    """Build every index of a ranking's table, shared out between `sessions` sessions."""
    statements = [
        f"CREATE UNIQUE INDEX {table}_pkey ON {table} (ranking_id, account_id)",
        # Keyset pagination walks the ranks; the unique index makes the rank a stable key.
        f"CREATE UNIQUE INDEX {table}_rank ON {table} (rank)",
        *discovery_index_statements(table, has_brand=has_brand),
    ]
    _run_in_sessions(_share_out(statements, sessions), maintenance_work_mem="512MB")


def attach_partition(ranking_id):
    """Make a built ranking table a partition of scoring_accountscore (the caller publishes
    it in the same transaction). The CHECK constraint lets ATTACH skip scanning the rows."""
    table = partition_table(ranking_id)
    with connection.cursor() as cursor:
        cursor.execute(
            f"ALTER TABLE {PARENT_TABLE} ATTACH PARTITION {table} FOR VALUES IN ({int(ranking_id)})"
        )


def _scored_source(ranking, base_ranking_id, columns=tuple(SCORE_COLUMNS)):
    """SELECT of the scored rows: the staged ones, plus the base's unchanged ones."""
    staged = staging_table(ranking)
    columns = ", ".join(columns)
    source = f"SELECT {columns} FROM {staged}"
    if base_ranking_id is not None:
        source += (
            f" UNION ALL SELECT {columns} FROM {partition_table(base_ranking_id)} base"
            f" WHERE NOT EXISTS (SELECT 1 FROM {staged} s WHERE s.account_id = base.account_id)"
            " AND EXISTS (SELECT 1 FROM influencers_socialaccount a WHERE a.id = base.account_id)"
        )
    return source


def _number_ranks(ranking, base_ranking_id):
    """The narrow ranks table (account_id, rank, is_lead_account) in rank order, and the
    empty ranking table; returns the number of ranked accounts.

    Only three columns go through the two sorts (by total; by person, then total), not the
    wide rows: the sorts stay in memory.
    """
    table = partition_table(ranking)
    ranks = ranks_table(ranking)
    source = _scored_source(ranking, base_ranking_id, columns=("account_id", "total"))
    # Committed when it ends (outside a caller's transaction): other sessions fill the table.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(f"DROP TABLE IF EXISTS {table}, {ranks}")
        cursor.execute(
            f"""
            CREATE UNLOGGED TABLE {ranks} AS
            SELECT account_id,
                   row_number() OVER (ORDER BY total DESC NULLS LAST, account_id)::integer
                       AS rank,
                   is_lead_account
            FROM (
                SELECT scored.account_id, scored.total,
                       row_number() OVER (PARTITION BY a.influencer_id
                                          ORDER BY scored.total DESC NULLS LAST,
                                                   scored.account_id) = 1 AS is_lead_account
                FROM ({source}) AS scored
                JOIN influencers_socialaccount a ON a.id = scored.account_id
            ) AS leads
            """
        )
        count = cursor.rowcount
        cursor.execute(f"ANALYZE {ranks}")
        # LIKE the parent: same columns, types and NOT NULLs, so it can be attached; the
        # CHECK lets ATTACH skip scanning the rows to prove they belong to the partition.
        cursor.execute(f"CREATE TABLE {table} (LIKE {PARENT_TABLE} INCLUDING DEFAULTS)")
        cursor.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {table}_ranking CHECK (ranking_id = {ranking})"
        )
    return count


def _price_factors(reference, rates):
    """SELECT of (currency, factor, reference): price × factor is in the reference currency.

    Rates are units per US dollar; a currency without a rate (or with the reference
    missing) gets no row, so its price is NULL: unknown, never taken as dollars.
    """
    rates = rates or {"USD": 1.0}
    if not rates.get(reference):
        return "SELECT NULL::text AS currency, NULL::float8 AS factor, '' AS reference"
    rows = ", ".join(
        connection.ops.compose_sql("(%s, %s::float8)", [code, rates[reference] / units])
        for code, units in sorted(rates.items())
        if units
    )
    return (
        "SELECT currency, factor, "
        f"{connection.ops.compose_sql('%s::text', [reference])} AS reference "
        f"FROM (VALUES {rows}) AS rates (currency, factor)"
    )


def _fill_statement(ranking, base_ranking_id, low, high, *, currency=("USD", None)):
    """INSERT of the ranks (low, high] into the ranking's table, in rank order.

    The discovery columns come from the account, its person and its previous snapshot
    (DISCOVERY_SELECT): the ranked list then never joins those tables. Rows go in by rank,
    so a page of fifty ranks reads one or two table pages.
    """
    table = partition_table(ranking)
    columns = ", ".join(SCORE_COLUMNS)
    scored_columns = ", ".join(f"scored.{name}" for name in SCORE_COLUMNS)
    discovery = ", ".join(
        f"{expression} AS {name}" for name, expression in DISCOVERY_SELECT.items()
    )
    return (
        f"INSERT INTO {table} (ranking_id, rank, {columns}, {', '.join(DISCOVERY_SELECT)}) "
        f"SELECT {ranking}, r.rank, {scored_columns}, {discovery} "
        f"FROM {ranks_table(ranking)} r "
        f"JOIN ({_scored_source(ranking, base_ranking_id)}) AS scored "
        "ON scored.account_id = r.account_id "
        "JOIN influencers_socialaccount a ON a.id = scored.account_id "
        "JOIN influencers_influencer i ON i.id = a.influencer_id "
        "LEFT JOIN LATERAL (SELECT s.followers FROM influencers_metricsnapshot s "
        "WHERE s.account_id = a.id AND s.as_of < a.metrics_as_of "
        "AND s.followers IS NOT NULL ORDER BY s.as_of DESC LIMIT 1) previous ON true "
        f"LEFT JOIN ({_price_factors(*currency)}) AS fx ON fx.currency = a.price_currency "
        f"WHERE r.rank > {int(low)} AND r.rank <= {int(high)} ORDER BY r.rank"
    )


# Rough relative cost of an index build, to share them out evenly between sessions: the
# full-text GIN index costs about as much as all the others together.
def _index_cost(statement):
    return 10 if "USING gin (search_vector)" in statement else 1


def _share_out(statements, sessions):
    """Statements split into `sessions` lists of about equal cost (longest first)."""
    lists = [[] for _ in range(sessions)]
    costs = [0] * sessions
    for statement in sorted(statements, key=_index_cost, reverse=True):
        least = costs.index(min(costs))
        lists[least].append(statement)
        costs[least] += _index_cost(statement)
    return [items for items in lists if items]


def _run_in_sessions(lists, **settings):
    """Run each list of statements in its own database session, concurrently; one list
    runs on this connection. `settings` are SET LOCAL for each (work_mem…)."""

    def run(statements, *, own):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                for name, value in settings.items():
                    cursor.execute(f"SET LOCAL {name} = '{value}'")
                if len(lists) > 1:
                    # The sessions share the cores: no parallel workers on top.
                    cursor.execute("SET LOCAL max_parallel_maintenance_workers = 0")
                for statement in statements:
                    cursor.execute(statement)
        finally:
            if own:
                connection.close()

    if len(lists) == 1:
        run(lists[0], own=False)
        return
    with ThreadPoolExecutor(max_workers=len(lists) - 1) as pool:
        # A thread gets its own Django connection (they are per thread) and closes it.
        futures = [pool.submit(run, statements, own=True) for statements in lists[1:]]
        run(lists[0], own=False)
        for future in futures:
            future.result()


def discovery_index_statements(table, *, has_brand=True):
    """The indexes of the ranked list (influencers/discovery.py), one statement each.

    - `_<filter>` (column, rank): an equality filter (platform, follower tier, engagement
      tier, country, language) walks its own index already in rank order, so the first
      page and a page 10,000 rows deep both read about one page of rows.
    - `_sort_<name>` (key, rank): the other sort orders, keyset-paginated on the same pair.
    - `_categories` GIN: "in this category" (array containment), `_search` GIN: full-text
      search; both fetch the matching rows (a bitmap) and sort the few that match.
    - `_influencer` (influencer_id, rank): the influencer page and the relationship-stage
      filter (a brand's few related people → their accounts).
    - `_fresh` (metrics_as_of): "metrics newer than N days" when few accounts are that new.
    Range filters (followers, engagement rate, price) are written on the sort keys, so the
    `_sort_` indexes serve them too.
    Relevance and relationship are NULL in a ranking without a brand: no index, the list
    falls back to the rank.
    """
    statements = [
        f"CREATE INDEX {table}_{name} ON {table} ({column}, rank)"
        for name, column in (
            ("platform", "platform"),
            ("ftier", "follower_tier"),
            ("etier", "engagement_tier"),
            ("country", "country"),
            ("language", "language"),
        )
    ]
    for name in SORT_COLUMNS:
        if name in BRAND_SORTS and not has_brand:
            continue
        expression = sort_key_sql(name)
        statements.append(f"CREATE INDEX {table}_sort_{name} ON {table} (({expression}), rank)")
    statements += [
        f"CREATE INDEX {table}_categories ON {table} USING gin (categories)",
        f"CREATE INDEX {table}_search ON {table} USING gin (search_vector)",
        f"CREATE INDEX {table}_influencer ON {table} (influencer_id, rank)",
        f"CREATE INDEX {table}_fresh ON {table} (metrics_as_of)",
    ]
    return statements


def partition_ranking_ids():
    """Ids of the rankings whose tables are attached to scoring_accountscore."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT child.relname FROM pg_inherits "
            "JOIN pg_class parent ON parent.oid = pg_inherits.inhparent "
            "JOIN pg_class child ON child.oid = pg_inherits.inhrelid "
            "WHERE parent.relname = %s",
            [PARENT_TABLE],
        )
        prefix = f"{PARENT_TABLE}_r"
        return [int(name[len(prefix) :]) for (name,) in cursor.fetchall()]


def drop_ranking_table(ranking_id):
    """Remove a ranking's table (attached or, after a failed build, not) and its scratch
    tables."""
    table = partition_table(ranking_id)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = to_regclass(%s))",
            [table],
        )
        if cursor.fetchone()[0]:
            cursor.execute(f"ALTER TABLE {PARENT_TABLE} DETACH PARTITION {table}")
        cursor.execute(
            f"DROP TABLE IF EXISTS {table}, {staging_table(ranking_id)}, {ranks_table(ranking_id)}"
        )
