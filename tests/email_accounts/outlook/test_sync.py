"""Outlook sync through Graph delta queries against the sandbox's mailbox."""

import pytest
from django.db import transaction

from email_accounts import services
from email_accounts.backends.outlook import PAGE_SIZE, OutlookSync
from email_accounts.models import EmailMessage
from integrations.errors import RateLimited
from integrations.models import SyncLog
from sandbox import faults
from sandbox.microsoft import mail as mailbox
from sandbox.microsoft.models import OutlookMessage

pytestmark = pytest.mark.django_db(transaction=True)


def deliver_many(account, count, folder="inbox"):
    return [
        mailbox.deliver(
            account.email, sender=f"p{i}@acme.example", subject=f"S{i}", body=f"B{i}", folder=folder
        )
        for i in range(count)
    ]


def provider_ids(account):
    alive = OutlookMessage.objects.filter(mailbox__email=account.email, deleted=False)
    return sorted(alive.values_list("graph_id", flat=True))


def local_ids(account):
    rows = EmailMessage.objects.filter(account=account)
    return sorted(rows.values_list("provider_message_id", flat=True))


def test_the_first_sync_pages_through_each_folder_and_keeps_the_delta_links(outlook_account):
    deliver_many(outlook_account, PAGE_SIZE + 10)
    (sent,) = deliver_many(outlook_account, 1, folder="sentitems")

    log = services.sync_emails(outlook_account)

    assert log.status == SyncLog.Status.SUCCESS, log.error
    assert (log.created, log.pages) == (PAGE_SIZE + 11, 3)  # inbox: 2 pages, sent items: 1
    assert local_ids(outlook_account) == provider_ids(outlook_account)
    outbound = EmailMessage.objects.get(provider_message_id=sent.graph_id)
    assert (outbound.direction, outbound.labels) == ("outbound", ["SENT"])
    assert outbound.provider_thread_id == sent.conversation_id
    inbound = EmailMessage.objects.exclude(pk=outbound.pk).first()
    assert inbound.labels == ["INBOX", "UNREAD"] and inbound.subject.startswith("S")
    outlook_account.refresh_from_db()
    links = outlook_account.sync_cursor["folders"]
    assert set(links) == {"inbox", "sentitems"}
    assert all("$deltatoken=" in link for link in links.values())
    delta_calls = faults.calls("microsoft", "/messages/delta")
    assert delta_calls.filter(query__contains="select").count() == 2  # first calls only


def test_incremental_sync_brings_new_changed_and_deleted_messages(outlook_account):
    kept, read, removed = deliver_many(outlook_account, 3)
    services.sync_emails(outlook_account)
    new = mailbox.deliver(outlook_account.email, sender="new@acme.example", subject="Fresh")
    mailbox.mark_read(outlook_account.email, read.graph_id)
    mailbox.delete(outlook_account.email, removed.graph_id)
    faults.clear_calls()

    log = services.sync_emails(outlook_account)

    assert (log.status, log.created, log.updated, log.deleted) == ("success", 1, 1, 1)
    assert local_ids(outlook_account) == sorted([kept.graph_id, read.graph_id, new.graph_id])
    assert EmailMessage.objects.get(provider_message_id=read.graph_id).labels == ["INBOX"]
    # Only the new message's MIME was fetched.
    assert faults.calls("microsoft", "/$value").count() == 1


def test_a_sync_with_nothing_new_costs_one_call_per_folder(outlook_account):
    deliver_many(outlook_account, 3)
    services.sync_emails(outlook_account)
    faults.clear_calls()
    log = services.sync_emails(outlook_account)
    assert (log.created, log.updated, log.deleted) == (0, 0, 0)
    assert faults.calls("microsoft").count() == 2


def test_an_expired_delta_token_drops_the_cursor_and_resyncs_once(outlook_account):
    """S4 for Outlook: 410 Gone clears the folder's link and reads the folder again, once."""
    deliver_many(outlook_account, 4)
    services.sync_emails(outlook_account)
    late = mailbox.deliver(outlook_account.email, sender="late@acme.example", subject="Late")
    mailbox.expire_delta_tokens(outlook_account.email)
    faults.clear_calls()

    log = services.sync_emails(outlook_account)

    assert log.status == SyncLog.Status.SUCCESS, log.error
    assert (log.created, log.updated) == (1, 0)
    assert faults.calls("microsoft", "/$value").count() == 1  # the known ones are not fetched
    assert late.graph_id in local_ids(outlook_account)
    assert local_ids(outlook_account) == provider_ids(outlook_account)
    assert faults.calls("microsoft", "/delta").filter(status=410).count() == 2  # each folder
    assert services.sync_emails(outlook_account).status == SyncLog.Status.SUCCESS


def test_a_410_again_after_the_resync_fails_the_run_instead_of_looping(outlook_account):
    services.sync_emails(outlook_account)
    faults.inject("microsoft", r"/inbox/messages/delta$", status=410, times=None)
    log = services.sync_emails(outlook_account)
    assert log.status == SyncLog.Status.FAILED
    assert faults.calls("microsoft", "/inbox/messages/delta").filter(status=410).count() == 2


def test_a_sync_stopped_after_a_page_resumes_from_the_next_link(outlook_account):
    """S2 for Outlook: the first page and its nextLink are committed, then the run dies."""
    deliver_many(outlook_account, PAGE_SIZE + 5)
    job = OutlookSync(outlook_account)
    first = next(job.pages(job.cursor()))
    with transaction.atomic():
        job.store(first)
    outlook_account.refresh_from_db()
    assert "$skiptoken=" in outlook_account.sync_cursor["folders"]["inbox"]

    log = services.sync_emails(outlook_account)

    assert (log.created, log.pages) == (5, 2)  # the inbox's last page, then sent items
    assert local_ids(outlook_account) == provider_ids(outlook_account)


@pytest.mark.parametrize("status", [429, 503])
def test_throttling_with_retry_after_is_rate_limited(outlook_account, status):
    deliver_many(outlook_account, 2)
    faults.inject("microsoft", r"/messages/delta$", status=status, retry_after=30)

    with pytest.raises(RateLimited) as raised:
        services.sync_emails(outlook_account, final=False)

    assert raised.value.retry_after == 30
    assert SyncLog.objects.get(status=SyncLog.Status.RETRYING).provider == "outlook"
    assert services.sync_emails(outlook_account).created == 2  # the retry picks it all up


def test_a_graph_timeout_or_5xx_is_transient_and_retried(outlook_account, settings):
    from integrations.errors import Transient

    settings.PROVIDER_TIMEOUT = 0.5
    faults.inject("microsoft", r"/messages/delta$", delay_ms=1500)
    with pytest.raises(Transient):
        services.sync_emails(outlook_account, final=False)
    faults.inject("microsoft", r"/messages/delta$", status=502)
    with pytest.raises(Transient) as raised:
        services.sync_emails(outlook_account, final=False)
    assert not isinstance(raised.value, RateLimited) and raised.value.status == 502
    assert SyncLog.objects.filter(status=SyncLog.Status.RETRYING).count() == 2
