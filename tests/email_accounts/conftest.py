import pytest

from email_accounts.models import EmailAccount
from integrations.models import IntegrationCredential
from tests.conftest import sandbox_tokens
from tests.email_accounts.gmail_helpers import EMAIL, SCOPES


@pytest.fixture
def make_account(workspace_a, alice):
    """A mailbox alice connected (so she owns it and sends from it)."""

    def make(email="me@clianta.example", provider="gmail", workspace=workspace_a, **credential):
        credential.setdefault("connected_by", alice)
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


@pytest.fixture
def gmail_account(sandbox, workspace_a, alice):
    """A Gmail account alice connected to the sandbox's mailbox, without the browser."""
    credential = IntegrationCredential.objects.create(
        workspace=workspace_a,
        provider="gmail",
        account=EMAIL,
        connected_by=alice,
        **sandbox_tokens(EMAIL, SCOPES),
    )
    return EmailAccount.objects.create(
        workspace=workspace_a, provider="gmail", email=EMAIL, credential=credential
    )
