"""The fault suite: provider faults during syncs of every provider that syncs through the
runner. Whatever the sandbox injects (500, 429 with Retry-After, a timeout, truncated JSON, a
revoked grant), afterwards the account's data equals the provider's (nothing lost, nothing
doubled), each failed attempt is in SyncLog with its reason, a revoked account is in
needs_reconnect, and nothing else is.

Retries run in this process (``task.apply``), which replays Celery's retry path without its
countdown; waiting out the countdown in a real worker is covered by S5 in
tests/integrations/test_sync_runner.py.
"""

import pytest

from integrations.models import IntegrationCredential, SyncLog
from integrations.sandbox import faults
from tests.calendars.conftest import google_calendar, make_calendar  # noqa: F401 - fixtures
from tests.email_accounts.conftest import gmail_account  # noqa: F401 - fixture
from tests.email_accounts.outlook.conftest import (  # noqa: F401 - fixtures
    browser,
    microsoft,
    outlook_account,
    tls_front,
)

from . import targets

pytestmark = pytest.mark.django_db(transaction=True)

SEEDED = 12
FAULTS = {
    "500": {"status": 500},
    "429 with Retry-After": {"status": 429, "retry_after": 1},
    "timeout": {"delay_ms": 2500},
    "truncated JSON": {"truncate": True},
}


@pytest.fixture(params=["gmail", "google_calendar", "outlook"])
def target(request, settings):
    settings.PROVIDER_TIMEOUT = 1
    if request.param == "gmail":
        return targets.gmail(request.getfixturevalue("gmail_account"))
    if request.param == "outlook":
        return targets.outlook(request.getfixturevalue("outlook_account"))
    return targets.google_calendar(request.getfixturevalue("google_calendar"))


@pytest.mark.parametrize("fault", FAULTS)
def test_a_fault_in_the_first_sync_is_retried_to_the_same_data(target, fault):
    target.seed(SEEDED)
    faults.inject(target.sandbox_provider, target.path_regex, **FAULTS[fault])

    target.sync()

    target.assert_same_data()
    runs = SyncLog.objects.filter(account_key=target.account.account_key).order_by("started_at")
    statuses = [run.status for run in runs]
    assert statuses[-1] == SyncLog.Status.SUCCESS
    failed = [run for run in runs if run.status != SyncLog.Status.SUCCESS]
    assert failed, "the fault left no trace in SyncLog"
    assert all(run.error for run in failed)
    target.account.credential.refresh_from_db()
    assert target.account.credential.status == IntegrationCredential.Status.ACTIVE


@pytest.mark.parametrize("fault", FAULTS)
def test_a_fault_in_an_incremental_sync_loses_and_doubles_nothing(target, fault):
    target.seed(SEEDED)
    target.sync()
    target.seed(5)
    faults.inject(target.sandbox_provider, target.path_regex, **FAULTS[fault])

    target.sync()

    target.assert_same_data()


def test_a_revoked_grant_marks_only_that_account_for_reconnect(target, workspace_a):
    target.seed(3)
    target.sync()
    bystander = IntegrationCredential.objects.create(
        workspace=workspace_a, provider="apollo", api_key="bystander-key-0123456789"
    )
    target.revoke()

    target.sync()

    run = SyncLog.objects.filter(account_key=target.account.account_key).latest("started_at")
    assert run.status == SyncLog.Status.FAILED
    assert "reconnect" in run.error.lower()
    target.account.credential.refresh_from_db()
    assert target.account.credential.status == IntegrationCredential.Status.NEEDS_RECONNECT
    bystander.refresh_from_db()
    assert bystander.status == IntegrationCredential.Status.ACTIVE
    assert set(IntegrationCredential.objects.values_list("status", flat=True)) == {
        IntegrationCredential.Status.ACTIVE,
        IntegrationCredential.Status.NEEDS_RECONNECT,
    }
    assert IntegrationCredential.objects.filter(status="needs_reconnect").count() == 1
