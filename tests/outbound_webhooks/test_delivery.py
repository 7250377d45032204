"""Deliveries: each event once per endpoint that wants it, signed so that the
``standardwebhooks`` library verifies it; retries on schedule then give-up; 410 and long failure
disable; enabling again resumes; redirects are not followed; a slow answer is a failure."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from standardwebhooks import Webhook, WebhookVerificationError

from clianta import events
from clianta.models import Contact
from outbound_webhooks import delivery
from outbound_webhooks.models import Delivery, Endpoint

from .receiver import Answer

pytestmark = pytest.mark.django_db


def verified(endpoint, request) -> dict:
    return Webhook(endpoint.secret).verify(request.body, request.headers)


def make_due(endpoint):
    """Time passes: the endpoint's pause and its deliveries' retry times are over."""
    past = timezone.now() - timedelta(seconds=1)
    Endpoint.objects.filter(pk=endpoint.pk).update(paused_until=None)
    endpoint.deliveries.filter(status="pending").update(next_attempt_at=past)


def test_an_event_reaches_each_endpoint_that_wants_it_signed(api_a, receiver, endpoint_for):
    everything = endpoint_for(receiver.url("/all"))
    endpoint_for(receiver.url("/won"), ["deal.won"])
    created = api_a.post("/api/contacts", {"email": "ann@acme.example", "first_name": "Ann"})
    assert created.status_code == 201
    assert Delivery.objects.count() == 1  # only the endpoint that wants contact.created
    assert delivery.drain(everything.pk) == 1
    [request] = receiver.at("/all")
    payload = verified(everything, request)
    assert payload["type"] == "contact.created"
    assert payload["data"]["contact_id"] == created.json()["id"]
    assert payload["data"]["email"] == "ann@acme.example"
    assert request.headers["webhook-id"] == Delivery.objects.get().message_id
    assert Delivery.objects.get().status == "succeeded"
    assert receiver.at("/won") == []


def test_a_rolled_back_change_leaves_no_delivery(workspace_a, receiver, endpoint_for):
    endpoint_for(receiver.url())
    with pytest.raises(RuntimeError), transaction.atomic():
        contact = Contact.objects.create(workspace=workspace_a, email="x@acme.example")
        events.emit(events.CONTACT_CREATED, workspace_a.pk, contact_id=str(contact.pk))
        raise RuntimeError("the change fails after the event")
    assert not Delivery.objects.exists()


def test_another_workspaces_events_never_reach_an_endpoint(
    api_b, receiver, endpoint_for, workspace_a
):
    endpoint = endpoint_for(receiver.url())
    api_b.post("/api/contacts", {"email": "ann@acme.example"})
    assert delivery.drain(endpoint.pk) == 0
    assert receiver.received == []


def test_failures_are_retried_on_the_schedule_with_jitter_then_given_up(
    workspace_a, receiver, endpoint_for
):
    endpoint = endpoint_for(receiver.url())
    receiver.answers["/hook"] = Answer(status=500, body=b"database down")
    events.emit(events.DEAL_WON, workspace_a.pk, deal_id="d1")
    [pending] = Delivery.objects.all()
    for step in delivery.RETRY_SCHEDULE:
        before = timezone.now()
        delivery.drain(endpoint.pk)
        pending.refresh_from_db()
        assert pending.status == "pending"
        wait = pending.next_attempt_at - before
        assert step * 0.8 - timedelta(seconds=1) <= wait <= step * 1.2 + timedelta(seconds=1)
        assert Endpoint.objects.get(pk=endpoint.pk).paused_until > before
        make_due(endpoint)
    delivery.drain(endpoint.pk)
    pending.refresh_from_db()
    assert pending.status == "failed" and pending.next_attempt_at is None
    assert pending.attempts == len(delivery.RETRY_SCHEDULE) + 1
    attempts = list(pending.attempt_set.all())
    assert {(a.status_code, a.response) for a in attempts} == {(500, "database down")}
    assert len(receiver.at("/hook")) == pending.attempts
    # every attempt carried the same webhook-id
    assert {r.headers["webhook-id"] for r in receiver.received} == {pending.message_id}


def test_a_throttled_endpoint_is_not_tried_before_its_retry_after(
    workspace_a, receiver, endpoint_for
):
    endpoint = endpoint_for(receiver.url())
    receiver.answers["/hook"] = Answer(status=429, headers={"Retry-After": "600"})
    events.emit(events.DEAL_WON, workspace_a.pk, deal_id="d1")
    delivery.drain(endpoint.pk)
    later = timezone.now() + timedelta(seconds=590)
    assert Delivery.objects.get().next_attempt_at > later
    assert Endpoint.objects.get(pk=endpoint.pk).paused_until > later
    assert delivery.drain(endpoint.pk) == 0  # paused


def test_a_failing_endpoint_pauses_after_one_attempt_and_a_success_clears_it(
    workspace_a, receiver, endpoint_for
):
    endpoint = endpoint_for(receiver.url())
    receiver.answers["/hook"] = Answer(status=503)
    for n in range(5):
        events.emit(events.DEAL_WON, workspace_a.pk, deal_id=f"d{n}")
    assert delivery.drain(endpoint.pk) == 1  # one probe, then the breaker holds the rest
    assert len(receiver.received) == 1
    receiver.answers["/hook"] = Answer(status=204)
    make_due(endpoint)
    assert delivery.drain(endpoint.pk) == 5
    endpoint.refresh_from_db()
    assert (endpoint.failing_since, endpoint.consecutive_failures, endpoint.paused_until) == (
        None,
        0,
        None,
    )
    assert set(Delivery.objects.values_list("status", flat=True)) == {"succeeded"}


def test_410_disables_at_once_tells_the_admins_and_enabling_resumes(
    api_a,
    client,
    alice,
    workspace_a,
    receiver,
    endpoint_for,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    endpoint = endpoint_for(receiver.url())
    receiver.answers["/hook"] = Answer(status=410)
    events.emit(events.DEAL_WON, workspace_a.pk, deal_id="d1")
    with django_capture_on_commit_callbacks(execute=True):
        delivery.drain(endpoint.pk)
    endpoint.refresh_from_db()
    assert (endpoint.enabled, endpoint.disabled_reason) == (False, "gone")
    assert [m.to for m in mailoutbox] == [[alice.email]]
    assert endpoint.url in mailoutbox[0].body
    client.force_login(alice)
    page = client.get("/settings/integrations").content.decode()
    assert f"Webhook endpoint {endpoint.url} was disabled" in page
    # Disabled: new events are not queued for it; the pending one waits.
    events.emit(events.DEAL_WON, workspace_a.pk, deal_id="d2")
    assert Delivery.objects.count() == 1
    receiver.answers["/hook"] = Answer(status=200)
    enabled = api_a.post(f"/api/webhook-endpoints/{endpoint.pk}/enable")
    assert enabled.status_code == 200 and enabled.json()["enabled"] is True
    assert delivery.drain(endpoint.pk) == 1
    assert Delivery.objects.get().status == "succeeded"


def test_an_endpoint_failing_for_days_is_disabled(
    workspace_a, receiver, endpoint_for, mailoutbox, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for(receiver.url())
    receiver.answers["/hook"] = Answer(status=500)
    days = timedelta(days=5)
    Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=timezone.now() - days)
    events.emit(events.DEAL_WON, workspace_a.pk, deal_id="d1")
    with django_capture_on_commit_callbacks(execute=True):
        delivery.drain(endpoint.pk)
    endpoint.refresh_from_db()
    assert (endpoint.enabled, endpoint.disabled_reason) == (False, "failing")
    assert len(mailoutbox) == 1


def test_a_redirect_is_a_failure_and_is_not_followed(workspace_a, receiver, endpoint_for):
    endpoint = endpoint_for(receiver.url())
    receiver.answers["/hook"] = Answer(status=307, headers={"Location": receiver.url("/other")})
    events.emit(events.DEAL_WON, workspace_a.pk, deal_id="d1")
    delivery.drain(endpoint.pk)
    assert Delivery.objects.get().last_status_code == 307
    assert receiver.at("/other") == []


def test_an_answer_slower_than_the_timeout_is_a_failure(
    workspace_a, receiver, endpoint_for, settings
):
    settings.OUTBOUND_WEBHOOKS_TIMEOUT = 1
    endpoint = endpoint_for(receiver.url())
    receiver.answers["/hook"] = Answer(delay=1.5)
    events.emit(events.DEAL_WON, workspace_a.pk, deal_id="d1")
    delivery.drain(endpoint.pk)
    sent = Delivery.objects.get()
    assert sent.status == "pending" and "within 1 seconds" in sent.last_error


def test_a_delivery_replayed_is_the_same_message_again(api_a, workspace_a, receiver, endpoint_for):
    endpoint = endpoint_for(receiver.url())
    events.emit(events.DEAL_WON, workspace_a.pk, deal_id="d1")
    delivery.drain(endpoint.pk)
    first = Delivery.objects.get()
    replayed = api_a.post(f"/api/webhook-endpoints/{endpoint.pk}/deliveries/{first.pk}/replay")
    assert replayed.status_code == 202
    assert replayed.json()["message_id"] == first.message_id
    delivery.drain(endpoint.pk)
    bodies = {(r.headers["webhook-id"], r.body) for r in receiver.received}
    assert len(receiver.received) == 2 and len(bodies) == 1
    listed = api_a.get(f"/api/webhook-endpoints/{endpoint.pk}/deliveries").json()["results"]
    assert [d["status"] for d in listed] == ["succeeded", "succeeded"]
    detail = api_a.get(f"/api/webhook-endpoints/{endpoint.pk}/deliveries/{first.pk}").json()
    [attempt] = detail["attempt_set"]
    assert attempt["status_code"] == 200 and attempt["response"] == "ok"


def test_a_rotated_secret_signs_with_both_for_a_day(api_a, workspace_a, receiver, endpoint_for):
    endpoint = endpoint_for(receiver.url())
    old = endpoint.secret
    rotated = api_a.post(f"/api/webhook-endpoints/{endpoint.pk}/rotate-secret")
    assert rotated.status_code == 200
    new = rotated.json()["secret"]
    assert new.startswith("whsec_") and new != old
    events.emit(events.DEAL_WON, workspace_a.pk, deal_id="d1")
    delivery.drain(endpoint.pk)
    [request] = receiver.received
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        Webhook(secret).verify(request.body, request.headers)
    # A day later only the new secret signs.
    Endpoint.objects.filter(pk=endpoint.pk).update(
        previous_secret_expires_at=timezone.now() - timedelta(seconds=1)
    )
    events.emit(events.DEAL_WON, workspace_a.pk, deal_id="d2")
    delivery.drain(endpoint.pk)
    later = receiver.received[1]
    Webhook(new).verify(later.body, later.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(later.body, later.headers)


def test_a_sample_event_is_sent_at_once(api_a, receiver, endpoint_for):
    endpoint = endpoint_for(receiver.url())
    sent = api_a.post(f"/api/webhook-endpoints/{endpoint.pk}/test", {"event_type": "sms.received"})
    assert sent.status_code == 200, sent.content
    assert sent.json()["status"] == "succeeded"
    assert sent.json()["attempt_set"][0]["status_code"] == 200
    payload = verified(endpoint, receiver.received[0])
    assert payload["type"] == "sms.received" and payload["data"]["test"] is True
    refused = api_a.post(f"/api/webhook-endpoints/{endpoint.pk}/test", {"event_type": "nope"})
    assert refused.status_code == 400 and "event_type" in refused.json()["fields"]


def test_metrics_count_attempts_and_show_the_backlog(
    client, settings, workspace_a, receiver, endpoint_for
):
    from tests.clianta.test_metrics import AUTH, TOKEN, moved, parse, value

    settings.METRICS_TOKEN = TOKEN
    endpoint = endpoint_for(receiver.url())
    receiver.answers["/hook"] = Answer(status=500)
    before = parse(client.get("/metrics", headers=AUTH).content.decode())
    for n in range(3):
        events.emit(events.DEAL_WON, workspace_a.pk, deal_id=f"d{n}")
    during = parse(client.get("/metrics", headers=AUTH).content.decode())
    assert value(during, "clianta_outbound_webhook_backlog") == 3
    delivery.drain(endpoint.pk)
    after = parse(client.get("/metrics", headers=AUTH).content.decode())
    assert moved(before, after, "clianta_outbound_webhook_attempts_total", result="failed") == 1
    assert value(after, "clianta_outbound_webhook_backlog") == 2  # the breaker holds them


def test_finished_deliveries_are_forgotten_after_the_keep_days(
    workspace_a, receiver, endpoint_for, settings
):
    from outbound_webhooks.tasks import prune

    endpoint = endpoint_for(receiver.url())
    old = timezone.now() - timedelta(days=settings.OUTBOUND_WEBHOOKS_KEEP_DAYS + 1)
    for status in ("succeeded", "failed", "pending"):
        Delivery.objects.create(
            endpoint=endpoint, message_id=status, event_type="deal.won", body="{}", status=status
        )
    Delivery.objects.update(created_at=old)
    Delivery.objects.create(
        endpoint=endpoint, message_id="recent", event_type="deal.won", body="{}", status="failed"
    )
    assert prune() == 2
    assert set(Delivery.objects.values_list("message_id", flat=True)) == {"pending", "recent"}
