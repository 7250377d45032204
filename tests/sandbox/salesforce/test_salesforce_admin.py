"""The Salesforce sandbox in the admin: every model lists and opens, tokens only as masks."""

import pytest

from sandbox.salesforce import seed, store, tokens
from sandbox.salesforce.models import SalesforceGrant, SalesforceRecord, SalesforceSession
from tests.otp import log_in_staff

pytestmark = pytest.mark.django_db


def test_salesforce_models_show_in_the_admin_with_masked_tokens(client, make_user):
    log_in_staff(client, make_user("staff", is_staff=True, is_superuser=True))
    org = store.default_org()
    token = tokens.connect(org)
    seed.seed(org, accounts=1, contacts=1)
    models = ["org", "user", "grant", "session", "authcode", "record", "querycursor", "bulkjob"]
    pages = [f"/admin/sandbox/salesforce{model}/" for model in models]
    pages += [
        f"/admin/sandbox/salesforcegrant/{SalesforceGrant.objects.get().pk}/change/",
        f"/admin/sandbox/salesforcesession/{SalesforceSession.objects.get().pk}/change/",
        f"/admin/sandbox/salesforcerecord/{SalesforceRecord.objects.first().pk}/change/",
    ]
    for page in pages:
        answer = client.get(page)
        assert answer.status_code == 200, page
        assert token["access_token"] not in answer.text
        assert token["refresh_token"] not in answer.text
    assert token["refresh_token"][-4:] in client.get(pages[8]).text
