"""Shared set-up for the benchmarks: a database of their own, Django, timing and memory.

Every benchmark runs against `BENCH_DATABASE_URL`, or `DATABASE_URL` with the database name
replaced by the benchmark's own (`fourscore_bench…`, created when missing), so a benchmark
never touches the development or test data.
"""

import os
import resource
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))


def bench_database_url(name="fourscore_bench"):
    explicit = os.environ.get("BENCH_DATABASE_URL")
    if explicit:
        return explicit
    base = os.environ.get("DATABASE_URL")
    if not base:
        sys.exit("Set DATABASE_URL (or BENCH_DATABASE_URL) to a PostgreSQL server.")
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


def setup_django(*, migrate=True, database="fourscore_bench"):
    """Point Django at a benchmark database (creating it), migrate, return the URL."""
    import psycopg2

    url = bench_database_url(database)
    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    name = parts.path.lstrip("/")
    connection = psycopg2.connect(admin_url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()

    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    return url


@contextmanager
def timer(label, results):
    start = time.perf_counter()
    yield
    results[label] = time.perf_counter() - start


def peak_memory_mb():
    """Peak resident memory of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
