"""The org's daily API limit (a share left to others, REQUEST_LIMIT_EXCEEDED) and the faults a
sync meets: 5xx, timeouts, answers cut short, an expired session."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clianta.models import Contact
from crm_sync.models import CrmConnection
from integrations.errors import Transient
from integrations.models import IntegrationCredential, SyncLog
from sandbox import faults
from sandbox.salesforce import seed as sf_seed
from sandbox.salesforce import store as sf_store
from sandbox.salesforce.models import SalesforceSession

from .conftest import run

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def seeded(connection, org):
    sf_seed.seed(org, accounts=2, contacts=30, opportunities=2)
    return connection


def _resume(connection, org):
    sf_store.reset_usage(org)
    CrmConnection.objects.filter(pk=connection.pk).update(
        paused_until=timezone.now() - timedelta(seconds=1)
    )


def test_a_sync_stops_at_its_share_of_the_daily_limit_and_resumes_later(seeded, org, remote):
    remote.query("SELECT Id FROM Contact LIMIT 1")  # the usage the org reports from now on
    used = remote.api_usage["api-usage"].used
    sf_store.set_daily_limit(org, (used + 3) * 2)  # half of it: three calls from now
    seeded.limit_share = 0.5
    seeded.save()
    log = run(seeded)
    assert log.status == SyncLog.Status.SUCCESS
    assert any("daily API limit" in reason for reason in log.skip_reasons)
    seeded.refresh_from_db()
    assert seeded.paused_until > timezone.now()
    assert seeded.api_limit == (used + 3) * 2 and seeded.api_used >= used + 3
    credential = IntegrationCredential.objects.get(pk=seeded.credential_id)
    assert credential.metadata["api_usage"]["limit"] == seeded.api_limit
    assert Contact.objects.count() < 30

    skipped = run(seeded)
    assert skipped.status == SyncLog.Status.SKIPPED
    assert "daily API limit" in next(iter(skipped.skip_reasons))

    sf_store.set_daily_limit(org, 15000)
    _resume(seeded, org)
    log = run(seeded)
    assert log.status == SyncLog.Status.SUCCESS and not log.skip_reasons
    assert Contact.objects.count() == 30


def test_request_limit_exceeded_pauses_the_same_way(seeded, org, remote):
    remote.query("SELECT Id FROM Contact LIMIT 1")
    sf_store.set_daily_limit(org, remote.api_usage["api-usage"].used)
    log = run(seeded)
    assert log.status == SyncLog.Status.SUCCESS
    assert any("daily API limit" in reason for reason in log.skip_reasons)
    seeded.refresh_from_db()
    assert seeded.paused_until > timezone.now()


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 500},
        {"status": 503},
        {"truncate": True},
        {"delay_ms": 2500},
    ],
    ids=["500", "503", "cut-short", "timeout"],
)
def test_a_fault_fails_the_attempt_for_a_retry_and_loses_nothing(seeded, settings, fault):
    settings.PROVIDER_TIMEOUT = 1
    faults.inject("salesforce", r"/query", **fault)
    with pytest.raises(Transient):
        run(seeded, final=False)
    assert SyncLog.objects.filter(status=SyncLog.Status.RETRYING).count() == 1
    log = run(seeded)
    assert log.status == SyncLog.Status.SUCCESS, log.error
    assert Contact.objects.count() == 30


def test_an_expired_session_is_refreshed_in_the_middle_of_a_sync(seeded):
    SalesforceSession.objects.update(expires_at=timezone.now())
    faults.clear_calls()
    log = run(seeded)
    assert log.status == SyncLog.Status.SUCCESS, log.error
    assert faults.calls("salesforce", "/services/oauth2/token").count() == 1
    assert Contact.objects.count() == 30
