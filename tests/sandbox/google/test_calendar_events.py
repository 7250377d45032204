"""Creating, reading, changing and deleting events in the Calendar sandbox: attendees and the
invitations sendUpdates sends, Meet conferences, Google's validation errors, scopes, and the
sandbox's faults and call log."""

import pytest
import requests
from django.conf import settings
from googleapiclient.errors import HttpError

from sandbox import faults
from sandbox.google import calendar_store as cs

from .calendar_client import EVENTS, OWNER, READONLY, calendar, error_of, status

pytestmark = pytest.mark.django_db(transaction=True)

BODY = {
    "summary": "Quarterly review",
    "description": "Numbers and next steps",
    "location": "Room 4",
    "start": {"dateTime": "2031-04-02T10:00:00", "timeZone": "Europe/Paris"},
    "end": {"dateTime": "2031-04-02T11:00:00", "timeZone": "Europe/Paris"},
    "attendees": [
        {"email": "ann@acme.example", "displayName": "Ann"},
        {"email": "colleague@example.com", "optional": True},
        {"email": OWNER},
    ],
}


def test_insert_with_attendees_invitations_and_a_meet_conference(sandbox):
    cs.calendar("colleague@example.com")  # a Google Calendar user: not external
    body = {
        **BODY,
        "conferenceData": {
            "createRequest": {
                "requestId": "req-1",
                "conferenceSolutionKey": {"type": "hangoutsMeet"},
            }
        },
    }
    events = calendar().events()
    created = events.insert(
        calendarId="primary", body=body, sendUpdates="all", conferenceDataVersion=1
    ).execute()
    assert created["status"] == "confirmed"
    assert created["iCalUID"] == f"{created['id']}@google.com"
    assert created["start"] == {"dateTime": "2031-04-02T08:00:00Z", "timeZone": "Europe/Paris"}
    assert created["summary"] == "Quarterly review" and created["location"] == "Room 4"
    assert created["creator"] == created["organizer"] == {"email": OWNER, "self": True}
    assert created["attendees"] == [
        {"email": "ann@acme.example", "displayName": "Ann", "responseStatus": "needsAction"},
        {"email": "colleague@example.com", "optional": True, "responseStatus": "needsAction"},
        {"email": OWNER, "organizer": True, "self": True, "responseStatus": "accepted"},
    ]
    link = created["hangoutLink"]
    assert link.startswith("https://meet.google.com/") and len(link.rsplit("/")[-1]) == 12
    conference = created["conferenceData"]
    assert conference["createRequest"]["status"] == {"statusCode": "success"}
    assert conference["conferenceSolution"]["key"] == {"type": "hangoutsMeet"}
    assert conference["entryPoints"][0] == {
        "entryPointType": "video",
        "uri": link,
        "label": link.removeprefix("https://"),
    }
    stored = cs.get(OWNER, created["id"])
    assert stored.send_updates == "all"
    assert [(n["kind"], n["sendUpdates"], n["to"]) for n in stored.notifications] == [
        ("invitation", "all", ["ann@acme.example", "colleague@example.com"])
    ]
    assert events.get(calendarId=OWNER, eventId=created["id"]).execute() == created

    # externalOnly: guests without a Google calendar; none (the default): nobody.
    external = events.insert(calendarId="primary", body=BODY, sendUpdates="externalOnly")
    stored = cs.get(OWNER, external.execute()["id"])
    assert [n["to"] for n in stored.notifications] == [["ann@acme.example"]]
    quiet = events.insert(calendarId="primary", body=body).execute()  # conferenceDataVersion 0
    assert "hangoutLink" not in quiet and "conferenceData" not in quiet
    assert cs.get(OWNER, quiet["id"]).notifications == []
    assert cs.get(OWNER, quiet["id"]).send_updates == ""


def test_patch_update_and_delete(sandbox):
    events = calendar().events()
    created = events.insert(calendarId="primary", body=BODY).execute()
    event_id = created["id"]
    patched = events.patch(
        calendarId="primary",
        eventId=event_id,
        sendUpdates="all",
        body={
            "summary": "Quarterly review (moved)",
            "start": {"dateTime": "2031-04-03T10:00:00"},
            "end": {"dateTime": "2031-04-03T11:00:00"},
            "attendees": [{"email": "ann@acme.example"}, {"email": "new@globex.example"}],
        },
    ).execute()
    assert patched["start"] == {"dateTime": "2031-04-03T08:00:00Z", "timeZone": "Europe/Paris"}
    assert patched["description"] == BODY["description"]  # untouched by the patch
    assert patched["sequence"] == 1 and patched["updated"] >= created["updated"]
    notes = [(n["kind"], n["to"]) for n in cs.get(OWNER, event_id).notifications]
    assert notes == [
        ("update", ["ann@acme.example"]),
        ("invitation", ["new@globex.example"]),
        ("cancellation", ["colleague@example.com"]),
    ]
    replaced = events.update(
        calendarId="primary",
        eventId=event_id,
        body={
            "summary": "Only this",
            "start": {"date": "2031-04-05"},
            "end": {"date": "2031-04-06"},
        },
    ).execute()
    assert replaced["start"] == {"date": "2031-04-05"} and "description" not in replaced
    assert "attendees" not in replaced

    assert events.delete(calendarId="primary", eventId=event_id, sendUpdates="all").execute() == ""
    gone = events.get(calendarId="primary", eventId=event_id).execute()
    assert gone["status"] == "cancelled" and gone["updated"] > replaced["updated"]
    with pytest.raises(HttpError) as again:
        events.delete(calendarId="primary", eventId=event_id).execute()
    assert status(again.value) == 410
    for call in (
        events.get(calendarId="primary", eventId="nosuchevent1"),
        events.patch(calendarId="primary", eventId="nosuchevent1", body={}),
        events.delete(calendarId="primary", eventId="nosuchevent1"),
    ):
        with pytest.raises(HttpError) as missing:
            call.execute()
        assert status(missing.value) == 404
        assert error_of(missing.value)["errors"][0]["reason"] == "notFound"


@pytest.mark.parametrize(
    ("start", "end", "reason"),
    [
        (
            {"dateTime": "2031-04-02T11:00:00Z"},
            {"dateTime": "2031-04-02T10:00:00Z"},
            "timeRangeEmpty",
        ),
        ({"date": "2031-04-02"}, {"date": "2031-04-02"}, "timeRangeEmpty"),
        ({"date": "2031-04-02"}, {"dateTime": "2031-04-02T10:00:00Z"}, "invalid"),
        ({"dateTime": "2031-04-02T10:00:00"}, {"dateTime": "2031-04-02T11:00:00"}, "required"),
        ({"dateTime": "2031-04-02T10:00:00", "timeZone": "Mars/Olympus"}, {"date": "x"}, "invalid"),
        (None, {"dateTime": "2031-04-02T10:00:00Z"}, "required"),
    ],
)
def test_insert_refuses_bad_times_as_google(sandbox, start, end, reason):
    body = {"summary": "Bad", "end": end, **({"start": start} if start else {})}
    with pytest.raises(HttpError) as refused:
        calendar().events().insert(calendarId="primary", body=body).execute()
    assert status(refused.value) == 400
    assert error_of(refused.value)["errors"][0]["reason"] == reason


def test_ids_duplicates_and_attendee_emails(sandbox):
    events = calendar().events()
    body = {**BODY, "id": "meeting0001"}
    assert events.insert(calendarId="primary", body=body).execute()["id"] == "meeting0001"
    with pytest.raises(HttpError) as duplicate:
        events.insert(calendarId="primary", body=body).execute()
    assert status(duplicate.value) == 409
    for bad in ({**BODY, "id": "NOT_VALID"}, {**BODY, "attendees": [{"displayName": "x"}]}):
        with pytest.raises(HttpError) as refused:
            events.insert(calendarId="primary", body=bad).execute()
        assert status(refused.value) == 400


def test_scopes_and_authentication(sandbox):
    readonly = calendar(scopes=[READONLY]).events()
    assert readonly.list(calendarId="primary").execute()["items"] == []
    with pytest.raises(HttpError) as forbidden:
        readonly.insert(calendarId="primary", body=BODY).execute()
    assert status(forbidden.value) == 403
    assert calendar(scopes=[EVENTS]).events().insert(calendarId="primary", body=BODY).execute()
    url = settings.GOOGLE_CALENDAR_API_URL + "calendars/primary/events"
    unauthenticated = requests.get(url, headers={"Authorization": "Bearer ya29.unknown"})
    assert unauthenticated.status_code == 401
    assert unauthenticated.json()["error"]["status"] == "UNAUTHENTICATED"
    service = calendar()
    assert service.calendars().get(calendarId="primary").execute()["id"] == OWNER
    (entry,) = service.calendarList().list().execute()["items"]
    assert entry["primary"] is True and entry["timeZone"] == "UTC"


def test_faults_and_the_call_log_apply(sandbox):
    events = calendar().events()
    faults.inject("google", r"/calendar/v3/calendars/[^/]+/events$", status=429, retry_after=5)
    with pytest.raises(HttpError) as throttled:
        events.list(calendarId="primary").execute()
    assert status(throttled.value) == 429
    assert throttled.value.resp["retry-after"] == "5"
    assert error_of(throttled.value)["status"] == "RESOURCE_EXHAUSTED"
    assert events.list(calendarId="primary").execute()["items"] == []
    logged = faults.calls("google", "/calendar/v3/")
    assert [(call.method, call.status) for call in logged] == [("GET", 429), ("GET", 200)]
    assert "alt=json" in logged.last().query
