"""The Events API endpoint: Slack's signature (W1 to W3), the challenge, retries dropped (W4),
processing in Celery after a fast answer (W6), and channel messages on contacts' timelines."""

import json
import time

import pytest
import requests
from django.core.cache import cache
from django.utils import timezone

from clianta.models import Contact
from integrations import webhooks
from integrations.models import WebhookDelivery
from integrations.webhooks import FrozenClock
from messaging.slack import services
from messaging.slack.models import SlackMember, SlackMessage
from messaging.slack.webhooks import CommandView
from sandbox import faults
from tests.conftest import wait_for
from tests.messaging.slack.conftest import COMMANDS, WEBHOOK, signed
from tests.slack_doc_example import DOC_BODY, DOC_SECRET, DOC_SIGNATURE, DOC_TIMESTAMP, RETRY


def event_body(event_id="Ev0001", team_id="T0SANDBOX", channel="C0GENERAL1", **event) -> bytes:
    event = {
        "type": "message",
        "channel": channel,
        "user": "U0SANDBOX",
        "text": "hi",
        "ts": f"{time.time():.6f}",
        **event,
    }
    payload = {"type": "event_callback", "team_id": team_id, "event_id": event_id, "event": event}
    return json.dumps(payload).encode()


def post(client, body, headers, url=WEBHOOK, content_type="application/json"):
    return client.post(url, data=body, content_type=content_type, **headers)


@pytest.fixture
def secret(settings):
    return settings.SLACK_SIGNING_SECRET


@pytest.mark.django_db
def test_w1_slacks_published_example_verifies_with_the_clock_frozen_at_its_timestamp(rf, settings):
    """W1: the documented slash command request passes the command endpoint's check with the
    clock frozen at its timestamp (and is answered); 301 s later it is refused."""
    settings.SLACK_SIGNING_SECRET = DOC_SECRET

    def request():
        return rf.post(
            COMMANDS,
            data=DOC_BODY,
            content_type="application/x-www-form-urlencoded",
            HTTP_X_SLACK_REQUEST_TIMESTAMP=str(DOC_TIMESTAMP),
            HTTP_X_SLACK_SIGNATURE=DOC_SIGNATURE,
        )

    answer = CommandView.as_view(clock=FrozenClock(DOC_TIMESTAMP))(request())
    assert answer.status_code == 200
    assert json.loads(answer.content)["response_type"] == "ephemeral"
    late = CommandView.as_view(clock=FrozenClock(DOC_TIMESTAMP + 301))(request())
    assert late.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("offset", "reason"), [(-301, "stale timestamp"), (301, "timestamp in the future")]
)
@pytest.mark.parametrize("url", [WEBHOOK, COMMANDS])
def test_w2_requests_outside_the_five_minute_window_are_refused(
    client, secret, offset, reason, url
):
    """W2: older than 300 s or dated in the future: 403, nothing stored."""
    body = event_body("Ev0W2")
    response = post(client, body, signed(body, secret, int(time.time()) + offset), url)
    assert response.status_code == 403
    assert response.json()["error"].endswith(f"{reason}.")
    assert not WebhookDelivery.objects.exists()


def _tamper(kind, body, headers):
    if kind == "wrong secret":
        return body, signed(body, "another-secret")
    if kind == "changed byte":
        return body.replace(b'"hi"', b'"ho"'), headers
    name = {
        "no signature": "HTTP_X_SLACK_SIGNATURE",
        "no timestamp": "HTTP_X_SLACK_REQUEST_TIMESTAMP",
    }
    return body, {k: v for k, v in headers.items() if k != name[kind]}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["wrong secret", "changed byte", "no signature", "no timestamp"])
@pytest.mark.parametrize("url", [WEBHOOK, COMMANDS])
def test_w3_a_request_that_does_not_verify_is_refused(client, secret, kind, url):
    """W3: a bad signature, a changed body byte or a missing header: 403, nothing stored."""
    body = event_body("Ev0W3")
    body, headers = _tamper(kind, body, signed(body, secret))
    response = post(client, body, headers, url)
    assert response.status_code == 403
    assert response.json()["code"] == "invalid_signature"
    assert not WebhookDelivery.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("url", [WEBHOOK, COMMANDS])
def test_w3_without_a_signing_secret_the_check_is_not_skipped(client, settings, url):
    """W3: no secret configured: every request is refused, even one signed with the secret
    configured before."""
    body = event_body("Ev0W3N")
    headers = signed(body, settings.SLACK_SIGNING_SECRET)
    settings.SLACK_SIGNING_SECRET = ""
    response = post(client, body, headers, url)
    assert response.status_code == 403
    assert response.json()["error"].endswith("no secret configured.")
    assert not WebhookDelivery.objects.exists()


@pytest.mark.django_db
def test_the_url_verification_challenge_is_answered_and_nothing_stored(client, secret):
    body = json.dumps({"type": "url_verification", "challenge": "3eZbrw1aB", "token": "t"})
    response = post(client, body.encode(), signed(body.encode(), secret))
    assert (response.status_code, response.json()) == (200, {"challenge": "3eZbrw1aB"})
    assert not WebhookDelivery.objects.exists()


@pytest.mark.django_db
def test_w4_a_retried_event_is_recorded_and_requests_processing_once(client, secret):
    """W4: the same event id again with X-Slack-Retry-Num: 1 answers 200, stores no second
    record and asks for no second processing."""
    body = event_body("Ev0W4")
    assert post(client, body, signed(body, secret)).status_code == 200
    assert cache.get(webhooks.requested_key("slack"))
    cache.delete(webhooks.requested_key("slack"))
    assert post(client, body, signed(body, secret, **RETRY)).status_code == 200
    assert cache.get(webhooks.requested_key("slack")) is None
    delivery = WebhookDelivery.objects.get()
    assert (delivery.provider, delivery.delivery_id, delivery.redeliveries) == ("slack", "Ev0W4", 1)


pytestmark_db = pytest.mark.django_db(transaction=True)


def say(sandbox, text, channel="general", **fields):
    answer = requests.post(
        f"{sandbox.url}/slack/_messages",
        json={"channel": channel, "text": text, **fields},
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


@pytestmark_db
def test_a_message_in_a_linked_channel_reaches_the_contacts_timeline(
    installed, sandbox, api_a, workspace_a, celery_worker
):
    contact = Contact.objects.create(workspace=workspace_a, email="ann@acme.example")
    said = say(sandbox, "Can we talk pricing?", user_email="Ann@Acme.example", user_name="Ann")
    assert [a["status"] for a in said["delivery"]["answers"]] == [200]
    message = wait_for(lambda: SlackMessage.objects.first(), timeout=10)
    assert (message.contact_id, message.user_email, message.text) == (
        contact.pk,
        "ann@acme.example",
        "Can we talk pricing?",
    )
    timeline = api_a.get("/api/slack/messages", {"contact": str(contact.pk)}).json()["results"]
    assert [m["text"] for m in timeline] == ["Can we talk pricing?"]
    other = Contact.objects.create(workspace=workspace_a, email="bo@acme.example")
    assert api_a.get("/api/slack/messages", {"contact": str(other.pk)}).json()["results"] == []


@pytestmark_db
def test_messages_in_channels_not_linked_are_not_stored(installed, sandbox, celery_worker):
    said = say(sandbox, "Off topic", channel="sales", user_email="ann@acme.example")
    delivery = WebhookDelivery.objects.get(delivery_id=said["delivery"]["key"])
    wait_for(lambda: WebhookDelivery.objects.get(pk=delivery.pk).processed_at)
    assert not SlackMessage.objects.exists()


@pytestmark_db
def test_w6_slow_processing_answers_in_time_and_runs_in_celery_after_commit(
    installed, sandbox, workspace_a, celery_worker
):
    """W6: with users.info slowed down by 4 s, Slack's delivery is still answered 200 on its
    first try (the sandbox gives up after 3 s), unprocessed; the worker then stores it."""
    faults.inject("slack", r"/slack/api/users\.info$", delay_ms=4000, times=1)
    said = say(sandbox, "Slow one", user_email="ann@acme.example")
    assert [a["status"] for a in said["delivery"]["answers"]] == [200]
    delivery = WebhookDelivery.objects.get(delivery_id=said["delivery"]["key"])
    assert delivery.processed_at is None
    wait_for(lambda: WebhookDelivery.objects.get(pk=delivery.pk).processed_at)
    assert SlackMessage.objects.get().text == "Slow one"
    assert WebhookDelivery.objects.get(pk=delivery.pk).workspace_id == workspace_a.pk
    assert f"{webhooks.PROCESS_TASK}[" in celery_worker.log()


@pytestmark_db
def test_w4_a_retried_event_is_processed_once_by_the_worker(
    installed, client, secret, celery_worker
):
    """W4 with the real worker: Slack's retry of an event answers 200 and is not processed
    again; the message is stored once."""
    body = event_body("Ev0W4W", user="U0SANDBOX", text="Once")
    assert post(client, body, signed(body, secret)).status_code == 200
    assert post(client, body, signed(body, secret, **RETRY)).status_code == 200
    wait_for(lambda: WebhookDelivery.objects.get(delivery_id="Ev0W4W").processed_at)
    delivery = WebhookDelivery.objects.get(delivery_id="Ev0W4W")
    assert (delivery.redeliveries, delivery.attempts, delivery.error) == (1, 1, "")
    assert list(SlackMessage.objects.values_list("text", flat=True)) == ["Once"]


@pytestmark_db
def test_the_sandbox_retries_an_unanswered_event_as_slack_does(installed, sandbox, settings):
    settings.PUBLIC_URL += "/nowhere"
    said = say(sandbox, "Lost?")
    assert [a["status"] for a in said["delivery"]["answers"]] == [404, 404, 404, 404]
    assert not WebhookDelivery.objects.exists()


@pytestmark_db
def test_a_message_whose_sender_cannot_be_looked_up_is_kept_without_a_contact(
    installed, client, secret, workspace_a, celery_worker
):
    from integrations.providers.slack.client import client as slack_client

    Contact.objects.create(workspace=workspace_a, email="admin@sandbox-team.example")
    slack_client(installed.credential).auth_revoke()
    body = event_body("Ev0REV", text="Still here")
    assert post(client, body, signed(body, secret)).status_code == 200
    wait_for(lambda: WebhookDelivery.objects.get(delivery_id="Ev0REV").processed_at)
    message = SlackMessage.objects.get()
    assert (message.text, message.contact_id, message.user_email) == ("Still here", None, "")


@pytestmark_db
def test_a_busy_sender_is_looked_up_once_an_hour(installed, client, secret):
    """Slack allows about 100 users.info calls a minute: three messages of one person ask once;
    once that profile is PROFILE_MAX_AGE old, the next message asks again."""
    faults.clear_calls("slack")
    for n in range(3):
        body = event_body(f"Ev0M{n}", text=f"m{n}")
        assert post(client, body, signed(body, secret)).status_code == 200
    assert webhooks.process_pending("slack") == {webhooks.PROCESSED: 3}
    assert faults.calls("slack", path_contains="users.info").count() == 1

    SlackMember.objects.update(checked_at=timezone.now() - services.PROFILE_MAX_AGE)
    body = event_body("Ev0M3", text="m3")
    assert post(client, body, signed(body, secret)).status_code == 200
    assert webhooks.process_pending("slack") == {webhooks.PROCESSED: 1}
    assert faults.calls("slack", path_contains="users.info").count() == 2
    senders = set(SlackMessage.objects.values_list("user_id", "user_email"))
    assert len(senders) == 1 and next(iter(senders))[1]
