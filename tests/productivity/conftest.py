"""Fixtures of the productivity tests (also used by the fault suite)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import IntegrationCredential
from integrations.sandbox import google_tokens

#: The Google account whose sheets the tests read and write.
ME = "me@clianta.example"


@pytest.fixture
def sheets_credential(sandbox, workspace_a):
    answer = google_tokens.issue(
        google_tokens.create_grant(ME, "https://www.googleapis.com/auth/spreadsheets")
    )
    return IntegrationCredential.objects.create(
        workspace=workspace_a,
        provider="google_sheets",
        account=ME,
        access_token=answer["access_token"],
        refresh_token=answer["refresh_token"],
        expires_at=timezone.now() + timedelta(hours=1),
    )
