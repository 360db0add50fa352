"""Importing a 1,000,000-row export end to end, against a bare COPY + INSERT … ON CONFLICT.

    DATABASE_URL=postgresql://root@127.0.0.1:5432/test .venv/bin/python bench/import.py [ROWS]

1. Generates an export (platform, handle, name, counts with a few "12.5k" cells, percent
   engagement rates, country, date) under bench/output/.
2. Imports it with `manage.py import_metrics` in a child process (the real command: read,
   parse, validate, COPY into staging, set-based merge) into an empty database, and
   measures wall time and the child's peak memory.
3. Imports the same file again: time and rows changed (the bar: ≤ 5 s, 0 changed).
4. The nightly refresh: the same accounts a day later with new numbers (every account
   gets a new snapshot and new current metrics).
5. Baseline, same run: COPY of the same file into a plain text table, plus one
   INSERT … SELECT … ON CONFLICT into a table indexed on (platform, handle).
"""

import os
import re
import resource
import subprocess
import sys
import time

import numpy as np
import pandas as pd
from support import BASE_DIR, setup_django

OUTPUT = BASE_DIR / "bench" / "output"
PLATFORMS = np.array(["instagram", "tiktok", "youtube", "x"])


def generate(path, rows, seed=1, as_of="2026-11-01", growth=1.0):
    rng = np.random.default_rng(seed)
    followers = np.rint(10 ** np.minimum(2.9 + rng.exponential(0.7, rows), 8.7) * growth)
    followers = followers.astype(np.int64)
    rate = np.round(rng.lognormal(np.log(0.025), 0.5, rows) * 100, 2)
    likes = np.rint(followers * rate / 100 * 0.95)
    # A few cells written the way exports abbreviate them ("12.5k": a multiple of 100).
    abbreviated = (rng.random(rows) < 0.05) & (followers >= 10_000) & (followers < 1_000_000)
    followers[abbreviated] = np.round(followers[abbreviated], -2)
    follower_text = followers.astype(str).astype(object)
    follower_text[abbreviated] = [f"{value / 1000:.1f}k" for value in followers[abbreviated]]
    frame = pd.DataFrame(
        {
            "platform": PLATFORMS[rng.integers(0, len(PLATFORMS), rows)],
            "handle": [f"creator_{index}" for index in range(rows)],
            "display_name": [f"Creator {index}" for index in range(rows)],
            "followers": follower_text,
            "posts": rng.integers(10, 3000, rows),
            "avg_likes": likes,
            "avg_comments": np.rint(likes * 0.04),
            "engagement_rate": [f"{value}%" for value in rate],
            "country": rng.choice(["US", "GB", "DE", "FR", "BR", "IN"], rows),
            "as_of": as_of,
        }
    )
    frame.to_csv(path, index=False)


def import_with_command(path):
    start = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), "import_metrics", str(path),
         "--source", "bench", "-v", "0"],
        capture_output=True, text=True, env=os.environ, check=False,
    )  # fmt: skip
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        sys.exit(f"import failed: {completed.stderr.strip()}")
    return elapsed, completed.stdout.strip()


def baseline(cursor, path):
    cursor.execute("DROP TABLE IF EXISTS bench_raw, bench_target")
    cursor.execute(
        "CREATE TABLE bench_raw (platform text, handle text, display_name text, followers text, "
        "posts text, avg_likes text, avg_comments text, engagement_rate text, country text, "
        "as_of text)"
    )
    cursor.execute(
        "CREATE TABLE bench_target (platform text, handle text, followers text, posts bigint, "
        "avg_likes double precision, avg_comments double precision, engagement_rate text, "
        "as_of date, PRIMARY KEY (platform, handle))"
    )
    start = time.perf_counter()
    with open(path) as stream:
        cursor.copy_expert("COPY bench_raw FROM STDIN WITH (FORMAT csv, HEADER)", stream)
    cursor.execute(
        "INSERT INTO bench_target SELECT platform, handle, followers, posts::bigint, "
        "avg_likes::double precision, avg_comments::double precision, engagement_rate, "
        "as_of::date FROM bench_raw ON CONFLICT (platform, handle) DO UPDATE SET "
        "followers = EXCLUDED.followers, posts = EXCLUDED.posts"
    )
    elapsed = time.perf_counter() - start
    cursor.execute("DROP TABLE bench_raw, bench_target")
    return elapsed


def write_floor(cursor):
    """Seconds to write the rows the first import wrote — people, accounts, snapshots — into
    empty tables shaped like ours (same columns, indexes, checks and foreign keys), with
    plain INSERT … SELECT of the already parsed values: what the data model costs whatever
    the importer does. Run after the imports, from their tables."""
    copies = {
        "influencers_influencer": "bench_floor_person",
        "influencers_socialaccount": "bench_floor_account",
        "influencers_metricsnapshot": "bench_floor_snapshot",
    }
    cursor.execute(f"DROP TABLE IF EXISTS {', '.join(reversed(copies.values()))}")
    for table, copy in copies.items():
        cursor.execute(f"CREATE TABLE {copy} (LIKE {table} INCLUDING ALL)")
    cursor.execute(
        "ALTER TABLE bench_floor_account ADD FOREIGN KEY (influencer_id) "
        "REFERENCES bench_floor_person (id) DEFERRABLE INITIALLY DEFERRED"
    )
    cursor.execute(
        "ALTER TABLE bench_floor_snapshot ADD FOREIGN KEY (account_id) "
        "REFERENCES bench_floor_account (id) DEFERRABLE INITIALLY DEFERRED"
    )
    # Only the first import's snapshots (the refresh added a second date).
    cursor.execute("SELECT min(as_of) FROM influencers_metricsnapshot")
    (first_date,) = cursor.fetchone()
    start = time.perf_counter()
    cursor.execute("BEGIN")
    cursor.execute("INSERT INTO bench_floor_person SELECT * FROM influencers_influencer")
    cursor.execute("INSERT INTO bench_floor_account SELECT * FROM influencers_socialaccount")
    cursor.execute(
        "INSERT INTO bench_floor_snapshot SELECT * FROM influencers_metricsnapshot "
        "WHERE as_of = %s",
        [first_date],
    )
    cursor.execute("COMMIT")  # the deferred foreign-key checks run here, as in an import
    elapsed = time.perf_counter() - start
    cursor.execute(f"DROP TABLE {', '.join(reversed(copies.values()))}")
    return elapsed


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    setup_django(database="fourscore_bench_import")
    from django.db import connection

    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"export-{rows}.csv"
    if not path.exists():
        print(f"generating {rows:,} rows → {path}")
        generate(path, rows)
    size_mb = path.stat().st_size / 1e6
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE influencers_importrowerror, influencers_importjob, "
            "influencers_metricsnapshot, influencers_socialaccount, influencers_influencer "
            "CASCADE"
        )
    connection.close()

    first, summary = import_with_command(path)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    second, second_summary = import_with_command(path)
    refresh_path = OUTPUT / f"export-{rows}-next-day.csv"
    if not refresh_path.exists():
        generate(refresh_path, rows, as_of="2026-11-02", growth=1.01)
    refresh, refresh_summary = import_with_command(refresh_path)
    with connection.cursor() as cursor:
        bare = baseline(cursor, path)
        floor = write_floor(cursor)

    changed = re.search(r"(\d[\d,]*) created, (\d[\d,]*) updated", second_summary)
    print(f"\nfile: {rows:,} rows, {size_mb:,.0f} MB")
    print(f"import_metrics (end to end): {first:.1f} s, {rows / first:,.0f} rows/s")
    print(f"  {summary}")
    print(f"baseline: COPY into a plain table + INSERT … ON CONFLICT: {bare:.1f} s")
    print(f"ratio: {first / bare:.2f}× (bar ≤ 2)")
    print(
        "floor of the data model: the same people, accounts and snapshots INSERTed from "
        f"parsed values into tables with our indexes, checks and foreign keys: {floor:.1f} s "
        f"({floor / bare:.2f}× the baseline; the import is {first / floor:.2f}× this floor)"
    )
    print(f"peak memory of the import process: {peak_mb:,.0f} MiB (bar < 1024)")
    print(f"second import of the same file: {second:.1f} s (bar ≤ 5 s)")
    print(f"  rows created, updated on the second import: {changed.group(1)}, {changed.group(2)}")
    print(f"  {second_summary}")
    print(
        f"nightly refresh (same accounts, next day, new numbers): {refresh:.1f} s, "
        f"ratio {refresh / bare:.2f}×"
    )
    print(f"  {refresh_summary}")


if __name__ == "__main__":
    main()
