"""The Microsoft sandbox behind its https front (msal accepts only an https authority), and an
Outlook account connected through the real connect and callback views."""

from urllib.parse import urlsplit

import pytest
from django.test import Client

from email_accounts.models import EmailAccount
from integrations.models import IntegrationCredential
from sandbox.tls import TLSForwarder, ensure_certificate
from tests.email_accounts.outlook.helpers import connect


@pytest.fixture(scope="session")
def tls_front(live_server, tmp_path_factory):
    """A TLS forwarder to the live server, with a CA made for this test session."""
    ca, cert, key = ensure_certificate(tmp_path_factory.mktemp("sandbox-tls"))
    target = urlsplit(live_server.url)
    server = TLSForwarder(("127.0.0.1", 0), (target.hostname, target.port), cert, key)
    server.start()
    server.ca = ca
    yield server
    server.shutdown()
    server.server_close()


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
