"""Outlook push: Graph subscriptions on the Inbox and Sent Items (the validation handshake at
creation), notifications checked by clientState triggering the delta sync through a worker,
lifecycle events (reauthorize, removed, missed), and deletion on disconnect."""

import json

import pytest

from email_accounts import services
from email_accounts.models import EmailMessage
from integrations import push
from integrations.models import PushChannel, PushedSync, SyncLog
from sandbox.microsoft import mail as mailbox
from sandbox.microsoft import subscriptions
from sandbox.microsoft.models import OutlookSubscription
from tests.conftest import wait_for
from tests.email_accounts.outlook.helpers import EMAIL

pytestmark = pytest.mark.django_db(transaction=True)
NOTIFY = "/api/push/outlook"
LIFECYCLE = "/api/push/outlook/lifecycle"


@pytest.fixture
def watched(outlook_account, settings):
    settings.PUSH_NOTIFICATIONS = True
    services.sync_emails(outlook_account)
    assert push.maintain()["opened"] == 2
    return outlook_account


def post(client, path, channel, **item):
    body = {
        "value": [
            {
                "subscriptionId": channel.resource_id,
                "clientState": channel.token[:128],
                "changeType": "created",
                "resource": "Users/x/Messages/y",
                **item,
            }
        ]
    }
    return client.post(path, json.dumps(body), content_type="application/json")


def test_inbox_and_sent_items_are_subscribed_after_graph_validated_our_urls(watched, live_server):
    at_graph = {s.folder: s for s in OutlookSubscription.objects.all()}
    assert set(at_graph) == {"inbox", "sentitems"}
    for channel in PushChannel.objects.all():
        sub = OutlookSubscription.objects.get(subscription_id=channel.resource_id)
        assert sub.folder == channel.scope
        assert sub.client_state == channel.token[:128]
        assert sub.change_types == "created,updated,deleted"
        assert sub.notification_url == f"{live_server.url}{NOTIFY}"
        assert sub.lifecycle_url == f"{live_server.url}{LIFECYCLE}"


def test_the_validation_handshake_echoes_the_token_as_plain_text(client):
    answer = client.post(f"{NOTIFY}?validationToken=Validation%3A%20Testing%20%3Cb%3E")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/plain")
    assert answer.content == b"Validation: Testing <b>"
    assert client.post(f"{LIFECYCLE}?validationToken=abc").content == b"abc"
    assert client.post(f"{NOTIFY}?validationToken={'x' * 2000}").status_code == 400
    assert client.get(f"{NOTIFY}?validationToken=abc").status_code == 405


def test_graph_refuses_a_subscription_our_endpoint_does_not_validate(
    outlook_account, settings, live_server
):
    settings.PUSH_NOTIFICATIONS = True
    settings.PUBLIC_URL = f"{live_server.url}/nowhere"
    assert push.maintain()["failed"] == 2
    assert not OutlookSubscription.objects.exists()
    assert not PushChannel.objects.exists()


def test_new_mail_reaches_the_api_through_a_worker(watched, celery_worker, api_a):
    mailbox.deliver(EMAIL, subject="Pushed from Outlook")
    wait_for(lambda: EmailMessage.objects.filter(subject="Pushed from Outlook").exists())
    pushed = SyncLog.objects.filter(trigger=push.TRIGGER)
    # The message is stored with its page; the run then reads the Sent Items too.
    wait_for(lambda: pushed.filter(status=SyncLog.Status.SUCCESS).exists())
    inbox = PushChannel.objects.get(scope="inbox")
    assert inbox.notifications >= 1
    assert api_a.get(f"/api/email-accounts/{watched.pk}").json()["push"]["state"] == "active"


@pytest.mark.parametrize(
    "forged",
    [
        {"clientState": "guessed"},
        {"clientState": None},
        {"subscriptionId": "00000000-0000-0000-0000-000000000000"},
    ],
)
def test_a_forged_notification_answers_403_and_triggers_nothing(watched, client, forged):
    channel = PushChannel.objects.get(scope="inbox")
    assert post(client, NOTIFY, channel, **forged).status_code == 403
    assert post(client, LIFECYCLE, channel, lifecycleEvent="missed", **forged).status_code == 403
    for body in (b"not json", b"[]", b'{"value": "x"}', b'{"value": [1]}'):
        answer = client.post(NOTIFY, body, content_type="application/json")
        assert answer.status_code == 403
    assert not PushedSync.objects.exists()


def test_a_genuine_notification_is_accepted_with_202(watched, client):
    channel = PushChannel.objects.get(scope="sentitems")
    assert post(client, NOTIFY, channel).status_code == 202
    assert list(PushedSync.objects.values_list("key", flat=True)) == [str(watched.pk)]


def test_reauthorization_required_replaces_the_subscription(watched, celery_worker):
    old = PushChannel.objects.get(scope="inbox")
    subscriptions.lifecycle(old.resource_id, "reauthorizationRequired")
    new = wait_for(lambda: PushChannel.objects.filter(scope="inbox").exclude(pk=old.pk).first())
    wait_for(lambda: not PushChannel.objects.filter(pk=old.pk).exists())
    assert not OutlookSubscription.objects.filter(subscription_id=old.resource_id).exists()
    assert OutlookSubscription.objects.filter(subscription_id=new.resource_id).exists()


def test_a_removed_subscription_is_made_again_and_the_mailbox_resynced(watched, celery_worker):
    old = PushChannel.objects.get(scope="sentitems")
    mailbox.deliver(EMAIL, subject="Sent while removed", folder="sentitems")
    subscriptions.lifecycle(old.resource_id, "subscriptionRemoved")
    wait_for(lambda: PushChannel.objects.filter(scope="sentitems").exclude(pk=old.pk).exists())
    wait_for(lambda: EmailMessage.objects.filter(subject="Sent while removed").exists())


def test_missed_notifications_resync_the_mailbox(watched, client):
    channel = PushChannel.objects.get(scope="inbox")
    answer = post(client, LIFECYCLE, channel, lifecycleEvent="missed")
    assert answer.status_code == 202
    assert PushedSync.objects.filter(key=str(watched.pk)).exists()


def test_disconnecting_deletes_the_subscriptions_at_graph(watched, api_a):
    assert api_a.delete(f"/api/integrations/{watched.credential_id}").status_code == 204
    assert not OutlookSubscription.objects.exists()
    assert not PushChannel.objects.exists()
