"""freebusy.query in the Calendar sandbox: merged busy blocks of several calendars, what does
not count as busy, and Google's notFound entry for an unknown calendar."""

from datetime import UTC, datetime

import pytest
from googleapiclient.errors import HttpError

from sandbox.google import calendar_store as cs

from .calendar_client import FREEBUSY, OWNER, calendar, status

pytestmark = pytest.mark.django_db(transaction=True)

COLLEAGUE = "colleague@example.com"


def at(hour, minute=0, day=7):
    return datetime(2031, 4, day, hour, minute, tzinfo=UTC)


def test_busy_blocks_of_two_calendars_and_an_unknown_one(sandbox):
    cs.add_event(OWNER, summary="A", start=at(9), end=at(10))
    cs.add_event(OWNER, summary="B overlaps A", start=at(9, 30), end=at(10, 30))
    cs.add_event(OWNER, summary="C touches B", start=at(10, 30), end=at(11))
    cs.add_event(OWNER, summary="Free", start=at(12), end=at(13), transparency="transparent")
    cs.add_event(OWNER, summary="Gone", start=at(13), end=at(14), status="cancelled")
    declined = [{"email": OWNER, "responseStatus": "declined"}]
    cs.add_event(OWNER, summary="Declined", start=at(14), end=at(15), attendees=declined)
    cs.add_event(OWNER, summary="Starts early", start=at(6), end=at(8, 30))
    cs.add_event(OWNER, summary="Other day", start=at(9, day=9), end=at(10, day=9))
    cs.add_event(
        COLLEAGUE,
        summary="Daily",
        start=datetime(2031, 4, 1, 16),
        end=datetime(2031, 4, 1, 17),
        time_zone="Europe/Paris",
        recurrence=["RRULE:FREQ=DAILY"],
    )
    body = {
        "timeMin": "2031-04-07T08:00:00Z",
        "timeMax": "2031-04-08T00:00:00+02:00",
        "items": [{"id": "primary"}, {"id": COLLEAGUE}, {"id": "nobody@example.com"}],
    }
    answer = calendar(scopes=[FREEBUSY]).freebusy().query(body=body).execute()
    assert answer == {
        "kind": "calendar#freeBusy",
        "timeMin": "2031-04-07T08:00:00.000Z",
        "timeMax": "2031-04-07T22:00:00.000Z",
        "calendars": {
            "primary": {
                "busy": [
                    {"start": "2031-04-07T08:00:00Z", "end": "2031-04-07T08:30:00Z"},
                    {"start": "2031-04-07T09:00:00Z", "end": "2031-04-07T11:00:00Z"},
                ]
            },
            COLLEAGUE: {"busy": [{"start": "2031-04-07T14:00:00Z", "end": "2031-04-07T15:00:00Z"}]},
            "nobody@example.com": {
                "errors": [{"domain": "global", "reason": "notFound"}],
                "busy": [],
            },
        },
    }
    paris = calendar().freebusy().query(body={**body, "timeZone": "Europe/Paris"}).execute()
    assert paris["calendars"][COLLEAGUE]["busy"] == [
        {"start": "2031-04-07T16:00:00+02:00", "end": "2031-04-07T17:00:00+02:00"}
    ]


def test_cancelled_instance_frees_its_slot(sandbox):
    series = cs.add_event(
        OWNER,
        summary="Weekly",
        start=at(9, day=7),
        end=at(10, day=7),
        recurrence=["RRULE:FREQ=WEEKLY;COUNT=3"],
    )
    cs.cancel_event(OWNER, f"{series.event_id}_20310414T090000Z")
    body = {
        "timeMin": "2031-04-01T00:00:00Z",
        "timeMax": "2031-05-01T00:00:00Z",
        "items": [{"id": OWNER}],
    }
    answer = calendar().freebusy().query(body=body).execute()
    assert [block["start"] for block in answer["calendars"][OWNER]["busy"]] == [
        "2031-04-07T09:00:00Z",
        "2031-04-21T09:00:00Z",
    ]


def test_bad_windows_answer_400(sandbox):
    freebusy = calendar().freebusy()
    for body in (
        {"timeMin": "2031-04-02T00:00:00Z", "timeMax": "2031-04-01T00:00:00Z", "items": []},
        {"timeMin": "2031-04-01", "timeMax": "2031-04-02T00:00:00Z", "items": []},
        {"timeMax": "2031-04-02T00:00:00Z", "items": []},
    ):
        with pytest.raises(HttpError) as refused:
            freebusy.query(body=body).execute()
        assert status(refused.value) == 400
