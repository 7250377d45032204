"""The fault suite for the jobs that talk to providers without syncing: a Google Sheets import
and an Apollo bulk enrichment. Whatever the sandbox injects (500, 429 with Retry-After, a
timeout, truncated JSON, a revoked grant or key), afterwards each contact exists once, the job's
status and error say what happened, a revoked credential is in needs_reconnect and no other is,
and Apollo credits are spent only on what Apollo found.

The jobs' Celery tasks run in this process (``task.apply``), retries included, as in
test_sync_faults.py.
"""

import pytest

from clianta.models import Contact
from enrichment import tasks as enrichment_tasks
from enrichment.models import ApolloUsage, EnrichmentJob
from integrations.models import IntegrationCredential
from productivity import tasks as productivity_tasks
from productivity.models import SheetImport
from sandbox import faults
from sandbox.apollo import store as apollo_store
from sandbox.google import sheets_store
from sandbox.google import tokens as google_tokens
from tests.productivity.conftest import ME, sheets_credential  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db(transaction=True)

FAULTS = {
    "500": {"status": 500},
    "429 with Retry-After": {"status": 429, "retry_after": 1},
    "timeout": {"delay_ms": 2500},
    "truncated JSON": {"truncate": True},
}
SHEETS_API = r"/v4/spreadsheets/"
PEOPLE_MATCH = r"/people/match"
PEOPLE = 4
APOLLO_KEY = "apollo-fault-suite-key-0123456789"


@pytest.fixture(autouse=True)
def short_timeout(settings):
    settings.PROVIDER_TIMEOUT = 1


@pytest.fixture
def bystander(workspace_b):
    """A credential of another workspace, which no fault here may touch."""
    return IntegrationCredential.objects.create(
        workspace=workspace_b, provider="apollo", api_key="bystander-key-0123456789"
    )


def assert_only_marked(credential, bystander):
    credential.refresh_from_db()
    bystander.refresh_from_db()
    assert credential.status == IntegrationCredential.Status.NEEDS_RECONNECT
    assert bystander.status == IntegrationCredential.Status.ACTIVE
    assert IntegrationCredential.objects.filter(status="needs_reconnect").count() == 1


# --- Google Sheets import --------------------------------------------------------------------


@pytest.fixture
def sheet(sheets_credential):  # noqa: F811
    rows = [["Email", "Name"]] + [[f"p{i}@acme.example", f"P {i}"] for i in range(PEOPLE)]
    return sheets_store.create_spreadsheet(ME, "Leads", rows=rows)


def run_import(workspace, spreadsheet) -> SheetImport:
    job = SheetImport.objects.create(workspace=workspace, spreadsheet_id=spreadsheet)
    productivity_tasks.import_sheet.apply(args=[str(job.pk)])
    job.refresh_from_db()
    return job


def assert_each_contact_once(workspace):
    emails = list(Contact.objects.filter(workspace=workspace).values_list("email", flat=True))
    assert sorted(emails) == [f"p{i}@acme.example" for i in range(PEOPLE)]


@pytest.mark.parametrize("fault", FAULTS)
def test_a_fault_reading_the_sheet_is_retried_to_each_contact_once(sheet, workspace_a, fault):
    """S1, S5, O6: the import is retried and completes; its report counts every contact once;
    the credential stays active."""
    faults.inject("google", SHEETS_API, **FAULTS[fault])

    job = run_import(workspace_a, sheet)

    assert (job.status, job.error, job.created, job.processed_rows) == ("done", "", PEOPLE, PEOPLE)
    assert_each_contact_once(workspace_a)
    assert IntegrationCredential.objects.get().status == IntegrationCredential.Status.ACTIVE


@pytest.mark.parametrize("fault", ["500", "truncated JSON"])
def test_a_lasting_fault_fails_the_import_clearly_and_a_rerun_imports_once(
    sheet, workspace_a, fault
):
    """S1, S5: retries are bounded; the failed import says what failed and what to do; running
    it again once the provider is back creates each contact once."""
    faults.inject("google", SHEETS_API, times=None, **FAULTS[fault])

    failed = run_import(workspace_a, sheet)

    assert failed.status == "failed" and failed.created == 0
    assert "4 attempts" in failed.error and "again" in failed.error, failed.error
    faults.clear()
    again = run_import(workspace_a, sheet)
    assert (again.status, again.created) == ("done", PEOPLE)
    assert run_import(workspace_a, sheet).created == 0
    assert_each_contact_once(workspace_a)


def test_a_revoked_grant_fails_the_import_and_marks_only_its_credential(
    sheet,
    workspace_a,
    sheets_credential,  # noqa: F811
    bystander,
):
    """O6: the import fails with a reason that says to reconnect, is not retried, and only the
    Sheets credential is marked."""
    google_tokens.revoke_grants(ME)

    job = run_import(workspace_a, sheet)

    assert job.status == "failed" and "reconnect" in job.error.lower()
    assert not Contact.objects.exists()
    assert_only_marked(sheets_credential, bystander)


# --- Apollo bulk enrichment ------------------------------------------------------------------


@pytest.fixture
def apollo_credential(sandbox, workspace_a):
    apollo_store.register_key(APOLLO_KEY)
    return IntegrationCredential.objects.create(
        workspace=workspace_a, provider="apollo", api_key=APOLLO_KEY
    )


@pytest.fixture
def contacts(apollo_credential, workspace_a):
    """PEOPLE contacts Apollo knows, and one it does not."""
    for i in range(PEOPLE):
        email = f"p{i}@acme.example"
        apollo_store.add_person(first_name=f"P{i}", last_name="Known", email=email)
        Contact.objects.create(workspace=workspace_a, email=email)
    Contact.objects.create(workspace=workspace_a, email="nobody@acme.example")
    return list(Contact.objects.filter(workspace=workspace_a))


def run_enrichment(workspace, contacts) -> EnrichmentJob:
    ids = [str(contact.pk) for contact in contacts]
    job = EnrichmentJob.objects.create(workspace=workspace, contact_ids=ids, total=len(ids))
    enrichment_tasks.bulk_enrich.apply(args=[str(job.pk)])
    job.refresh_from_db()
    return job


def credits_used(workspace) -> int:
    return ApolloUsage.objects.get(pk=workspace.pk).credits_used


@pytest.mark.parametrize("fault", FAULTS)
def test_a_fault_in_bulk_enrichment_is_retried_and_charges_only_what_was_found(
    contacts, workspace_a, fault
):
    """S5, L1: the lookup that met the fault is tried again; every contact is reported once;
    the workspace spent one credit per person found, none on failed or empty lookups."""
    faults.inject("apollo", PEOPLE_MATCH, **FAULTS[fault])

    job = run_enrichment(workspace_a, contacts)

    assert (job.status, job.enriched, job.not_found, job.failed) == ("done", PEOPLE, 1, 0)
    assert sorted(entry["contact"] for entry in job.report) == sorted(str(c.pk) for c in contacts)
    assert credits_used(workspace_a) == PEOPLE
    assert Contact.objects.filter(last_name="Known").count() == PEOPLE


def test_a_lookup_that_keeps_failing_is_reported_and_costs_nothing(contacts, workspace_a):
    """S5: retries per contact are bounded; the contact's outcome says why it failed; the
    failed lookups give their credits back."""
    faults.inject("apollo", PEOPLE_MATCH, status=429, retry_after=1, times=None)

    job = run_enrichment(workspace_a, contacts[:1])

    assert (job.status, job.failed) == ("done", 1)
    assert job.report[0]["outcome"] == ("failed after 4 attempts: Apollo's rate limit was reached.")
    assert credits_used(workspace_a) == 0


def test_a_revoked_key_stops_the_job_and_marks_only_its_credential(
    contacts, workspace_a, apollo_credential, bystander
):
    """O6: the job stops at the first refusal with a reason that says to reconnect (no lookup
    after it, no credit spent) and only the workspace's Apollo credential is marked."""
    apollo_store.revoke_key(APOLLO_KEY)
    faults.clear_calls()

    job = run_enrichment(workspace_a, contacts)

    assert job.status == "failed" and "reconnect" in job.stop_reason.lower(), job.stop_reason
    assert job.report == [] and faults.calls("apollo").count() == 1
    assert credits_used(workspace_a) == 0
    assert_only_marked(apollo_credential, bystander)
