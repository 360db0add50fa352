"""Reading engine inputs from PostgreSQL and writing rankings back, set-based.

A ranking's scores are computed chunk by chunk into a staging table (unlogged, no index),
then built into a table of its own in one statement that also numbers the ranks, indexed,
and attached as a partition of `scoring_accountscore`. Publishing flips one row
(Ranking.status): readers switch from the complete old ranking to the complete new one.
"""

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from django.db import connection

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
    "explanation": "text NOT NULL",
}
# Engine outputs that are stored as they are.
ENGINE_COLUMNS = [name for name in OUTPUT_COLUMNS if name in SCORE_COLUMNS]

ACCOUNT_QUERY = """
    SELECT a.id AS account_id, a.influencer_id, a.platform, a.followers,
           a.avg_likes, a.avg_comments, a.avg_shares, a.avg_saves, a.avg_views,
           a.engagement_rate AS reported_engagement_rate, a.audience_credibility,
           a.price_per_post::double precision AS price_per_post, a.metrics_as_of,
           a.metrics_source,
           array_to_string(i.categories, ',') AS categories, i.bio, i.country, i.language
    FROM influencers_socialaccount a
    JOIN influencers_influencer i ON i.id = a.influencer_id
"""
# Benchmarks need only the numbers, over every account.
NUMBERS_QUERY = """
    SELECT a.id AS account_id, a.influencer_id, a.platform, a.followers,
           a.avg_likes, a.avg_comments, a.avg_shares, a.avg_saves, a.avg_views,
           a.engagement_rate AS reported_engagement_rate, a.audience_credibility,
           a.price_per_post::double precision AS price_per_post, a.metrics_as_of
    FROM influencers_socialaccount a
"""
TEXT_COLUMNS = ("platform", "categories", "bio", "country", "language", "metrics_source")


def parent_table_sql():
    columns = ",\n    ".join(f"{name} {kind}" for name, kind in SCORE_COLUMNS.items())
    return (
        f"CREATE TABLE {PARENT_TABLE} (\n    ranking_id bigint NOT NULL,\n    rank integer "
        f"NOT NULL,\n    {columns},\n    PRIMARY KEY (ranking_id, account_id)\n) "
        "PARTITION BY LIST (ranking_id)"
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


def read_accounts(*, low=None, high=None, only_dirty=False):
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
    return read_frame(ACCOUNT_QUERY + where + " ORDER BY a.id", params)


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


def write_chunk(ranking_id, accounts, scores, *, low, high):
    """Replace the staged rows of [low, high) with this chunk's scores (idempotent)."""
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
        cursor.execute(
            f"DELETE FROM {table} WHERE account_id >= %s AND account_id < %s", [low, high]
        )
        cursor.copy_expert(
            f"COPY {table} ({', '.join(SCORE_COLUMNS)}) FROM STDIN WITH (FORMAT csv)", buffer
        )


def build_partition(ranking_id, *, base_ranking_id=None):
    """Build the ranking's table from its staged rows (and, for a "changed" build, the base
    ranking's rows of every account that was not rescored), numbering ranks on the way;
    index it and attach it. Returns the number of ranked accounts."""
    table = partition_table(ranking_id)
    staged = staging_table(ranking_id)
    columns = ", ".join(SCORE_COLUMNS)
    source = f"SELECT {columns} FROM {staged}"
    if base_ranking_id is not None:
        source += (
            f" UNION ALL SELECT {columns} FROM {partition_table(base_ranking_id)} base"
            f" WHERE NOT EXISTS (SELECT 1 FROM {staged} s WHERE s.account_id = base.account_id)"
            " AND EXISTS (SELECT 1 FROM influencers_socialaccount a WHERE a.id = base.account_id)"
        )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(
            f"CREATE TABLE {table} AS SELECT {int(ranking_id)}::bigint AS ranking_id, "
            "(row_number() OVER (ORDER BY total DESC NULLS LAST, account_id))::integer AS rank, "
            f"{columns} FROM ({source}) AS scored"
        )
        count = cursor.rowcount
        # The table must match the parent's column order and constraints to be attached.
        for name, kind in SCORE_COLUMNS.items():
            if "NOT NULL" in kind:
                cursor.execute(f"ALTER TABLE {table} ALTER COLUMN {name} SET NOT NULL")
        cursor.execute(f"ALTER TABLE {table} ALTER COLUMN ranking_id SET NOT NULL")
        cursor.execute(f"ALTER TABLE {table} ALTER COLUMN rank SET NOT NULL")
        cursor.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {table}_ranking "
            f"CHECK (ranking_id = {int(ranking_id)})"
        )
        cursor.execute(f"ALTER TABLE {table} ADD PRIMARY KEY (ranking_id, account_id)")
        # Keyset pagination walks the ranks; the unique index makes the rank a stable key.
        cursor.execute(f"CREATE UNIQUE INDEX {table}_rank ON {table} (rank)")
        cursor.execute(
            f"ALTER TABLE {PARENT_TABLE} ATTACH PARTITION {table} FOR VALUES IN ({int(ranking_id)})"
        )
        cursor.execute(f"DROP TABLE IF EXISTS {staged}")
    return count


def drop_ranking_table(ranking_id):
    """Remove a superseded ranking's table (and its staging table, if a build failed)."""
    table = partition_table(ranking_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [table])
        if cursor.fetchone()[0] is not None:
            cursor.execute(f"ALTER TABLE {PARENT_TABLE} DETACH PARTITION {table}")
            cursor.execute(f"DROP TABLE {table}")
        cursor.execute(f"DROP TABLE IF EXISTS {staging_table(ranking_id)}")
