"""Event request bodies of the Google Calendar fake: checked and turned into row fields as
Google checks them, merged with patch semantics, and conferenceData created.

https://developers.google.com/calendar/api/v3/reference/events/insert,
https://developers.google.com/calendar/api/guides/create-events#conferencing
"""

from __future__ import annotations

import copy
import secrets
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from . import calendar_time as ct
from .calendar_time import Invalid
from .models import GoogleCalendarEvent

STATUSES = ("confirmed", "tentative", "cancelled")
RESPONSES = ("needsAction", "declined", "tentative", "accepted")
# Fields kept as the client sent them and echoed back.
PASSTHROUGH = (
    "colorId",
    "reminders",
    "extendedProperties",
    "visibility",
    "guestsCanInviteOthers",
    "guestsCanModify",
    "guestsCanSeeOtherGuests",
    "anyoneCanAddSelf",
    "source",
    "attachments",
    "locked",
)
ATTENDEE_FIELDS = ("email", "displayName", "optional", "responseStatus", "comment", "resource")
ATTENDEE_FIELDS += ("additionalGuests",)
# A change of these makes a new iCalendar SEQUENCE.
SEQUENCED = ("start", "end", "recurrence", "location")
MEET_ICON = (
    "https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/"
    "logo_meet_2020q4_color_2x_web_512dp.png"
)


def body_of(event: GoogleCalendarEvent) -> dict:
    """The event as a request body would give it, for merging a patch into."""
    body = {
        "summary": event.summary,
        "description": event.description,
        "location": event.location,
        "start": event.start,
        "end": event.end,
        "attendees": event.attendees,
        "recurrence": event.recurrence,
        "status": event.status,
        **event.extra,
    }
    if event.transparency:
        body["transparency"] = event.transparency
    return copy.deepcopy(body)


def merge(current: dict, patch: dict) -> dict:
    """Google's patch semantics: objects merge, arrays and values replace, null clears."""
    merged = dict(current)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _text(body: dict, name: str) -> str:
    value = body.get(name) or ""
    if not isinstance(value, str):
        raise Invalid(f"Invalid value for: {name}")
    return value


def _attendees(value, organizer: str) -> list[dict]:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise Invalid("Invalid value for: attendees")
    attendees, seen = [], set()
    for item in value:
        email = item.get("email") if isinstance(item, dict) else None
        if not isinstance(email, str) or "@" not in email.strip(" @"):
            raise Invalid("Invalid attendee email.")
        if email.strip().lower() in seen:
            continue
        seen.add(email.strip().lower())
        attendee = {key: item[key] for key in ATTENDEE_FIELDS if key in item}
        attendee["email"] = email.strip()
        if "responseStatus" not in attendee:
            mine = attendee["email"].lower() == organizer
            attendee["responseStatus"] = "accepted" if mine else "needsAction"
        elif attendee["responseStatus"] not in RESPONSES:
            raise Invalid("Invalid value for: attendees.responseStatus")
        attendees.append(attendee)
    return attendees


def fields(body: dict, tz: ZoneInfo, organizer: str, *, instance: bool = False) -> dict:
    """The row fields of an event body, checked as Google checks them; raises Invalid.
    ``tz`` is the calendar's zone (all-day events), ``organizer`` its email."""
    recurrence = [] if instance else body.get("recurrence") or []
    span = ct.span(body.get("start"), body.get("end"), tz, recurring=bool(recurrence))
    status = body.get("status") or "confirmed"
    if status not in STATUSES:
        raise Invalid("Invalid value for: status")
    transparency = body.get("transparency") or ""
    if transparency not in ("", "opaque", "transparent"):
        raise Invalid("Invalid value for: transparency")
    fields = {
        "status": status,
        "summary": _text(body, "summary"),
        "description": _text(body, "description"),
        "location": _text(body, "location"),
        "start": span.start,
        "end": span.end,
        "all_day": span.all_day,
        "start_at": span.start_at,
        "end_at": span.end_at,
        "range_end": span.end_at,
        "recurrence": recurrence,
        "attendees": _attendees(body.get("attendees"), organizer),
        "transparency": "" if transparency == "opaque" else transparency,
        "extra": {key: body[key] for key in PASSTHROUGH if body.get(key) is not None},
    }
    if recurrence:
        try:
            fields["range_end"] = ct.last_end(SimpleNamespace(**fields), tz)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError) as error:
            raise Invalid("Invalid recurrence rule.") from error
    return fields


def conference(body: dict, version: int, event: GoogleCalendarEvent | None) -> tuple:
    """(conferenceData, hangoutLink) after the request; conferenceData counts only with
    conferenceDataVersion=1, as Google's."""
    kept = (event.conference, event.hangout_link) if event else (None, "")
    if version != 1 or "conferenceData" not in body:
        return kept
    data = body["conferenceData"]
    if data is None:
        return None, ""
    if not isinstance(data, dict):
        raise Invalid("Invalid value for: conferenceData")
    request = data.get("createRequest")
    if not request:
        return data, kept[1]
    key = request.get("conferenceSolutionKey") if isinstance(request, dict) else None
    if not isinstance(key, dict) or key.get("type", "hangoutsMeet") != "hangoutsMeet":
        raise Invalid("Invalid conference type value.")
    if kept[0] and kept[0].get("createRequest", {}).get("requestId") == request.get("requestId"):
        return kept
    letters = "abcdefghijklmnopqrstuvwxyz"
    code = "-".join("".join(secrets.choice(letters) for _ in range(n)) for n in (3, 4, 3))
    link = f"https://meet.google.com/{code}"
    pin = "".join(secrets.choice("0123456789") for _ in range(9))
    conference = {
        "createRequest": {**request, "status": {"statusCode": "success"}},
        "entryPoints": [
            {"entryPointType": "video", "uri": link, "label": link.removeprefix("https://")},
            {"entryPointType": "more", "uri": f"https://tel.meet/{code}?pin={pin}", "pin": pin},
        ],
        "conferenceSolution": {
            "key": {"type": "hangoutsMeet"},
            "name": "Google Meet",
            "iconUri": MEET_ICON,
        },
        "conferenceId": code,
    }
    return conference, link
