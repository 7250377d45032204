"""The Event resource as Google Calendar answers it, for stored events and series' instances.

https://developers.google.com/calendar/api/v3/reference/events#resource. Times are written in
the response's time zone (the request's ``timeZone``, else the calendar's), keeping the
event's own ``timeZone``. In lists, cancelled events show only what Google guarantees for them:
id and status, plus recurringEventId and originalStartTime for instances.
"""

from __future__ import annotations

import base64
from datetime import datetime
from zoneinfo import ZoneInfo

from . import calendar_time as ct
from .calendar_time import Instance
from .models import GoogleCalendar, GoogleCalendarEvent


def html_link(event_id: str, calendar_id: str) -> str:
    eid = base64.urlsafe_b64encode(f"{event_id} {calendar_id}".encode()).decode().rstrip("=")
    return f"https://www.google.com/calendar/event?eid={eid}"


def etag(event: GoogleCalendarEvent) -> str:
    return f'"{int(event.updated.timestamp() * 1000) * 1000 + event.sequence % 1000}"'


def _time(side: dict, all_day: bool, moment, tz: ZoneInfo, day=None) -> dict:
    if all_day:
        return {"date": str(day) if day is not None else side["date"]}
    answer = {"dateTime": ct.format_datetime(moment, tz)}
    if side.get("timeZone"):
        answer["timeZone"] = side["timeZone"]
    return answer


def _original_start(event: GoogleCalendarEvent, stamp: str, tz: ZoneInfo) -> dict:
    """originalStartTime of an instance, from the ``<stamp>`` of its id."""
    moment = ct.parse_stamp(stamp)
    if isinstance(moment, datetime):
        return _time(event.start, False, moment, tz)
    return {"date": str(moment)}


def _person(email: str, cal: GoogleCalendar) -> dict:
    return {"email": email, "self": True} if email.lower() == cal.email else {"email": email}


def _attendees(event: GoogleCalendarEvent, cal: GoogleCalendar) -> list[dict]:
    attendees = []
    for attendee in event.attendees:
        email = attendee["email"].lower()
        shown = {"email": attendee["email"]}
        if email == event.organizer.lower():
            shown["organizer"] = True
        if email == cal.email:
            shown["self"] = True
        shown.update((k, v) for k, v in attendee.items() if k != "email")
        attendees.append(shown)
    return attendees


def resource(
    event: GoogleCalendarEvent,
    cal: GoogleCalendar,
    tz: ZoneInfo,
    *,
    instance: Instance | None = None,
    minimal: bool = False,
) -> dict:
    """The event (or, with ``instance``, that instance of the series), as Google shows it."""
    event_id = f"{event.event_id}_{instance.stamp}" if instance else event.event_id
    series_id = event.event_id if instance else event.recurring_event_id
    answer = {"kind": "calendar#event", "etag": etag(event), "id": event_id}
    answer["status"] = event.status
    if series_id:
        stamp = instance.stamp if instance else event.event_id.rpartition("_")[2]
        original = {"recurringEventId": series_id}
        original["originalStartTime"] = _original_start(event, stamp, tz)
    if minimal and event.status == "cancelled":
        return {**answer, **original} if series_id else answer
    answer["htmlLink"] = html_link(event_id, cal.email)
    answer["created"] = ct.format_stamp(event.created)
    answer["updated"] = ct.format_stamp(event.updated)
    for name in ("summary", "description", "location"):
        if getattr(event, name):
            answer[name] = getattr(event, name)
    if event.extra.get("colorId"):
        answer["colorId"] = event.extra["colorId"]
    answer["creator"] = _person(event.creator, cal)
    answer["organizer"] = _person(event.organizer, cal)
    start_at, end_at = (
        (instance.start_at, instance.end_at)
        if instance
        else (
            event.start_at,
            event.end_at,
        )
    )
    day, end_day = (instance.day, instance.end_day) if instance else (None, None)
    answer["start"] = _time(event.start, event.all_day, start_at, tz, day)
    answer["end"] = _time(event.end, event.all_day, end_at, tz, end_day)
    if event.recurrence and not instance:
        answer["recurrence"] = event.recurrence
    if series_id:
        answer.update(original)
    if event.transparency:
        answer["transparency"] = event.transparency
    for name in ("visibility", "extendedProperties", "source", "attachments"):
        if name in event.extra:
            answer[name] = event.extra[name]
    answer["iCalUID"] = event.ical_uid
    answer["sequence"] = event.sequence
    if event.attendees:
        answer["attendees"] = _attendees(event, cal)
    if event.hangout_link:
        answer["hangoutLink"] = event.hangout_link
    if event.conference:
        answer["conferenceData"] = event.conference
    for name in ("guestsCanInviteOthers", "guestsCanModify", "guestsCanSeeOtherGuests"):
        if name in event.extra:
            answer[name] = event.extra[name]
    answer["reminders"] = event.extra.get("reminders", {"useDefault": True})
    answer["eventType"] = "default"
    return answer
