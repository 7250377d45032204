import pytest

from email_accounts.models import EmailAccount
from integrations.models import IntegrationCredential


@pytest.fixture
def make_account(workspace_a):
    def make(email="me@clianta.example", provider="gmail", workspace=workspace_a, **credential):
        credential = IntegrationCredential.objects.create(
            workspace=workspace, provider=provider, account=email, **credential
        )
        return EmailAccount.objects.create(
            workspace=workspace, provider=provider, email=email, credential=credential
        )

    return make


@pytest.fixture
def account(make_account):
    return make_account()
