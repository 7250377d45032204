"""freebusy.query over the sandbox's calendars: busy blocks of non-cancelled, opaque events
(series expanded) inside the window, clipped and merged.
https://developers.google.com/calendar/api/v3/reference/freebusy/query
"""

from __future__ import annotations

from datetime import datetime

from . import calendar_time as ct
from .calendar_events import calendar, calendar_zone
from .calendar_query import Query, exceptions, rows_of
from .calendar_time import Invalid
from .models import GoogleCalendar

MAX_CALENDARS = 50


def busy(cal: GoogleCalendar, time_min: datetime, time_max: datetime) -> list[tuple]:
    """The calendar's busy blocks in the window, clipped and merged: events that are not
    cancelled, not transparent and not declined by the calendar's owner; series expanded."""
    tz = calendar_zone(cal)
    skipped = exceptions(cal)
    rows = (
        rows_of(cal, Query(False, False, "", 0, tz, time_min=time_min, time_max=time_max))
        .exclude(status="cancelled")
        .exclude(transparency="transparent")
    )
    blocks = []
    for event in rows:
        mine = [a for a in event.attendees if a["email"].lower() == cal.email]
        if mine and mine[0].get("responseStatus") == "declined":
            continue
        if not event.recurrence:
            blocks.append((event.start_at, event.end_at))
            continue
        stamps = skipped.get(event.event_id, set())
        for instance in ct.instances(event, tz, time_min, time_max):
            if instance.stamp not in stamps:
                blocks.append((instance.start_at, instance.end_at))
    merged: list[list[datetime]] = []
    for start, end in sorted(blocks):
        start, end = max(start, time_min), min(end, time_max)
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [tuple(block) for block in merged]


def free_busy(email: str, body: dict) -> dict:
    """The freebusy.query answer for the caller ``email``; any sandbox calendar is visible,
    as calendars are within a Google Workspace domain. Raises Invalid."""
    for name in ("timeMin", "timeMax"):
        if not body.get(name):
            raise Invalid(f"Missing {name} parameter.", "required")
    time_min, time_max = ct.parse_instant(body["timeMin"]), ct.parse_instant(body["timeMax"])
    if time_max <= time_min:
        raise Invalid("The specified time range is empty.", "timeRangeEmpty")
    try:
        tz = ct.zone(body["timeZone"]) if body.get("timeZone") else ct.zone("UTC")
    except ValueError as error:
        raise Invalid("Invalid time zone definition.") from error
    items = body.get("items") or []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise Invalid("Invalid value for: items")
    if len(items) > MAX_CALENDARS:
        raise Invalid("Too many calendars requested.", "tooManyCalendarsRequested")
    calendars = {}
    for item in items:
        calendar_id = str(item.get("id", ""))
        wanted = (email if calendar_id == "primary" else calendar_id).strip().lower()
        if wanted == email.lower():
            cal = calendar(email)  # the caller's own, which Google always has
        else:
            cal = GoogleCalendar.objects.filter(email=wanted).first()
        if cal is None:
            errors = [{"domain": "global", "reason": "notFound"}]
            calendars[calendar_id] = {"errors": errors, "busy": []}
            continue
        calendars[calendar_id] = {
            "busy": [
                {"start": ct.format_datetime(s, tz), "end": ct.format_datetime(e, tz)}
                for s, e in busy(cal, time_min, time_max)
            ]
        }
    return {
        "kind": "calendar#freeBusy",
        "timeMin": ct.format_stamp(time_min),
        "timeMax": ct.format_stamp(time_max),
        "calendars": calendars,
    }
