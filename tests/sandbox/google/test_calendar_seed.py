"""The sandbox_seed_calendar command, and sandbox calendars in the admin."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sandbox.google import calendar_store as cs
from sandbox.google.oauth import DEFAULT_EMAIL
from tests.otp import log_in_staff

from .calendar_client import calendar, items, pages

SEEDED = "seeded@example.com"


def seed(**options):
    out = StringIO()
    call_command("sandbox_seed_calendar", stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_seeding_creates_series_all_day_guests_and_cancelled_events():
    output = seed(email=SEEDED, events=300, seed=5, time_zone="Europe/Paris")
    assert f"Seeded {SEEDED} with 300 events" in output
    rows = list(cs.events(SEEDED))
    assert len(rows) == 300
    assert cs.calendar(SEEDED).time_zone == "Europe/Paris"
    series = [row for row in rows if row.recurrence]
    assert 2 <= len(series) <= 5 and any(row.range_end is None for row in series)
    assert all(row.recurrence[0].startswith("RRULE:FREQ=WEEKLY") for row in series)
    assert any(row.all_day for row in rows)
    assert any(row.status == "cancelled" for row in rows)
    assert any(row.transparency == "transparent" for row in rows)
    assert any(row.hangout_link for row in rows)
    domains = {a["email"].split("@")[1] for row in rows for a in row.attendees}
    assert len(domains) >= 5
    now = datetime.now(UTC)
    assert min(row.start_at for row in rows) >= now - timedelta(days=92)
    assert max(row.start_at for row in rows if not row.recurrence) <= now + timedelta(days=367)
    assert any(row.start_at < now for row in rows) and any(row.start_at > now for row in rows)
    assert all(row.created <= now for row in rows)
    assert sorted(row.change_seq for row in rows)[-1] == cs.calendar(SEEDED).change_seq
    assert len({row.event_id for row in rows}) == 300
    again = seed(email=SEEDED, events=4, seed=5, clear=True)
    assert again.startswith(f"Cleared 300 events of {SEEDED}.")
    assert cs.events(SEEDED).count() == 4


@pytest.mark.django_db
def test_defaults_and_bad_options():
    seed(events=3)
    assert cs.events(DEFAULT_EMAIL).count() == 3
    for options in ({"events": -1}, {"time_zone": "Nowhere/Else"}):
        with pytest.raises(CommandError):
            seed(email=SEEDED, **options)


@pytest.mark.django_db(transaction=True)
def test_seeded_events_read_through_the_api(sandbox):
    seed(email=SEEDED, events=60, seed=2)
    events = calendar(SEEDED).events()
    full = items(pages(events, calendarId="primary", maxResults=25, showDeleted=True))
    assert len(full) == 60
    now = datetime.now(UTC)
    window = {"timeMin": now.isoformat(), "timeMax": (now + timedelta(days=60)).isoformat()}
    expanded = items(pages(events, calendarId="primary", singleEvents=True, **window))
    assert any("recurringEventId" in item for item in expanded)
    assert all(item["status"] != "cancelled" for item in expanded)


@pytest.mark.django_db
def test_calendar_models_show_read_only_in_the_admin(client, make_user):
    log_in_staff(client, make_user("staff", is_staff=True, is_superuser=True))
    event = cs.add_event(
        "ida@example.com",
        summary="Demo",
        start=datetime(2031, 1, 1, 9, tzinfo=UTC),
        end=datetime(2031, 1, 1, 10, tzinfo=UTC),
    )
    pages_ = ["googlecalendar/", "googlecalendarevent/"]
    pages_ += [f"googlecalendar/{event.calendar_id}/change/"]
    pages_ += [f"googlecalendarevent/{event.pk}/change/"]
    for page in pages_:
        assert client.get(f"/admin/sandbox/{page}").status_code == 200, page
    assert event.event_id in client.get("/admin/sandbox/googlecalendarevent/").text
    assert client.get("/admin/sandbox/googlecalendarevent/add/").status_code == 403
