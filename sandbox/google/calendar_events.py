"""Events of the sandbox's Google calendars and their changes, as the API makes them.

Each user has one calendar, whose id is the email (``primary`` in the API). Every change bumps
the calendar's change counter and stamps the event with it, which is what sync tokens count
(https://developers.google.com/calendar/api/guides/sync). Deleting cancels: the event stays,
so syncs can report it. A changed or cancelled instance of a series becomes a row of its own.
``notifications`` on an event lists the emails sendUpdates would have sent.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import calendar_body as cb
from . import calendar_push
from . import calendar_time as ct
from .calendar_time import Invalid
from .models import GoogleCalendar, GoogleCalendarEvent

NotFound = GoogleCalendarEvent.DoesNotExist
SEND_UPDATES = ("all", "externalOnly", "none")


class Conflict(Exception):
    """409: the requested identifier already exists."""


class Deleted(Exception):
    """410: the event is already cancelled."""


def new_event_id() -> str:
    """26 characters of base32hex, lower-cased, as Google's generated event ids."""
    return base64.b32hexencode(secrets.token_bytes(16)).decode().lower().rstrip("=")


def calendar(email: str) -> GoogleCalendar:
    """The calendar of ``email`` (case-insensitive), created empty on first use."""
    cal, _ = GoogleCalendar.objects.get_or_create(email=email.strip().lower())
    return cal


def calendar_zone(cal: GoogleCalendar):
    return ct.zone(cal.time_zone)


def bump(cal: GoogleCalendar, count: int = 1) -> int:
    """Advance the change counter by ``count`` (in a transaction); returns the new value. The
    calendar's push channels hear of the change once it commits."""
    GoogleCalendar.objects.filter(pk=cal.pk).update(change_seq=F("change_seq") + count)
    calendar_push.announce(cal)
    cal.change_seq = GoogleCalendar.objects.values_list("change_seq", flat=True).get(pk=cal.pk)
    return cal.change_seq


def find(cal: GoogleCalendar, event_id: str) -> GoogleCalendarEvent:
    """A stored event (or changed instance); raises NotFound."""
    return cal.events.get(event_id=event_id)


def find_instance(cal: GoogleCalendar, event_id: str) -> tuple[GoogleCalendarEvent, ct.Instance]:
    """The series and the instance an id ``<eventId>_<stamp>`` names; raises NotFound."""
    master_id, _, stamp = event_id.rpartition("_")
    moment = ct.parse_stamp(stamp)
    master = cal.events.filter(event_id=master_id, recurring_event_id="").first()
    if moment is None or master is None or not master.recurrence:
        raise NotFound(event_id)
    tz = calendar_zone(cal)
    at = moment if isinstance(moment, datetime) else ct.midnight(moment, tz)
    for instance in ct.instances(master, tz, at - _TICK, at + _TICK):
        if instance.stamp == stamp:
            return master, instance
    raise NotFound(event_id)


_TICK = timedelta(microseconds=1)


def _notify(cal, event, mode: str | None, kind: str, attendees: Iterable[dict]) -> None:
    """Record sendUpdates=``mode`` and the emails it would send: to every guest but the
    organizer (all), or to guests without a (sandbox) Google calendar (externalOnly)."""
    event.send_updates = mode or ""
    if mode not in ("all", "externalOnly"):
        return
    emails = [a["email"] for a in attendees if a["email"].lower() != event.organizer.lower()]
    if mode == "externalOnly":
        known = set(
            GoogleCalendar.objects.filter(email__in=[e.lower() for e in emails]).values_list(
                "email", flat=True
            )
        )
        emails = [email for email in emails if email.lower() not in known]
    if emails:
        stamp = ct.format_stamp(event.updated)
        record = {"kind": kind, "sendUpdates": mode, "to": emails, "at": stamp}
        event.notifications = [*event.notifications, record]


def _save(cal: GoogleCalendar, event: GoogleCalendarEvent) -> GoogleCalendarEvent:
    with transaction.atomic():
        event.change_seq = bump(cal)
        event.save()
    return event


# Changes, as the API makes them


def insert(
    cal: GoogleCalendar,
    body: dict,
    *,
    send_updates: str | None = None,
    conference_version: int = 0,
) -> GoogleCalendarEvent:
    """A new event from a request body; raises Invalid or Conflict."""
    event_id = body.get("id") or new_event_id()
    if not isinstance(event_id, str) or not (
        5 <= len(event_id) <= 1024 and set(event_id) <= set("0123456789abcdefghijklmnopqrstuv")
    ):
        raise Invalid("Invalid resource id value.")
    if cal.events.filter(event_id=event_id).exists():
        raise Conflict(event_id)
    now = timezone.now()
    event = GoogleCalendarEvent(
        calendar=cal,
        event_id=event_id,
        ical_uid=f"{event_id}@google.com",
        organizer=cal.email,
        creator=cal.email,
        created=now,
        updated=now,
        **cb.fields(body, calendar_zone(cal), cal.email),
    )
    event.conference, event.hangout_link = cb.conference(body, conference_version, None)
    _notify(cal, event, send_updates, "invitation", event.attendees)
    return _save(cal, event)


def _materialize(cal: GoogleCalendar, event_id: str) -> GoogleCalendarEvent:
    """The stored row of an event, or a new (unsaved) exception row for a series' instance."""
    try:
        return cal.events.select_for_update().get(event_id=event_id)
    except NotFound:
        master, instance = find_instance(cal, event_id)
    body = cb.body_of(master)
    if instance.day is not None:
        body["start"], body["end"] = {"date": str(instance.day)}, {"date": str(instance.end_day)}
    else:
        tz_name = master.start.get("timeZone") or "UTC"
        for side, moment in (("start", instance.start_at), ("end", instance.end_at)):
            body[side] = {
                "dateTime": ct.format_datetime(moment, ct.zone(tz_name)),
                "timeZone": tz_name,
            }
    return GoogleCalendarEvent(
        calendar=cal,
        event_id=event_id,
        ical_uid=master.ical_uid,
        recurring_event_id=master.event_id,
        organizer=master.organizer,
        creator=master.creator,
        created=master.created,
        updated=master.updated,
        sequence=master.sequence,
        conference=master.conference,
        hangout_link=master.hangout_link,
        **cb.fields(body, calendar_zone(cal), cal.email, instance=True),
    )


def patch(
    cal: GoogleCalendar,
    event_id: str,
    body: dict,
    *,
    send_updates: str | None = None,
    conference_version: int = 0,
    replace: bool = False,
) -> GoogleCalendarEvent:
    """Change an event (or one instance of a series) with patch semantics, or replace its
    fields (``replace``: PUT); raises NotFound or Invalid."""
    with transaction.atomic():
        event = _materialize(cal, event_id)
        before = cb.body_of(event)
        merged = body if replace else cb.merge(before, body)
        old_attendees = {a["email"].lower(): a for a in event.attendees}
        instance = bool(event.recurring_event_id)
        changed = cb.fields(merged, calendar_zone(cal), cal.email, instance=instance)
        for name, value in changed.items():
            setattr(event, name, value)
        after = cb.body_of(event)
        if any(before.get(name) != after.get(name) for name in cb.SEQUENCED):
            event.sequence += 1
        event.conference, event.hangout_link = cb.conference(body, conference_version, event)
        event.updated = timezone.now()
        emails = {a["email"].lower() for a in event.attendees}
        kept = [a for a in event.attendees if a["email"].lower() in old_attendees]
        added = [a for a in event.attendees if a["email"].lower() not in old_attendees]
        removed = [a for email, a in old_attendees.items() if email not in emails]
        for kind, whom in (("update", kept), ("invitation", added), ("cancellation", removed)):
            _notify(cal, event, send_updates, kind, whom)
        return _save(cal, event)


def cancel(cal: GoogleCalendar, event_id: str, *, send_updates: str | None = None):
    """Delete an event (or one instance) as Google does: it stays, cancelled, so syncs see it.
    Cancelling a series cancels its changed instances too. Raises NotFound or Deleted."""
    with transaction.atomic():
        event = _materialize(cal, event_id)
        if event.status == "cancelled":
            raise Deleted(event_id)
        event.status, event.updated = "cancelled", timezone.now()
        _notify(cal, event, send_updates, "cancellation", event.attendees)
        _save(cal, event)
        if event.recurrence:
            for instance in cal.events.filter(recurring_event_id=event.event_id).exclude(
                status="cancelled"
            ):
                instance.status, instance.updated = "cancelled", event.updated
                _save(cal, instance)
    return event


def forget_changes(cal: GoogleCalendar) -> int:
    """Make every sync token issued so far answer 410; returns the oldest change still synced."""
    with transaction.atomic():
        kept_from = bump(cal)
        GoogleCalendar.objects.filter(pk=cal.pk).update(sync_kept_from=kept_from)
    cal.sync_kept_from = kept_from
    return kept_from
