"""Google calendars of the sandbox for tests and seeding, on top of ``calendar_events``.

Tests put events in with :func:`add_event`, change them behind the client's back with
:func:`update_event` and :func:`cancel_event`, read them with :func:`events` and :func:`get`,
and make the sync tokens issued so far answer 410 with :func:`expire_sync_tokens`. Seeding
inserts many events at once with :func:`bulk_insert`. ``event.notifications`` lists the
invitations, updates and cancellations that sendUpdates would have emailed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import connection, transaction
from django.db.models import QuerySet

from . import calendar_body as cb
from . import calendar_time as ct
from .calendar_events import (
    bump,
    calendar,
    calendar_zone,
    cancel,
    find,
    forget_changes,
    insert,
    new_event_id,
    patch,
)
from .models import GoogleCalendar, GoogleCalendarEvent


def bulk_insert(cal: GoogleCalendar, bodies: list[dict], *, created: list[datetime]) -> int:
    """Insert many events at once (seeding), as if created at ``created``, each its own change,
    in order; conferenceData is taken as with conferenceDataVersion=1. Returns how many."""
    rows, tz = [], calendar_zone(cal)
    for body, moment in zip(bodies, created, strict=True):
        event_id = new_event_id()
        row = GoogleCalendarEvent(
            calendar=cal,
            event_id=event_id,
            ical_uid=f"{event_id}@google.com",
            organizer=cal.email,
            creator=cal.email,
            created=moment,
            updated=moment,
            **cb.fields(body, tz, cal.email),
        )
        row.conference, row.hangout_link = cb.conference(body, 1, None)
        rows.append(row)
    if not rows:
        return 0
    with transaction.atomic():
        first = bump(cal, len(rows)) - len(rows) + 1
        for offset, row in enumerate(rows):
            row.change_seq = first + offset
        _insert_rows(rows)
    return len(rows)


def _insert_rows(rows: list[GoogleCalendarEvent]) -> None:
    """INSERT the rows with one executemany: the ORM's bulk_create spends most of a seeding
    run preparing values, one field at a time."""
    fields = [f for f in GoogleCalendarEvent._meta.concrete_fields if not f.primary_key]
    ops, quote = connection.ops, connection.ops.quote_name
    prepare = []
    for field in fields:
        kind = field.get_internal_type()
        if kind == "JSONField":
            prepare.append(
                lambda value: None if value is None else ops.adapt_json_value(value, None)
            )
        elif kind == "DateTimeField":
            prepare.append(ops.adapt_datetimefield_value)
        else:
            prepare.append(None)
    table = quote(GoogleCalendarEvent._meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    # Identifiers come from the model, quoted; values are parameters.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
    values = [
        tuple(
            (adapt(value) if adapt else value)
            for adapt, value in zip(prepare, (getattr(row, f.attname) for f in fields), strict=True)
        )
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


def _moment(value, tz_name: str, all_day: bool) -> dict:
    """A start or end; the nulls clear the other form's keys when patching."""
    if all_day:
        day = value.date() if isinstance(value, datetime) else value
        return {"date": day.isoformat(), "dateTime": None, "timeZone": None}
    if value.tzinfo is None:
        value = value.replace(tzinfo=ct.zone(tz_name))
    return {"dateTime": value.isoformat(), "timeZone": tz_name, "date": None}


def event_body(
    *,
    start=None,
    end=None,
    time_zone: str = "UTC",
    all_day: bool = False,
    attendees: Iterable = (),
    **fields,
) -> dict:
    """A request body from Python values: datetimes (naive ones in ``time_zone``) or dates,
    attendees as emails or dicts; other fields (summary, recurrence, ...) as the API's."""
    body = {key: value for key, value in fields.items() if value is not None}
    if start is not None:
        body["start"] = _moment(start, time_zone, all_day)
    if end is not None:
        body["end"] = _moment(end, time_zone, all_day)
    if attendees:
        body["attendees"] = [a if isinstance(a, dict) else {"email": a} for a in attendees]
    return body


def add_event(
    email: str,
    *,
    summary: str,
    start,
    end,
    attendees: Iterable = (),
    recurrence: list[str] | None = None,
    time_zone: str = "UTC",
    all_day: bool = False,
    status: str = "confirmed",
    transparency: str | None = None,
    description: str = "",
    location: str = "",
) -> GoogleCalendarEvent:
    """Put an event in the user's calendar, as if made in Google Calendar itself."""
    body = event_body(
        start=start,
        end=end,
        time_zone=time_zone,
        all_day=all_day,
        attendees=attendees,
        summary=summary,
        recurrence=recurrence,
        status=status,
        transparency=transparency,
        description=description,
        location=location,
    )
    return insert(calendar(email), body)


def update_event(email: str, event_id: str, **fields) -> GoogleCalendarEvent:
    """Change an event (or instance) behind the client's back; fields as for add_event."""
    cal = calendar(email)
    if {"start", "end"} & set(fields) and "time_zone" not in fields:
        stored = cal.events.filter(event_id=event_id).first()
        fields["time_zone"] = (stored and stored.start.get("timeZone")) or "UTC"
    return patch(cal, event_id, event_body(**fields))


def cancel_event(email: str, event_id: str) -> GoogleCalendarEvent:
    """Delete an event (or instance) as the user would in Google Calendar."""
    return cancel(calendar(email), event_id)


def expire_sync_tokens(email: str) -> int:
    """Make the calendar's sync tokens so far answer 410; see :func:`forget_changes`."""
    return forget_changes(calendar(email))


def events(email: str) -> QuerySet[GoogleCalendarEvent]:
    """The calendar's events, cancelled ones and changed instances included, oldest first."""
    return calendar(email).events.all()


def get(email: str, event_id: str) -> GoogleCalendarEvent:
    return find(calendar(email), event_id)


def clear(cal: GoogleCalendar) -> int:
    """Delete every event and expire sync tokens; returns how many events there were."""
    with transaction.atomic():
        count = cal.events.all().delete()[0]
        forget_changes(cal)
    return count
