"""/metrics: each metric moves under the action that should move it (a real sync against the
sandbox, a refused refresh, a webhook burst, an Apollo lookup, a queued task), scraped through
the test client and parsed with prometheus-client's parser; and the bearer token guards it."""

import socket
import subprocess
import sys
import uuid
from datetime import timedelta

import pytest
import requests
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from clianta import celery_app
from email_accounts import services as email_services
from email_accounts import tasks as email_tasks
from email_accounts.models import EmailAccount
from enrichment import services as enrichment_services
from integrations.errors import AuthExpired
from integrations.models import (
    IntegrationCredential,
    SyncLog,
    WebhookDelivery,
    WebhookSubscription,
)
from integrations.oauth.tokens import access_token
from integrations.webhooks import process_pending
from sandbox import faults
from sandbox.apollo import store as apollo_store
from sandbox.google import gmail_mailbox as mailbox
from sandbox.google import tokens as google_tokens
from tests.conftest import sandbox_tokens, start_worker, wait_for
from tests.email_accounts.gmail_helpers import EMAIL, SCOPES
from tests.integrations.test_webhooks import SECRET, event_body, post, signed

TOKEN = "metrics-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(autouse=True)
def _token(settings):
    settings.METRICS_TOKEN = TOKEN


def scrape(client) -> dict:
    """One scrape of /metrics, parsed."""
    response = client.get("/metrics", headers=AUTH)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    return parse(response.content.decode())


def parse(text: str) -> dict:
    """{(sample name, frozenset of labels): value} of Prometheus' text format."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def moved(before: dict, after: dict, name: str, **labels) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


# Who may scrape -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_without_a_token_configured_metrics_are_not_found(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers=AUTH).status_code == 404


@pytest.mark.django_db
def test_under_debug_without_a_token_metrics_are_open(client, settings):
    settings.METRICS_TOKEN = ""
    settings.DEBUG = True
    assert client.get("/metrics").status_code == 200


@pytest.mark.django_db
def test_a_missing_or_wrong_bearer_token_is_refused(client):
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401 and wrong["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", headers={"Authorization": TOKEN}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": f"Token {TOKEN}"}).status_code == 401
    assert client.get("/metrics", headers=AUTH).status_code == 200


@pytest.mark.django_db
def test_only_get_is_answered(client):
    assert client.post("/metrics", headers=AUTH).status_code == 405


# Syncs ----------------------------------------------------------------------------------------


@pytest.fixture
def gmail_account(sandbox, workspace_a, alice):
    credential = IntegrationCredential.objects.create(
        workspace=workspace_a,
        provider="gmail",
        account=EMAIL,
        connected_by=alice,
        **sandbox_tokens(EMAIL, SCOPES),
    )
    return EmailAccount.objects.create(
        workspace=workspace_a, provider="gmail", email=EMAIL, credential=credential
    )


@pytest.mark.django_db(transaction=True)
def test_a_sync_against_the_sandbox_counts_its_run_duration_lag_and_health(client, gmail_account):
    mailbox.deliver(EMAIL, sender="p@acme.example", subject="Hello", body="hi")
    IntegrationCredential.objects.filter(pk=gmail_account.credential_id).update(
        created_at=timezone.now() - timedelta(hours=2)
    )
    before = scrape(client)
    # Never synced: its lag runs from its connection, two hours ago.
    assert value(before, "clianta_sync_lag_seconds", provider="gmail") >= 2 * 3600
    assert value(before, "clianta_accounts", provider="gmail", state="healthy") == 1

    log = email_services.sync_emails(gmail_account)

    assert log.status == SyncLog.Status.SUCCESS
    after = scrape(client)
    assert moved(before, after, "clianta_syncs_started_total", provider="gmail") == 1
    assert moved(before, after, "clianta_syncs_succeeded_total", provider="gmail") == 1
    assert moved(before, after, "clianta_syncs_failed_total", provider="gmail") == 0
    assert moved(before, after, "clianta_sync_duration_seconds_count", provider="gmail") == 1
    assert value(after, "clianta_sync_lag_seconds", provider="gmail") < 3600
    assert value(after, "clianta_accounts", provider="gmail", state="healthy") == 1


@pytest.mark.django_db(transaction=True)
def test_provider_errors_are_counted_by_class_and_a_final_failure_as_failed(client, gmail_account):
    before = scrape(client)
    faults.inject("google", "/gmail/v1/users/me/", status=429, retry_after=1)
    with pytest.raises(Exception):  # noqa: B017 - RateLimited, re-raised for the task to retry
        email_services.sync_emails(gmail_account)
    faults.inject("google", "/gmail/v1/users/me/", status=403)
    email_services.sync_emails(gmail_account)

    after = scrape(client)
    errors = "clianta_provider_errors_total"
    assert moved(before, after, errors, provider="gmail", error_class="rate_limited") == 1
    assert moved(before, after, errors, provider="gmail", error_class="auth") == 1
    assert moved(before, after, "clianta_syncs_failed_total", provider="gmail") == 2
    assert moved(before, after, "clianta_syncs_succeeded_total", provider="gmail") == 0
    assert value(after, "clianta_accounts", provider="gmail", state="failing") == 1
    assert value(after, "clianta_accounts", provider="gmail", state="healthy") == 0


# Token refreshes ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_refresh_and_a_refused_refresh_are_counted(client, sandbox, workspace_a):
    due = sandbox_tokens(EMAIL, SCOPES, expires_in=timedelta(minutes=1))
    credential = IntegrationCredential.objects.create(
        workspace=workspace_a, provider="gmail", account=EMAIL, **due
    )
    before = scrape(client)
    access_token(credential)
    IntegrationCredential.objects.filter(pk=credential.pk).update(
        expires_at=timezone.now() + timedelta(minutes=1)
    )
    google_tokens.revoke_grants(EMAIL)
    with pytest.raises(AuthExpired):
        access_token(IntegrationCredential.objects.get(pk=credential.pk))

    after = scrape(client)
    assert moved(before, after, "clianta_token_refreshes_total", provider="gmail") == 1
    assert moved(before, after, "clianta_token_refresh_refusals_total", provider="gmail") == 1
    assert value(after, "clianta_accounts", provider="gmail", state="needs_reconnect") == 1


# Webhooks -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_webhook_burst_moves_received_backlog_processed_and_given_up(
    client, settings, workspace_a
):
    settings.ROOT_URLCONF = "tests.integrations.webhook_urls"
    WebhookSubscription.objects.create(
        workspace=workspace_a, provider="example", url="https://example.com/h", secret=SECRET
    )
    before = scrape(client)
    bodies = [event_body(f"EvBurst{i}") for i in range(20)] + [
        event_body("EvBad", fail="error"),
        event_body("EvSlow", fail="rate_limited"),
    ]
    for body in bodies:
        assert post(client, body, signed(body)).status_code == 200
    assert post(client, bodies[0], signed(bodies[0])).status_code == 200  # a redelivery

    recorded = scrape(client)
    received = moved(
        before, recorded, "clianta_webhook_deliveries_received_total", provider="example"
    )
    assert received == 22
    assert value(recorded, "clianta_webhook_backlog", provider="example") == 22
    assert value(recorded, "clianta_webhook_backlog_oldest_seconds", provider="example") >= 0

    process_pending("example")

    after = scrape(client)
    processed = "clianta_webhook_deliveries_processed_total"
    assert moved(recorded, after, processed, provider="example") == 20
    given_up = "clianta_webhook_deliveries_given_up_total"
    assert moved(recorded, after, given_up, provider="example") == 1
    errors = "clianta_provider_errors_total"
    assert moved(recorded, after, errors, provider="example", error_class="rate_limited") == 1
    # The rate-limited delivery waits for its retry: not due, so not in the backlog.
    assert value(after, "clianta_webhook_backlog", provider="example") == 0
    assert WebhookDelivery.objects.filter(processed_at__isnull=False).count() == 20


# Apollo, Celery -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_apollo_credits_count_only_lookups_that_cost_one(client, sandbox, workspace_a):
    apollo_store.add_person(first_name="Ada", last_name="Lovelace", email="ada@engine.example")
    before = scrape(client)
    enrichment_services.enrich_contact(workspace_a, email="ada@engine.example")
    enrichment_services.enrich_contact(workspace_a, email="ada@engine.example")  # cached
    enrichment_services.enrich_contact(workspace_a, email="nobody@engine.example")  # no match
    after = scrape(client)
    assert moved(before, after, "clianta_apollo_credits_used_total", kind="person") == 1


@pytest.mark.django_db
def test_queue_depth_is_the_count_of_messages_waiting(client, _unconsumed_queue):
    before = value(scrape(client), "clianta_celery_queue_depth", queue=_unconsumed_queue)
    celery_app.send_task("integrations.watchdog")
    celery_app.send_task("integrations.watchdog")
    after = value(scrape(client), "clianta_celery_queue_depth", queue=_unconsumed_queue)
    assert after - before == 2


@pytest.mark.django_db(transaction=True)
def test_a_worker_serves_the_counts_of_its_syncs_on_its_metrics_port(
    live_server, tmp_path, gmail_account
):
    """A worker in a container of its own (WORKER_METRICS_PORT): a sync it ran is counted on
    its exporter, which Prometheus scrapes besides the web's /metrics."""
    mailbox.deliver(EMAIL, sender="p@acme.example", subject="Hello", body="hi")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (tmp_path / "counts").mkdir()
    queue = f"metrics-{uuid.uuid4().hex[:8]}"
    worker = start_worker(
        live_server,
        tmp_path / "worker.log",
        queue,
        WORKER_METRICS_PORT=str(port),
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "counts"),
    )
    try:
        email_tasks.sync_account.apply_async(
            args=[str(gmail_account.pk)], kwargs={"trigger": "manual"}, queue=queue
        )
        wait_for(lambda: SyncLog.objects.filter(status=SyncLog.Status.SUCCESS).exists())

        def scraped():
            return parse(requests.get(f"http://127.0.0.1:{port}/", timeout=10).text)

        # The run's duration is observed just after its SyncLog says success.
        timed = "clianta_sync_duration_seconds_count"
        wait_for(lambda: value(scraped(), timed, provider="gmail") == 1)
        samples = scraped()
    finally:
        worker.stop()
    assert value(samples, "clianta_syncs_succeeded_total", provider="gmail") == 1
    assert value(samples, "clianta_sync_duration_seconds_count", provider="gmail") == 1


# Many processes -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_counts_of_other_processes_are_merged_in_multiprocess_mode(client, tmp_path, monkeypatch):
    """What gunicorn's and Celery's workers count reaches a scrape answered by any process."""
    env = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PATH": ""}
    count = (
        "from prometheus_client import Counter; "
        "Counter('clianta_syncs_started', '', ['provider']).labels('outlook').inc(3)"
    )
    for _ in range(2):
        subprocess.run([sys.executable, "-c", count], env=env, check=True)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    samples = scrape(client)
    assert value(samples, "clianta_syncs_started_total", provider="outlook") == 6
    assert (
        "clianta_celery_queue_depth",
        frozenset({("queue", celery_app.conf.task_default_queue)}),
    ) in samples


@pytest.mark.django_db
def test_no_workspace_role_reaches_metrics_with_its_api_token(api_a):
    """/metrics is not a workspace route: an owner's API token is no bearer token for it."""
    assert api_a.get("/metrics").status_code == 401


@pytest.mark.django_db(transaction=True)
def test_labels_name_providers_never_a_workspace_or_an_account(client, gmail_account):
    email_services.sync_emails(gmail_account)
    samples = scrape(client)
    labels = {label for name, pairs in samples if name.startswith("clianta_") for label, _ in pairs}
    assert labels <= {"provider", "state", "error_class", "kind", "queue", "le", "result", "reason"}
    body = client.get("/metrics", headers=AUTH).content.decode()
    assert str(gmail_account.workspace_id) not in body and EMAIL not in body
