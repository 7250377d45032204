"""Google Calendar through google-api-python-client against the sandbox."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from calendars import services
from calendars.models import CalendarEvent
from clianta.models import Contact
from integrations.models import SyncLog
from sandbox import faults
from sandbox.google import calendar_store
from tests.calendars.conftest import CALENDAR_EMAIL as ME

pytestmark = pytest.mark.django_db(transaction=True)


def soon(days=1, hour=10):
    day = (timezone.now() + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def add(summary, days=1, hour=10, **fields):
    start = soon(days, hour)
    return calendar_store.add_event(
        ME, summary=summary, start=start, end=start + timedelta(hours=1), **fields
    )


def ids():
    return set(
        CalendarEvent.objects.exclude(status="cancelled").values_list(
            "provider_event_id", flat=True
        )
    )


def test_first_sync_then_incremental_with_new_changed_and_cancelled(google_calendar):
    kept = add("Kept")
    moved = add("Moved", days=2)
    dropped = add("Dropped", days=3)
    first = services.sync_events(google_calendar)
    assert (first.status, first.created) == (SyncLog.Status.SUCCESS, 3)
    google_calendar.refresh_from_db()
    assert set(google_calendar.sync_cursor) == {"sync_token"}

    new = add("New", days=4)
    calendar_store.update_event(ME, moved.event_id, summary="Moved again")
    calendar_store.cancel_event(ME, dropped.event_id)
    faults.clear_calls()
    second = services.sync_events(google_calendar)

    assert (second.created, second.updated, second.deleted) == (1, 1, 1)
    assert ids() == {kept.event_id, moved.event_id, new.event_id}
    assert CalendarEvent.objects.get(provider_event_id=dropped.event_id).status == "cancelled"
    assert CalendarEvent.objects.get(provider_event_id=moved.event_id).title == "Moved again"
    assert faults.calls("google").count() == 1


def test_a_no_change_sync_costs_one_call(google_calendar):
    add("Only")
    services.sync_events(google_calendar)
    faults.clear_calls()
    log = services.sync_events(google_calendar)
    assert (log.created, log.updated, log.deleted) == (0, 0, 0)
    assert faults.calls("google").count() == 1


def test_an_expired_sync_token_wipes_and_resyncs_once_without_duplicates(google_calendar):
    """S4: 410 Gone drops the token and runs one full sync."""
    add("One")
    add("Two", days=2)
    services.sync_events(google_calendar)
    add("Three", days=3)
    calendar_store.expire_sync_tokens(ME)

    log = services.sync_events(google_calendar)

    assert log.status == SyncLog.Status.SUCCESS
    assert CalendarEvent.objects.count() == 3
    assert faults.calls("google").filter(status=410).count() == 1
    assert services.sync_events(google_calendar).status == SyncLog.Status.SUCCESS


def test_a_weekly_series_is_expanded_inside_the_window(google_calendar):
    add("Standup", recurrence=["RRULE:FREQ=WEEKLY;COUNT=4"], time_zone="Europe/Paris")
    services.sync_events(google_calendar)
    copies = CalendarEvent.objects.filter(title="Standup")
    assert copies.count() == 4
    assert len({c.meeting_id for c in copies}) == 4
    assert all(c.recurring_event_id for c in copies)


def test_free_busy_and_creating_an_event_with_attendees(google_calendar, workspace_a):
    add("Busy", days=1, hour=10)
    busy = services.check_availability(google_calendar, soon(1, 0), soon(2, 0))
    assert busy == [(soon(1, 10), soon(1, 11))]

    created = services.create_event(
        google_calendar,
        "Demo",
        soon(1, 14),
        soon(1, 15),
        ["ann@acme.example"],
        description="Walkthrough",
        add_video_conference=True,
    )

    assert CalendarEvent.objects.get(pk=created.pk).title == "Demo"  # stored at once
    assert created.conference_link.startswith("https://meet.google.com/")
    assert [a["email"] for a in created.attendees] == ["ann@acme.example"]
    assert list(created.contacts.values_list("email", flat=True)) == ["ann@acme.example"]
    assert Contact.objects.filter(email="ann@acme.example").count() == 1
    remote = calendar_store.events(ME).get(event_id=created.provider_event_id)
    assert remote.send_updates == "all"
    # The next sync finds it there: still one copy.
    services.sync_events(google_calendar)
    assert CalendarEvent.objects.filter(provider_event_id=created.provider_event_id).count() == 1
