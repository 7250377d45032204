"""Shared fixtures: users and workspaces, API clients, and a real Celery worker process."""

import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

# The project's URLs are built once per process, when first imported, from the settings of that
# moment: imported here, they are the suite's (the sandbox mounted), whatever a test changes later.
import clianta.urls  # noqa: F401
from clianta import celery_app
from clianta.models import Membership, Workspace
from clianta.tokens.models import ApiToken
from integrations import webhooks
from tests import browser

ROOT = Path(__file__).resolve().parent.parent
# Set in CI: a test that needs PostgreSQL or another service fails instead of skipping.
REQUIRE_SERVICES = os.environ.get("CLIANTA_REQUIRE_SERVICES") == "1"


def missing_service(reason: str):
    """Skip locally; fail in CI, where every service the suite needs must be there."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (CLIANTA_REQUIRE_SERVICES=1: skipping is not allowed)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _postgres_only(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        missing_service("needs PostgreSQL: set DATABASE_URL=postgres://...")


@pytest.fixture(autouse=True)
def _no_webhook_processing_requested():
    """Like the database, the shared cache starts each test clean: a processing request left by
    an earlier test (its task went to a queue no worker reads) would keep this test's webhook
    deliveries from asking for one."""
    for provider in webhooks.PROCESSORS:
        cache.delete(webhooks.requested_key(provider))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(django_user_model):
    def make(username=None, **fields):
        username = username or f"user-{uuid.uuid4().hex[:8]}"
        fields.setdefault("email", f"{username}@example.com")
        return django_user_model.objects.create_user(
            username=username, password="pw-123456", **fields
        )

    return make


@pytest.fixture
def make_workspace():
    def make(owner, name="Acme", role=Membership.Role.OWNER):
        workspace = Workspace.objects.create(name=name)
        Membership.objects.create(workspace=workspace, user=owner, role=role)
        return workspace

    return make


@pytest.fixture
def client_for():
    """An API client authenticated with a new API token of the user (knox's manager answers
    the row and the secret)."""

    def make(user, workspace=None):
        client = APIClient()
        _, secret = ApiToken.objects.create(user=user, name="test client")
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        if workspace is not None:
            client.credentials(
                HTTP_AUTHORIZATION=f"Token {secret}", HTTP_X_WORKSPACE=str(workspace.id)
            )
        return client

    return make


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def bob(make_user):
    return make_user("bob")


@pytest.fixture
def workspace_a(alice, make_workspace):
    return make_workspace(alice, "Workspace A")


@pytest.fixture
def workspace_b(bob, make_workspace):
    return make_workspace(bob, "Workspace B")


@pytest.fixture
def plan_limits(settings):
    """``plan_limits(plan="free", members=2, …)``: set limits of a plan of BILLING_PLANS (in
    this process) for the test."""
    plans = {
        slug: {**spec, "limits": dict(spec["limits"])}
        for slug, spec in settings.BILLING_PLANS.items()
    }
    settings.BILLING_PLANS = plans

    def set_limits(plan="free", **limits):
        plans[plan]["limits"].update(limits)

    return set_limits


@pytest.fixture
def api_a(client_for, alice, workspace_a):
    return client_for(alice)


@pytest.fixture
def api_b(client_for, bob, workspace_b):
    return client_for(bob)


def _database_url(settings_dict) -> str:
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user = quote(settings_dict.get("USER") or "")
    password = quote(settings_dict.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


class Sandbox:
    def __init__(self, url):
        self.url = url


@pytest.fixture
def sandbox(live_server, settings):
    """The live server, with every provider endpoint setting pointed at its /sandbox/."""
    settings.PUBLIC_URL = live_server.url
    settings.SANDBOX_URL = f"{live_server.url}/sandbox"
    for name, (_real, path) in settings.PROVIDER_ENDPOINTS.items():
        setattr(settings, name, settings.SANDBOX_URL + path)
    return Sandbox(settings.SANDBOX_URL)


@pytest.fixture(scope="session")
def tls_front(live_server, tmp_path_factory):
    """The sandbox's https front (``sandbox.tls``): a TLS forwarder to the live server, with a
    CA made for this test session."""
    from sandbox.tls import TLSForwarder, ensure_certificate

    ca, cert, key = ensure_certificate(tmp_path_factory.mktemp("sandbox-tls"))
    target = urlsplit(live_server.url)
    server = TLSForwarder(("127.0.0.1", 0), (target.hostname, target.port), cert, key)
    server.start()
    server.ca = ca
    server.url = f"https://127.0.0.1:{server.port}/sandbox"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def salesforce(sandbox, tls_front, settings):
    """The sandbox, with its Salesforce orgs' instances on its https front."""
    settings.SANDBOX_TLS_URL = tls_front.url
    settings.SALESFORCE_CA_BUNDLE = str(tls_front.ca)
    return sandbox


@pytest.fixture
def stripe_platform(sandbox, settings):
    """Clianta's own account in the sandbox's Stripe, made now, its webhook endpoints pointing
    at this test's live server. (One made between two tests by a worker's late task, while the
    settings were back to their defaults, would point elsewhere: it is replaced.)"""
    from sandbox.stripe.models import StripeAccount
    from sandbox.stripe.platform import platform_account

    StripeAccount.objects.filter(secret_key=settings.STRIPE_SECRET_KEY).delete()
    return platform_account()


@pytest.fixture(scope="session", autouse=True)
def _unconsumed_queue():
    """Tasks published by tests without a worker go to a queue nobody reads (purged at the
    end), never to another test's worker."""
    queue = f"unconsumed-{uuid.uuid4().hex[:12]}"
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    yield queue
    celery_app.conf.task_default_queue = previous
    with celery_app.connection_for_write() as connection_:
        connection_.default_channel.queue_purge(queue)


@pytest.fixture
def celery_worker(_worker_process, _unconsumed_queue):
    """A real Celery worker taking this test's tasks (see ``_worker_process``). Tests using it
    need ``transaction=True`` so the worker sees their rows."""
    celery_app.conf.task_default_queue = _worker_process.queue
    yield _worker_process
    celery_app.conf.task_default_queue = _unconsumed_queue


def start_worker(live_server, log_path: Path, queue: str, **env_overrides) -> "WorkerProcess":
    """Start a real `celery worker` process on ``queue``, using the test database and the
    sandbox of the live server; ``env_overrides`` are extra environment variables (a broker
    URL, shorter timeouts). Waits until it is ready."""
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(connection.settings_dict),
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        # Provider endpoints of the worker: the sandbox of the live server (see `sandbox`).
        "PUBLIC_URL": live_server.url,
        "SANDBOX_URL": f"{live_server.url}/sandbox",
        **env_overrides,
    }
    command = [sys.executable, "-m", "celery", "-A", "clianta", "worker", "--pool=threads"]
    command += ["--concurrency=4", f"--queues={queue}", "--without-mingle", "--without-gossip"]
    command += [f"--hostname={queue}-{uuid.uuid4().hex[:6]}@%h", "--loglevel=INFO"]
    start = log_path.stat().st_size if log_path.exists() else 0
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while b" ready." not in log_path.read_bytes()[start:]:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"celery worker did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.2)
    return WorkerProcess(process, queue, log_path)


@pytest.fixture(scope="session")
def _worker_process(django_db_setup, django_db_blocker, live_server, tls_front, tmp_path_factory):
    """A real `celery worker` process on the real broker, using the test database and talking
    to the sandbox of the live server (and its https front). It consumes a queue of its own, so
    parallel test processes never take each other's tasks."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    log = tmp_path_factory.mktemp("celery") / "worker.log"
    worker = start_worker(
        live_server,
        log,
        queue,
        SANDBOX_TLS_URL=tls_front.url,
        SALESFORCE_CA_BUNDLE=str(tls_front.ca),
    )
    yield worker
    worker.stop()


class WorkerProcess:
    def __init__(self, process, queue, log_path):
        self.process = process
        self.queue = queue
        self.log_path = log_path

    def log(self) -> str:
        return self.log_path.read_text()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, nothing acknowledged or handed back."""
        self.process.kill()
        self.process.wait()


def in_parallel(call, count=2):
    """Run ``call()`` in ``count`` threads released together by a barrier; their results (an
    exception raised in a thread fails the test). Each thread closes its database connection."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(call())
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def sandbox_tokens(email: str, scope: str, *, expires_in=timedelta(hours=1)) -> dict:
    """A credential's token fields holding a fresh grant of the sandbox's Google for ``email``,
    as if the person had just connected it."""
    from sandbox.google import tokens as google_tokens

    answer = google_tokens.issue(google_tokens.create_grant(email, scope))
    return {
        "access_token": answer["access_token"],
        "refresh_token": answer["refresh_token"],
        "expires_at": timezone.now() + expires_in,
    }


def wait_for(condition, timeout=30.0, interval=0.1):
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout} s")


@pytest.fixture
def page(sandbox, settings, monkeypatch, alice):
    """A page of headless Chromium (Debian's package, driven by Playwright) on the live server,
    with alice's password set to ``browser.PASSWORD``."""
    if not Path(browser.CHROMIUM).exists():
        missing_service("needs Chromium: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # between steps are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    alice.set_password(browser.PASSWORD)
    alice.save()
    browser.ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=browser.CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = chromium.new_page()
        page.set_default_timeout(15_000)
        yield page
        chromium.close()
