"""Rescoring every account end to end (read, compute, write ranks) against a bare SQL rebuild.

    DATABASE_URL=postgresql://root@127.0.0.1:5432/test .venv/bin/python bench/score.py

Uses the `fourscore_bench` database (fill it first with `bench/seed.py 1000000`). The
baseline, measured in the same run, is one CREATE TABLE … AS SELECT over the same accounts
with the log and ratio arithmetic of reach, engagement rate and cost per engagement, and a
row_number() rank.
"""

import datetime as dt
import time

from support import peak_memory_mb, setup_django

BASELINE = """
    CREATE TABLE bench_score_baseline AS
    SELECT a.id,
           least(100, greatest(0, 100 * (log(greatest(a.followers, 1)) - 3) / 4)) AS reach,
           (coalesce(a.avg_likes, 0) + coalesce(a.avg_comments, 0)
             + coalesce(a.avg_shares, 0) + coalesce(a.avg_saves, 0))
             / nullif(a.followers, 0) AS engagement_rate,
           a.price_per_post / nullif(a.followers * a.engagement_rate, 0) AS cost_per_engagement,
           row_number() OVER (ORDER BY a.followers DESC NULLS LAST, a.id) AS rank
    FROM influencers_socialaccount a
"""


def _time_calls(module, name, label, stages):
    """Wrap module.name so that each call's duration is added to stages[label]."""
    original = getattr(module, name)

    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            stages.setdefault(label, []).append(time.perf_counter() - start)

    setattr(module, name, timed)


def _write_floor(storage, ranking):
    """Seconds to write the ranking's finished rows into a new table and index it as the
    build does (same statements, same sessions): what any build of this table pays."""
    from django.conf import settings
    from django.db import connection

    table = "bench_score_floor"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        start = time.perf_counter()
        cursor.execute(f"CREATE TABLE {table} AS TABLE {storage.partition_table(ranking.pk)}")
        storage.build_indexes(table, has_brand=False, sessions=settings.FOURSCORE_SCORING_SESSIONS)
        seconds = time.perf_counter() - start
        cursor.execute(f"DROP TABLE {table}")
    return seconds


def main():
    setup_django()
    from django.conf import settings
    from django.db import connection

    from influencers.models import SocialAccount
    from scoring import engine, services, storage
    from scoring.models import ScoringProfile

    services.scoring_profiles_install_presets()
    profile = ScoringProfile.objects.default()
    accounts = SocialAccount.objects.count()

    stages = {}
    for module, name, label in (
        (storage, "read_numbers", "read the accounts"),
        (engine, "compute_benchmarks", "tier benchmarks"),
        (engine, "score_accounts", "score (engine)"),
        (storage, "write_chunk", "stage the scores (COPY)"),
        (storage, "_number_ranks", "number the ranks"),
        (storage, "_run_in_sessions", "fill the ranking table, then build its indexes"),
    ):
        _time_calls(module, name, label, stages)

    start = time.perf_counter()
    ranking = services.ranking_build(profile=profile, today=dt.date(2026, 11, 22))
    rescoring = time.perf_counter() - start
    memory = peak_memory_mb()

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_score_baseline")
        start = time.perf_counter()
        cursor.execute(BASELINE)
        bare = time.perf_counter() - start
        cursor.execute("DROP TABLE bench_score_baseline")

    print(f"\naccounts: {accounts:,} (ranking #{ranking.pk}, {ranking.chunks_total} chunks)")
    print(f"database sessions building the ranking table: {settings.FOURSCORE_SCORING_SESSIONS}")
    for label, seconds in stages.items():
        print(f"  {label}: {' + '.join(f'{part:.1f}' for part in seconds)} s")
    print(
        "rescoring end to end (read, compute, write ranks, discovery columns and indexes, "
        f"publish): {rescoring:.1f} s"
    )
    print(f"  {accounts / rescoring:,.0f} accounts/s; peak memory {memory:,.0f} MiB (bar < 2048)")
    print(f"baseline: bare CREATE TABLE AS with the log and ratio arithmetic: {bare:.1f} s")
    print(f"ratio: {rescoring / bare:.2f}× (bar ≤ 3)")
    floor = _write_floor(storage, ranking)
    print(
        "floor of the write alone: the finished ranking table copied by one CREATE TABLE AS, "
        f"then the same indexes built the same way: {floor:.1f} s "
        f"(the rescoring is {rescoring / floor:.2f}× that)"
    )


if __name__ == "__main__":
    main()
