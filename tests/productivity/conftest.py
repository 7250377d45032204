"""Fixtures of the productivity tests (also used by the fault suite)."""

import pytest

from integrations.models import IntegrationCredential
from tests.conftest import sandbox_tokens

#: The Google account whose sheets the tests read and write.
ME = "me@clianta.example"


@pytest.fixture
def sheets_credential(sandbox, workspace_a):
    return IntegrationCredential.objects.create(
        workspace=workspace_a,
        provider="google_sheets",
        account=ME,
        **sandbox_tokens(ME, "https://www.googleapis.com/auth/spreadsheets"),
    )
