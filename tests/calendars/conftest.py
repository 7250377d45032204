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


CALENDAR_EMAIL = "me@clianta.example"


@pytest.fixture
def google_calendar(sandbox, make_calendar, alice):
    """Alice's calendar connected to the sandbox's Google Calendar, without the browser."""
    from datetime import timedelta

    from django.utils import timezone

    from integrations.sandbox import google_tokens

    answer = google_tokens.issue(
        google_tokens.create_grant(
            CALENDAR_EMAIL, "openid email https://www.googleapis.com/auth/calendar"
        )
    )
    return make_calendar(
        CALENDAR_EMAIL,
        user=alice,
        access_token=answer["access_token"],
        refresh_token=answer["refresh_token"],
        expires_at=timezone.now() + timedelta(hours=1),
    )
