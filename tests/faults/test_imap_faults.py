"""The fault suite for IMAP mailboxes (provider "smtp"), against a real Dovecot reached through a
proxy that breaks the connection on request: the server gone between two pages, an answer cut
in the middle of a message, a server that stops answering. Afterwards the account's mail equals
the server's (by UID and by Message-ID: nothing lost, nothing doubled) and each failed attempt
is in SyncLog with its reason. A password the server no longer accepts is in the matrix of
test_sync_faults.py.

Retries run in this process (``task.apply``), as in test_sync_faults.py.
"""

import pytest

from email_accounts import services
from email_accounts.backends import imap_smtp as imap_sync
from integrations.models import IntegrationCredential, SyncLog
from integrations.providers.imap_smtp.mailbox import MailboxLogin, Server
from tests.email_accounts.imap.conftest import dovecot, mailbox, smtp_server  # noqa: F401

from . import targets
from .imap_proxy import FaultyProxy

pytestmark = pytest.mark.django_db

SEEDED = 7  # four pages of two
BODY_FETCH = b"BODY.PEEK[]"  # one command per page


def server_gone_between_pages(proxy):
    """The connection drops when the second page is asked for, and the server refuses the next
    connection (it is restarting)."""
    proxy.cut(BODY_FETCH, skip=1, then_refuse=1)


def answer_cut_short(proxy):
    """The first page's answer stops in the middle of the first message."""
    proxy.cut(BODY_FETCH, after=200)


def stops_answering(proxy):
    """The server takes the first page's command and never answers it."""
    proxy.stall(BODY_FETCH)


FAULTS = {
    "server gone between pages": server_gone_between_pages,
    "answer cut short": answer_cut_short,
    "timeout": stops_answering,
}


@pytest.fixture
def proxy(dovecot):  # noqa: F811
    proxy = FaultyProxy(dovecot.port)
    yield proxy
    proxy.close()


@pytest.fixture
def target(monkeypatch, settings, workspace_a, alice, mailbox, smtp_server, proxy):  # noqa: F811
    settings.PROVIDER_TIMEOUT = 1
    monkeypatch.setattr(imap_sync, "PAGE_SIZE", 2)
    login = MailboxLogin(
        username=mailbox.user,
        password=mailbox.password,
        imap=Server("127.0.0.1", proxy.port, "none"),
        smtp=Server("127.0.0.1", smtp_server.port, "none"),
    )
    account = services.connect_mailbox(workspace_a, alice, mailbox.user, login)
    return targets.imap(account, mailbox)


def runs(target) -> list[SyncLog]:
    return list(SyncLog.objects.filter(account_key=target.account_key).order_by("started_at"))


@pytest.mark.parametrize("fault", FAULTS)
def test_a_fault_in_the_first_sync_is_retried_to_the_same_data(target, proxy, fault):
    """S1, S2, S10, O6: the failed attempts are logged with the server's reason, the pages
    stored before the fault are kept, and the retry brings the rest once."""
    target.seed(SEEDED)
    FAULTS[fault](proxy)

    target.sync()

    target.assert_same_data()
    *failed, last = runs(target)
    assert last.status == SyncLog.Status.SUCCESS
    assert failed, "the fault left no trace in SyncLog"
    assert all(
        run.status != SyncLog.Status.SUCCESS and run.error.startswith("IMAP") for run in failed
    )
    assert sum(run.created for run in runs(target)) == SEEDED
    target.credential.refresh_from_db()
    assert target.credential.status == IntegrationCredential.Status.ACTIVE


def test_the_pages_stored_before_the_server_went_away_are_not_fetched_again(target, proxy):
    """S2, S3: the first attempt stored its first page with the cursor after it; the retry
    starts from that cursor."""
    target.seed(SEEDED)
    server_gone_between_pages(proxy)

    target.sync()

    first, refused, last = runs(target)
    assert (first.status, first.pages, first.created) == ("retrying", 1, 2)
    assert refused.status == "retrying" and refused.pages == 0
    assert (last.status, last.created) == ("success", SEEDED - 2)


@pytest.mark.parametrize("fault", FAULTS)
def test_a_fault_in_an_incremental_sync_loses_and_doubles_nothing(target, proxy, fault):
    """S1, S2: new mail arriving around a fault is stored once."""
    target.seed(3)
    target.sync()
    target.seed(SEEDED)
    FAULTS[fault](proxy)

    target.sync()

    target.assert_same_data()
    assert runs(target)[-1].status == SyncLog.Status.SUCCESS
