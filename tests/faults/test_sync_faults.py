"""The fault suite: provider faults during syncs of every provider that syncs through the
runner (IMAP's connection faults are in test_imap_faults.py). Whatever the sandbox injects
(500, 429 with Retry-After, a timeout, truncated JSON, a revoked grant), afterwards the
account's data equals the provider's (nothing lost, nothing doubled), each failed attempt is in
SyncLog with its reason, a revoked account is in needs_reconnect, and nothing else is.

Retries run in this process (``task.apply``), which replays Celery's retry path without its
countdown; waiting out the countdown in a real worker is covered by S5 in
tests/integrations/test_sync_runner.py.
"""

import pytest

from integrations.models import IntegrationCredential, SyncLog
from payments.models import PaymentsAccount
from sandbox import faults
from sandbox.notion import store as notion_store
from tests.calendars.conftest import google_calendar, make_calendar  # noqa: F401 - fixtures
from tests.email_accounts.conftest import gmail_account  # noqa: F401 - fixture
from tests.email_accounts.imap.conftest import (  # noqa: F401 - fixtures
    dovecot,
    imap_account,
    login,
    mailbox,
    smtp_server,
)
from tests.email_accounts.outlook.conftest import (  # noqa: F401 - fixtures
    browser,
    microsoft,
    outlook_account,
)
from tests.payments.conftest import connected, stripe_account  # noqa: F401 - fixtures

from . import targets

pytestmark = pytest.mark.django_db(transaction=True)

SEEDED = 12
HTTP_PROVIDERS = ("gmail", "google_calendar", "outlook", "notion", "stripe")
FAULTS = {
    "500": {"status": 500},
    "429 with Retry-After": {"status": 429, "retry_after": 1},
    "timeout": {"delay_ms": 2500},
    "truncated JSON": {"truncate": True},
}


@pytest.fixture
def notion_credential(sandbox, settings, workspace_a):
    """A Notion internal integration of workspace A, unpaced (the pace has tests of its own)."""
    settings.NOTION_REQUESTS_PER_SECOND = 1000
    return IntegrationCredential.objects.create(
        workspace=workspace_a, provider="notion", api_key=notion_store.integration_token()
    )


def make_target(request, slug: str) -> targets.Target:
    request.getfixturevalue("settings").PROVIDER_TIMEOUT = 1
    if slug == "gmail":
        return targets.gmail(request.getfixturevalue("gmail_account"))
    if slug == "outlook":
        return targets.outlook(request.getfixturevalue("outlook_account"))
    if slug == "notion":
        return targets.notion(request.getfixturevalue("notion_credential"))
    if slug == "stripe":
        request.getfixturevalue("connected")
        workspace = request.getfixturevalue("workspace_a")
        return targets.stripe_payments(PaymentsAccount.objects.get(workspace=workspace))
    if slug == "smtp":
        # Dovecot answers a failed login from an address that just failed one after a delay
        # (its auth penalty, 2 s and growing): the refusal must arrive within the timeout.
        request.getfixturevalue("settings").PROVIDER_TIMEOUT = 10
        mailbox_ = request.getfixturevalue("mailbox")
        return targets.imap(request.getfixturevalue("imap_account"), mailbox_)
    return targets.google_calendar(request.getfixturevalue("google_calendar"))


@pytest.fixture(params=HTTP_PROVIDERS)
def target(request):
    """An account of each provider whose API the sandbox plays (and so can fault)."""
    return make_target(request, request.param)


@pytest.fixture(params=[*HTTP_PROVIDERS, "smtp"])
def any_target(request):
    """An account of each provider that syncs, IMAP included (its faults other than a
    revoked password are in test_imap_faults.py)."""
    return make_target(request, request.param)


@pytest.mark.parametrize("fault", FAULTS)
def test_a_fault_in_the_first_sync_is_retried_to_the_same_data(target, fault):
    """S1, S5, S10, O6: the fault fails an attempt, logged with its reason; the retries reach
    the provider's data; timeouts, 5xx and 429 leave the credential active."""
    target.seed(SEEDED)
    faults.inject(
        target.sandbox_provider, target.path_regex, times=target.fault_times, **FAULTS[fault]
    )

    target.sync()

    target.assert_same_data()
    runs = SyncLog.objects.filter(account_key=target.account_key).order_by("started_at")
    statuses = [run.status for run in runs]
    assert statuses[-1] == SyncLog.Status.SUCCESS
    failed = [run for run in runs if run.status != SyncLog.Status.SUCCESS]
    assert failed, "the fault left no trace in SyncLog"
    assert all(run.error for run in failed)
    target.credential.refresh_from_db()
    assert target.credential.status == IntegrationCredential.Status.ACTIVE


@pytest.mark.parametrize("fault", FAULTS)
def test_a_fault_in_an_incremental_sync_loses_and_doubles_nothing(target, fault):
    """S1, S2: data arriving around a fault is stored once."""
    target.seed(SEEDED)
    target.sync()
    target.seed(5)
    faults.inject(
        target.sandbox_provider, target.path_regex, times=target.fault_times, **FAULTS[fault]
    )

    target.sync()

    target.assert_same_data()


def test_a_revoked_grant_marks_only_that_account_for_reconnect(any_target, workspace_a):
    """O6, S8, S10: a revoked grant (a changed password for IMAP) fails the run with a reason
    that says to reconnect, is not retried, and marks that credential needs_reconnect and no
    other."""
    target = any_target
    target.seed(3)
    target.sync()
    bystander = IntegrationCredential.objects.create(
        workspace=workspace_a, provider="apollo", api_key="bystander-key-0123456789"
    )
    target.revoke()

    target.sync()

    first, run = SyncLog.objects.filter(account_key=target.account_key).order_by("started_at")
    assert (first.status, run.status) == (SyncLog.Status.SUCCESS, SyncLog.Status.FAILED)
    assert "reconnect" in run.error.lower()
    target.credential.refresh_from_db()
    assert target.credential.status == IntegrationCredential.Status.NEEDS_RECONNECT
    bystander.refresh_from_db()
    assert bystander.status == IntegrationCredential.Status.ACTIVE
    assert set(IntegrationCredential.objects.values_list("status", flat=True)) == {
        IntegrationCredential.Status.ACTIVE,
        IntegrationCredential.Status.NEEDS_RECONNECT,
    }
    assert IntegrationCredential.objects.filter(status="needs_reconnect").count() == 1
