"""What the benchmarks share: a database of their own, the sandbox served by gunicorn in
another process, and a fresh process for each measurement (so peak memory is its own)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(database_url: str, port: int) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clianta.settings",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-secret-key"),
        "ENCRYPTION_KEYS": os.environ.get(
            "ENCRYPTION_KEYS", "YmVuY2gta2V5LWJlbmNoLWtleS1iZW5jaC1rZXktMDA="
        ),
        "DATABASE_URL": database_url,
        "SANDBOX_PROVIDERS": "true",
        "SANDBOX_ALLOW_IN_PRODUCTION": "true",
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        # Plain http on loopback, as in the tests: no redirect to https.
        "SECURE_SSL_REDIRECT": "false",
        "GMAIL_USER_QUOTA_UNITS_PER_SECOND": "0",
        # A measured sync runs whole in its process, not in 20-second turns of a worker.
        "SYNC_SLICE_SECONDS": "100000",
        "LOG_LEVEL": "WARNING",
    }


@contextlib.contextmanager
def sandbox(*seed_command: str, settings: dict | None = None, tls: bool = False):
    """Migrate a fresh database (SQLite, or BENCH_DATABASE_URL's made again), run the seeding
    command, serve the sandbox; yields the environment a child process uses to reach both (with
    the extra ``settings``). With ``tls``
    the sandbox also has its https front (``SANDBOX_TLS_URL``), served from this process."""
    port = free_port()
    with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as fronts:
        database = os.environ.get("BENCH_DATABASE_URL")
        if database:
            _recreate_database(database)
        database = database or f"sqlite:///{folder}/bench.sqlite3"
        env = {**environment(database, port), **(settings or {})}
        if tls:
            env.update(fronts.enter_context(_tls_front(Path(folder) / "tls", port)))
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run(
            [*manage, *seed_command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )
        with _processes(_gunicorn(port, 2, env)):
            _wait_for(port)
            yield env


@contextlib.contextmanager
def _tls_front(folder: Path, port: int):
    """An https front on a free port for the sandbox's http server on ``port``, with a CA made
    in ``folder``; yields the settings that point the app and the sandbox at it. It runs in
    this process, so its work counts in neither the sandbox's nor the measured process's."""
    sys.path.insert(0, str(ROOT))
    from sandbox.tls import TLSForwarder, ensure_certificate

    ca, cert, key = ensure_certificate(folder)
    front = TLSForwarder(("127.0.0.1", 0), ("127.0.0.1", port), cert, key)
    front.start()
    try:
        yield {
            "SANDBOX_TLS_PORT": str(front.port),
            "SANDBOX_TLS_URL": f"https://127.0.0.1:{front.port}/sandbox",
            "SANDBOX_TLS_DIR": str(folder),
            "SALESFORCE_CA_BUNDLE": str(ca),
            "MICROSOFT_CA_BUNDLE": str(ca),
        }
    finally:
        front.shutdown()
        front.server_close()


@dataclass
class AppServer:
    port: int
    env: dict


@contextlib.contextmanager
def app_server(
    database_url: str,
    broker_url: str,
    *,
    web_workers: int,
    worker_nice: int = 0,
    settings: dict | None = None,
):
    """The whole app as in production: a freshly made PostgreSQL database, an emptied Redis
    database as the broker, gunicorn with ``web_workers`` workers, and a Celery worker (at
    niceness ``worker_nice``), all with the extra ``settings`` (environment variables). The
    provider sandbox is served by a gunicorn of its own, as the providers are other servers."""
    import redis

    _recreate_database(database_url)
    redis.Redis.from_url(broker_url).flushdb()
    port, sandbox_port = free_port(), free_port()
    # Persistent database connections, as a production deployment under gunicorn runs.
    env = {
        **environment(database_url, port),
        "CELERY_BROKER_URL": broker_url,
        "CONN_MAX_AGE": "60",
        "SANDBOX_URL": f"http://127.0.0.1:{sandbox_port}/sandbox",
        **(settings or {}),
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    worker = ["nice", "-n", str(worker_nice), sys.executable, "-m", "celery", "-A", "clianta"]
    worker += ["worker", "--pool=threads", "--concurrency=8", "--loglevel=WARNING"]
    worker += ["--without-mingle", "--without-gossip"]
    with _processes(
        _gunicorn(port, web_workers, env),
        _gunicorn(sandbox_port, 2, env),
        subprocess.Popen(worker, cwd=ROOT, env=env),
    ):
        _wait_for(port)
        _wait_for(sandbox_port)
        yield AppServer(port, env)


def _gunicorn(port: int, workers: int, env: dict) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "clianta.wsgi", "-b", f"127.0.0.1:{port}"]
    command += ["-w", str(workers), "--log-level", "warning"]
    return subprocess.Popen(command, cwd=ROOT, env=env)


@contextlib.contextmanager
def _processes(*processes: subprocess.Popen):
    try:
        yield
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def _recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def in_django(env: dict, script: str, *args: str) -> str:
    """Run ``python script args`` with ``env``; its last line of output."""
    done = subprocess.run(
        [sys.executable, script, *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1]


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit("the sandbox server did not start")


def measure(script: str, size: int, env: dict) -> dict:
    """Run ``script --child size`` in a fresh process; its last line is a JSON object."""
    child = subprocess.run(
        [sys.executable, script, "--child", str(size)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if child.returncode:
        raise SystemExit(f"the measuring process failed:\n{child.stderr[-3000:]}")
    return json.loads(child.stdout.strip().splitlines()[-1])


def print_table(results: list[dict]) -> None:
    columns = list(results[0])
    print(" | ".join(columns))
    for result in results:
        print(" | ".join(str(result[c]) for c in columns))


def google_credential(provider: str, email: str, scope: str):
    """In the measuring process (Django set up): a workspace and a credential holding a fresh
    sandbox grant for ``email``, as if the person had connected it."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from clianta.models import Workspace
    from integrations.models import IntegrationCredential
    from sandbox.google import tokens as google_tokens

    answer = google_tokens.issue(google_tokens.create_grant(email, f"openid email {scope}"))
    return IntegrationCredential.objects.create(
        workspace=Workspace.objects.create(name="Bench"),
        provider=provider,
        account=email,
        access_token=answer["access_token"],
        refresh_token=answer["refresh_token"],
    )


def run(
    script: str,
    description: str,
    seed: Callable[[int], list[str]],
    child,
    sizes: list[int],
    modes: dict[str, dict] | None = None,
):
    """A benchmark's command line: ``--sizes`` (each measured in a fresh process against a
    freshly seeded sandbox, ``seed(size)`` giving the seeding command) or, inside that process,
    ``--child SIZE``; each of ``modes`` is a flag (``--quota``) adding its settings to both
    processes. Returns the results (one dict per size), already printed as a table."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sizes", type=int, nargs="+", default=sizes)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    for mode in modes or {}:
        parser.add_argument(f"--{mode}", action="store_true")
    options = parser.parse_args()
    if options.child:
        child(options.child)
        return []
    settings = {}
    for mode, values in (modes or {}).items():
        if getattr(options, mode):
            settings.update(values)
    results = []
    for size in options.sizes:
        with sandbox(*seed(size), "--seed", "7", settings=settings) as env:
            results.append(measure(script, size, env))
    print_table(results)
    return results
