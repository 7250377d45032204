"""The calendar API at the original service's paths."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from calendars.models import CalendarEvent
from clianta.models import CrmEvent, Membership
from sandbox.google import calendar_store
from tests.calendars.conftest import CALENDAR_EMAIL as ME
from tests.conftest import sandbox_tokens

pytestmark = pytest.mark.django_db(transaction=True)
COLLEAGUE = "colleague@clianta.example"


def next_monday(hour=0):
    today = timezone.now().date()
    monday = today + timedelta(days=7 - today.weekday())
    return datetime(monday.year, monday.month, monday.day, hour, tzinfo=UTC)


@pytest.fixture
def colleague_calendar(sandbox, make_calendar, make_user, workspace_a):
    colleague = make_user("colleague")
    Membership.objects.create(workspace=workspace_a, user=colleague)
    return make_calendar(
        COLLEAGUE,
        user=colleague,
        time_zone="America/New_York",
        **sandbox_tokens(COLLEAGUE, "https://www.googleapis.com/auth/calendar"),
    )


def test_connect_answers_the_consent_url(api_a, workspace_a):
    response = api_a.post("/api/calendar/connect")
    connect = f"{settings.PUBLIC_URL}/api/integrations/google_calendar/connect"
    assert response.json() == {"authorization_url": f"{connect}?workspace={workspace_a.pk}"}


def test_create_list_and_filter_events(api_a, google_calendar):
    start = next_monday(14)
    payload = {
        "title": "Kick-off",
        "start": start.isoformat(),
        "end": (start + timedelta(hours=1)).isoformat(),
        "attendees": ["ann@acme.example"],
    }
    created = api_a.post("/api/calendar/events", payload, format="json")
    assert created.status_code == 201, created.content
    event = created.json()
    assert event["title"] == "Kick-off" and event["attendees"][0]["email"] == "ann@acme.example"
    contact = event["contacts"][0]
    announced = CrmEvent.objects.get(type="meeting.scheduled")
    assert (announced.data["event_id"], announced.data["contact_id"]) == (event["id"], contact)
    listed = api_a.get(f"/api/calendar/events?contact={contact}").json()["results"]
    assert [e["id"] for e in listed] == [event["id"]]
    after = (start - timedelta(hours=1)).isoformat()
    assert len(api_a.get("/api/calendar/events", {"after": after}).json()["results"]) == 1
    assert api_a.get("/api/calendar/events", {"before": after}).json()["results"] == []


def test_events_are_created_only_in_a_calendar_one_connected(
    api_a, google_calendar, colleague_calendar
):
    start = next_monday(15)
    end = start + timedelta(hours=1)
    payload = {"title": "Demo", "start": start.isoformat(), "end": end.isoformat()}
    # Alice owns the workspace, yet does not invite from her colleague's calendar.
    theirs = {**payload, "integration": str(colleague_calendar.pk)}
    refused = api_a.post("/api/calendar/events", theirs, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert not CalendarEvent.objects.exists()
    assert not calendar_store.events(COLLEAGUE).exists()
    # Without a calendar named, her own (her only one) is used, though the workspace has two.
    created = api_a.post("/api/calendar/events", payload, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["integration"] == str(google_calendar.pk)


@pytest.mark.parametrize(
    ("field", "value"),
    [("start", "2026-06-01T10:00:00"), ("end", "2026-06-01T09:00:00+00:00")],
)
def test_naive_datetimes_and_backwards_events_are_refused(api_a, google_calendar, field, value):
    payload = {
        "title": "x",
        "start": "2026-06-01T10:00:00+00:00",
        "end": "2026-06-01T11:00:00+00:00",
    }
    payload[field] = value
    response = api_a.post("/api/calendar/events", payload, format="json")
    assert response.status_code == 400 and field in response.json()["fields"]
    assert not CalendarEvent.objects.exists()
    naive = api_a.get(
        "/api/calendar/availability?start=2026-06-01T00:00:00&end=2026-06-02T00:00:00Z"
    )
    assert naive.status_code == 400 and "start" in naive.json()["fields"]


def test_availability_shows_busy_blocks(api_a, google_calendar):
    start = next_monday(9)
    calendar_store.add_event(ME, summary="Busy", start=start, end=start + timedelta(hours=2))
    response = api_a.get(
        "/api/calendar/availability",
        {
            "start": next_monday().isoformat(),
            "end": (next_monday() + timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    busy = response.json()["busy"]
    assert [(b["start"][:16], b["end"][:16]) for b in busy] == [
        (start.isoformat()[:16], (start + timedelta(hours=2)).isoformat()[:16])
    ]


def local(monday, hour, zone):
    day = monday.date()
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def test_slots_common_to_two_members_in_different_time_zones(
    api_a, alice, google_calendar, colleague_calendar
):
    """Alice works 09-17 in Paris, the colleague 09-17 in New York and is busy for the first
    half hour they share: the slots are the rest of the shared hours, in 30-minute steps."""
    google_calendar.time_zone = "Europe/Paris"
    google_calendar.save()
    monday = next_monday()
    shared_start = max(local(monday, 9, "Europe/Paris"), local(monday, 9, "America/New_York"))
    shared_end = min(local(monday, 17, "Europe/Paris"), local(monday, 17, "America/New_York"))
    half_hour = timedelta(minutes=30)
    calendar_store.add_event(
        COLLEAGUE, summary="Call", start=shared_start, end=shared_start + half_hour
    )
    response = api_a.post(
        "/api/calendar/slots",
        {
            "duration_minutes": 30,
            "window_start": monday.isoformat(),
            "window_end": (monday + timedelta(days=1)).isoformat(),
            "attendees": [alice.pk, colleague_calendar.user.pk],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    starts = [datetime.fromisoformat(s["start"]) for s in response.json()["slots"]]
    expected, cursor = [], shared_start + half_hour
    while cursor + half_hour <= shared_end:
        expected.append(cursor)
        cursor += half_hour
    assert starts == expected
    assert len(expected) >= 2


def test_slots_refuse_a_member_without_a_calendar(
    api_a, alice, google_calendar, make_user, workspace_a
):
    lone = make_user("lone")
    Membership.objects.create(workspace=workspace_a, user=lone)
    monday = next_monday()
    response = api_a.post(
        "/api/calendar/slots",
        {
            "duration_minutes": 30,
            "window_start": monday.isoformat(),
            "window_end": (monday + timedelta(days=1)).isoformat(),
            "attendees": [alice.pk, lone.pk],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["fields"]["attendees"] == ["lone has no connected calendar."]


def test_the_fifteen_minute_schedule_exists(api_a):
    task = PeriodicTask.objects.get(task="calendars.sync_all")
    assert (task.interval.every, task.interval.period, task.enabled) == (15, "minutes", True)


def test_working_hours_are_edited_per_calendar(api_a, google_calendar):
    url = f"/api/calendar/integrations/{google_calendar.pk}"
    ok = api_a.patch(
        url, {"time_zone": "Asia/Tokyo", "working_hours_start": "08:00"}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["time_zone"] == "Asia/Tokyo"
    bad = api_a.patch(url, {"working_hours_end": "07:00"}, format="json")
    assert bad.status_code == 400 and "working_hours_end" in bad.json()["fields"]
    assert api_a.patch(url, {"time_zone": "Mars/Olympus"}, format="json").status_code == 400


def test_slots_across_a_dst_change_inside_the_window(
    api_a, alice, google_calendar, colleague_calendar
):
    """Europe moves its clocks on Sunday 28 March 2027, New York did on 14 March: on Friday the
    shared hours are 13:00-16:00 UTC, on Monday 13:00-15:00 UTC."""
    google_calendar.time_zone = "Europe/Paris"
    google_calendar.save()
    busy = datetime(2027, 3, 26, 13, tzinfo=UTC)
    calendar_store.add_event(COLLEAGUE, summary="Call", start=busy, end=busy + timedelta(hours=1))
    response = api_a.post(
        "/api/calendar/slots",
        {
            "duration_minutes": 60,
            "window_start": "2027-03-26T00:00:00Z",
            "window_end": "2027-03-30T00:00:00Z",
            "step_minutes": 60,
            "attendees": [alice.pk, colleague_calendar.user.pk],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    starts = [s["start"] for s in response.json()["slots"]]
    assert starts == [
        "2027-03-26T14:00:00Z",
        "2027-03-26T15:00:00Z",
        "2027-03-29T13:00:00Z",
        "2027-03-29T14:00:00Z",
    ]
