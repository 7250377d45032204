"""A workspace with its Salesforce org (the sandbox's) connected through the real connect and
callback views, and simple-salesforce on the org's side to change things there."""

import pytest
from django.test import Client

from crm_sync.models import CrmConnection
from integrations import sync
from integrations.models import IntegrationCredential
from integrations.providers.salesforce.client import sdk
from sandbox.salesforce import store as sf_store
from tests.integrations.oauth_helpers import finish
from tests.sandbox.consent import submit_consent


def connect(browser, workspace, login="production", **form):
    """Our connect page's form with the login chosen, then the sandbox's consent (Allow), then
    our callback: its answer."""
    response = browser.post(
        "/api/integrations/salesforce/connect/start",
        {"workspace": str(workspace.pk), "login": login, **form},
    )
    assert response.status_code == 302, response.content
    answer = submit_consent(response["Location"], "Allow")
    return finish(browser, answer.headers["Location"])


@pytest.fixture
def org(salesforce):
    return sf_store.default_org()


@pytest.fixture
def browser(salesforce, alice):
    client = Client()
    client.force_login(alice)
    return client


@pytest.fixture
def connection(browser, org, workspace_a) -> CrmConnection:
    response = connect(browser, workspace_a)
    assert response["Location"].endswith("provider=salesforce&success=true"), response["Location"]
    return CrmConnection.objects.select_related("credential").get(workspace=workspace_a)


@pytest.fixture
def remote(connection):
    """simple-salesforce on the org, as another of its users would change it."""
    credential = IntegrationCredential.objects.get(pk=connection.credential_id)
    return sdk(credential.metadata["instance_url"], credential.access_token)


def run(connection, **options):
    """One sync run of the connection, here in the test's process."""
    from crm_sync import services

    connection.refresh_from_db()
    return sync.run(services.sync_job(connection), **options)
