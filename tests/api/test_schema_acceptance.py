"""The API accepts what its OpenAPI schema allows: schemathesis, in positive mode, sends
schema-valid requests to every operation as workspace A's user (with ``X-Workspace``), and an
operation that refuses one fails the test, unless it is in ALLOWED below with the reason no
schema can state its rule.

A refusal only because a referenced object does not exist (a random uuid in a foreign key) is
never counted: a schema says "a uuid", not "the id of one of your contacts".

The pass is bounded: a fixed seed, few examples per operation, a time budget.
bench/schema_acceptance.py runs the same pass with more examples and prints every refusal.
"""

import pytest

from clianta.tokens.models import ApiToken
from tests.api import acceptance
from tests.api.test_fuzz import seed
from tests.browser import ARTIFACTS

EXAMPLES = 2
TIME_BUDGET_SECONDS = 60

# Operations whose rule depends on what exists or on another service, or ties fields together
# in a way JSON Schema cannot say; each rule is stated in the operation's or the body's
# description.
ALLOWED = {
    # The token is checked with Notion (the answer says so when Notion refuses it).
    "POST /api/integrations/notion/connect": "checked with Notion",
    # The Account SID, Auth Token and number are checked with Twilio.
    "POST /api/integrations/twilio/connect": "checked with Twilio",
    # An IMAP/SMTP mailbox is connected only after logging in to its servers; plain text is
    # allowed only to this machine.
    "POST /api/email-accounts": "checked by logging in to the mail servers",
    # Names are unique in the workspace: a name schemathesis sends twice is a duplicate.
    "POST /api/slack/rules": "duplicate of a rule that exists",
    "PUT /api/slack/rules/{id}": "duplicate of a rule that exists",
    "PATCH /api/slack/rules/{id}": "duplicate of a rule that exists",
    "POST /api/email-blocklist": "duplicate of a blocked sender that exists",
    "PUT /api/contacts/{id}": "duplicate email of a contact that exists",
    "PATCH /api/contacts/{id}": "duplicate email of a contact that exists",
    "POST /api/contacts": "duplicate email of a contact that exists",
    # A booking link's members must have connected a calendar.
    "POST /api/booking-links": "each member must have connected a calendar",
    "PUT /api/booking-links/{id}": "each member must have connected a calendar",
    "PATCH /api/booking-links/{id}": "each member must have connected a calendar",
    # A webhook endpoint's URL must be https and its host resolve to public addresses only.
    "POST /api/webhook-endpoints": "the URL's host must resolve to public addresses",
    "PATCH /api/webhook-endpoints/{id}": "the URL's host must resolve to public addresses",
    # A timeline's cursor is one the server gave (signed): any other string is refused.
    "GET /api/contacts/{id}/timeline": "a cursor the server did not give",
    "GET /api/companies/{id}/timeline": "a cursor the server did not give",
    # An end after a start: a rule between two fields.
    "POST /api/calendar/events": "end after start; needs a connected calendar",
    "POST /api/calendar/slots": "window_end after window_start, within 62 days",
    "GET /api/calendar/availability": "end after start; needs a connected calendar",
    # The customer portal is for a workspace that has subscribed once.
    "POST /api/workspaces/{workspace_pk}/billing/portal": "a checkout must have come first",
    # A restricted key is checked with Stripe.
    "POST /api/integrations/stripe/key": "checked with Stripe",
    # The payments settings are those of a connected Stripe account.
    "GET /api/workspaces/{workspace_pk}/payments/settings": "Stripe must be connected",
    "PATCH /api/workspaces/{workspace_pk}/payments/settings": "Stripe must be connected",
    # A lifetime value is a contact's or a company's: one of the two, a rule between fields.
    "GET /api/payments/lifetime-value": "a contact or a company, not both",
    # The Salesforce sync is that of a connected org, and a mapping is checked against the
    # org's description of its objects.
    "GET /api/salesforce": "Salesforce must be connected",
    "PATCH /api/salesforce": "Salesforce must be connected",
    "POST /api/salesforce/sync": "Salesforce must be connected",
    "POST /api/salesforce/mappings": "checked against the org's describe()",
    "PATCH /api/salesforce/mappings/{id}": "checked against the org's describe()",
}


@pytest.mark.django_db(transaction=True)
def test_schema_valid_requests_are_accepted(sandbox, live_server, alice, workspace_a, tmp_path):
    seed(workspace_a, "alpha")
    _, secret = ApiToken.objects.create(user=alice, name="acceptance")
    line = acceptance.command(
        live_server.url,
        secret,
        str(workspace_a.pk),
        tmp_path / "report",
        examples=EXAMPLES,
        max_time=TIME_BUDGET_SECONDS,
        phases="coverage,fuzzing",
    )
    output, report = acceptance.run(line)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "schema-acceptance.txt").write_text(output)
    assert len(acceptance.operations_tested(report)) > 80, output[-2000:]
    refused = {
        operation: listed[0]
        for operation, listed in acceptance.rejections(report).items()
        if not listed[0].missing_object_only and operation not in ALLOWED
    }
    assert not refused, "\n".join(
        f"{operation}: [{r.status}] {r.reason[:200]}" for operation, r in sorted(refused.items())
    )
