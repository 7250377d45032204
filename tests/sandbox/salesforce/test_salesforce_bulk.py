"""Bulk API 2.0 query jobs through simple-salesforce's ``bulk2``: CSV pages by locator, the
job's states, a failing query, and results asked for too early."""

import csv
import io
import time

import pytest
from simple_salesforce.exceptions import (
    SalesforceGeneralError,
    SalesforceOperationError,
    SalesforceResourceNotFound,
)

from sandbox.salesforce import seed

pytestmark = pytest.mark.django_db(transaction=True)


def rows(page: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(page)))


def test_bulk_query_pages_csv_by_locator(sf, org):
    seed.seed(org, accounts=3, contacts=2500)
    started = time.monotonic()
    pages = list(
        sf.bulk2.Contact.query("SELECT Id, Email, AccountId FROM Contact", max_records=1000)
    )
    # simple-salesforce sleeps 5 s before its first poll; the job is complete by then.
    assert time.monotonic() - started < 9
    assert [len(rows(page)) - 1 for page in pages] == [1000, 1000, 500]
    header = rows(pages[0])[0]
    assert header == ["Id", "Email", "AccountId"]
    records = [row for page in pages for row in rows(page)[1:]]
    assert len({row[0] for row in records}) == 2500
    assert all(row[0].startswith("003") and "@" in row[1] for row in records)
    assert pages[0].startswith('"Id","Email","AccountId"\n')


def test_job_states_deleted_rows_and_failures(sf, org):
    seed.seed(org, contacts=5)
    contact = sf.query("SELECT Id FROM Contact LIMIT 1")["records"][0]["Id"]
    sf.Contact.delete(contact)
    job = sf.restful(
        "jobs/query",
        method="POST",
        json={"operation": "queryAll", "query": "SELECT Id, IsDeleted, Title FROM Contact"},
    )
    assert job["state"] == "UploadComplete" and job["object"] == "Contact"
    assert job["id"].startswith("750") and job["contentType"] == "CSV"
    assert job["apiVersion"] == 62.0 and job["columnDelimiter"] == "COMMA"
    with pytest.raises(SalesforceGeneralError) as early:
        sf.restful(f"jobs/query/{job['id']}/results")
    assert early.value.status == 412
    states = [sf.restful(f"jobs/query/{job['id']}")["state"] for _ in range(3)]
    assert states[-1] == "JobComplete" and set(states) <= {"InProgress", "JobComplete"}
    info = sf.restful(f"jobs/query/{job['id']}")
    assert info["jobType"] == "V2Query" and info["numberRecordsProcessed"] == 5
    page = "".join(sf.bulk2.Contact.query_all("SELECT Id, IsDeleted FROM Contact", wait=0))
    deleted = {row[0]: row[1] for row in rows(page)[1:]}
    assert deleted[contact] == "true" and list(deleted.values()).count("false") == 4

    with pytest.raises(SalesforceOperationError) as failed:
        list(sf.bulk2.Contact.query("SELECT Nope FROM Contact", wait=0))
    assert "INVALID_FIELD" in str(failed.value)
    with pytest.raises(SalesforceOperationError):
        list(sf.bulk2.Contact.query("SELECT COUNT() FROM Contact", wait=0))

    gone = sf.restful(
        "jobs/query", method="POST", json={"operation": "query", "query": "SELECT Id FROM Contact"}
    )
    assert sf.restful(f"jobs/query/{gone['id']}", method="DELETE") is None
    with pytest.raises(SalesforceResourceNotFound):
        sf.restful(f"jobs/query/{gone['id']}")
