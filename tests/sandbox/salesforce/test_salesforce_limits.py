"""The org's daily API requests as simple-salesforce sees them, expired sessions and injected
faults."""

import io

import pytest
from django.core.management import call_command
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceRefusedRequest,
)

from sandbox import faults
from sandbox.salesforce import store, tokens

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_daily_limit_counts_refuses_then_resets(sf, org):
    store.set_daily_limit(org, 3)
    sf.query("SELECT Id FROM Account")
    assert sf.api_usage["api-usage"].used == 1 and sf.api_usage["api-usage"].total == 3
    limits = sf.limits()
    assert limits["DailyApiRequests"] == {"Max": 3, "Remaining": 1}
    assert "DailyBulkV2QueryJobs" in limits
    sf.query("SELECT Id FROM Account")
    assert sf.api_usage["api-usage"].used == 3
    with pytest.raises(SalesforceRefusedRequest) as refused:
        sf.query("SELECT Id FROM Account")
    assert refused.value.content == [
        {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    ]
    store.reset_usage(org)
    sf.query("SELECT Id FROM Account")
    assert sf.api_usage["api-usage"].used == 1


def test_an_expired_session_answers_invalid_session_id(sf, token, org):
    assert tokens.expire_sessions(org) == 1
    with pytest.raises(SalesforceExpiredSession) as expired:
        sf.Contact.describe()
    assert expired.value.status == 401
    assert expired.value.content[0]["errorCode"] == "INVALID_SESSION_ID"


def test_a_fault_answers_salesforce_s_error(sf):
    faults.inject("salesforce", r"/services/data/v[\d.]+/query", status=500)
    with pytest.raises(SalesforceGeneralError) as failed:
        sf.query("SELECT Id FROM Account")
    assert failed.value.status == 500
    assert failed.value.content[0]["errorCode"] == "UNKNOWN_EXCEPTION"
    assert sf.query("SELECT Id FROM Account")["done"] is True  # the fault was used once
    faults.inject("salesforce", r"/sobjects/Contact/describe", status=503)
    with pytest.raises(SalesforceGeneralError) as unavailable:
        sf.Contact.describe()
    assert unavailable.value.content[0]["errorCode"] == "SERVER_UNAVAILABLE"


def test_the_seeder_refills_the_default_org(sf, org):
    sf.Account.create({"Name": "Made by hand"})
    out = io.StringIO()
    call_command(
        "sandbox_seed_salesforce",
        accounts=4,
        contacts=30,
        opportunities=10,
        daily_limit=500,
        stdout=out,
    )
    assert f"org: {org.name} ({org.org_id})" in out.getvalue()
    assert "4 Account, 30 Contact, 10 Opportunity" in out.getvalue()
    assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 4
    linked = sf.query("SELECT COUNT() FROM Contact WHERE AccountId != null")["totalSize"]
    assert linked == 30
    deals = sf.query("SELECT AccountId, ContactId, StageName FROM Opportunity")["records"]
    assert len(deals) == 10 and all(deal["AccountId"] and deal["ContactId"] for deal in deals)
    assert sf.api_usage["api-usage"].total == 500
    stamps = sf.query("SELECT SystemModstamp FROM Contact ORDER BY SystemModstamp")["records"]
    assert len({record["SystemModstamp"] for record in stamps}) == 1  # one batch, one stamp
