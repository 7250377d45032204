"""events.list of the Calendar sandbox as Google's sync guide describes it: a paged full list
ending in nextSyncToken, incremental lists with syncToken, 410 once tokens expire, and the
parameters Google refuses next to a syncToken."""

from datetime import UTC, datetime, timedelta

import pytest
from googleapiclient.errors import HttpError

from sandbox.google import calendar_store as cs

from .calendar_client import OWNER, calendar, error_of, items, pages, status

pytestmark = pytest.mark.django_db(transaction=True)

MONDAY = datetime(2031, 3, 3, 9, tzinfo=UTC)


def add(number, **fields):
    start = MONDAY + timedelta(hours=number)
    fields.setdefault("summary", f"Meeting {number}")
    return cs.add_event(OWNER, start=start, end=start + timedelta(minutes=30), **fields)


def test_full_list_pages_and_ends_with_a_sync_token(sandbox):
    added = [add(number) for number in range(7)]
    events = calendar().events()
    answers = pages(events, calendarId="primary", maxResults=3)
    assert [len(answer["items"]) for answer in answers] == [3, 3, 1]
    assert ["nextPageToken" in answer for answer in answers] == [True, True, False]
    assert ["nextSyncToken" in answer for answer in answers] == [False, False, True]
    assert [item["id"] for item in items(answers)] == [event.event_id for event in added]
    first = answers[0]
    assert first["kind"] == "calendar#events"
    assert (first["summary"], first["timeZone"]) == (OWNER, "UTC")
    item = first["items"][0]
    assert item["kind"] == "calendar#event"
    assert item["start"] == {"dateTime": "2031-03-03T09:00:00Z", "timeZone": "UTC"}
    assert item["iCalUID"] == f"{item['id']}@google.com"
    assert item["organizer"] == {"email": OWNER, "self": True}
    assert item["status"] == "confirmed"
    assert item["htmlLink"].startswith("https://www.google.com/calendar/event?eid=")
    # Page tokens are stable: the same page again, whatever happened since.
    again = events.list(calendarId="primary", maxResults=3, pageToken=first["nextPageToken"])
    assert again.execute()["items"] == answers[1]["items"]


def test_incremental_sync_returns_new_changed_and_cancelled_events(sandbox):
    kept, changed, cancelled = add(1), add(2), add(3)
    events = calendar().events()
    token = pages(events, calendarId="primary")[-1]["nextSyncToken"]
    assert events.list(calendarId="primary", syncToken=token).execute()["items"] == []

    new = add(4, summary="New one")
    cs.update_event(OWNER, changed.event_id, summary="Moved", start=MONDAY, end=MONDAY)
    cs.cancel_event(OWNER, cancelled.event_id)
    answers = pages(events, calendarId="primary", syncToken=token, maxResults=2)
    assert "nextSyncToken" in answers[-1] and "nextSyncToken" not in answers[0]
    found = {item["id"]: item for item in items(answers)}
    assert set(found) == {new.event_id, changed.event_id, cancelled.event_id}
    assert kept.event_id not in found
    assert found[changed.event_id]["summary"] == "Moved"
    assert found[changed.event_id]["sequence"] == 1
    assert found[cancelled.event_id]["status"] == "cancelled"

    # Deletions are left out of a full list unless asked for, and always in a sync.
    full = items(pages(events, calendarId="primary"))
    assert cancelled.event_id not in {item["id"] for item in full}
    with_deleted = items(pages(events, calendarId="primary", showDeleted=True))
    assert cancelled.event_id in {item["id"] for item in with_deleted}

    latest = answers[-1]["nextSyncToken"]
    assert events.list(calendarId="primary", syncToken=latest).execute()["items"] == []
    assert events.list(calendarId="primary", syncToken=token).execute()["items"]  # still valid


def test_changes_while_paging_are_not_lost(sandbox):
    for number in range(4):
        add(number)
    events = calendar().events()
    first = events.list(calendarId="primary", maxResults=2).execute()
    late = add(9, summary="Added while paging")
    rest = pages(events, calendarId="primary", maxResults=2, pageToken=first["nextPageToken"])
    token = rest[-1]["nextSyncToken"]
    synced = events.list(calendarId="primary", syncToken=token).execute()["items"]
    assert late.event_id in {item["id"] for item in synced}


def test_expired_or_unknown_sync_token_answers_410(sandbox):
    add(1)
    events = calendar().events()
    token = events.list(calendarId="primary").execute()["nextSyncToken"]
    cs.expire_sync_tokens(OWNER)
    for stale in (token, "bm90IGEgdG9rZW4="):
        with pytest.raises(HttpError) as gone:
            events.list(calendarId="primary", syncToken=stale).execute()
        assert status(gone.value) == 410
        assert error_of(gone.value) == {
            "code": 410,
            "message": "Sync token is no longer valid, a full sync is required.",
            "status": "GONE",
            "errors": [
                {
                    "message": "Sync token is no longer valid, a full sync is required.",
                    "domain": "global",
                    "reason": "fullSyncRequired",
                }
            ],
        }
    fresh = events.list(calendarId="primary").execute()
    assert len(fresh["items"]) == 1
    assert events.list(calendarId="primary", syncToken=fresh["nextSyncToken"]).execute()


@pytest.mark.parametrize(
    "params",
    [
        {"timeMin": "2031-01-01T00:00:00Z"},
        {"timeMax": "2031-01-01T00:00:00Z"},
        {"orderBy": "updated"},
        {"q": "meeting"},
        {"updatedMin": "2031-01-01T00:00:00Z"},
        {"iCalUID": "abc@google.com"},
    ],
)
def test_sync_token_refuses_filters(sandbox, params):
    events = calendar().events()
    token = events.list(calendarId="primary").execute()["nextSyncToken"]
    with pytest.raises(HttpError) as refused:
        events.list(calendarId="primary", syncToken=token, **params).execute()
    assert status(refused.value) == 400


def test_bad_list_parameters_answer_400(sandbox):
    events = calendar().events()
    cases = [
        {"orderBy": "startTime"},  # needs singleEvents
        {"timeMin": "2031-01-01T00:00:00"},  # no offset
        {"timeMin": "2031-02-01T00:00:00Z", "timeMax": "2031-01-01T00:00:00Z"},
        {"pageToken": "garbage"},
    ]
    for params in cases:
        with pytest.raises(HttpError) as refused:
            events.list(calendarId="primary", **params).execute()
        assert status(refused.value) == 400, params
    with pytest.raises(HttpError) as other:
        events.list(calendarId="someone.else@example.com").execute()
    assert status(other.value) == 404


def test_time_window_updated_min_order_and_search(sandbox):
    early, middle, late = add(0, summary="Early"), add(5, summary="Middle"), add(10)
    cs.update_event(OWNER, early.event_id, description="Agenda: pricing")
    events = calendar().events()
    window = events.list(
        calendarId="primary",
        timeMin="2031-03-03T10:00:00+01:00",  # 09:00Z: Early (09:00-09:30Z) overlaps
        timeMax="2031-03-03T15:00:00Z",
    ).execute()
    assert [item["id"] for item in window["items"]] == [early.event_id, middle.event_id]
    assert "nextSyncToken" in window
    updated = events.list(calendarId="primary", orderBy="updated").execute()
    assert [item["id"] for item in updated["items"]] == [
        middle.event_id,
        late.event_id,
        early.event_id,
    ]
    assert "nextSyncToken" not in updated
    since = cs.get(OWNER, early.event_id).updated.isoformat()
    recent = events.list(calendarId="primary", updatedMin=since).execute()["items"]
    assert [item["id"] for item in recent] == [early.event_id]
    found = events.list(calendarId="primary", q="PRICING").execute()["items"]
    assert [item["id"] for item in found] == [early.event_id]
    zoned = events.list(calendarId="primary", timeZone="America/New_York").execute()
    assert zoned["items"][0]["start"]["dateTime"] == "2031-03-03T04:00:00-05:00"
