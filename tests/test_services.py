"""The services the app runs on are really there (CI must fail, not skip, without them)."""

import os

from django.core.cache import cache, caches
from django.db import connection

from config.celery_app import app


def test_the_database_is_postgresql_with_trigram_support(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_available_extensions WHERE name = 'pg_trgm'")
        available = cursor.fetchall()

    assert connection.vendor == "postgresql"
    assert available == [("pg_trgm",)]


def test_the_cache_stores_and_returns_a_value():
    cache.set("fourscore-probe", {"answer": 42}, timeout=10)

    assert cache.get("fourscore-probe") == {"answer": 42}


def test_the_celery_broker_accepts_a_connection():
    with app.connection_for_write() as connection_to_broker:
        connection_to_broker.ensure_connection(max_retries=1)
        transport = connection_to_broker.transport_cls

    expected = "redis" if os.environ.get("REDIS_URL") else "filesystem"
    assert transport == expected


def test_the_cache_backend_follows_redis_url():
    expected = "RedisCache" if os.environ.get("REDIS_URL") else "LocMemCache"

    assert type(caches["default"]).__name__ == expected
