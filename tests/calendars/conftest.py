import pytest

from calendars.models import CalendarIntegration
from integrations.models import IntegrationCredential
from tests.conftest import sandbox_tokens


@pytest.fixture
def make_calendar(workspace_a):
    def make(
        email="me@clianta.example", user=None, workspace=workspace_a, time_zone="UTC", **fields
    ):
        credential = IntegrationCredential.objects.create(
            workspace=workspace,
            provider="google_calendar",
            account=email,
            connected_by=user,
            **fields,
        )
        return CalendarIntegration.objects.create(
            workspace=workspace, email=email, credential=credential, user=user, time_zone=time_zone
        )

    return make


CALENDAR_EMAIL = "me@clianta.example"


@pytest.fixture
def google_calendar(sandbox, make_calendar, alice):
    """Alice's calendar connected to the sandbox's Google Calendar, without the browser."""
    scope = "openid email https://www.googleapis.com/auth/calendar"
    return make_calendar(CALENDAR_EMAIL, user=alice, **sandbox_tokens(CALENDAR_EMAIL, scope))
