"""Salesforce: an org's contacts, accounts and opportunities, synced both ways by ``crm_sync``.

``oauth``: the web server flow with PKCE, at the login host the person chooses (production,
test.salesforce.com for a sandbox org, or the org's My Domain); ``client``: the REST and Bulk
APIs through simple-salesforce, at the org's instance, errors mapped into the error tree.
"""

from integrations.base import AuthKind, Provider

from . import client
from .oauth import SalesforceOAuth

SALESFORCE_PROVIDER = Provider(
    slug="salesforce",
    name="Salesforce",
    workspace_wide=True,
    category="crm",
    auth=AuthKind.OAUTH2,
    endpoints=("SALESFORCE_LOGIN_URL", "SALESFORCE_TEST_LOGIN_URL"),
    scopes=("api", "refresh_token"),
    oauth=SalesforceOAuth(),
    client=client.client,
    sync_task="crm_sync.sync_credential",
    sync_schedule="crm_sync.sync_all",
    required_settings=("SALESFORCE_CLIENT_ID", "SALESFORCE_CLIENT_SECRET"),
    description="Contacts, accounts and opportunities synced both ways, field by field.",
)
