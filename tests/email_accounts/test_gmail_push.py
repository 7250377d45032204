"""Gmail push: users.watch on the mailbox publishing to a Pub/Sub topic, whose push (with
Google's OIDC token) triggers the mailbox's sync through a real worker; forged or missing tokens
answer 403 and trigger nothing; watches renew daily without stopping the new one, and stop on
disconnect."""

import base64
import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from email_accounts import services
from email_accounts.models import EmailMessage
from integrations import push
from integrations.models import PushChannel, PushedSync, SyncLog
from sandbox import faults
from sandbox.google import gmail_mailbox as mailbox
from sandbox.google import pubsub
from sandbox.google.models import GmailWatch, GoogleSigningKey
from tests.conftest import wait_for
from tests.email_accounts.gmail_helpers import EMAIL

pytestmark = pytest.mark.django_db(transaction=True)
NOTIFY = "/api/push/gmail"
TOPIC = "projects/clianta-test/topics/gmail-changes"
SERVICE_ACCOUNT = "gmail-push@clianta-test.iam.gserviceaccount.com"


@pytest.fixture
def watched(gmail_account, settings):
    """Alice's Gmail mailbox, synced once, with push on and its watch opened."""
    settings.PUSH_NOTIFICATIONS = True
    settings.GMAIL_PUBSUB_TOPIC = TOPIC
    settings.GMAIL_PUSH_SERVICE_ACCOUNT = SERVICE_ACCOUNT
    services.sync_emails(gmail_account)
    # Gmail pushes once as soon as the watch is made; dropped here, so that each test sees
    # only the pushes it makes.
    first = faults.inject("google", r"^/push/pubsub/", status=500, times=1)
    assert push.maintain()["opened"] == 1
    wait_for(lambda: first.__class__.objects.get(pk=first.pk).remaining == 0)
    return gmail_account


def data(address=EMAIL, history_id=7) -> str:
    return base64.b64encode(json.dumps({"emailAddress": address, "historyId": history_id}).encode())


def pushed(client, token, body=None):
    body = body if body is not None else pubsub.envelope(TOPIC, {"emailAddress": EMAIL})
    return client.post(
        NOTIFY, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=token
    )


def google_token(live_server, **claims):
    audience = claims.pop("aud", f"{live_server.url}{NOTIFY}")
    email = claims.pop("email", SERVICE_ACCOUNT)
    return "Bearer " + pubsub.oidc_token(audience, email, **claims)


def test_the_mailbox_is_watched_on_inbox_and_sent(watched):
    watch = GmailWatch.objects.get(mailbox__email=EMAIL)
    assert watch.topic_name == TOPIC and watch.label_ids.split() == ["INBOX", "SENT"]
    channel = PushChannel.objects.get(account_id=watched.pk)
    assert abs(channel.expires_at - watch.expiration) < timedelta(seconds=1)
    assert channel.expires_at > timezone.now() + timedelta(days=6)


def test_new_mail_reaches_the_api_through_pubsub_and_a_worker(watched, celery_worker, api_a):
    mailbox.deliver(EMAIL, sender="Ann <ann@acme.example>", subject="Pushed", body="Hi")
    row = wait_for(lambda: EmailMessage.objects.filter(subject="Pushed").first())
    assert row.account_id == watched.pk
    pushed = SyncLog.objects.filter(trigger=push.TRIGGER, status=SyncLog.Status.SUCCESS)
    wait_for(pushed.exists)
    subjects = [m["subject"] for m in api_a.get("/api/email-messages").json()["results"]]
    assert "Pushed" in subjects
    state = api_a.get(f"/api/email-accounts/{watched.pk}").json()["push"]
    assert state["state"] == "active" and state["last_notification_at"]


def test_a_valid_push_syncs_the_mailbox_it_names(watched, client, live_server):
    answer = pushed(client, google_token(live_server))
    assert answer.status_code == 204
    assert list(PushedSync.objects.values_list("key", flat=True)) == [str(watched.pk)]
    # Base64url without padding, as the Gmail guide writes it, is read too.
    PushedSync.objects.all().delete()
    body = pubsub.envelope(TOPIC, {})
    body["message"]["data"] = data().decode().replace("+", "-").replace("/", "_").rstrip("=")
    assert pushed(client, google_token(live_server), body).status_code == 204
    assert PushedSync.objects.exists()


@pytest.mark.parametrize(
    "forge",
    [
        "no token",
        "not bearer",
        "garbage",
        "another audience",
        "another service account",
        "email not verified",
        "another issuer",
        "expired",
        "a key Google does not have",
    ],
)
def test_a_forged_push_answers_403_and_triggers_nothing(watched, client, live_server, forge):
    now = int(time.time())
    tokens = {
        "no token": lambda: "",
        "not bearer": lambda: google_token(live_server).replace("Bearer", "Basic"),
        "garbage": lambda: "Bearer abc.def.ghi",
        "another audience": lambda: google_token(live_server, aud="https://evil.example/push"),
        "another service account": lambda: google_token(
            live_server, email="attacker@evil.iam.gserviceaccount.com"
        ),
        "email not verified": lambda: google_token(live_server, email_verified=False),
        "another issuer": lambda: google_token(live_server, iss="https://evil.example"),
        "expired": lambda: google_token(live_server, iat=now - 7200, exp=now - 3600),
        "a key Google does not have": lambda: _foreign_key_token(live_server),
    }
    answer = pushed(client, tokens[forge]())
    assert answer.status_code == 403
    assert not PushedSync.objects.exists()
    assert PushChannel.objects.get().notifications == 0


def _foreign_key_token(live_server) -> str:
    foreign = pubsub.signing_key()  # made, then no longer served
    GoogleSigningKey.objects.filter(pk=foreign.pk).delete()
    return "Bearer " + pubsub.oidc_token(f"{live_server.url}{NOTIFY}", SERVICE_ACCOUNT, key=foreign)


def test_google_certificates_unreachable_answers_503_for_pubsub_to_retry(
    watched, client, live_server
):
    faults.inject("google", r"/oauth2/v1/certs$", status=500, times=None)
    assert pushed(client, google_token(live_server)).status_code == 503
    assert not PushedSync.objects.exists()


def test_an_unreadable_message_from_google_is_acknowledged_and_changes_nothing(
    watched, client, live_server
):
    body = pubsub.envelope(TOPIC, {})
    body["message"]["data"] = "%%% not base64 %%%"
    assert pushed(client, google_token(live_server), body).status_code == 204
    assert pushed(client, google_token(live_server), {"message": []}).status_code == 204
    assert not PushedSync.objects.exists()


def test_a_push_for_another_mailbox_syncs_nothing_of_ours(watched, client, live_server):
    body = pubsub.envelope(TOPIC, {"emailAddress": "stranger@elsewhere.example"})
    assert pushed(client, google_token(live_server), body).status_code == 204
    assert not PushedSync.objects.exists()


def test_the_daily_renewal_keeps_the_new_watch_alive(watched):
    old = PushChannel.objects.get()
    PushChannel.objects.update(expires_at=timezone.now() + timedelta(days=5))
    assert push.maintain()["renewed"] == 1
    new = PushChannel.objects.get()
    assert new.pk != old.pk
    watch = GmailWatch.objects.get(mailbox__email=EMAIL)
    assert watch.stopped_at is None and watch.expiration > timezone.now() + timedelta(days=6)


def test_disconnecting_stops_the_watch(watched, api_a):
    assert api_a.delete(f"/api/integrations/{watched.credential_id}").status_code == 204
    assert GmailWatch.objects.get(mailbox__email=EMAIL).stopped_at is not None
    assert not PushChannel.objects.exists()


def test_without_a_topic_gmail_mailboxes_poll(gmail_account, settings):
    settings.PUSH_NOTIFICATIONS = True
    settings.GMAIL_PUBSUB_TOPIC = ""
    assert push.maintain()["opened"] == 0
    assert not GmailWatch.objects.exists()
