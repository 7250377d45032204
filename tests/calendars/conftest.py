import pytest

from calendars.models import CalendarIntegration
from integrations.models import IntegrationCredential


@pytest.fixture
def make_calendar(workspace_a):
    def make(
        email="me@clianta.example", user=None, workspace=workspace_a, time_zone="UTC", **fields
    ):
        credential = IntegrationCredential.objects.create(
            workspace=workspace, provider="google_calendar", account=email, **fields
        )
        return CalendarIntegration.objects.create(
            workspace=workspace, email=email, credential=credential, user=user, time_zone=time_zone
        )

    return make
