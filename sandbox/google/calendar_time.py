"""Time in the Google Calendar fake: RFC 3339 values, event start/end, recurrence expansion.

Recurring events expand with python-dateutil's rrule over a start that is aware in the event's
time zone (zoneinfo), so instances keep their local time across DST changes, as Google's do.
All-day events and instances are dates; their instants are midnights in the calendar's zone.
https://developers.google.com/calendar/api/concepts/events-calendars#recurring_events
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rruleset, rrulestr

# How far instances of a series without an end are expanded when the query has no timeMax
# (UNCONFIRMED how far Google goes), and the most instances one series yields to one query.
HORIZON = timedelta(days=730)
MAX_INSTANCES = 5000
_RFC3339 = re.compile(
    r"(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?", re.ASCII
)
_STAMP = re.compile(r"(\d{8})(T(\d{6})Z)?")


class Invalid(Exception):
    """A request Google refuses with 400, with this message and reason."""

    def __init__(self, message: str = "Bad Request", reason: str = "invalid"):
        super().__init__(message)
        self.reason = reason


def parse_datetime(value) -> datetime:
    """An RFC 3339 date-time; naive when it has no offset. Raises ValueError."""
    match = _RFC3339.fullmatch(value) if isinstance(value, str) else None
    if not match:
        raise ValueError(f"not an RFC 3339 date-time: {value!r}")
    day, clock, fraction, offset = match.groups()
    fraction = (fraction or "")[:7]  # at most microseconds
    offset = "+00:00" if offset in ("Z", "z") else offset or ""
    return datetime.fromisoformat(f"{day}T{clock}{fraction}{offset}")


def parse_instant(value, *, field: str = "") -> datetime:
    """An RFC 3339 timestamp with its offset (timeMin, updatedMin, ...) in UTC; Invalid else."""
    try:
        moment = parse_datetime(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise Invalid("Bad Request", "badRequest")
    return moment.astimezone(UTC)


def parse_date(value) -> date:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError(f"not a date: {value!r}")
    return date.fromisoformat(value)


def zone(name) -> ZoneInfo:
    """The IANA time zone; raises ValueError for an unknown name."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise ValueError(f"unknown time zone {name!r}") from error


def format_datetime(moment: datetime, tz: ZoneInfo) -> str:
    """An event time as Google writes it: in ``tz``, seconds, ``Z`` for UTC."""
    local = moment.astimezone(tz)
    text = local.replace(microsecond=0, tzinfo=None).isoformat()
    offset = local.utcoffset() or timedelta(0)
    if not offset:
        return text + "Z"
    sign, offset = ("-", -offset) if offset < timedelta(0) else ("+", offset)
    minutes = int(offset.total_seconds()) // 60
    return f"{text}{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def format_stamp(moment: datetime) -> str:
    """created, updated and freeBusy's timeMin/timeMax: UTC with milliseconds."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tz).astimezone(UTC)


@dataclass(frozen=True)
class Span:
    """An event's start and end as instants, plus what recurrence expansion needs."""

    all_day: bool
    start_at: datetime
    end_at: datetime
    start: dict
    end: dict


def _side(value, name: str, recurring: bool) -> tuple[dict, datetime | date]:
    """One of start/end, normalized, and its moment (aware datetime, or date)."""
    if not isinstance(value, dict) or not (value.get("date") or value.get("dateTime")):
        raise Invalid(f"Missing {name} time.", "required")
    tz_name = value.get("timeZone")
    if tz_name:
        try:
            tz = zone(tz_name)
        except ValueError as error:
            raise Invalid(f"Invalid time zone definition for {name} time.") from error
    if value.get("date") and not value.get("dateTime"):
        try:
            day = parse_date(value["date"])
        except ValueError as error:
            raise Invalid(f"Invalid {name} time.") from error
        return {"date": day.isoformat()}, day
    try:
        moment = parse_datetime(value["dateTime"])
    except ValueError as error:
        raise Invalid(f"Invalid {name} time.") from error
    if not tz_name and (moment.tzinfo is None or recurring):
        raise Invalid(f"Missing time zone definition for {name} time.", "required")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    normalized = {"dateTime": value["dateTime"]}
    if tz_name:
        normalized["timeZone"] = tz_name
    return normalized, moment


def span(start, end, calendar_zone: ZoneInfo, *, recurring: bool = False) -> Span:
    """Check an event body's start and end as Google does; raises Invalid."""
    start_json, start_moment = _side(start, "start", recurring)
    end_json, end_moment = _side(end, "end", recurring)
    if isinstance(start_moment, datetime) != isinstance(end_moment, datetime):
        raise Invalid("Start and end times must either both be date or both be dateTime.")
    if isinstance(start_moment, datetime):
        start_at, end_at = start_moment.astimezone(UTC), end_moment.astimezone(UTC)
        if end_at < start_at:
            raise Invalid("The specified time range is empty.", "timeRangeEmpty")
        return Span(False, start_at, end_at, start_json, end_json)
    if end_moment <= start_moment:
        raise Invalid("The specified time range is empty.", "timeRangeEmpty")
    start_at, end_at = midnight(start_moment, calendar_zone), midnight(end_moment, calendar_zone)
    return Span(True, start_at, end_at, start_json, end_json)


# Recurrence


@dataclass(frozen=True)
class Instance:
    """One occurrence of a recurring event; ``day`` and ``end_day`` for all-day ones."""

    start_at: datetime
    end_at: datetime
    day: date | None = None
    end_day: date | None = None

    @property
    def stamp(self) -> str:
        """The suffix of the instance's id: ``<eventId>_<stamp>``."""
        if self.day is not None:
            return self.day.strftime("%Y%m%d")
        return self.start_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def parse_stamp(stamp: str) -> datetime | date | None:
    match = _STAMP.fullmatch(stamp)
    if not match:
        return None
    try:
        if match.group(2):
            return datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        return datetime.strptime(stamp, "%Y%m%d").date()
    except ValueError:
        return None


def _values(line: str, all_day: bool, tz: ZoneInfo) -> list[datetime]:
    """The moments of an EXDATE or RDATE line, comparable with the series' starts."""
    head, _, values = line.partition(":")
    params = dict(p.split("=", 1) for p in head.split(";")[1:] if "=" in p)
    value_zone = zone(params["TZID"]) if "TZID" in params else tz
    moments = []
    for value in filter(None, values.split(",")):
        moment = parse_stamp(value) if value.endswith("Z") or len(value) == 8 else None
        if moment is None:
            moment = datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=value_zone)
        if all_day:
            day = moment if isinstance(moment, date) and not isinstance(moment, datetime) else None
            moments.append(datetime.combine(day or moment.date(), time()))
        elif isinstance(moment, datetime):
            moments.append(moment)
        else:
            moments.append(datetime.combine(moment, time(), value_zone))
    return moments


def _until_utc(rule: str, all_day: bool, tz: ZoneInfo) -> str:
    """UNTIL as dateutil needs it: a date for all-day series, UTC for timed ones."""

    def fix(match):
        moment = parse_stamp(match.group(1))
        if moment is None:
            local = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=tz)
            moment = local.astimezone(UTC)
        if all_day:
            return "UNTIL=" + moment.strftime("%Y%m%d")
        if not isinstance(moment, datetime):
            moment = datetime.combine(moment, time(23, 59, 59), tz).astimezone(UTC)
        return "UNTIL=" + moment.strftime("%Y%m%dT%H%M%SZ")

    return re.sub(r"UNTIL=([0-9TZ]+)", fix, rule, flags=re.IGNORECASE)


def rule_set(recurrence: list[str], dtstart: datetime, all_day: bool, tz: ZoneInfo) -> rruleset:
    """The series of RRULE/EXRULE/RDATE/EXDATE lines from ``dtstart``; raises ValueError."""
    rules = rruleset()
    if not isinstance(recurrence, list) or not recurrence:
        raise ValueError("no recurrence")
    for line in recurrence:
        if not isinstance(line, str):
            raise ValueError("not a line")
        name = re.split(r"[;:]", line, maxsplit=1)[0].upper()
        if name in ("RRULE", "EXRULE"):
            text = _until_utc(line.split(":", 1)[1], all_day, tz)
            rule = rrulestr(text, dtstart=dtstart)
            (rules.rrule if name == "RRULE" else rules.exrule)(rule)
        elif name in ("RDATE", "EXDATE"):
            for moment in _values(line, all_day, tz):
                (rules.rdate if name == "RDATE" else rules.exdate)(moment)
        else:
            raise ValueError(f"unknown recurrence line {line!r}")
    return rules


def series(event, calendar_zone: ZoneInfo) -> tuple[rruleset, timedelta]:
    """The rule set and duration of a recurring event (anything with all_day, start, end,
    start_at, end_at and recurrence); raises ValueError."""
    if event.all_day:
        first = parse_date(event.start["date"])
        dtstart = datetime.combine(first, time())
        length = parse_date(event.end["date"]) - first
        return rule_set(event.recurrence, dtstart, True, calendar_zone), length
    tz = zone(event.start.get("timeZone") or "UTC")
    dtstart = event.start_at.astimezone(tz)
    return rule_set(event.recurrence, dtstart, False, tz), event.end_at - event.start_at


def instances(event, calendar_zone: ZoneInfo, after=None, before=None) -> list[Instance]:
    """The instances that overlap ``(after, before)`` (instants; None: unbounded, up to
    HORIZON from now or ``after``), at most MAX_INSTANCES."""
    rules, length = series(event, calendar_zone)
    before = before or max(datetime.now(UTC), event.start_at, after or event.start_at) + HORIZON
    found = []
    if event.all_day:
        first = (after - length).astimezone(calendar_zone).replace(tzinfo=None) if after else None
        for start in rules.xafter(first or datetime.min, count=MAX_INSTANCES, inc=True):
            day = start.date()
            start_at = midnight(day, calendar_zone)
            if start_at >= before:
                break
            end_day = day + length
            found.append(Instance(start_at, midnight(end_day, calendar_zone), day, end_day))
    else:
        first = (after - length) if after else event.start_at
        tz = event.start_at.astimezone(zone(event.start.get("timeZone") or "UTC")).tzinfo
        for start in rules.xafter(first.astimezone(tz), count=MAX_INSTANCES, inc=True):
            start_at = start.astimezone(UTC)
            if start_at >= before:
                break
            found.append(Instance(start_at, start_at + length))
    if after is not None:
        found = [instance for instance in found if instance.end_at > after]
    return found


def last_end(event, calendar_zone: ZoneInfo) -> datetime | None:
    """When the series' last instance ends; None for a series without end. Raises ValueError
    (and others of dateutil's) for a rule it cannot read."""
    rules, length = series(event, calendar_zone)
    if not all(
        re.search(r"(^|;|:)(COUNT|UNTIL)=", line, re.IGNORECASE)
        for line in event.recurrence
        if line.upper().startswith("RRULE")
    ):
        return None
    last = None
    for count, start in enumerate(rules):
        if count >= 10 * MAX_INSTANCES:
            return None
        last = start
    if last is None:
        return event.end_at
    if event.all_day:
        return midnight(last.date() + length, calendar_zone)
    return last.astimezone(UTC) + length
