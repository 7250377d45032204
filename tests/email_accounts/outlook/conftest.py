"""The Microsoft sandbox behind its https front (msal accepts only an https authority), and an
Outlook account connected through the real connect and callback views."""

import pytest
from django.test import Client

from email_accounts.models import EmailAccount
from integrations.models import IntegrationCredential
from tests.email_accounts.outlook.helpers import connect


@pytest.fixture
def microsoft(sandbox, tls_front, settings):
    """The sandbox, with the Microsoft authority on its https front."""
    settings.MICROSOFT_AUTHORITY = f"https://127.0.0.1:{tls_front.port}/sandbox/microsoft/common"
    settings.MICROSOFT_CA_BUNDLE = str(tls_front.ca)
    return sandbox


@pytest.fixture
def browser(microsoft, alice):
    client = Client()
    client.force_login(alice)
    return client


@pytest.fixture
def outlook_account(browser, workspace_a):
    response = connect(browser, workspace_a)
    assert response["Location"].endswith("provider=outlook&success=true"), response["Location"]
    credential = IntegrationCredential.objects.get(provider="outlook")
    return EmailAccount.objects.get(credential=credential)
