"""Free time: working hours in each member's own time zone, minus their busy blocks, common to
everyone named, cut into slots. Pure functions over aware datetimes, so DST is handled by the
time zones themselves."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class WorkingHours:
    time_zone: str
    start: time
    end: time
    days: frozenset[int]  # 0 = Monday

    def intervals(self, window_start: datetime, window_end: datetime) -> list[Interval]:
        """Working intervals inside the window, each day in the member's local time."""
        zone = ZoneInfo(self.time_zone)
        first = window_start.astimezone(zone).date() - timedelta(days=1)
        last = window_end.astimezone(zone).date() + timedelta(days=1)
        found = []
        day: date = first
        while day <= last:
            if day.weekday() in self.days:
                start = datetime.combine(day, self.start, tzinfo=zone)
                end = datetime.combine(day, self.end, tzinfo=zone)
                start, end = max(start, window_start), min(end, window_end)
                if start < end:
                    found.append((start, end))
            day += timedelta(days=1)
        return found


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def subtract(free: list[Interval], busy: list[Interval]) -> list[Interval]:
    result = []
    busy = merge(busy)
    for start, end in free:
        cursor = start
        for busy_start, busy_end in busy:
            if busy_end <= cursor or busy_start >= end:
                continue
            if busy_start > cursor:
                result.append((cursor, busy_start))
            cursor = max(cursor, busy_end)
        if cursor < end:
            result.append((cursor, end))
    return result


def intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    result, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            result.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return result


def common_free(
    members: list[tuple[WorkingHours, list[Interval]]], window: Interval
) -> list[Interval]:
    """Time inside ``window`` when every member is working and not busy."""
    common = [window]
    for hours, busy in members:
        common = intersect(common, subtract(hours.intervals(*window), busy))
    return common


def slots(free: list[Interval], duration: timedelta, step: timedelta) -> list[Interval]:
    """Slots of ``duration`` inside the free intervals, starting on ``step`` boundaries (UTC)."""
    found = []
    for start, end in free:
        epoch = start.timestamp()
        aligned = -(-epoch // step.total_seconds()) * step.total_seconds()
        cursor = start + timedelta(seconds=aligned - epoch)
        while cursor + duration <= end:
            found.append((cursor, cursor + duration))
            cursor += step
    return found
