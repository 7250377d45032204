"""The email API at the original service's paths, through a real worker where it queues."""

import pytest
from django.conf import settings
from django_celery_beat.models import PeriodicTask

from clianta.models import CrmEvent
from email_accounts.models import EmailAccount, EmailMessage
from email_accounts.tasks import sync_all
from integrations.models import SyncLog
from sandbox.google import gmail_mailbox as mailbox
from tests.conftest import wait_for
from tests.email_accounts.gmail_helpers import EMAIL
from tests.integrations.oauth_helpers import consent, finish, start
from tests.otp import log_in_staff

pytestmark = pytest.mark.django_db(transaction=True)


def test_adding_gmail_answers_the_consent_url(api_a, workspace_a):
    response = api_a.post("/api/email-accounts", {"provider": "gmail"}, format="json")
    assert response.status_code == 200
    assert response.json()["authorization_url"] == (
        f"{settings.PUBLIC_URL}/api/integrations/gmail/connect?workspace={workspace_a.pk}"
    )
    unknown = api_a.post("/api/email-accounts", {"provider": "aol"}, format="json")
    assert unknown.status_code == 400 and "provider" in unknown.json()["fields"]


def test_connecting_gmail_through_oauth_adds_the_mailbox(client, alice, workspace_a, sandbox):
    client.force_login(alice)
    finish(client, consent(start(client, workspace_a), email="Alice@Example.com"))
    account = EmailAccount.objects.get(workspace=workspace_a)
    assert (account.provider, account.email) == ("gmail", "alice@example.com")
    assert account.owner == alice


def test_sync_is_queued_and_followed_by_its_id(celery_worker, api_a, gmail_account):
    for i in range(3):
        mailbox.deliver(EMAIL, sender=f"p{i}@acme.example", subject=f"S{i}", body="x")
    response = api_a.post(f"/api/email-accounts/{gmail_account.pk}/sync")
    assert response.status_code == 202
    sync_id = response.json()["sync_id"]
    assert api_a.get(f"/api/sync-logs/{sync_id}").json()["status"] in (
        "queued",
        "running",
        "success",
    )
    done = wait_for(lambda: api_a.get(f"/api/sync-logs/{sync_id}").json()["status"] == "success")
    assert done
    body = api_a.get(f"/api/sync-logs/{sync_id}").json()
    assert (body["created"], body["trigger"]) == (3, "manual")
    listed = api_a.get("/api/email-accounts").json()["results"]
    assert [(a["email"], a["status"]) for a in listed] == [(EMAIL, "healthy")]


def test_send_and_reply_through_the_api(api_a, gmail_account, workspace_b, bob):
    original = mailbox.deliver(EMAIL, sender="ann@acme.example", subject="Hello", body="Hi")
    from email_accounts import services

    services.sync_emails(gmail_account)
    parent = EmailMessage.objects.get(provider_message_id=original.gmail_id)
    url = f"/api/email-accounts/{gmail_account.pk}/send"
    response = api_a.post(
        url,
        {"to": ["ann@acme.example"], "body": "Hi back", "reply_to_message": str(parent.pk)},
        format="json",
    )
    assert response.status_code == 201, response.content
    sent = response.json()
    assert sent["thread"] == str(parent.thread_id)
    assert sent["message_id"].startswith("<") and sent["provider_thread_id"] == original.thread_id
    announced = CrmEvent.objects.get(type="email.sent")
    assert announced.data["message_id"] == sent["id"] and announced.data["to"] == [
        "ann@acme.example"
    ]
    no_subject = api_a.post(url, {"to": ["ann@acme.example"], "body": "x"}, format="json")
    assert no_subject.json()["fields"] == {"subject": ["A new message needs a subject."]}
    bad = api_a.post(url, {"to": ["not-an-email"], "subject": "s", "body": "x"}, format="json")
    assert bad.status_code == 400 and "to" in bad.json()["fields"]


def test_messages_and_threads_filter_by_thread_contact_and_date(api_a, gmail_account):
    from email_accounts import services

    services.send_email(gmail_account, ["bob@acme.example"], "Plan", "Draft attached")
    services.sync_emails(gmail_account)
    message = EmailMessage.objects.get()
    contact = message.contacts.get()
    for query in (
        f"thread={message.thread_id}",
        f"contact={contact.pk}",
        "after=2000-01-01T00:00:00Z",
    ):
        results = api_a.get(f"/api/email-messages?{query}").json()["results"]
        assert [m["id"] for m in results] == [str(message.pk)], query
    assert api_a.get("/api/email-messages?before=2000-01-01T00:00:00Z").json()["results"] == []
    naive = api_a.get("/api/email-messages?after=2026-01-01T00:00:00")
    assert naive.status_code == 400 and "after" in naive.json()["fields"]
    threads = api_a.get(f"/api/email-threads?contact={contact.pk}").json()["results"]
    assert [(t["subject"], t["message_count"]) for t in threads] == [("Plan", 1)]


@pytest.mark.parametrize(("keep", "remaining"), [("true", 1), ("false", 0)])
def test_removing_an_account_keeps_or_removes_its_mail(api_a, gmail_account, keep, remaining):
    mailbox.deliver(EMAIL, sender="ann@acme.example", subject="Keep?", body="x")
    from email_accounts import services

    services.sync_emails(gmail_account)
    response = api_a.delete(f"/api/email-accounts/{gmail_account.pk}?keep_mail={keep}")
    assert response.status_code == 204
    assert not EmailAccount.objects.exists()
    assert EmailMessage.objects.count() == remaining


def test_another_workspaces_mailbox_is_404(api_b, gmail_account):
    assert api_b.get(f"/api/email-accounts/{gmail_account.pk}").status_code == 404
    assert api_b.post(f"/api/email-accounts/{gmail_account.pk}/sync").status_code == 404


def test_the_five_minute_schedule_syncs_enabled_mailboxes(celery_worker, gmail_account):
    task = PeriodicTask.objects.get(task="email_accounts.sync_all")
    assert (task.interval.every, task.interval.period, task.enabled) == (5, "minutes", True)
    mailbox.deliver(EMAIL, sender="ann@acme.example", subject="Scheduled", body="x")
    assert sync_all.delay() is not None
    log = wait_for(lambda: SyncLog.objects.filter(status="success").first())
    assert (log.trigger, log.created) == ("schedule", 1)
    EmailAccount.objects.update(sync_enabled=False)
    assert sync_all.apply().get() == 0


def test_admin_actions_on_mailboxes(celery_worker, client, make_user, gmail_account):
    """Staff sync a mailbox now, resync it from scratch, or mark it for reconnect."""
    log_in_staff(client, make_user("staff", is_staff=True, is_superuser=True))
    mailbox.deliver(EMAIL, sender="ann@acme.example", subject="Admin", body="x")
    url = "/admin/email_accounts/emailaccount/"
    selected = {"_selected_action": [str(gmail_account.pk)]}
    page = client.post(url, {"action": "sync_now", **selected}, follow=True)
    assert "Queued 1 sync(s)." in page.content.decode()
    first = wait_for(lambda: SyncLog.objects.filter(status="success").first())
    assert (first.trigger, first.created) == ("admin", 1)
    client.post(url, {"action": "resync_from_scratch", **selected})
    wait_for(lambda: SyncLog.objects.filter(status="success").count() == 2)
    assert SyncLog.objects.filter(status="success").first().pages == 1  # a full pass again
    client.post(url, {"action": "mark_for_reconnect", **selected})
    gmail_account.credential.refresh_from_db()
    assert gmail_account.credential.status == "needs_reconnect"
