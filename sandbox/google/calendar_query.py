"""events.list (and events.instances) over a sandbox calendar: filters, expansion of series,
paging, and sync tokens.

- https://developers.google.com/calendar/api/v3/reference/events/list
- https://developers.google.com/calendar/api/guides/sync: a list without syncToken ends with a
  ``nextSyncToken`` on its last page; with it, every event changed since (cancelled ones
  included) comes back. Tokens count the calendar's changes: one older than the calendar still
  keeps (``expire_sync_tokens``), unknown or malformed, answers 410 ``fullSyncRequired``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Max, Q, QuerySet

from . import calendar_time as ct
from .calendar_events import calendar_zone
from .calendar_resource import resource
from .calendar_time import Instance, Invalid
from .models import GoogleCalendar, GoogleCalendarEvent

DEFAULT_PAGE, MAX_PAGE = 250, 2500
# Parameters events.list refuses next to a syncToken.
NOT_WITH_SYNC = (
    "iCalUID",
    "orderBy",
    "privateExtendedProperty",
    "q",
    "sharedExtendedProperty",
    "timeMin",
    "timeMax",
    "updatedMin",
)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Gone(Exception):
    """410: the sync token is no longer valid."""


def _micros(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def _encode(data) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()


def _decode(token: str):
    try:
        return json.loads(base64.urlsafe_b64decode(token.encode()))
    except (binascii.Error, ValueError, UnicodeError):
        return None


def sync_token(cal: GoogleCalendar, seq: int) -> str:
    return _encode(["sync", cal.pk, seq])


def _since(cal: GoogleCalendar, token: str) -> int:
    data = _decode(token)
    if not (isinstance(data, list) and len(data) == 3 and data[:2] == ["sync", cal.pk]):
        raise Gone
    seq = data[2]
    if not isinstance(seq, int) or not cal.sync_kept_from <= seq <= cal.change_seq:
        raise Gone
    return seq


def _bool(params, name: str) -> bool:
    value = params.get(name, "false").lower()
    if value not in ("true", "false"):
        raise Invalid(f"Invalid boolean value: '{params[name]}'.")
    return value == "true"


@dataclass
class Query:
    single: bool
    show_deleted: bool
    order: str
    size: int
    zone: ZoneInfo
    time_min: datetime | None = None
    time_max: datetime | None = None
    updated_min: datetime | None = None
    since: int | None = None
    ical_uid: str = ""
    terms: tuple[str, ...] = ()
    after: tuple | None = None
    snapshot: int | None = None
    series_id: str = ""


def _fingerprint(params) -> str:
    kept = sorted(
        (k, v) for k in params if k not in ("pageToken", "maxResults") for v in params.getlist(k)
    )
    return hashlib.sha256(repr(kept).encode()).hexdigest()[:16]


def parse(cal: GoogleCalendar, params) -> Query:
    """The list request's parameters, checked as Google checks them; raises Invalid or Gone."""
    size = params.get("maxResults") or str(DEFAULT_PAGE)
    if not size.isdigit() or int(size) < 1:
        raise Invalid(
            f"Invalid value '{size}'. Values must match the following regular expression: '[0-9]+'",
            "invalidParameter",
        )
    order = params.get("orderBy", "")
    if order not in ("", "startTime", "updated"):
        raise Invalid(f"Invalid value for orderBy: {order}", "invalidParameter")
    try:
        tz = ct.zone(params["timeZone"]) if params.get("timeZone") else calendar_zone(cal)
    except ValueError as error:
        raise Invalid("Invalid time zone definition.") from error
    query = Query(
        single=_bool(params, "singleEvents"),
        show_deleted=_bool(params, "showDeleted"),
        order=order,
        size=min(int(size), MAX_PAGE),
        zone=tz,
        ical_uid=params.get("iCalUID", ""),
        terms=tuple(params.get("q", "").lower().split()),
    )
    if order == "startTime" and not query.single:
        raise Invalid(
            "The requested ordering is not available for the particular query.", "badRequest"
        )
    for name in ("timeMin", "timeMax", "updatedMin"):
        if params.get(name):
            attribute = {"timeMin": "time_min", "timeMax": "time_max"}.get(name, "updated_min")
            setattr(query, attribute, ct.parse_instant(params[name]))
    if query.time_min and query.time_max and query.time_max <= query.time_min:
        raise Invalid("The specified time range is empty.", "timeRangeEmpty")
    if params.get("syncToken"):
        refused = [name for name in NOT_WITH_SYNC if params.get(name)]
        if refused:
            raise Invalid(f"Sync token cannot be used with {refused[0]}.", "invalid")
        query.since = _since(cal, params["syncToken"])
    if params.get("pageToken"):
        data = _decode(params["pageToken"])
        shape = [int, str] if order else [int, int, str]
        if not (
            isinstance(data, dict)
            and data.get("h") == _fingerprint(params)
            and isinstance(data.get("s"), int)
            and [type(part) for part in data.get("k") or ()] == shape
        ):
            raise Invalid("Invalid page token value.", "invalid")
        query.after, query.snapshot = tuple(data["k"]), data["s"]
    return query


def exceptions(cal: GoogleCalendar) -> dict[str, set[str]]:
    """For each series, the stamps of its instances that are stored rows of their own."""
    found: dict[str, set[str]] = {}
    rows = cal.events.exclude(recurring_event_id="").values_list("recurring_event_id", "event_id")
    for series_id, event_id in rows:
        found.setdefault(series_id, set()).add(event_id.rpartition("_")[2])
    return found


def rows_of(cal: GoogleCalendar, query: Query) -> QuerySet[GoogleCalendarEvent]:
    """The stored rows that may contribute to the query's answer."""
    rows = cal.events.all()
    if query.series_id:
        rows = rows.filter(Q(event_id=query.series_id) | Q(recurring_event_id=query.series_id))
    if query.since is not None:
        rows = rows.filter(change_seq__gt=query.since)
    if query.updated_min:
        rows = rows.filter(updated__gte=query.updated_min)
    if query.ical_uid:
        rows = rows.filter(ical_uid=query.ical_uid)
    if query.time_max:
        rows = rows.filter(start_at__lt=query.time_max)
    if query.time_min:
        rows = rows.filter(Q(range_end__isnull=True) | Q(range_end__gt=query.time_min))
    return rows


def _matches(event: GoogleCalendarEvent, terms) -> bool:
    attendees = " ".join(f"{a['email']} {a.get('displayName', '')}" for a in event.attendees)
    text = " ".join((event.summary, event.description, event.location, event.organizer))
    return all(term in f"{text} {attendees}".lower() for term in terms)


def _key(query: Query, event: GoogleCalendarEvent, instance: Instance | None) -> tuple:
    start = instance.start_at if instance else event.start_at
    event_id = f"{event.event_id}_{instance.stamp}" if instance else event.event_id
    if query.order == "startTime":
        return (_micros(start), event_id)
    if query.order == "updated":
        return (_micros(event.updated), event_id)
    return (event.pk, _micros(start), event_id)


def _items(query: Query, event, tz, skipped: dict) -> list[tuple]:
    """(key, event, instance) of what a stored row contributes to the list."""
    if event.status == "cancelled" and not (
        query.show_deleted
        or query.since is not None
        or query.updated_min is not None
        or (event.recurring_event_id and not query.single)
    ):
        return []
    if query.terms and not _matches(event, query.terms):
        return []
    if not event.recurrence:
        return [(_key(query, event, None), event, None)]
    if not query.single:
        # The rows' range already overlaps the window; within it, some instance must too.
        if query.time_max and not ct.instances(event, tz, query.time_min, query.time_max):
            return []
        return [(_key(query, event, None), event, None)]
    found = ct.instances(event, tz, query.time_min, query.time_max)
    stamps = skipped.get(event.event_id, set())
    return [(_key(query, event, i), event, i) for i in found if i.stamp not in stamps]


def list_events(cal: GoogleCalendar, params, *, series_id: str = "") -> dict:
    """The events.list answer, or with ``series_id`` the events.instances one (the series'
    instances, paged, without sync token); raises Invalid or Gone."""
    current = GoogleCalendar.objects.get(pk=cal.pk)
    cal.change_seq, cal.sync_kept_from = current.change_seq, current.sync_kept_from
    query = parse(cal, params)
    if series_id:
        query.single, query.series_id = True, series_id
    snapshot = cal.change_seq if query.snapshot is None else query.snapshot
    tz = calendar_zone(cal)
    skipped = exceptions(cal) if query.single else {}
    rows = rows_of(cal, query)
    collected = []
    if query.order:
        for event in rows:
            collected += _items(query, event, tz, skipped)
        collected.sort(key=lambda item: item[0])
        collected = [item for item in collected if query.after is None or item[0] > query.after]
    else:
        cursor = query.after[0] - 1 if query.after else 0
        while len(collected) <= query.size:
            batch = list(rows.filter(pk__gt=cursor).order_by("pk")[:200])
            for event in batch:
                items = _items(query, event, tz, skipped)
                collected += [item for item in items if not query.after or item[0] > query.after]
            if len(batch) < 200:
                break
            cursor = batch[-1].pk
    page = collected[: query.size]
    latest = cal.events.aggregate(latest=Max("updated"))["latest"] or cal.created_at
    answer = {
        "kind": "calendar#events",
        "etag": f'"{snapshot}"',
        "summary": cal.email,
        "description": "",
        "updated": ct.format_stamp(latest),
        "timeZone": cal.time_zone,
        "accessRole": "owner",
        "defaultReminders": [{"method": "popup", "minutes": 10}],
    }
    if len(collected) > query.size:
        token = {"k": list(page[-1][0]), "s": snapshot, "h": _fingerprint(params)}
        answer["nextPageToken"] = _encode(token)
    elif not series_id and not query.order:
        # No sync token for an ordered list, whose orderBy a sync could not repeat (UNCONFIRMED:
        # reported by client library users, not documented).
        answer["nextSyncToken"] = sync_token(cal, snapshot)
    answer["items"] = [
        resource(event, cal, query.zone, instance=instance, minimal=True)
        for _key_, event, instance in page
    ]
    return answer
