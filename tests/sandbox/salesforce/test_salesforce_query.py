"""SOQL over REST with simple-salesforce: paging through nextRecordsUrl with query_more and
batch sizes, the WHERE subset, ordering by SystemModstamp then Id with ties, COUNT(), queryAll,
and Salesforce's errors for what it refuses."""

import time
from datetime import timedelta

import pytest
import requests
from simple_salesforce.exceptions import SalesforceMalformedRequest

from sandbox.salesforce import seed, soql, store, writes
from sandbox.salesforce.errors import SalesforceError
from sandbox.salesforce.models import SalesforceRecord
from sandbox.salesforce.schema import ACCOUNT, CONTACT

pytestmark = pytest.mark.django_db(transaction=True)


def add(org, sobject, **values):
    return writes.create(org, store.user_for(org), sobject, values)


def stamp(record, moment):
    SalesforceRecord.objects.filter(pk=record.pk).update(system_modstamp=moment)


def test_paging_follows_next_records_url_with_the_batch_size(org, sf):
    seed.seed(org, accounts=5, contacts=450)
    first = sf.query(
        "SELECT Id, Email FROM Contact ORDER BY Id",
        headers={"Sforce-Query-Options": "batchSize=200"},
    )
    assert (first["totalSize"], first["done"], len(first["records"])) == (450, False, 200)
    assert first["nextRecordsUrl"].startswith("/services/data/v62.0/query/01g")
    assert first["nextRecordsUrl"].endswith("-200")
    record = first["records"][0]
    assert set(record) == {"attributes", "Id", "Email"}
    assert record["attributes"] == {
        "type": "Contact",
        "url": f"/services/data/v62.0/sobjects/Contact/{record['Id']}",
    }
    second = sf.query_more(
        first["nextRecordsUrl"],
        identifier_is_url=True,
        headers={"Sforce-Query-Options": "batchSize=200"},
    )
    assert (second["done"], len(second["records"])) == (False, 200)
    third = sf.query_more(second["nextRecordsUrl"], identifier_is_url=True)
    assert third["done"] is True and "nextRecordsUrl" not in third
    seen = [r["Id"] for page in (first, second, third) for r in page["records"]]
    assert len(seen) == len(set(seen)) == 450 and seen == sorted(seen)
    # Too small a batch is raised to Salesforce's minimum of 200.
    small = sf.query("SELECT Id FROM Contact", headers={"Sforce-Query-Options": "batchSize=5"})
    assert len(small["records"]) == 200
    with pytest.raises(SalesforceMalformedRequest) as invalid:
        sf.query_more(first["nextRecordsUrl"].replace("-200", "-9999"), identifier_is_url=True)
    assert invalid.value.content[0]["errorCode"] == "INVALID_QUERY_LOCATOR"


def test_a_large_org_answers_pages_of_two_thousand_quickly(org, sf):
    seed.seed(org, accounts=20, contacts=4500)
    started = time.monotonic()
    first = sf.query("SELECT Id, Name, Email, SystemModstamp FROM Contact")
    assert time.monotonic() - started < 2
    assert (first["totalSize"], len(first["records"])) == (4500, 2000)
    records = list(sf.query_all_iter("SELECT Id FROM Contact WHERE Email LIKE '%.example.com'"))
    assert len(records) == 4500


def test_ordering_by_system_modstamp_then_id_pages_through_ties(org, sf):
    """A sync reads ``SystemModstamp > last OR (SystemModstamp = last AND Id > last id)``:
    records sharing a stamp (as after a data load) are neither skipped nor repeated."""
    moment = store.now() - timedelta(hours=1)
    made = [add(org, CONTACT, LastName=f"Tie {n}") for n in range(7)]
    for n, record in enumerate(made):
        stamp(record, moment + timedelta(seconds=n // 3))  # three, three, then one
    seen, last_stamp, last_id = [], None, None
    while True:
        where = ""
        if last_stamp:
            where = (
                f"WHERE SystemModstamp > {last_stamp} OR "
                f"(SystemModstamp = {last_stamp} AND Id > '{last_id}') "
            )
        page = sf.query(
            f"SELECT Id, SystemModstamp FROM Contact {where}ORDER BY SystemModstamp, Id LIMIT 2"
        )["records"]
        if not page:
            break
        seen += [record["Id"] for record in page]
        last_stamp = page[-1]["SystemModstamp"].replace("+0000", "Z")
        last_id = page[-1]["Id"]
    assert seen == [record.record_id for record in made]


def test_the_where_subset(org, sf):
    acme = add(org, ACCOUNT, Name="Acme", Industry="Technology", NumberOfEmployees=50)
    add(org, ACCOUNT, Name="Globex", Industry="Energy", NumberOfEmployees=5000)
    add(org, ACCOUNT, Name="Initech O'Hare", AnnualRevenue=2.5e6)
    add(org, CONTACT, FirstName="Ann", LastName="Lee", Email="a@acme.com", AccountId=acme.record_id)
    add(org, CONTACT, LastName="Bo", Email=None)

    def names(soql):
        return [record["Name"] for record in sf.query(soql)["records"]]

    assert names("SELECT Name FROM Account WHERE Name = 'ACME'") == ["Acme"]  # case-insensitive
    assert names("SELECT Name FROM Account WHERE Name = 'Initech O\\'Hare'") == ["Initech O'Hare"]
    assert names("SELECT Name FROM Account WHERE NumberOfEmployees >= 50 ORDER BY Name DESC") == [
        "Globex",
        "Acme",
    ]
    assert names(
        "SELECT Name FROM Account WHERE Industry IN ('Energy', 'Technology') "
        "AND NOT (Name LIKE 'glo%')"
    ) == ["Acme"]
    assert names("SELECT Name FROM Account WHERE Industry = null") == ["Initech O'Hare"]
    assert names("SELECT Name FROM Account WHERE Industry != 'Energy' ORDER BY Name") == [
        "Acme",
        "Initech O'Hare",  # a null is not 'Energy'
    ]
    assert names("SELECT Name FROM Account WHERE AnnualRevenue > 1000000.5") == ["Initech O'Hare"]
    assert names("SELECT Name FROM Account ORDER BY Industry NULLS LAST, Name LIMIT 2") == [
        "Globex",
        "Acme",
    ]
    assert names(f"SELECT Name FROM Contact WHERE AccountId = '{acme.record_id[:15]}'") == [
        "Ann Lee"
    ]
    assert names("SELECT Name FROM Contact WHERE Email NOT IN ('a@acme.com')") == ["Bo"]
    yesterday = (store.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert len(names(f"SELECT Name FROM Account WHERE CreatedDate > {yesterday}")) == 3
    assert names("SELECT Name FROM Account WHERE CreatedDate < 2020-01-01T00:00:00+00:00") == []


def test_count_and_query_all(org, sf):
    kept = add(org, ACCOUNT, Name="Kept")
    gone = add(org, ACCOUNT, Name="Gone")
    sf.Account.delete(gone.record_id)
    assert sf.query("SELECT COUNT() FROM Account") == {"totalSize": 1, "done": True, "records": []}
    assert sf.query("SELECT COUNT() FROM Account WHERE Name = 'Gone'")["totalSize"] == 0
    everything = sf.query_all("SELECT Id, IsDeleted FROM Account ORDER BY Id", include_deleted=True)
    assert [(r["Id"], r["IsDeleted"]) for r in everything["records"]] == [
        (kept.record_id, False),
        (gone.record_id, True),
    ]
    deleted = sf.query("SELECT COUNT() FROM Account WHERE IsDeleted = true", include_deleted=True)
    assert deleted["totalSize"] == 1


DEEP = "SELECT Id FROM Account WHERE " + "(" * 300 + "Id = null" + ")" * 300
REFUSED = [
    ("SELECT Id FROM", "MALFORMED_QUERY", "unexpected token: <EOF>"),
    ("SELECT Id FROM Lead", "INVALID_TYPE", "sObject type 'Lead' is not supported"),
    ("SELECT Nope FROM Contact", "INVALID_FIELD", "No such column 'Nope' on entity 'Contact'"),
    ("SELECT Id FROM Contact WHERE Email = 5", "INVALID_FIELD", "must be of type string"),
    ("SELECT Id FROM Contact WHERE Id = 'abc'", "INVALID_QUERY_FILTER_OPERATOR", "invalid ID"),
    ("SELECT Id FROM Account WHERE Name = 'a' AND Id = null OR Id = null", "MALFORMED_QUERY", "OR"),
    ("SELECT Id FROM Account WHERE CreatedDate > 2024-01-31", "INVALID_FIELD", "dateTime"),
    ("SELECT Id FROM Account WHERE Description = 'x'", "INVALID_FIELD", "can not be filtered"),
    ("SELECT Id FROM Account WHERE Name = 'unterminated", "MALFORMED_QUERY", "unterminated"),
    ("SELECT Id, COUNT() FROM Account", "MALFORMED_QUERY", "unexpected token: COUNT"),
    (DEEP, "MALFORMED_QUERY", "conditions nested deeper than 100 levels"),
]  # fmt: skip


def test_what_soql_refuses_answers_400(sf):
    for statement, code, words in REFUSED:
        with pytest.raises(SalesforceMalformedRequest) as refused:
            sf.query(statement)
        [error] = refused.value.content
        assert error["errorCode"] == code and words in error["message"], statement[:60]
    long_but_valid = "SELECT Id FROM Account WHERE Name IN (" + ", ".join(["'x'"] * 3000) + ")"
    assert sf.query(long_but_valid)["totalSize"] == 0


def test_hostile_input_never_answers_500(tls_front, token):
    url = f"{token['instance_url']}/services/data/v62.0/query/"
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    odd = ("", "SELECT", "\x00\x01", "SELECT Id FROM Account WHERE Name = '\\q'", "x" * 60_000)
    for text in odd:
        answer = requests.get(
            url, params={"q": text}, headers=headers, verify=str(tls_front.ca), timeout=20
        )
        assert answer.status_code == 400, (text[:20], answer.text[:200])
        assert answer.json()[0]["errorCode"] == "MALFORMED_QUERY"
    missing = requests.get(url, headers=headers, verify=str(tls_front.ca), timeout=10)
    assert missing.status_code == 400


def test_a_statement_longer_than_soql_allows_is_malformed():
    with pytest.raises(SalesforceError) as refused:
        soql.parse("SELECT Id FROM Account WHERE Name = '" + "x" * 100_000 + "'")
    assert refused.value.code == "MALFORMED_QUERY"
