"""sObject Collections (``composite/sobjects``) through simple-salesforce's ``restful``: one
SaveResult per record, a failing record alone with allOrNone false, everything rolled back with
true, and the limit of 200 records."""

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from sandbox.salesforce import store
from sandbox.salesforce.schema import ACCOUNT, CONTACT

pytestmark = pytest.mark.django_db(transaction=True)


def records(*bodies):
    return [{"attributes": {"type": sobject}, **body} for sobject, body in bodies]


def test_create_with_a_failing_record_and_all_or_none_false(sf, org):
    results = sf.restful(
        "composite/sobjects",
        method="POST",
        json={
            "allOrNone": False,
            "records": records(
                ("Account", {"Name": "Acme"}),
                ("Contact", {"FirstName": "No last name"}),
                ("Contact", {"LastName": "Lee"}),
            ),
        },
    )
    assert [result["success"] for result in results] == [True, False, True]
    assert results[0]["id"].startswith("001") and results[0]["errors"] == []
    assert results[1] == {
        "success": False,
        "errors": [
            {
                "statusCode": "REQUIRED_FIELD_MISSING",
                "message": "Required fields are missing: [LastName]",
                "fields": ["LastName"],
            }
        ],
    }
    assert results[2]["id"].startswith("003")
    assert store.live(org, CONTACT).count() == 1 and store.live(org, ACCOUNT).count() == 1


def test_all_or_none_true_writes_nothing_when_one_fails(sf, org):
    results = sf.restful(
        "composite/sobjects",
        method="POST",
        json={
            "allOrNone": True,
            "records": records(
                ("Account", {"Name": "Acme"}),
                ("Contact", {"LastName": "Lee", "Email": "nope"}),
                ("Lead", {"LastName": "Unknown type"}),
            ),
        },
    )
    assert [result["success"] for result in results] == [False, False, False]
    assert results[0]["errors"] == [
        {
            "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
            "message": "Record rolled back because not all records were valid and the request "
            "was using AllOrNone header",
            "fields": [],
        }
    ]
    assert results[1]["errors"][0]["statusCode"] == "INVALID_EMAIL_ADDRESS"
    assert results[2]["errors"][0]["statusCode"] == "INVALID_TYPE"
    assert store.live(org, ACCOUNT).count() == 0 and store.live(org, CONTACT).count() == 0


def test_update_and_delete_collections(sf, org):
    made = sf.restful(
        "composite/sobjects",
        method="POST",
        json={"records": records(("Contact", {"LastName": "A"}), ("Contact", {"LastName": "B"}))},
    )
    first, second = (result["id"] for result in made)
    updated = sf.restful(
        "composite/sobjects",
        method="PATCH",
        json={
            "allOrNone": False,
            "records": records(
                ("Contact", {"id": first, "Title": "CTO"}),
                ("Contact", {"id": second, "LastName": None}),
                ("Contact", {"Title": "no id"}),
            ),
        },
    )
    assert updated[0] == {"id": first, "success": True, "errors": []}
    assert updated[1]["id"] == second and updated[1]["success"] is False
    assert updated[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert updated[2]["errors"][0]["statusCode"] == "MISSING_ARGUMENT"
    assert sf.Contact.get(first)["Title"] == "CTO"

    deleted = sf.restful(
        "composite/sobjects",
        method="DELETE",
        params={"ids": f"{first},{second},junk", "allOrNone": "false"},
    )
    assert deleted[:2] == [
        {"id": first, "success": True, "errors": []},
        {"id": second, "success": True, "errors": []},
    ]
    assert deleted[2]["success"] is False
    assert deleted[2]["errors"][0]["statusCode"] == "MALFORMED_ID"
    again = sf.restful(
        "composite/sobjects", method="DELETE", params={"ids": first, "allOrNone": "true"}
    )
    assert again[0]["errors"][0]["statusCode"] == "ENTITY_IS_DELETED"
    assert store.live(org, CONTACT).count() == 0


def test_more_than_two_hundred_records_is_refused(sf, org):
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.restful(
            "composite/sobjects",
            method="POST",
            json={"records": records(*[("Contact", {"LastName": f"N{n}"}) for n in range(201)])},
        )
    [error] = refused.value.content
    assert error["errorCode"] == "EXCEEDED_ID_LIMIT" and "200" in error["message"]
    with pytest.raises(SalesforceMalformedRequest) as malformed:
        sf.restful("composite/sobjects", method="POST", json={"records": "not a list"})
    assert malformed.value.content[0]["errorCode"] == "JSON_PARSER_ERROR"
    assert store.live(org, CONTACT).count() == 0
