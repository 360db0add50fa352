"""Set-based loading of canonical rows: COPY into a staging table, then SQL merges.

Everything here is plain SQL on purpose: a million rows move as a few statements, never as
a Python loop over model instances.
"""

import io

import pyarrow as pa
import pyarrow.csv as pa_csv

from influencers.models import ACCOUNT_METRIC_FIELDS

# Column order of the staging table = order of the CSV written by `copy_rows`.
STAGING_COLUMNS = {
    "line": "bigint",
    "platform": "text",
    "handle": "text",
    "display_name": "text",
    "external_id": "text",
    "url": "text",
    "bio": "text",
    "country": "text",
    "language": "text",
    "categories": "text",
    "contact_email": "text",
    "followers": "bigint",
    "following": "bigint",
    "posts": "bigint",
    "avg_likes": "double precision",
    "avg_comments": "double precision",
    "avg_shares": "double precision",
    "avg_saves": "double precision",
    "avg_views": "double precision",
    "median_likes": "double precision",
    "median_comments": "double precision",
    "median_views": "double precision",
    "engagement_rate": "double precision",
    "audience_country": "text",
    "audience_credibility": "double precision",
    "price_per_post": "numeric(12, 2)",
    "price_currency": "text",
    "as_of": "date",
}
# The metrics a snapshot holds, in the snapshot table's column names.
SNAPSHOT_METRICS = [
    *ACCOUNT_METRIC_FIELDS[:8],
    "median_likes",
    "median_comments",
    "median_views",
    *ACCOUNT_METRIC_FIELDS[8:],
]
# The current metrics an account copies from its newest snapshot.
ACCOUNT_METRICS = list(ACCOUNT_METRIC_FIELDS)


def staging_table_name(job_id):
    return f"import_staging_{int(job_id)}"


def create_staging_table(cursor, table):
    columns = ", ".join(f"{name} {kind}" for name, kind in STAGING_COLUMNS.items())
    cursor.execute(f"DROP TABLE IF EXISTS {table}")
    # UNLOGGED: scratch space, rebuilt from the file if the server crashes mid-import.
    cursor.execute(f"CREATE UNLOGGED TABLE {table} ({columns})")


def drop_staging_table(cursor, table):
    cursor.execute(f"DROP TABLE IF EXISTS {table}")


def copy_rows(cursor, table, frame):
    """COPY the good rows of one canonical chunk into the staging table."""
    if frame.empty:
        return 0
    columns = [name for name in STAGING_COLUMNS if name != "line"]
    data = frame[columns].copy()
    data.insert(0, "line", frame["source_line"].astype("int64"))
    if "as_of" in data:
        data["as_of"] = data["as_of"].astype("string")
    table_data = pa.Table.from_pandas(data, preserve_index=False)
    buffer = io.BytesIO()
    # Strings are always quoted, so an empty string stays '' and only a missing value is
    # an unquoted empty field, which COPY reads as NULL.
    pa_csv.write_csv(table_data, buffer, pa_csv.WriteOptions(include_header=False))
    buffer.seek(0)
    cursor.copy_expert(
        f"COPY {table} ({', '.join(STAGING_COLUMNS)}) FROM STDIN WITH (FORMAT csv)", buffer
    )
    return len(frame)


def _computed_rate_sql(value):
    """(likes + comments + shares + saves, those known) / followers, or NULL; ``value`` maps
    a metric's name to its SQL expression."""
    parts = [value(f"avg_{name}") for name in ("likes", "comments", "shares", "saves")]
    any_known = " OR ".join(f"{part} IS NOT NULL" for part in parts)
    total = " + ".join(f"COALESCE({part}, 0)" for part in parts)
    followers = value("followers")
    return (
        f"CASE WHEN ({any_known}) AND {followers} > 0 "
        f"THEN ({total})::double precision / {followers} END"
    )


def _snapshot_values_sql(alias):
    """SELECT expressions of SNAPSHOT_METRICS from a staged row (a new account's metrics).

    The engagement rate is the export's own when it gives one; otherwise (likes + comments
    + shares + saves, those known) / followers, with "followers" as its denominator.
    """
    computed = _computed_rate_sql(lambda name: f"{alias}.{name}")
    values = []
    for name in SNAPSHOT_METRICS:
        if name == "engagement_rate":
            values.append(f"COALESCE({alias}.engagement_rate, {computed})")
        elif name == "engagement_rate_denominator":
            values.append(
                f"CASE WHEN COALESCE({alias}.engagement_rate, {computed}) IS NOT NULL "
                "THEN 'followers' ELSE '' END"
            )
        elif name in {"audience_country", "price_currency"}:
            values.append(f"COALESCE({alias}.{name}, '')")
        else:
            values.append(f"{alias}.{name}")
    return values


# Snapshot metrics that an unknown incoming value never erases: each keeps its known value.
KEPT_WHEN_UNKNOWN = [
    name
    for name in SNAPSHOT_METRICS
    if name
    not in {
        "engagement_rate",
        "engagement_rate_denominator",
        "audience_country",
        "price_per_post",
        "price_currency",
    }
]
RATE_INPUTS = ["followers", "avg_likes", "avg_comments", "avg_shares", "avg_saves"]


def _merged_snapshot_sql(incoming, previous, *, incoming_denominator="'followers'"):
    """SELECT expressions of SNAPSHOT_METRICS: the row ``incoming`` merged into the row
    ``previous`` (a staged row into the snapshot of the same account, date and source; a new
    newest snapshot into the account's current metrics). ``previous`` is all NULL when there
    is none. ``incoming_denominator``: what the incoming engagement rate is per.

    Unknown never erases known: a NULL (or, for text, empty) incoming value keeps the
    previous one, a known one replaces it. A price and its currency go together (a new price
    without a currency does not take the old price's currency). The engagement rate is the
    incoming one when known; else, when a known incoming value changed what it is computed
    from, it is computed again from the merged metrics (followers from the profile file,
    averages from the media file land in one row); else the previous rate stays.
    """
    merged = {name: f"COALESCE({incoming}.{name}, {previous}.{name})" for name in KEPT_WHEN_UNKNOWN}
    merged["audience_country"] = (
        f"COALESCE(NULLIF({incoming}.audience_country, ''), "
        f"NULLIF({previous}.audience_country, ''), '')"
    )
    has_price = f"{incoming}.price_per_post IS NOT NULL"
    merged["price_per_post"] = (
        f"CASE WHEN {has_price} THEN {incoming}.price_per_post ELSE {previous}.price_per_post END"
    )
    merged["price_currency"] = (
        f"CASE WHEN {has_price} THEN COALESCE({incoming}.price_currency, '') "
        f"ELSE COALESCE(NULLIF({previous}.price_currency, ''), "
        f"NULLIF({incoming}.price_currency, ''), '') END"
    )
    inputs_changed = " OR ".join(
        f"({incoming}.{name} IS NOT NULL AND {incoming}.{name} IS DISTINCT FROM {previous}.{name})"
        for name in RATE_INPUTS
    )
    rate = f"CASE WHEN {inputs_changed} THEN {_computed_rate_sql(merged.__getitem__)} END"
    merged["engagement_rate"] = (
        f"COALESCE({incoming}.engagement_rate, {rate}, {previous}.engagement_rate)"
    )
    merged["engagement_rate_denominator"] = (
        f"CASE WHEN {incoming}.engagement_rate IS NOT NULL THEN {incoming_denominator} "
        f"WHEN {rate} IS NOT NULL THEN 'followers' "
        f"ELSE COALESCE({previous}.engagement_rate_denominator, '') END"
    )
    return [merged[name] for name in SNAPSHOT_METRICS]


def _keep_known_sql(name):
    """SET expression of ON CONFLICT: the same rule against a snapshot that another import
    wrote after this statement read the table (a race, or the normal path's no-op)."""
    if name == "audience_country":
        return f"COALESCE(NULLIF(EXCLUDED.{name}, ''), snapshot.{name})"
    if name == "engagement_rate_denominator":
        return (
            f"CASE WHEN EXCLUDED.engagement_rate IS NOT NULL THEN EXCLUDED.{name} "
            f"ELSE snapshot.{name} END"
        )
    if name == "price_currency":
        return (
            f"CASE WHEN EXCLUDED.price_per_post IS NOT NULL THEN EXCLUDED.{name} "
            f"ELSE COALESCE(NULLIF(snapshot.{name}, ''), EXCLUDED.{name}) END"
        )
    return f"COALESCE(EXCLUDED.{name}, snapshot.{name})"


def _row(alias, names):
    return ", ".join(f"{alias}.{name}" for name in names)


def merge_staging(cursor, table, *, job_id, source):
    """Merge the staged rows into influencers, accounts and snapshots; return the counts.

    Must run inside a transaction (the caller's): either all of it lands or none. Each step
    is one statement over all rows, and each writes only what is new or different, so
    importing the same file again reads everything and writes nothing.
    """
    # Scratch tables of the merge; dropped here too because ON COMMIT DROP does not fire
    # when the caller's transaction is itself nested (tests, dry runs).
    cursor.execute(
        "DROP TABLE IF EXISTS import_new_accounts, import_touched, import_account_gaps, import_gaps"
    )
    # Sorting and hashing a million staged rows in memory instead of spilling to disk is
    # the difference between seconds and minutes; LOCAL ends with the transaction.
    cursor.execute("SET LOCAL work_mem = '256MB'")
    cursor.execute(f"ANALYZE {table}")
    cursor.execute(f"SELECT count(*) FROM {table}")
    staged_rows = cursor.fetchone()[0]
    snapshot_values = _snapshot_values_sql("s")
    account_values = [
        value
        for name, value in zip(SNAPSHOT_METRICS, snapshot_values, strict=True)
        if name in ACCOUNT_METRICS
    ]
    parameters = {"source": source, "job_id": job_id}

    # 1. New accounts, each with a new person; ids drawn from the sequences up front. A new
    #    account is created with the metrics of its newest row in the file, which is also
    #    its newest snapshot: no second pass over it.
    # An account with several dated rows in the file takes its newest; DISTINCT ON sorts
    # every row, so it is used only when such accounts exist (rare in exports).
    cursor.execute(
        f"SELECT EXISTS (SELECT 1 FROM {table} GROUP BY platform, handle HAVING count(*) > 1)"
    )
    has_histories = cursor.fetchone()[0]
    if has_histories:
        rows = (
            f"SELECT DISTINCT ON (s.platform, s.handle) s.* FROM {table} s "
            "ORDER BY s.platform, s.handle, s.as_of DESC, s.line DESC"
        )
    else:
        rows = f"SELECT * FROM {table}"
    cursor.execute(
        f"""
        CREATE TEMP TABLE import_new_accounts ON COMMIT DROP AS
        SELECT nextval(pg_get_serial_sequence('influencers_influencer', 'id')) AS influencer_id,
               nextval(pg_get_serial_sequence('influencers_socialaccount', 'id')) AS account_id,
               newest.*
        FROM ({rows}) AS newest
        WHERE NOT EXISTS (
            SELECT 1 FROM influencers_socialaccount a
            WHERE a.platform = newest.platform AND a.handle = newest.handle
        )
        """
    )
    cursor.execute(
        """
        INSERT INTO influencers_influencer
            (id, name, bio, country, language, categories, contact_email, notes,
             created_at, updated_at)
        SELECT influencer_id, left(COALESCE(NULLIF(display_name, ''), handle), 200),
               COALESCE(bio, ''), COALESCE(country, ''), COALESCE(language, ''),
               COALESCE(string_to_array(NULLIF(categories, ''), ','), '{}'),
               COALESCE(contact_email, ''), '', now(), now()
        FROM import_new_accounts
        """
    )
    cursor.execute(
        f"""
        INSERT INTO influencers_socialaccount
            (id, influencer_id, platform, handle, url, external_id, {", ".join(ACCOUNT_METRICS)},
             metrics_as_of, metrics_source, needs_rescore, created_at, updated_at)
        SELECT s.account_id, s.influencer_id, s.platform, s.handle, COALESCE(s.url, ''),
               COALESCE(s.external_id, ''), {", ".join(account_values)},
               s.as_of, %(source)s, true, now(), now()
        FROM import_new_accounts s
        """,
        parameters,
    )
    accounts_created = cursor.rowcount
    if accounts_created > 10_000:
        # Fresh statistics, or the planner still believes the table is small and joins the
        # next million rows by index lookups instead of one hash join.
        cursor.execute("ANALYZE influencers_socialaccount")

    # 2. Snapshots: each staged row merged into the snapshot of the same account, date and
    #    source (unknown never erases known); a hash join finds the rows that are new or
    #    different and only those are written (an ON CONFLICT over identical rows would
    #    still lock each of them).
    metrics = ", ".join(SNAPSHOT_METRICS)
    merged_values = ", ".join(
        f"{value} AS {name}"
        for name, value in zip(SNAPSHOT_METRICS, _merged_snapshot_sql("s", "m"), strict=True)
    )
    previous_values = ", ".join(f"m.{name} AS previous_{name}" for name in SNAPSHOT_METRICS)
    previous_row = ", ".join(f"merged.previous_{name}" for name in SNAPSHOT_METRICS)
    kept = ", ".join(f"{name} = {_keep_known_sql(name)}" for name in SNAPSHOT_METRICS)
    cursor.execute(
        f"""
        CREATE TEMP TABLE import_touched ON COMMIT DROP AS
        WITH merged AS (
            SELECT a.id AS account_id, s.as_of, m.id AS snapshot_id, {merged_values},
                   {previous_values}
            FROM {table} s
            JOIN influencers_socialaccount a ON a.platform = s.platform AND a.handle = s.handle
            LEFT JOIN influencers_metricsnapshot m
                   ON m.account_id = a.id AND m.as_of = s.as_of AND m.source = %(source)s
        ), different AS (
            SELECT * FROM merged
            WHERE snapshot_id IS NULL
               OR ({previous_row}) IS DISTINCT FROM ({_row("merged", SNAPSHOT_METRICS)})
        ), upserted AS (
            INSERT INTO influencers_metricsnapshot AS snapshot
                (account_id, as_of, source, import_job_id, {metrics}, created_at)
            SELECT account_id, as_of, %(source)s, %(job_id)s, {metrics}, now() FROM different
            ON CONFLICT (account_id, as_of, source) DO UPDATE
               SET {kept}, import_job_id = EXCLUDED.import_job_id
            RETURNING account_id, as_of, (xmax = 0) AS is_new, {_row("snapshot", ACCOUNT_METRICS)}
        )
        SELECT * FROM upserted
        """,
        parameters,
    )
    cursor.execute(
        "SELECT count(*) FILTER (WHERE is_new), count(*) FILTER (WHERE NOT is_new) "
        "FROM import_touched"
    )
    created, updated = cursor.fetchone()

    # 3. Existing accounts take the metrics of a snapshot this import wrote when it is now
    #    their newest one (a later date, or the same date written last); older history
    #    written by the import leaves them as they are. A metric that snapshot does not know
    #    keeps the account's known value (videos.list the day after channels.list must not
    #    wipe the subscribers off the account), by the snapshot merge's own rule. Marked for
    #    rescoring when changed.
    newest_written = (
        "SELECT DISTINCT ON (account_id) * FROM import_touched ORDER BY account_id, as_of DESC"
        if has_histories
        else "SELECT * FROM import_touched"
    )
    current = dict(
        zip(
            SNAPSHOT_METRICS,
            _merged_snapshot_sql(
                "newest", "account", incoming_denominator="newest.engagement_rate_denominator"
            ),
            strict=True,
        )
    )
    current_row = ", ".join(current[name] for name in ACCOUNT_METRICS)
    assignments = ", ".join(f"{name} = {current[name]}" for name in ACCOUNT_METRICS)
    cursor.execute(
        f"""
        UPDATE influencers_socialaccount AS account
           SET {assignments}, metrics_as_of = newest.as_of, metrics_source = %(source)s,
               needs_rescore = true, updated_at = now()
          FROM ({newest_written}) AS newest
         WHERE account.id = newest.account_id
           AND NOT EXISTS (SELECT 1 FROM import_new_accounts n WHERE n.account_id = account.id)
           AND (account.metrics_as_of IS NULL OR newest.as_of >= account.metrics_as_of)
           AND ({_row("account", ACCOUNT_METRICS)}, account.metrics_as_of,
                account.metrics_source)
               IS DISTINCT FROM ({current_row}, newest.as_of, %(source)s)
        """,
        parameters,
    )
    accounts_changed = cursor.rowcount + accounts_created

    # 4. An existing account takes the platform id and link it lacks (an account created
    #    from a CSV, then found in a channels.list): later exports that name it only by its
    #    id find it. Only rows that carry one are joined (few, or none for most tables).
    cursor.execute(
        f"""
        CREATE TEMP TABLE import_account_gaps ON COMMIT DROP AS
        SELECT DISTINCT ON (a.id) a.id AS account_id, st.external_id, st.url
        FROM {table} st
        JOIN influencers_socialaccount a ON a.platform = st.platform AND a.handle = st.handle
        WHERE (st.external_id IS NOT NULL OR st.url IS NOT NULL)
          AND ((a.external_id = '' AND st.external_id <> '') OR (a.url = '' AND st.url <> ''))
        ORDER BY a.id, st.as_of DESC, st.line DESC
        """
    )
    if cursor.rowcount:
        cursor.execute(
            """
            UPDATE influencers_socialaccount AS account
               SET external_id = CASE WHEN account.external_id = ''
                                      THEN COALESCE(s.external_id, '') ELSE account.external_id
                                 END,
                   url = CASE WHEN account.url = '' THEN COALESCE(s.url, '') ELSE account.url END,
                   updated_at = now()
              FROM import_account_gaps AS s
             WHERE account.id = s.account_id
            """
        )

    # 5. Descriptive fields fill gaps on existing people, never overwrite what is there.
    gaps = {
        "bio": "person.bio = '' AND s.bio <> ''",
        "country": "person.country = '' AND s.country <> ''",
        "language": "person.language = '' AND s.language <> ''",
        "contact_email": "person.contact_email = '' AND s.contact_email <> ''",
        "categories": "person.categories = '{}' AND s.categories <> ''",
    }
    filled = {
        name: f"CASE WHEN {condition} THEN s.{name} ELSE person.{name} END"
        for name, condition in gaps.items()
    }
    filled["categories"] = (
        f"CASE WHEN {gaps['categories']} THEN string_to_array(s.categories, ',') "
        "ELSE person.categories END"
    )
    # The rows that fill a gap are found first and kept aside (few, usually none): joined
    # inline, the planner may re-run the whole join for every person it updates.
    cursor.execute(
        f"""
        CREATE TEMP TABLE import_gaps ON COMMIT DROP AS
        SELECT DISTINCT ON (a.influencer_id) a.influencer_id, {_row("s", gaps)}
        FROM {table} s
        JOIN influencers_socialaccount a ON a.platform = s.platform AND a.handle = s.handle
        JOIN influencers_influencer person ON person.id = a.influencer_id
        WHERE {" OR ".join(f"({condition})" for condition in gaps.values())}
        ORDER BY a.influencer_id, s.as_of DESC, s.line DESC
        """
    )
    if cursor.rowcount:
        cursor.execute("ANALYZE import_gaps")
        cursor.execute(
            f"""
            UPDATE influencers_influencer AS person
               SET {", ".join(f"{name} = {value}" for name, value in filled.items())},
                   updated_at = now()
              FROM import_gaps AS s
             WHERE person.id = s.influencer_id
            """
        )
    cursor.execute(
        "DROP TABLE import_new_accounts, import_touched, import_account_gaps, import_gaps"
    )
    return {
        "rows_staged": staged_rows,
        "rows_created": created,
        "rows_updated": updated,
        "rows_unchanged": staged_rows - created - updated,
        "accounts_created": accounts_created,
        "accounts_changed": accounts_changed,
    }
