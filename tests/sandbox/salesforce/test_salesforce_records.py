"""The sObject resources with simple-salesforce: describe, a record's create, read, update and
delete with Salesforce's errors, and the windows of sObject Get Updated / Get Deleted."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound

from sandbox.salesforce import store
from sandbox.salesforce.models import SalesforceRecord
from sandbox.salesforce.schema import CONTACT

pytestmark = pytest.mark.django_db(transaction=True)


def test_describe_has_salesforce_s_shape(sf):
    contact = sf.Contact.describe()
    assert contact["name"] == "Contact" and contact["keyPrefix"] == "003"
    assert contact["createable"] and contact["updateable"] and contact["queryable"]
    fields = {field["name"]: field for field in contact["fields"]}
    keys = {
        "name", "label", "type", "nillable", "createable", "updateable", "defaultedOnCreate",
        "length", "referenceTo", "relationshipName", "picklistValues", "restrictedPicklist",
        "calculated", "unique", "externalId", "soapType", "filterable", "sortable", "precision",
        "scale", "digits", "custom",
    }  # fmt: skip
    assert keys <= set(fields["Email"])
    assert (fields["Id"]["type"], fields["Id"]["createable"]) == ("id", False)
    assert fields["Email"]["type"] == "email" and fields["Email"]["length"] == 80
    last = fields["LastName"]
    assert (last["nillable"], last["createable"], last["defaultedOnCreate"]) == (False, True, False)
    assert (fields["Name"]["createable"], fields["Name"]["updateable"]) == (False, False)
    account = fields["AccountId"]
    assert account["type"] == "reference" and account["referenceTo"] == ["Account"]
    assert account["relationshipName"] == "Account"
    assert fields["LinkedIn_URL__c"]["type"] == "url" and fields["LinkedIn_URL__c"]["custom"]
    assert fields["SystemModstamp"]["type"] == "datetime"

    opportunity = {field["name"]: field for field in sf.Opportunity.describe()["fields"]}
    stage = opportunity["StageName"]
    assert stage["type"] == "picklist" and stage["restrictedPicklist"] is True
    assert [value["value"] for value in stage["picklistValues"]][:2] == [
        "Prospecting",
        "Qualification",
    ]
    assert set(stage["picklistValues"][0]) >= {"value", "label", "active", "defaultValue"}
    assert opportunity["CloseDate"]["type"] == "date"
    assert (opportunity["Amount"]["type"], opportunity["Amount"]["scale"]) == ("currency", 2)
    assert opportunity["Probability"]["type"] == "percent"
    assert opportunity["IsWon"]["type"] == "boolean" and not opportunity["IsWon"]["updateable"]
    industry = {f["name"]: f for f in sf.Account.describe()["fields"]}["Industry"]
    assert industry["restrictedPicklist"] is False and industry["picklistValues"]

    assert sf.Contact.metadata()["objectDescribe"]["keyPrefix"] == "003"
    names = {item["name"] for item in sf.describe()["sobjects"]}
    assert names == {"Account", "Contact", "Opportunity"}
    with pytest.raises(SalesforceResourceNotFound):
        sf.Lead.describe()


def test_create_read_update_delete(sf, org):
    account = sf.Account.create({"Name": "Acme", "Industry": "Technology"})
    assert account["success"] is True and account["errors"] == []
    assert len(account["id"]) == 18 and account["id"].startswith("001")
    contact = sf.Contact.create(
        {"FirstName": "Ann", "LastName": "Lee", "Email": "ann@acme.com", "AccountId": account["id"]}
    )
    read = sf.Contact.get(contact["id"])
    assert read["attributes"]["type"] == "Contact"
    assert (read["Name"], read["Email"]) == ("Ann Lee", "ann@acme.com")
    assert read["AccountId"] == account["id"]
    assert read["OwnerId"] == store.user_for(org).user_id and read["IsDeleted"] is False
    created = datetime.strptime(read["CreatedDate"], "%Y-%m-%dT%H:%M:%S.%f%z")
    assert abs(created - datetime.now(UTC)) < timedelta(minutes=1)
    assert sf.Contact.get(contact["id"][:15])["Id"] == contact["id"]  # either id form

    before = read["SystemModstamp"]
    assert sf.Contact.update(contact["id"], {"Title": "CTO", "Email": None}) == 204
    after = sf.Contact.get(contact["id"])
    assert (after["Title"], after["Email"]) == ("CTO", None)
    assert after["SystemModstamp"] > before and after["LastModifiedDate"] == after["SystemModstamp"]

    opportunity = sf.Opportunity.create(
        {"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2030-01-31", "Amount": 1234.567}
    )
    sf.Opportunity.update(opportunity["id"], {"StageName": "Closed Won"})
    deal = sf.Opportunity.get(opportunity["id"])
    assert (deal["Amount"], deal["Probability"], deal["IsClosed"], deal["IsWon"]) == (
        1234.57,
        100.0,
        True,
        True,
    )

    assert sf.Account.delete(account["id"]) == 204
    with pytest.raises(SalesforceResourceNotFound):
        sf.Account.get(account["id"])
    with pytest.raises(SalesforceResourceNotFound):
        sf.Contact.get(contact["id"])  # an account's contacts go with it
    with pytest.raises(SalesforceResourceNotFound) as again:
        sf.Account.delete(account["id"])
    assert again.value.content[0]["errorCode"] == "ENTITY_IS_DELETED"


def errors_of(call):
    with pytest.raises(SalesforceMalformedRequest) as refused:
        call()
    return refused.value.content


def test_writes_are_checked_as_salesforce_checks_them(sf):
    unknown = "No such column 'Nope' on sobject of type Contact"
    assert errors_of(lambda: sf.Contact.create({"LastName": "X", "Nope": 1})) == [
        {"message": unknown, "errorCode": "INVALID_FIELD"}
    ]
    [missing] = errors_of(lambda: sf.Contact.create({"FirstName": "Only"}))
    assert missing == {
        "message": "Required fields are missing: [LastName]",
        "errorCode": "REQUIRED_FIELD_MISSING",
        "fields": ["LastName"],
    }
    [read_only] = errors_of(lambda: sf.Contact.create({"LastName": "X", "Name": "Y"}))
    assert read_only["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert read_only["fields"] == ["Name"]
    absent_account, contact_id = "001" + "8d" + "0" * 10, "003" + "8d" + "0" * 10
    cases = [
        ("Contact", {"LastName": "X", "Email": "not an email"}, "INVALID_EMAIL_ADDRESS"),
        ("Contact", {"LastName": "X" * 81}, "STRING_TOO_LONG"),
        ("Account", {"Name": "A", "NumberOfEmployees": "many"}, "INVALID_TYPE_ON_FIELD_IN_RECORD"),
        ("Account", {"Name": "A", "NumberOfEmployees": 1e12}, "NUMBER_OUTSIDE_VALID_RANGE"),
        ("Opportunity", {"Name": "D", "StageName": "Won?", "CloseDate": "2030-01-01"},
         "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"),
        ("Opportunity", {"Name": "D", "StageName": "Prospecting", "CloseDate": "31/01/2030"},
         "INVALID_TYPE_ON_FIELD_IN_RECORD"),
        ("Contact", {"LastName": "X", "AccountId": absent_account}, "INVALID_CROSS_REFERENCE_KEY"),
        ("Contact", {"LastName": "X", "AccountId": contact_id}, "FIELD_INTEGRITY_EXCEPTION"),
        ("Contact", {"LastName": "X", "AccountId": "junk"}, "MALFORMED_ID"),
    ]  # fmt: skip
    for sobject, body, code in cases:
        [error] = errors_of(lambda sobject=sobject, body=body: getattr(sf, sobject).create(body))
        assert error["errorCode"] == code, (body, error)
        assert error["fields"]
    contact = sf.Contact.create({"LastName": "Kept"})
    [cleared] = errors_of(lambda: sf.Contact.update(contact["id"], {"LastName": ""}))
    assert cleared["errorCode"] == "REQUIRED_FIELD_MISSING"
    [bad_json] = errors_of(lambda: sf.restful("sobjects/Contact/", method="POST", data="{not json"))
    assert bad_json["errorCode"] == "JSON_PARSER_ERROR"
    [listed] = errors_of(lambda: sf.restful("sobjects/Contact/", method="POST", json=[1, 2]))
    assert listed["errorCode"] == "JSON_PARSER_ERROR"
    with pytest.raises(SalesforceResourceNotFound) as unknown:
        sf.Contact.get(contact_id)
    assert unknown.value.content == [
        {"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}
    ]
    with pytest.raises(SalesforceResourceNotFound) as no_route:
        sf.restful("sobjects/Contact/LinkedIn_URL__c/someone")  # no upsert by external id
    assert no_route.value.content[0]["errorCode"] == "NOT_FOUND"


def test_updated_and_deleted_windows(sf, org):
    """Windows cover whole minutes up to the current one: a change of this minute is in the
    next window (which starts at latestDateCovered)."""
    if datetime.now(UTC).second >= 50:  # the test's records and call within one minute
        time.sleep(61 - datetime.now(UTC).second)
    now = datetime.now(UTC)
    old = sf.Contact.create({"LastName": "Old"})
    new = sf.Contact.create({"LastName": "New"})
    gone = sf.Contact.create({"LastName": "Gone"})
    fresh = sf.Contact.create({"LastName": "Fresh"})
    sf.Contact.delete(gone["id"])
    moved = {old["id"]: now - timedelta(days=2), new["id"]: now - timedelta(minutes=10)}
    for record_id, moment in moved.items():
        SalesforceRecord.objects.filter(record_id=record_id).update(system_modstamp=moment)
    SalesforceRecord.objects.filter(record_id=gone["id"]).update(
        deleted_at=now - timedelta(minutes=10)
    )

    window = sf.Contact.updated(now - timedelta(days=1), now + timedelta(minutes=2))
    assert window["ids"] == [new["id"]]
    covered = datetime.strptime(window["latestDateCovered"], "%Y-%m-%dT%H:%M:%S.%f%z")
    assert covered.second == 0 and covered <= datetime.now(UTC)
    assert fresh["id"] not in window["ids"]  # changed this minute: the next window's
    earlier = sf.Contact.updated(now - timedelta(days=3), now - timedelta(days=1))
    assert earlier["ids"] == [old["id"]]

    removed = sf.Contact.deleted(now - timedelta(days=1), now + timedelta(minutes=2))
    assert [record["id"] for record in removed["deletedRecords"]] == [gone["id"]]
    assert removed["deletedRecords"][0]["deletedDate"].endswith("+0000")
    earliest = datetime.strptime(removed["earliestDateAvailable"], "%Y-%m-%dT%H:%M:%S.%f%z")
    assert earliest < now - timedelta(days=org.deleted_retention_days - 1)
    assert {"earliestDateAvailable", "latestDateCovered"} <= set(removed)

    for call, days in ((sf.Contact.updated, 31), (sf.Contact.deleted, 16)):
        [error] = errors_of(lambda call=call, days=days: call(now - timedelta(days=days), now))
        assert error["errorCode"] == "INVALID_REPLICATION_DATE"
    [backwards] = errors_of(lambda: sf.Contact.updated(now, now - timedelta(hours=1)))
    assert backwards["errorCode"] == "INVALID_REPLICATION_DATE"
    assert store.live(org, CONTACT, deleted=True).count() == 4
