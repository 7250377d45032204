"""Gmail sync through google-api-python-client against the sandbox's Gmail."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from email_accounts import services
from email_accounts.backends.gmail import GmailSync, QuotaBudget
from email_accounts.models import EmailAccount, EmailMessage, EmailThread
from integrations.errors import RateLimited
from integrations.models import IntegrationCredential, SyncLog
from sandbox import faults
from sandbox.google import gmail_mailbox as mailbox
from sandbox.google import tokens as google_tokens
from tests.email_accounts.gmail_helpers import EMAIL, gmail_calls
from tests.integrations.oauth_helpers import token_calls

pytestmark = pytest.mark.django_db(transaction=True)


def deliver_many(count, **fields):
    return [
        mailbox.deliver(
            EMAIL, sender=f"p{i}@acme.example", subject=f"Subject {i}", body=f"B{i}", **fields
        )
        for i in range(count)
    ]


def provider_ids():
    return set(mailbox.messages(EMAIL).values_list("gmail_id", flat=True))


def local_ids(account):
    return list(
        EmailMessage.objects.filter(account=account).values_list("provider_message_id", flat=True)
    )


def test_a_first_sync_pages_through_the_mailbox_and_fetches_in_batches(gmail_account):
    deliver_many(120)
    faults.clear_calls()
    log = services.sync_emails(gmail_account)

    assert log.status == SyncLog.Status.SUCCESS
    assert (log.created, log.pages) == (120, 2)
    assert sorted(local_ids(gmail_account)) == sorted(provider_ids())
    # profile + 2 list pages + 3 batches (50, 50, 20): never one request per message.
    assert faults.calls("google", "/batch/").count() == 3
    assert gmail_calls("users/me/messages?") + gmail_calls("users/me/messages") >= 2
    gmail_account.refresh_from_db()
    assert set(gmail_account.sync_cursor) == {"history_id"}


def test_incremental_sync_brings_new_deleted_and_relabelled_mail(gmail_account):
    kept, removed, starred = deliver_many(3)
    services.sync_emails(gmail_account)
    new = mailbox.deliver(EMAIL, sender="new@acme.example", subject="Fresh", body="hi")
    mailbox.delete(EMAIL, removed.gmail_id)
    mailbox.relabel(EMAIL, starred.gmail_id, add=["STARRED"])

    log = services.sync_emails(gmail_account)

    assert (log.created, log.deleted, log.updated) == (1, 1, 1)
    assert sorted(local_ids(gmail_account)) == sorted(
        [kept.gmail_id, starred.gmail_id, new.gmail_id]
    )
    assert "STARRED" in EmailMessage.objects.get(provider_message_id=starred.gmail_id).labels


def test_a_sync_with_nothing_new_costs_one_call(gmail_account):
    deliver_many(5)
    services.sync_emails(gmail_account)
    faults.clear_calls()
    log = services.sync_emails(gmail_account)
    assert (log.status, log.created, log.updated, log.deleted) == ("success", 0, 0, 0)
    assert faults.calls("google").count() == 1  # history.list


def test_an_expired_history_id_falls_back_to_one_full_sync_without_duplicates(gmail_account):
    """S4: Gmail's 404 on an old startHistoryId clears the cursor and runs one full sync."""
    deliver_many(4)
    services.sync_emails(gmail_account)
    mailbox.deliver(EMAIL, sender="late@acme.example", subject="Late", body="x")
    mailbox.expire_history(EMAIL)

    log = services.sync_emails(gmail_account)

    assert log.status == SyncLog.Status.SUCCESS
    assert (log.created, log.updated) == (1, 0)
    assert sorted(local_ids(gmail_account)) == sorted(provider_ids())
    assert faults.calls("google", "/history").filter(status=404).count() == 1
    assert services.sync_emails(gmail_account).status == SyncLog.Status.SUCCESS


def test_a_sync_stopped_after_a_page_resumes_without_loss_or_duplicate(gmail_account):
    """S2 for Gmail: the first page and its cursor are committed, then the run dies; the next
    run continues from the saved page token."""
    deliver_many(150)
    job = GmailSync(gmail_account)
    first = next(job.pages(job.cursor()))
    with transaction.atomic():
        job.store(first)
    gmail_account.refresh_from_db()
    assert "page_token" in gmail_account.sync_cursor
    assert EmailMessage.objects.count() == 100

    log = services.sync_emails(gmail_account)

    assert (log.created, log.pages) == (50, 1)
    assert sorted(local_ids(gmail_account)) == sorted(provider_ids())


def test_send_and_reply_thread_at_gmail_and_here(gmail_account):
    original = mailbox.deliver(EMAIL, sender="ann@acme.example", subject="Pricing", body="Cost?")
    services.sync_emails(gmail_account)
    parent = EmailMessage.objects.get(provider_message_id=original.gmail_id)

    reply = services.send_email(gmail_account, ["ann@acme.example"], "", "10 USD", parent)

    assert reply.subject == "Re: Pricing"
    assert reply.thread_id == parent.thread_id
    assert reply.provider_thread_id == original.thread_id  # Gmail put it in the same thread
    assert reply.in_reply_to == parent.message_id
    sent = mailbox.get(EMAIL, reply.provider_message_id)
    assert sent.thread_id == original.thread_id and "SENT" in sent.label_ids
    # The next sync sees the sent message at Gmail: no duplicate here.
    services.sync_emails(gmail_account)
    assert EmailMessage.objects.filter(provider_message_id=reply.provider_message_id).count() == 1
    assert EmailThread.objects.count() == 1


def test_a_due_token_is_refreshed_before_the_sync_and_a_rejected_one_mid_sync(gmail_account):
    deliver_many(3)
    IntegrationCredential.objects.filter(pk=gmail_account.credential_id).update(
        expires_at=timezone.now()
    )
    account = EmailAccount.objects.get(pk=gmail_account.pk)
    assert services.sync_emails(account).status == SyncLog.Status.SUCCESS
    assert token_calls() == 1

    google_tokens.expire_access_tokens(EMAIL)  # Gmail rejects the token we believe valid
    mailbox.deliver(EMAIL, sender="x@acme.example", subject="After", body="x")
    account = EmailAccount.objects.get(pk=gmail_account.pk)
    log = services.sync_emails(account)
    assert (log.status, log.created) == (SyncLog.Status.SUCCESS, 1)
    assert token_calls() == 2


def test_gmail_429_is_rate_limited_with_its_retry_after(gmail_account):
    deliver_many(2)
    faults.inject("google", r"/users/me/(profile|messages)$", status=429, retry_after=30)
    with pytest.raises(RateLimited) as raised:
        services.sync_emails(gmail_account, final=False)
    assert raised.value.retry_after == 30
    assert SyncLog.objects.get().status == SyncLog.Status.RETRYING


def test_the_quota_budget_slows_down_instead_of_failing():
    now = [0.0]
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        now[0] += seconds

    budget = QuotaBudget(250, clock=lambda: now[0], sleep=sleep)
    assert budget.spend(250) == 0  # a full bucket
    assert budget.spend(250) == pytest.approx(1.0)  # the next 250 units wait a second
    now[0] += 0.5
    assert budget.spend(50) == 0  # half a second refilled 125 units
    assert budget.spend(200) == pytest.approx(0.5)  # 75 left: 125 more units take 0.5 s
    assert waits == [pytest.approx(1.0), pytest.approx(0.5)]


def test_a_zero_quota_means_no_limit():
    budget = QuotaBudget(0, clock=lambda: 0.0, sleep=lambda seconds: pytest.fail("slept"))
    assert budget.spend(10_000) == 0


def test_a_first_sync_brings_the_newest_mail_first(gmail_account, settings):
    """A first sync stopped after its first page (its time slice over) holds the newest mail:
    a person sees this week's mail while older mail still comes in."""
    now = timezone.now()
    for day in range(120):
        mailbox.deliver(
            EMAIL,
            sender=f"p{day}@acme.example",
            subject=f"Day {day}",
            date=now - timedelta(days=day),
        )
    settings.SYNC_SLICE_SECONDS = 0
    first = services.sync_emails(gmail_account)
    assert first.continued and first.pages == 1
    stored = set(EmailMessage.objects.values_list("subject", flat=True))
    assert stored == {f"Day {day}" for day in range(len(stored))}
    assert len(stored) < 120
