"""The two-way sync against the sandbox's org through simple-salesforce: the first load (REST and
Bulk API 2.0), incremental pulls with deletions, pushes with a per-record failure, no echo, and
conflicts."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from clianta.models import Company, Contact, Deal
from crm_sync import services
from crm_sync.models import ObjectCursor, RecordLink, SyncConflict
from integrations.models import SyncLog
from sandbox import faults
from sandbox.salesforce import seed as sf_seed
from sandbox.salesforce.models import SalesforceBulkJob, SalesforceRecord

from .conftest import run

pytestmark = pytest.mark.django_db(transaction=True)


def _collections():
    return faults.calls("salesforce", "/composite/sobjects").count()


def _look_for_deletions_now(connection):
    ObjectCursor.objects.filter(connection=connection).update(
        deletes_until=timezone.now() - timedelta(minutes=2)
    )


@pytest.fixture
def loaded(connection, org):
    """An org of 4 accounts, 12 contacts and 5 opportunities, loaded once."""
    sf_seed.seed(org, accounts=4, contacts=12, opportunities=5)
    log = run(connection)
    assert log.status == SyncLog.Status.SUCCESS, log.error
    return connection


def test_the_first_load_reads_every_object_and_resolves_references(loaded, remote):
    assert Company.objects.count() == 4
    assert Contact.objects.count() == 12
    assert Deal.objects.count() == 5
    row = remote.query("SELECT Id, AccountId, Email FROM Contact LIMIT 1")["records"][0]
    contact = Contact.objects.get(email=row["Email"].lower())
    account = RecordLink.objects.get(object="company", remote_id=row["AccountId"])
    assert contact.company_id == account.local_id
    opportunity = remote.query("SELECT Id, StageName FROM Opportunity LIMIT 1")["records"][0]
    deal = Deal.objects.get(pk=RecordLink.objects.get(remote_id=opportunity["Id"]).local_id)
    stages = {"Prospecting": "lead", "Closed Won": "won", "Closed Lost": "lost"}
    if opportunity["StageName"] in stages:
        assert deal.stage == stages[opportunity["StageName"]]
    assert not SalesforceBulkJob.objects.exists()
    assert ObjectCursor.objects.filter(loaded=True).count() == 3


def test_a_large_first_load_goes_through_bulk_and_resumes_its_job(connection, org, monkeypatch):
    sf_seed.seed(org, accounts=3, contacts=40, opportunities=0)
    connection.bulk_threshold = 10
    connection.save()
    monkeypatch.setattr("crm_sync.backends.salesforce.BULK_PAGE", 15)
    # A run that stops after the Bulk job's first page of contacts, as a killed worker would:
    # each page is stored in its own transaction, as the runner does, and the rest abandoned.
    job = services.sync_job(connection)
    for page in job.pages(job.cursor()):
        with transaction.atomic():
            job.store(page)
        if Contact.objects.exists():
            break
    assert Contact.objects.count() == 15
    job_id = ObjectCursor.objects.get(object="contact").bulk["job"]

    log = run(connection)
    assert log.status == SyncLog.Status.SUCCESS, log.error
    assert Contact.objects.count() == 40
    assert list(
        SalesforceBulkJob.objects.filter(sobject="Contact").values_list("job_id", flat=True)
    ) == [job_id]
    assert faults.calls("salesforce", "/results").count() == 3
    assert RecordLink.objects.filter(object="contact").count() == 40
    cursor = ObjectCursor.objects.get(object="contact")
    assert cursor.loaded and cursor.bulk is None and cursor.stamp is not None


def test_an_incremental_pull_after_a_bulk_first_load_takes_the_changes(connection, org, remote):
    sf_seed.seed(org, accounts=2, contacts=12, opportunities=0)
    connection.bulk_threshold = 10
    connection.save()
    assert run(connection).status == SyncLog.Status.SUCCESS
    # The Bulk load leaves a time to resume from and no record id yet.
    assert ObjectCursor.objects.get(object="contact").last_id == ""
    changed = remote.query("SELECT Id FROM Contact ORDER BY Id LIMIT 1")["records"][0]["Id"]
    remote.Contact.update(changed, {"Title": "Chief Revenue Officer"})
    log = run(connection)
    assert (log.status, log.updated) == ("success", 1), log.error
    link = RecordLink.objects.get(remote_id=changed)
    assert Contact.objects.get(pk=link.local_id).title == "Chief Revenue Officer"


def test_an_incremental_pull_takes_changes_creations_and_deletions(loaded, remote):
    rows = remote.query("SELECT Id FROM Contact ORDER BY Id LIMIT 2")["records"]
    changed, gone = rows[0]["Id"], rows[1]["Id"]
    remote.Contact.update(changed, {"Title": "Chief Revenue Officer"})
    remote.Contact.delete(gone)
    # getDeleted covers whole minutes up to the current one: the deletion a minute back.
    SalesforceRecord.objects.filter(record_id=gone).update(
        deleted_at=timezone.now() - timedelta(minutes=1)
    )
    made = remote.Contact.create({"LastName": "Okafor", "Email": "ada@okafor.example"})["id"]
    _look_for_deletions_now(loaded)
    log = run(loaded)
    assert (log.status, log.created, log.deleted) == ("success", 1, 1)
    link = RecordLink.objects.get(remote_id=changed)
    assert Contact.objects.get(pk=link.local_id).title == "Chief Revenue Officer"
    assert not RecordLink.objects.filter(remote_id=gone).exists()
    assert Contact.objects.count() == 12
    assert Contact.objects.get(email="ada@okafor.example").last_name == "Okafor"
    assert RecordLink.objects.filter(remote_id=made).exists()


def test_deletions_older_than_the_org_keeps_are_found_by_a_reconcile(loaded, remote):
    gone = remote.query("SELECT Id FROM Account ORDER BY Id LIMIT 1")["records"][0]["Id"]
    remote.Account.delete(gone)
    ObjectCursor.objects.filter(connection=loaded).update(
        deletes_until=timezone.now() - timedelta(days=20)
    )
    faults.clear_calls()
    log = run(loaded)
    assert log.status == "success"
    # Deleting an account deletes its contacts and opportunities in Salesforce too.
    left = {
        name: remote.query(f"SELECT COUNT() FROM {name}")["totalSize"]
        for name in ("Account", "Contact", "Opportunity")
    }
    assert left["Account"] == 3
    assert (Company.objects.count(), Contact.objects.count(), Deal.objects.count()) == (
        left["Account"],
        left["Contact"],
        left["Opportunity"],
    )
    assert log.deleted == 4 + 12 + 5 - sum(left.values())
    assert not faults.calls("salesforce", "/deleted/").exists()


def test_crm_changes_are_pushed_and_a_refused_record_keeps_its_error(loaded, api_a, remote):
    contact = Contact.objects.order_by("email").first()
    assert (
        api_a.patch(f"/api/contacts/{contact.pk}", {"title": "VP Sales"}, format="json").status_code
        == 200
    )
    made = api_a.post(
        "/api/contacts",
        {"first_name": "Grace", "last_name": "Hopper", "email": "grace@navy.example"},
        format="json",
    )
    refused = api_a.post("/api/contacts", {"first_name": "Nolast"}, format="json")
    assert made.status_code == refused.status_code == 201
    log = run(loaded)
    assert log.status == "success"
    remote_id = RecordLink.objects.get(remote_id__gt="", local_id=made.json()["id"]).remote_id
    assert remote.Contact.get(remote_id)["Email"] == "grace@navy.example"
    linked = RecordLink.objects.get(object="contact", local_id=contact.pk)
    assert remote.Contact.get(linked.remote_id)["Title"] == "VP Sales"
    failed = RecordLink.objects.get(local_id=refused.json()["id"])
    assert failed.remote_id == "" and "REQUIRED_FIELD_MISSING" in failed.push_error
    errors = api_a.get("/api/salesforce/push-errors").json()["results"]
    assert [row["local_id"] for row in errors] == [refused.json()["id"]]
    assert "LastName" in errors[0]["push_error"]


def test_nothing_echoes_either_way(loaded, api_a, remote):
    before = dict(Contact.objects.values_list("pk", "updated_at"))
    faults.clear_calls()
    run(loaded)
    assert _collections() == 0  # what came from Salesforce is not sent back
    assert dict(Contact.objects.values_list("pk", "updated_at")) == before
    contact = Contact.objects.order_by("email").first()
    api_a.patch(f"/api/contacts/{contact.pk}", {"title": "Buyer"}, format="json")
    run(loaded)
    assert _collections() == 1
    pushed = Contact.objects.get(pk=contact.pk).updated_at
    faults.clear_calls()
    log = run(loaded)  # our own change comes back with a new SystemModstamp
    assert _collections() == 0
    assert Contact.objects.get(pk=contact.pk).updated_at == pushed
    assert log.updated == 0


@pytest.mark.parametrize("newer", ["clianta", "salesforce"])
def test_a_conflict_takes_the_newer_change_and_is_logged(loaded, api_a, remote, newer):
    contact = Contact.objects.order_by("email").first()
    link = RecordLink.objects.get(object="contact", local_id=contact.pk)
    if newer == "clianta":
        remote.Contact.update(link.remote_id, {"Title": "From Salesforce"})
        api_a.patch(f"/api/contacts/{contact.pk}", {"title": "From Clianta"}, format="json")
    else:
        api_a.patch(f"/api/contacts/{contact.pk}", {"title": "From Clianta"}, format="json")
        RecordLink.objects.filter(pk=link.pk).update(
            changed_at=timezone.now() - timedelta(seconds=5)
        )
        remote.Contact.update(link.remote_id, {"Title": "From Salesforce"})
    log = run(loaded)
    conflict = SyncConflict.objects.get(sync_log=log)
    assert (conflict.field, conflict.remote_field) == ("title", "Title")
    assert (conflict.local_value, conflict.remote_value) == ("From Clianta", "From Salesforce")
    assert conflict.winner == newer
    expected = "From Clianta" if newer == "clianta" else "From Salesforce"
    assert Contact.objects.get(pk=contact.pk).title == expected
    assert remote.Contact.get(link.remote_id)["Title"] == expected
