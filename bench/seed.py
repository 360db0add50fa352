"""Seeding N demo accounts (default 1,000,000) with `seed_demo`, against a bare COPY.

    DATABASE_URL=postgresql://root@127.0.0.1:5432/test .venv/bin/python bench/seed.py [N]

The baseline copies the very rows the seed wrote (accounts and snapshots, read back as
CSV) into plain tables without indexes or constraints: the floor any loader pays.
"""

import datetime as dt
import io
import sys

from support import peak_memory_mb, setup_django, timer


def main():
    accounts = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    setup_django()
    from django.db import connection
    from tqdm import tqdm

    from campaigns.models import Brand
    from influencers import demo_data
    from influencers.models import Influencer

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE influencers_metricsnapshot, influencers_socialaccount, "
            "influencers_influencer, campaigns_relationshipevent, campaigns_relationship CASCADE"
        )
    Brand.objects.all().delete()

    results = {}
    with timer("seed", results), tqdm(total=accounts, unit="account", unit_scale=True) as bar:
        seeded = demo_data.seed(
            accounts=accounts, seed=1, as_of=dt.date(2026, 11, 1), progress=bar.update
        )

    tables = {
        "influencers_influencer": "bench_copy_influencer",
        "influencers_socialaccount": "bench_copy_account",
        "influencers_metricsnapshot": "bench_copy_snapshot",
    }
    buffers = {}
    with connection.cursor() as cursor:
        for source, target in tables.items():
            buffer = io.StringIO()
            cursor.copy_expert(f"COPY {source} TO STDOUT WITH (FORMAT csv)", buffer)
            buffers[target] = buffer
            cursor.execute(f"DROP TABLE IF EXISTS {target}")
            cursor.execute(f"CREATE TABLE {target} (LIKE {source} INCLUDING DEFAULTS)")
    with timer("bare COPY", results), connection.cursor() as cursor:
        for target, buffer in buffers.items():
            buffer.seek(0)
            cursor.copy_expert(f"COPY {target} FROM STDIN WITH (FORMAT csv)", buffer)
    with connection.cursor() as cursor:
        for target in tables.values():
            cursor.execute(f"DROP TABLE {target}")

    rows = seeded.influencers + seeded.accounts + seeded.snapshots
    print(
        f"\nseed_demo: {seeded.accounts:,} accounts, {seeded.influencers:,} influencers, "
        f"{seeded.snapshots:,} snapshots ({rows:,} rows) in {results['seed']:.1f} s "
        f"({rows / results['seed']:,.0f} rows/s)"
    )
    print(f"baseline: bare COPY of the same rows into plain tables: {results['bare COPY']:.1f} s")
    print(f"ratio: {results['seed'] / results['bare COPY']:.2f}×")
    print(f"peak memory: {peak_memory_mb():,.0f} MiB")
    print(f"influencers in the database: {Influencer.objects.count():,}")


if __name__ == "__main__":
    main()
