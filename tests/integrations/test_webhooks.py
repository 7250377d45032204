"""The verified-webhook base (integrations/webhooks.py), tested through the example provider
(tests/integrations/webhook_example.py), which is signed exactly like Slack."""

import json
import logging
import threading
import time
from datetime import timedelta

import pytest
import requests
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from slack_sdk.signature import SignatureVerifier

from clianta.models import Contact
from integrations import webhooks
from integrations.models import WebhookDelivery, WebhookSubscription
from integrations.webhooks import (
    FAILED,
    MISSING,
    PROCESSED,
    RETRYING,
    SKIPPED,
    FrozenClock,
    process_delivery,
    process_due,
    process_pending,
)
from tests.conftest import wait_for
from tests.integrations.webhook_example import ExampleWebhookView, handle_event
from tests.slack_doc_example import DOC_BODY, DOC_SECRET, DOC_SIGNATURE, DOC_TIMESTAMP, RETRY

URL = "/webhooks/example"
SECRET = "example-signing-secret-SECRET-0001"


@pytest.fixture(autouse=True)
def _example_urls(settings):
    settings.ROOT_URLCONF = "tests.integrations.webhook_urls"


@pytest.fixture
def subscription(workspace_a):
    return WebhookSubscription.objects.create(
        workspace=workspace_a, provider="example", url="https://example.com/hook", secret=SECRET
    )


def event_body(event_id="Ev0001", **event) -> bytes:
    event.setdefault("email", f"{event_id.lower()}@example.com")
    payload = {"type": "event_callback", "event_id": event_id, "event": {"type": "x", **event}}
    return json.dumps(payload).encode()


def signed(body: bytes, *, secret=SECRET, timestamp=None, **extra) -> dict:
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature, **extra}


def post(client, body: bytes, headers: dict):
    return client.post(URL, data=body, content_type="application/json", headers=headers)


def assert_rejected(response, reason: str):
    assert response.status_code == 403
    assert response.json() == {
        "error": f"Webhook verification failed: {reason}.",
        "code": "invalid_signature",
        "fields": {},
    }
    assert not WebhookDelivery.objects.exists()


def doc_request(rf, body=DOC_BODY):
    return rf.post(
        URL,
        data=body,
        content_type="application/x-www-form-urlencoded",
        headers={
            "X-Slack-Request-Timestamp": str(DOC_TIMESTAMP),
            "X-Slack-Signature": DOC_SIGNATURE,
        },
    )


# Verification -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_w1_slacks_published_example_verifies_with_the_clock_frozen_at_its_timestamp(
    rf, workspace_a
):
    """W1: Slack's worked example verifies through the example view with the clock frozen at its
    timestamp; past the 300 s window, or with one changed byte, it does not."""
    doc = WebhookSubscription.objects.create(
        workspace=workspace_a, provider="example", url="https://example.com/h", secret=DOC_SECRET
    )
    at = DOC_TIMESTAMP
    view = ExampleWebhookView(clock=FrozenClock(at))
    view.verify(doc_request(rf))
    assert view.subscription == doc
    ExampleWebhookView(clock=FrozenClock(at + 300)).verify(doc_request(rf))

    # Through the whole view: verified, then refused as a payload (a slash command, not an
    # Events API JSON body), so nothing is stored.
    frozen = ExampleWebhookView.as_view(clock=FrozenClock(at))
    response = frozen(doc_request(rf))
    assert response.status_code == 400
    assert json.loads(response.content)["code"] == "invalid_payload"

    late = ExampleWebhookView.as_view(clock=FrozenClock(at + 301))
    assert json.loads(late(doc_request(rf)).content)["error"].endswith("stale timestamp.")
    changed = doc_request(rf, DOC_BODY.replace("foobar", "foobas"))
    assert json.loads(frozen(changed).content)["error"].endswith("bad signature.")
    assert not WebhookDelivery.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("offset", "reason"),
    [(-301, "stale timestamp"), (-86_400, "stale timestamp"), (301, "timestamp in the future")],
)
def test_w2_requests_outside_the_replay_window_are_refused(client, subscription, offset, reason):
    """W2: a correctly signed request older than 300 s, or dated more than 300 s ahead: 403,
    nothing stored."""
    body = event_body()
    response = post(client, body, signed(body, timestamp=int(time.time()) + offset))
    assert_rejected(response, reason)


@pytest.mark.django_db
@pytest.mark.parametrize("timestamp", ["abc", "1.5e9", " 1531420618", "-1", "9" * 20])
def test_w2_a_timestamp_that_is_not_integer_seconds_is_refused(client, subscription, timestamp):
    """W2: a timestamp header that is not plain integer seconds: 403, nothing stored."""
    body = event_body()
    headers = signed(body, timestamp=timestamp)
    assert_rejected(post(client, body, headers), "invalid timestamp")


def _bad_signature(body):
    return body, {**signed(body), "X-Slack-Signature": "v0=" + "0" * 64}


def _changed_byte(body):
    headers = signed(body)
    return body.replace(b"Ev0001", b"Ev0002"), headers


def _other_secret(body):
    return body, signed(body, secret="another-secret-0002")


def _non_ascii_signature(body):
    return body, {**signed(body), "X-Slack-Signature": "v0=\u00e9t\u00e9"}


def _not_utf8(body):
    raw = b'{"event_id": "\xff\xfe"}'
    return raw, signed(b"") | {"X-Slack-Signature": "v0=" + "1" * 64}


def _without(header):
    def make(body):
        headers = signed(body)
        del headers[header]
        return body, headers

    return make


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (_bad_signature, "bad signature"),
        (_changed_byte, "bad signature"),
        (_other_secret, "bad signature"),
        (_non_ascii_signature, "bad signature"),
        (_not_utf8, "bad signature"),
        (_without("X-Slack-Request-Timestamp"), "missing X-Slack-Request-Timestamp header"),
        (_without("X-Slack-Signature"), "missing X-Slack-Signature header"),
    ],
    ids=[
        "bad-signature",
        "changed-byte",
        "other-secret",
        "non-ascii",
        "not-utf8",
        "no-timestamp",
        "no-signature",
    ],
)
def test_w3_a_request_that_does_not_verify_is_refused(client, subscription, caplog, tamper, reason):
    """W3: bad signature, one changed body byte, another secret, a missing header: 403, nothing
    stored, a warning with the reason that holds neither the body nor the secret."""
    body, headers = tamper(event_body())
    with caplog.at_level(logging.WARNING, logger="integrations.webhooks"):
        assert_rejected(post(client, body, headers), reason)
    [record] = [r for r in caplog.records if r.getMessage() == "webhook.rejected"]
    assert (record.provider, record.reason) == ("example", reason)
    logged = repr(vars(record))
    assert SECRET not in logged
    assert "Ev000" not in logged


@pytest.mark.django_db
@pytest.mark.parametrize("configured", ["nothing", "inactive", "no-secret", "other-provider"])
def test_w3_without_a_configured_secret_the_check_is_not_skipped(client, workspace_a, configured):
    """W3: no active subscription with a secret for the provider: 403, nothing stored."""
    fields = {"workspace": workspace_a, "provider": "example", "url": "https://example.com/h"}
    if configured == "inactive":
        WebhookSubscription.objects.create(**fields, secret=SECRET, active=False)
    elif configured == "no-secret":
        WebhookSubscription.objects.create(**fields, secret=None)
    elif configured == "other-provider":
        WebhookSubscription.objects.create(**{**fields, "provider": "other"}, secret=SECRET)
    body = event_body()
    assert_rejected(post(client, body, signed(body)), "no secret configured")


@pytest.mark.django_db
def test_url_verification_is_answered_with_the_challenge_and_nothing_is_stored(
    client, subscription
):
    """The Events API's url_verification: 200 with the challenge, only once verified; no record."""
    body = json.dumps({"type": "url_verification", "challenge": "3eZbrw1aBm2rZgRN"}).encode()
    response = post(client, body, signed(body))
    assert response.status_code == 200
    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRN"}
    assert_rejected(post(client, body, {}), "missing X-Slack-Request-Timestamp header")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2]", b'{"type": "event_callback"}', b'{"event_id": 12}'],
    ids=["not-json", "not-an-object", "no-event-id", "event-id-not-text"],
)
def test_a_verified_body_without_a_usable_event_is_refused_and_not_stored(
    client, subscription, body
):
    """A verified payload that cannot be recorded: 400 invalid_payload, nothing stored."""
    response = post(client, body, signed(body))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_payload"
    assert set(response.json()) == {"error", "code", "fields"}
    assert not WebhookDelivery.objects.exists()


@pytest.mark.django_db
def test_a_body_over_the_upload_limit_is_refused_before_verification(
    client, subscription, settings
):
    """A body larger than DATA_UPLOAD_MAX_MEMORY_SIZE: 413 in the error format, nothing stored."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    body = event_body(first_name="x" * 200)
    response = post(client, body, signed(body))
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert not WebhookDelivery.objects.exists()


@pytest.mark.django_db
def test_only_post_is_accepted(client, subscription):
    response = client.get(URL)
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert response["Allow"] == "POST"


# Recording and deduplication --------------------------------------------------------------------


@pytest.mark.django_db
def test_w4_a_redelivered_event_is_recorded_once_and_requests_no_second_processing(
    client, subscription, workspace_a
):
    """W4: the same event id twice, the second as Slack's retry: both 200, one record with
    redeliveries == 1, due for processing; only the first request asks for processing."""
    body = event_body("Ev0W4")
    first = post(client, body, signed(body))
    assert cache.get(webhooks.requested_key("example"))
    cache.delete(webhooks.requested_key("example"))
    again = post(client, body, signed(body, **RETRY))
    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json() == again.json() == {"ok": True}
    assert cache.get(webhooks.requested_key("example")) is None
    delivery = WebhookDelivery.objects.get()
    assert (delivery.provider, delivery.delivery_id) == ("example", "Ev0W4")
    assert (delivery.workspace, delivery.event_type, delivery.redeliveries) == (
        workspace_a,
        "event_callback",
        1,
    )
    assert delivery.payload["event"]["email"] == "ev0w4@example.com"
    assert delivery.processed_at is None
    assert delivery.next_attempt_at <= timezone.now()


@pytest.mark.django_db
def test_a_burst_of_deliveries_requests_one_processing_run(client, subscription):
    """While a run is requested and has not started, more deliveries ask for none; once the run
    starts (it clears the request before it reads), the next delivery asks again."""
    for n in range(3):
        body = event_body(f"Ev0B{n}")
        assert post(client, body, signed(body)).status_code == 200
        assert cache.get(webhooks.requested_key("example"))
    assert process_pending("example") == {PROCESSED: 3}
    assert cache.get(webhooks.requested_key("example")) is None
    body = event_body("Ev0B3")
    post(client, body, signed(body))
    assert cache.get(webhooks.requested_key("example"))


@pytest.mark.django_db(transaction=True)
def test_w4_a_redelivered_event_is_processed_once_by_the_worker(
    client, subscription, celery_worker
):
    """W4 with the real worker: a retried delivery is processed once, with the event recorded
    after it."""
    body = event_body("Ev0W4W")
    assert post(client, body, signed(body)).status_code == 200
    assert post(client, body, signed(body, **RETRY)).status_code == 200
    sentinel = event_body("Ev0W4S")
    assert post(client, sentinel, signed(sentinel)).status_code == 200

    for delivery_id in ("Ev0W4W", "Ev0W4S"):
        wait_for(
            lambda d=delivery_id: WebhookDelivery.objects.filter(
                delivery_id=d, processed_at__isnull=False
            ).exists()
        )
    delivery = WebhookDelivery.objects.get(delivery_id="Ev0W4W")
    assert (delivery.redeliveries, delivery.attempts, delivery.error) == (1, 1, "")
    assert delivery.next_attempt_at is None
    assert Contact.objects.filter(email="ev0w4w@example.com").count() == 1
    assert Contact.objects.filter(email="ev0w4s@example.com").count() == 1


@pytest.mark.django_db(transaction=True)
def test_w6_slow_processing_runs_in_celery_after_the_answer(
    live_server, subscription, celery_worker
):
    """W6: with processing made slow (3 s), the webhook answers 200 while the delivery is still
    unprocessed; the worker then processes it, after the commit."""
    body = event_body("Ev0W6", slow_seconds=3)
    response = requests.post(live_server.url + URL, data=body, headers=signed(body), timeout=10)
    assert response.status_code == 200
    delivery = WebhookDelivery.objects.get(provider="example", delivery_id="Ev0W6")
    assert delivery.processed_at is None

    wait_for(lambda: WebhookDelivery.objects.get(pk=delivery.pk).processed_at)
    contact = Contact.objects.get(email="ev0w6@example.com")
    assert contact.workspace_id == subscription.workspace_id
    assert f"{webhooks.PROCESS_TASK}[" in celery_worker.log()


# Processing -------------------------------------------------------------------------------------


@pytest.fixture
def recorded(client, subscription):
    """Record an event through the view (nothing processes it: the test transaction never
    commits) and return the delivery."""

    def record(event_id="Ev0P", **event):
        body = event_body(event_id, **event)
        assert post(client, body, signed(body)).status_code == 200
        return WebhookDelivery.objects.get(delivery_id=event_id)

    return record


def make_due(delivery) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


@pytest.mark.django_db
def test_a_delivery_processed_twice_is_handled_once(recorded):
    """A second run (a task redelivered under acks_late) finds the delivery processed."""
    delivery = recorded()
    assert process_pending("example") == {PROCESSED: 1}
    assert process_delivery(delivery.pk, handle_event) == SKIPPED
    assert process_pending("example") == {}
    delivery.refresh_from_db()
    assert delivery.processed_at is not None
    assert (delivery.attempts, delivery.error, delivery.next_attempt_at) == (1, "", None)
    assert Contact.objects.filter(email="ev0p@example.com").count() == 1


@pytest.mark.django_db
def test_a_failing_handler_records_the_error_its_writes_roll_back_and_it_is_given_up(recorded):
    """An error that is not transient: recorded with the attempt, the handler's writes rolled
    back, the delivery left unprocessed and not due again until staff ask."""
    delivery = recorded()

    def create_then_fail(d):
        handle_event(d)
        raise RuntimeError(f"cannot handle, secret={SECRET}")

    assert process_delivery(delivery.pk, create_then_fail) == FAILED
    delivery.refresh_from_db()
    assert (delivery.processed_at, delivery.next_attempt_at) == (None, None)
    assert delivery.attempts == 1
    assert delivery.error.startswith("RuntimeError: cannot handle, secret=****")
    assert SECRET not in delivery.error
    assert not Contact.objects.exists()
    assert process_pending("example") == {}

    make_due(delivery)
    assert process_pending("example") == {PROCESSED: 1}
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.error) == (2, "")


@pytest.mark.django_db
def test_a_transient_error_is_retried_with_backoff_then_given_up(recorded):
    """Transient errors: each try counts, the delivery is due again after a growing delay, and
    after MAX_ATTEMPTS it is given up with its error kept."""
    delivery = recorded(fail="transient")
    for attempt, delay in enumerate(webhooks.RETRY_DELAYS, start=1):
        before = timezone.now()
        assert process_pending("example") == {RETRYING: 1}
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        assert delivery.error == "Transient: The example provider is unavailable."
        assert delivery.processed_at is None
        assert delivery.next_attempt_at >= before + timedelta(seconds=delay)
        assert process_pending("example") == {}, "retried before its delay"
        make_due(delivery)
    assert process_pending("example") == {FAILED: 1}
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.next_attempt_at) == (webhooks.MAX_ATTEMPTS, None)


@pytest.mark.django_db
def test_a_rate_limited_delivery_waits_at_least_the_retry_after(recorded):
    delivery = recorded(fail="rate_limited")
    before = timezone.now()
    assert process_pending("example") == {RETRYING: 1}
    delivery.refresh_from_db()
    assert delivery.next_attempt_at >= before + timedelta(seconds=900)


@pytest.mark.django_db
def test_the_example_handler_failing_with_an_error_is_not_retried(recorded):
    delivery = recorded(fail="error")
    assert process_pending("example") == {FAILED: 1}
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.error) == (
        1,
        "ValueError: The example event cannot be handled.",
    )
    assert process_pending("example") == {}


@pytest.mark.django_db
def test_the_sweep_processes_deliveries_whose_request_was_lost_or_whose_lease_ran_out(recorded):
    """A delivery nobody asked a task for (the broker was down when it came) and one claimed by
    a worker that died (its lease passed) are both processed by the every-minute sweep; one
    still leased is left to its holder."""
    lost = recorded("Ev0L1")
    leased_out = recorded("Ev0L2")
    held = recorded("Ev0L3")
    WebhookDelivery.objects.filter(pk=leased_out.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    WebhookDelivery.objects.filter(pk=held.pk).update(
        next_attempt_at=timezone.now() + webhooks.LEASE
    )

    assert process_due() == {PROCESSED: 2}

    processed = WebhookDelivery.objects.filter(processed_at__isnull=False)
    assert set(processed.values_list("pk", flat=True)) == {lost.pk, leased_out.pk}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_share_the_deliveries_without_processing_one_twice(subscription):
    """Runs claim deliveries with FOR UPDATE SKIP LOCKED and a lease: two runs started together
    split 2 x BATCH deliveries, and no delivery is taken by both (no SKIPPED outcome)."""
    total = 2 * webhooks.BATCH
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            provider="example",
            delivery_id=f"Ev0C{n}",
            workspace_id=subscription.workspace_id,
            payload={"event": {"email": f"c{n}@example.com"}},
            next_attempt_at=timezone.now(),
        )
        for n in range(total)
    )
    barrier = threading.Barrier(2)
    outcomes = []

    def run():
        barrier.wait()
        try:
            outcomes.append(process_pending("example"))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(o[PROCESSED] for o in outcomes) == total
    assert sum(o[SKIPPED] for o in outcomes) == 0
    assert Contact.objects.count() == total
    assert not WebhookDelivery.objects.filter(processed_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_missing_delivery_is_reported_not_raised():
    assert process_delivery("00000000-0000-0000-0000-000000000000", handle_event) == MISSING
