"""The ranked list over HTTP, under concurrent load: gunicorn serving the app, keep-alive
clients in threads, a fixed time per scenario.

    BENCH_DATABASE_URL=postgresql://root@127.0.0.1:5432/fourscore_bench \\
        .venv/bin/python bench/discovery_http.py --seconds 3 --clients 2

The scenarios are those of bench/discovery.py (run it once first: it seeds the million
accounts and builds the rankings). Latency is measured by the client, from sending the
request to reading the whole response: an upper bound of the server time (it adds the
loopback hop and HTTP parsing). Gunicorn runs the production settings with two workers on
this 2-core machine; the clients share the same cores, so the figures are pessimistic.
"""

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from urllib.parse import urlencode

from discovery import percentile, prepare, scenarios
from support import BASE_DIR, setup_django


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port, database_url, secret_key):
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        # The same key as this process: the session it created must be valid there.
        "DJANGO_SECRET_KEY": secret_key,
        # No collectstatic for a benchmark: whitenoise's warning about it is noise.
        "PYTHONWARNINGS": "ignore::UserWarning",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        # The load is the point here: the fair-use limit would answer 429 after 600 a minute.
        "FOURSCORE_THROTTLE_DISCOVERY": "100000000/minute",
    }
    environment.pop("REDIS_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", "2", "--log-level", "warning"],
        cwd=BASE_DIR, env=environment,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    sys.exit("gunicorn did not start")


def load(port, path, headers, seconds, clients):
    """Requests from `clients` threads for `seconds`: (latencies in ms, errors)."""
    latencies, errors, lock = [], [], threading.Lock()

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        for _warm_up in range(2):
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                with lock:
                    errors.append(response.status)
                return
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            mine.append((time.perf_counter() - start) * 1000)
            if response.status != 200:
                with lock:
                    errors.append(response.status)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0, help="per scenario and driver")
    parser.add_argument("--clients", type=int, default=2, help="concurrent connections")
    arguments = parser.parse_args()

    url = setup_django()
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from rest_framework.authtoken.models import Token

    from campaigns.models import Brand
    from scoring.models import Ranking

    ranking = prepare(1)  # reuse what bench/discovery.py built; never reseed here
    user, _ = get_user_model().objects.get_or_create(
        username="bench-discovery", defaults={"is_staff": True, "is_superuser": True}
    )
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    token, _ = Token.objects.get_or_create(user=user)
    brand = Brand.objects.order_by("pk").first()
    if brand is not None and not Ranking.objects.published_for(ranking.profile, brand):
        brand = None
    page_headers = {
        "Cookie": f"sessionid={session.session_key}",
        "HX-Request": "true",
        "HX-Target": "results",
    }
    api_headers = {"Authorization": f"Token {token.key}"}

    port = free_port()
    from django.conf import settings

    server = start_server(port, url, settings.SECRET_KEY)
    print(
        f"\nranking #{ranking.pk}: {ranking.accounts_ranked:,} accounts; gunicorn, 2 workers; "
        f"{arguments.clients} keep-alive clients; {arguments.seconds:.1f} s per scenario"
    )
    header = (
        f"{'scenario':<34} {'page p50':>8} {'p95':>6} {'req/s':>6} "
        f"{'api p50':>8} {'p95':>6} {'req/s':>6}"
    )
    print(header)
    print("-" * len(header))
    worst = {"page": 0.0, "api": 0.0}
    try:
        for name, params in scenarios(ranking, brand):
            if params.get("after") == "None":
                continue
            query = f"?{urlencode(params)}" if params else ""
            cells = []
            for driver, path, headers in (
                ("page", "/influencers/", page_headers),
                ("api", "/api/v1/accounts/", api_headers),
            ):
                times, errors, elapsed = load(
                    port, path + query, headers, arguments.seconds, arguments.clients
                )
                if errors or not times:
                    sys.exit(f"{name} ({driver}): HTTP {errors[:3]}")
                p95 = percentile(times, 95)
                worst[driver] = max(worst[driver], p95)
                cells.append(f"{statistics.median(times):>8.1f} {p95:>6.1f} "
                             f"{len(times) / elapsed:>6.0f}")  # fmt: skip
            print(f"{name:<34} {cells[0]} {cells[1]}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=15)
        session.delete()
    print(
        f"\nworst p95 over HTTP: page {worst['page']:.1f} ms, API {worst['api']:.1f} ms "
        "(client-side latency; bar: 30 ms server time)"
    )


if __name__ == "__main__":
    main()
