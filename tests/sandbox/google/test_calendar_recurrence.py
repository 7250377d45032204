"""Recurring events in the Calendar sandbox: singleEvents expansion in the event's time zone
across DST changes, instance ids, and changed or cancelled single instances."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from googleapiclient.errors import HttpError

from sandbox.google import calendar_store as cs

from .calendar_client import OWNER, calendar, items, pages, status

pytestmark = pytest.mark.django_db(transaction=True)

PARIS = ZoneInfo("Europe/Paris")


def weekly(start: datetime, count: int, **fields):
    return cs.add_event(
        OWNER,
        summary=fields.pop("summary", "Weekly sync"),
        start=start,
        end=start + timedelta(hours=1),
        time_zone="Europe/Paris",
        recurrence=[f"RRULE:FREQ=WEEKLY;COUNT={count}"],
        **fields,
    )


def pages_of_instances(events, series_id):
    request, answers = events.instances(calendarId="primary", eventId=series_id, maxResults=1), []
    while request is not None:
        answers.append(request.execute())
        request = events.instances_next(request, answers[-1])
    return answers


def local_starts(answer_items):
    return [datetime.fromisoformat(i["start"]["dateTime"]).astimezone(PARIS) for i in answer_items]


@pytest.mark.parametrize(
    ("first", "utc_stamps"),
    [
        # Summer time starts on Sunday 30 March 2031: 10:00 in Paris is 09:00Z, then 08:00Z.
        (
            datetime(2031, 3, 17, 10),
            ["20310317T090000Z", "20310324T090000Z", "20310331T080000Z", "20310407T080000Z"],
        ),
        # It ends on Sunday 26 October 2031: 08:00Z, then 09:00Z.
        (
            datetime(2031, 10, 13, 10),
            ["20311013T080000Z", "20311020T080000Z", "20311027T090000Z", "20311103T090000Z"],
        ),
    ],
)
def test_single_events_keep_local_time_across_dst(sandbox, first, utc_stamps):
    series = weekly(first, 4)
    events = calendar().events()
    answer = events.list(calendarId="primary", singleEvents=True, orderBy="startTime").execute()
    instances = answer["items"]
    assert [i["id"] for i in instances] == [f"{series.event_id}_{s}" for s in utc_stamps]
    assert {(s.hour, s.minute, s.weekday()) for s in local_starts(instances)} == {(10, 0, 0)}
    assert all(i["recurringEventId"] == series.event_id for i in instances)
    assert all(i["iCalUID"] == series.ical_uid and "recurrence" not in i for i in instances)
    assert instances[2]["originalStartTime"] == instances[2]["start"]
    assert instances[2]["start"]["timeZone"] == "Europe/Paris"
    paris = events.list(calendarId="primary", singleEvents=True, timeZone="Europe/Paris")
    assert {i["start"]["dateTime"][11:19] for i in paris.execute()["items"]} == {"10:00:00"}
    ends = [datetime.fromisoformat(i["end"]["dateTime"]).astimezone(PARIS) for i in instances]
    assert {end.hour for end in ends} == {11}

    # Without singleEvents, the series itself comes back once, with its rule.
    (master,) = events.list(calendarId="primary").execute()["items"]
    assert master["id"] == series.event_id
    assert master["recurrence"] == ["RRULE:FREQ=WEEKLY;COUNT=4"]
    # An instance can be read by its id.
    got = events.get(calendarId="primary", eventId=instances[3]["id"]).execute()
    assert got == instances[3]


def test_time_window_and_paging_over_instances(sandbox):
    series = cs.add_event(
        OWNER,
        summary="Stand-up",
        start=datetime(2031, 1, 6, 9, 30),
        end=datetime(2031, 1, 6, 9, 45),
        time_zone="Europe/Paris",
        recurrence=["RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"],  # no end
    )
    single = cs.add_event(
        OWNER,
        summary="Lunch",
        start=datetime(2031, 1, 8, 12, tzinfo=PARIS),
        end=datetime(2031, 1, 8, 13, tzinfo=PARIS),
    )
    events = calendar().events()
    params = {
        "calendarId": "primary",
        "singleEvents": True,
        "orderBy": "startTime",
        "timeMin": "2031-01-06T00:00:00+01:00",
        "timeMax": "2031-01-13T00:00:00+01:00",
        "maxResults": 4,
    }
    answers = pages(events, **params)
    assert [len(answer["items"]) for answer in answers] == [4, 2]
    found = [item["id"] for item in items(answers)]
    assert found[3] == single.event_id
    assert len(found) == 6 and found[:3] == [
        f"{series.event_id}_2031010{day}T083000Z" for day in (6, 7, 8)
    ]
    # Outside the window the series is not listed; it is while any instance overlaps.
    outside = events.list(calendarId="primary", timeMax="2031-01-01T00:00:00Z").execute()
    assert outside["items"] == []
    later = events.list(calendarId="primary", timeMin="2035-06-01T00:00:00Z").execute()
    assert [item["id"] for item in later["items"]] == [series.event_id]


def test_changed_and_cancelled_instances(sandbox):
    series = weekly(datetime(2031, 5, 5, 10), 3)
    events = calendar().events()
    token = events.list(calendarId="primary", singleEvents=True).execute()["nextSyncToken"]
    second, third = (f"{series.event_id}_{day}T080000Z" for day in ("20310512", "20310519"))

    moved = events.patch(
        calendarId="primary",
        eventId=second,
        body={
            "start": {"dateTime": "2031-05-13T15:00:00+02:00"},
            "end": {"dateTime": "2031-05-13T16:00:00+02:00"},
            "summary": "Moved once",
        },
    ).execute()
    assert moved["id"] == second and moved["recurringEventId"] == series.event_id
    assert moved["originalStartTime"]["dateTime"] == "2031-05-12T08:00:00Z"
    assert moved["start"]["dateTime"] == "2031-05-13T13:00:00Z"
    assert events.delete(calendarId="primary", eventId=third).execute() == ""

    singles = events.list(calendarId="primary", singleEvents=True).execute()["items"]
    assert sorted((i["id"], i.get("summary")) for i in singles) == sorted(
        [(f"{series.event_id}_20310505T080000Z", "Weekly sync"), (second, "Moved once")]
    )
    # Without singleEvents: the series and its exceptions, the cancelled one too, as Google.
    listed = events.list(calendarId="primary").execute()["items"]
    assert [(i["id"], i["status"]) for i in listed] == [
        (series.event_id, "confirmed"),
        (second, "confirmed"),
        (third, "cancelled"),
    ]
    assert set(listed[2]) == {
        "kind", "etag", "id", "status", "recurringEventId", "originalStartTime"
    }  # fmt: skip
    synced = events.list(calendarId="primary", singleEvents=True, syncToken=token).execute()
    assert {(i["id"], i["status"]) for i in synced["items"]} == {
        (second, "confirmed"),
        (third, "cancelled"),
    }
    answers = pages_of_instances(events, series.event_id)
    assert [len(answer["items"]) for answer in answers] == [1, 1]
    assert [i["id"] for i in items(answers)] == [f"{series.event_id}_20310505T080000Z", second]
    assert not any("nextSyncToken" in answer for answer in answers)
    with pytest.raises(HttpError) as missing:  # not an instance of the series
        events.get(calendarId="primary", eventId=f"{series.event_id}_20310506T080000Z").execute()
    assert status(missing.value) == 404

    # Cancelling the series cancels what is left of it.
    cs.cancel_event(OWNER, series.event_id)
    assert events.list(calendarId="primary", singleEvents=True).execute()["items"] == []
    after = events.list(calendarId="primary", singleEvents=True, syncToken=token).execute()
    assert {i["status"] for i in after["items"]} == {"cancelled"}


def test_all_day_series_with_exdate(sandbox):
    series = cs.add_event(
        OWNER,
        summary="Payroll day",
        start=date(2031, 6, 2),
        end=date(2031, 6, 3),
        all_day=True,
        recurrence=["RRULE:FREQ=WEEKLY;UNTIL=20310623", "EXDATE;VALUE=DATE:20310609"],
    )
    events = calendar().events()
    answer = events.list(calendarId="primary", singleEvents=True, orderBy="startTime").execute()
    assert [(i["id"], i["start"], i["end"]) for i in answer["items"]] == [
        (f"{series.event_id}_{day:%Y%m%d}", {"date": str(day)}, {"date": str(day + timedelta(1))})
        for day in (date(2031, 6, 2), date(2031, 6, 16), date(2031, 6, 23))
    ]
    assert answer["items"][0]["originalStartTime"] == {"date": "2031-06-02"}


def test_recurring_event_needs_a_time_zone_and_a_valid_rule(sandbox):
    events = calendar().events()
    timed = {
        "start": {"dateTime": "2031-01-06T09:00:00Z"},
        "end": {"dateTime": "2031-01-06T10:00:00Z"},
    }
    for body in (
        {**timed, "recurrence": ["RRULE:FREQ=WEEKLY"]},
        {
            "start": {**timed["start"], "timeZone": "UTC"},
            "end": {**timed["end"], "timeZone": "UTC"},
            "recurrence": ["RRULE:FREQ=SOMETIMES"],
        },
    ):
        with pytest.raises(HttpError) as refused:
            events.insert(calendarId="primary", body=body).execute()
        assert status(refused.value) == 400
