"""Google Sheets import and export through google-api-python-client against the sandbox."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clianta.models import Company, Contact, Deal
from productivity import sheets
from productivity.models import SheetImport
from sandbox.google import sheets_store
from tests.conftest import wait_for

from .conftest import ME

pytestmark = pytest.mark.django_db(transaction=True)
ROWS = [
    ["E-mail", "First name", "Last name", "Company", "Job title"],
    ["ann@acme.example", "Ann", "Lee", "Acme", "CTO"],
    ["not-an-email", "Bad", "Row", "", ""],
    ["bob@acme.example", "Bob", "Stone", "Acme", ""],
    ["ANN@acme.example", "Ann", "Again", "", ""],
    ["", "No", "Email", "", ""],
]


def run_import(workspace, spreadsheet, **fields):
    job = SheetImport.objects.create(workspace=workspace, spreadsheet_id=spreadsheet, **fields)
    return sheets.import_contacts(job)


def test_headers_are_guessed():
    assert sheets.guess_mapping(["E-mail", "First Name", "Surname", "Organisation", "Notes"]) == {
        "E-mail": "email",
        "First Name": "first_name",
        "Surname": "last_name",
        "Organisation": "company",
    }
    url = "https://docs.google.com/spreadsheets/d/1AbC-d_9/edit#gid=0"
    assert sheets.spreadsheet_id(url) == "1AbC-d_9"


def test_import_reports_created_skipped_and_rejected_rows(sheets_credential, workspace_a):
    spreadsheet = sheets_store.create_spreadsheet(ME, "Leads", rows=ROWS)
    job = run_import(workspace_a, spreadsheet)
    assert (job.status, job.total_rows, job.created, job.updated, job.skipped) == (
        "done",
        5,
        2,
        0,
        1,
    )
    assert job.rejected == [
        {"row": 3, "reason": "invalid email address 'not-an-email'"},
        {"row": 5, "reason": "duplicate of row 2"},
        {"row": 6, "reason": "no email address"},
    ]
    ann = Contact.objects.get(email="ann@acme.example")
    assert (ann.first_name, ann.title, ann.company.name) == ("Ann", "CTO", "Acme")
    assert Company.objects.count() == 1


def test_running_the_same_import_again_changes_nothing(sheets_credential, workspace_a):
    spreadsheet = sheets_store.create_spreadsheet(ME, "Leads", rows=ROWS)
    run_import(workspace_a, spreadsheet)
    before = list(
        Contact.objects.order_by("email").values_list("email", "first_name", "updated_at")
    )
    again = run_import(workspace_a, spreadsheet)
    assert (again.created, again.updated) == (0, 0)
    after = list(Contact.objects.order_by("email").values_list("email", "first_name", "updated_at"))
    assert after == before


def test_an_import_delivered_again_after_its_worker_died_resumes_where_it_stopped(
    sheets_credential, workspace_a, monkeypatch
):
    """S2 for imports: the worker died after committing the first chunk (its contacts and
    counts), before the end; the task delivered again imports the rest, and the report counts
    each row once."""
    monkeypatch.setattr(sheets, "CHUNK", 2)
    spreadsheet = sheets_store.create_spreadsheet(ME, "Leads", rows=ROWS[:3])
    job = run_import(workspace_a, spreadsheet)
    assert (job.processed_rows, job.created) == (2, 1)
    sheets_store.set_rows(spreadsheet, "Sheet1", ROWS)
    SheetImport.objects.filter(pk=job.pk).update(status="running", finished_at=None)
    job.refresh_from_db()

    job = sheets.import_contacts(job)

    assert (job.status, job.total_rows, job.processed_rows) == ("done", 5, 5)
    assert (job.created, job.updated, job.skipped) == (2, 0, 1)
    assert job.rejected == [
        {"row": 3, "reason": "invalid email address 'not-an-email'"},
        {"row": 5, "reason": "duplicate of row 2"},
        {"row": 6, "reason": "no email address"},
    ]
    assert Contact.objects.count() == 2


def test_an_explicit_mapping_and_a_named_sheet(sheets_credential, workspace_a):
    rows = [["Mail", "Who"], ["cy@acme.example", "Cy Young"]]
    spreadsheet = sheets_store.create_spreadsheet(ME, "Custom", rows=rows, sheet="People")
    job = run_import(
        workspace_a, spreadsheet, sheet="People", mapping={"Mail": "email", "Who": "name"}
    )
    assert job.created == 1
    cy = Contact.objects.get()
    assert (cy.first_name, cy.last_name) == ("Cy", "Young")


def test_without_an_email_column_the_import_fails_clearly(sheets_credential, workspace_a):
    spreadsheet = sheets_store.create_spreadsheet(ME, "Nope", rows=[["Name"], ["Ann"]])
    job = run_import(workspace_a, spreadsheet)
    assert job.status == "failed" and "No email column" in job.error


@pytest.mark.postgres  # SQLite splits big inserts to stay under its 999 bound parameters
def test_queries_do_not_grow_with_the_sheet(sheets_credential, workspace_a):
    def sheet(count, prefix):
        rows = [["Email", "Name", "Company"]]
        rows += [[f"{prefix}{i}@x.example", f"P {i}", f"Co {prefix}{i % 5}"] for i in range(count)]
        return sheets_store.create_spreadsheet(ME, prefix, rows=rows)

    small, large = sheet(20, "s"), sheet(400, "l")
    with CaptureQueriesContext(connection) as few:
        run_import(workspace_a, small)
    with CaptureQueriesContext(connection) as many:
        run_import(workspace_a, large)
    assert len(many) == len(few)


def test_import_through_the_api_runs_in_the_worker(celery_worker, api_a, sheets_credential):
    spreadsheet = sheets_store.create_spreadsheet(ME, "Leads", rows=ROWS)
    url = f"https://docs.google.com/spreadsheets/d/{spreadsheet}/edit"
    response = api_a.post(
        "/api/integrations/google-sheets/import", {"spreadsheet": url}, format="json"
    )
    assert response.status_code == 202, response.content
    follow = f"/api/integrations/google-sheets/imports/{response.json()['id']}"
    done = wait_for(lambda: (body := api_a.get(follow).json())["status"] == "done" and body)
    assert (done["created"], len(done["rejected"])) == (2, 3)


def test_export_contacts_and_deals_to_a_new_sheet(api_a, sheets_credential, workspace_a):
    Contact.objects.create(workspace=workspace_a, email="ann@acme.example", first_name="Ann")
    Deal.objects.create(workspace=workspace_a, name="Big", stage="won", amount=1200)
    response = api_a.post(
        "/api/integrations/google-sheets/export", {"report": "contacts"}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["rows"] == 1 and body["url"]
    written = sheets_store.rows(body["spreadsheet_id"], body["sheet"])
    assert written[0][0] == "Email" and written[1][:2] == ["ann@acme.example", "Ann"]
    deals = api_a.post(
        "/api/integrations/google-sheets/export",
        {"report": "deals_by_stage", "spreadsheet": body["spreadsheet_id"]},
        format="json",
    ).json()
    assert deals["spreadsheet_id"] == body["spreadsheet_id"] and deals["sheet"] != body["sheet"]
    rows = sheets_store.rows(deals["spreadsheet_id"], deals["sheet"])
    assert ["won", 1, 1200] in [[row[0], int(row[1]), float(row[2])] for row in rows[1:]]
    assert sheets_store.rows(body["spreadsheet_id"], body["sheet"]) == written  # untouched


def test_export_writes_large_reports_in_batches(sheets_credential, workspace_a, settings):
    Contact.objects.bulk_create(
        [
            Contact(workspace=workspace_a, email=f"c{i}@x.example")
            for i in range(sheets.BATCH_ROWS + 50)
        ]
    )
    result = sheets.export_report(workspace_a.pk, "contacts")
    assert result["rows"] == sheets.BATCH_ROWS + 50
    assert (
        len(sheets_store.rows(result["spreadsheet_id"], result["sheet"])) == sheets.BATCH_ROWS + 51
    )


def test_sheets_must_be_connected(api_a):
    response = api_a.post(
        "/api/integrations/google-sheets/import", {"spreadsheet": "x"}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "not_configured"
