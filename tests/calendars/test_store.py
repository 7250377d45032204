"""Storing Google events: member copies, shared meetings, cancellations, contacts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calendars.models import CalendarEvent, Meeting
from calendars.store import WIPE, store
from clianta.models import Contact

pytestmark = pytest.mark.django_db
ME = "me@clianta.example"


def event(event_id, uid=None, start="2026-06-01T10:00:00+02:00", status="confirmed", **extra):
    return {
        "id": event_id,
        "iCalUID": uid or f"{event_id}@google.com",
        "status": status,
        "summary": extra.pop("summary", f"Meeting {event_id}"),
        "start": {"dateTime": start, "timeZone": "Europe/Paris"},
        "end": {"dateTime": start.replace("T10", "T11"), "timeZone": "Europe/Paris"},
        "organizer": {"email": extra.pop("organizer", ME)},
        "attendees": extra.pop(
            "attendees",
            [{"email": ME, "responseStatus": "accepted"}, {"email": "ann@acme.example"}],
        ),
        "updated": "2026-05-01T00:00:00Z",
        **extra,
    }


def test_a_page_stored_twice_leaves_the_same_rows(make_calendar):
    calendar = make_calendar()
    page = [event("e1"), event("e2")]
    assert store(calendar, page).created == 2
    again = store(calendar, page)
    assert (again.created, again.updated) == (0, 0)
    assert CalendarEvent.objects.count() == 2


def test_changes_and_cancellations_are_recorded_not_lost(make_calendar):
    calendar = make_calendar()
    store(calendar, [event("e1"), event("e2")])
    counts = store(
        calendar,
        [
            event("e1", summary="Moved"),
            {"id": "e2", "status": "cancelled"},
            {"id": "gone", "status": "cancelled"},
        ],
    )
    assert (counts.updated, counts.deleted, counts.skipped) == (1, 1, 1)
    assert CalendarEvent.objects.get(provider_event_id="e1").title == "Moved"
    assert CalendarEvent.objects.get(provider_event_id="e2").status == "cancelled"


def test_one_meeting_on_two_members_calendars_is_one_meeting(make_calendar, make_user):
    mine = make_calendar()
    theirs = make_calendar("bo@clianta.example")
    store(mine, [event("a1", uid="shared@google.com")])
    store(theirs, [event("b7", uid="shared@google.com", organizer=ME)])
    assert Meeting.objects.count() == 1
    assert Meeting.objects.get().copies.count() == 2


def test_occurrences_of_a_series_are_separate_meetings(make_calendar):
    calendar = make_calendar()
    series = [
        event(
            f"s_{day}",
            uid="series@google.com",
            start=f"2026-06-0{day}T10:00:00+02:00",
            recurringEventId="s",
            originalStartTime={"dateTime": f"2026-06-0{day}T10:00:00+02:00"},
        )
        for day in (1, 8)
        if day < 10
    ]
    store(calendar, series)
    assert Meeting.objects.filter(ical_uid="series@google.com").count() == 2


def test_all_day_events_start_at_midnight_in_the_calendars_zone(make_calendar):
    calendar = make_calendar(time_zone="America/New_York")
    item = event("d1")
    item["start"], item["end"] = {"date": "2026-07-04"}, {"date": "2026-07-05"}
    store(calendar, [item])
    stored = CalendarEvent.objects.get()
    assert stored.all_day
    assert stored.start.isoformat() == "2026-07-04T04:00:00+00:00"


def test_attendees_of_meetings_the_member_organises_become_contacts(make_calendar, workspace_a):
    calendar = make_calendar()
    store(calendar, [event("mine")])
    ann = Contact.objects.get(workspace=workspace_a)
    assert ann.email == "ann@acme.example"
    invited_by_others = event(
        "theirs",
        organizer="zed@other.example",
        attendees=[{"email": "zed@other.example"}, {"email": "ann@acme.example"}],
    )
    store(calendar, [invited_by_others])
    assert Contact.objects.count() == 1  # zed is not created: the member did not invite zed
    assert list(CalendarEvent.objects.get(provider_event_id="theirs").contacts.all()) == [ann]


def test_a_wipe_empties_the_calendar_before_a_full_resync(make_calendar):
    calendar = make_calendar()
    store(calendar, [event("old")])
    counts = store(calendar, [WIPE, event("new")])
    assert (counts.deleted, counts.created) == (1, 1)
    assert list(CalendarEvent.objects.values_list("provider_event_id", flat=True)) == ["new"]


def test_queries_per_page_do_not_grow_with_the_page(make_calendar):
    calendar = make_calendar()

    def page(prefix, count):
        return [
            event(f"{prefix}{i}", attendees=[{"email": f"p{i}@acme.example"}]) for i in range(count)
        ]

    with CaptureQueriesContext(connection) as small:
        store(calendar, page("a", 10))
    with CaptureQueriesContext(connection) as large:
        store(calendar, page("b", 40))
    assert len(large) == len(small)
