"""The free slots of a booking link: each member's working hours (in their own time zone) minus
their synced events padded by the link's buffers, minus the days they reached the link's daily
cap; common to all members, or any member's for round robin. Computed from the synced calendars
(no provider call per page view); booking checks the chosen slot with the providers again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from calendars import services as calendars
from calendars.availability import Interval, WorkingHours, common_free, slots, subtract

from .models import Booking, BookingLink


@dataclass(frozen=True)
class Member:
    """What decides when one member is free: hours, busy time, and the (local) days full."""

    user_id: int
    hours: WorkingHours
    busy: list[Interval]
    full_days: frozenset[date] = frozenset()

    def blocked(self) -> list[Interval]:
        """Busy time and the full days, as intervals."""
        zone = ZoneInfo(self.hours.time_zone)
        whole_days = [
            (
                datetime.combine(day, time.min, tzinfo=zone),
                datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone),
            )
            for day in self.full_days
        ]
        return self.busy + whole_days


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    hosts: tuple[int, ...]  # the members free for it (every member, for "all")


def window(link: BookingLink, now: datetime | None = None) -> Interval:
    now = now or timezone.now()
    return now + timedelta(minutes=link.min_notice_minutes), now + timedelta(days=link.days_ahead)


def step(link: BookingLink) -> timedelta:
    """Slots start every 30 minutes, or every ``duration`` for shorter meetings."""
    return timedelta(minutes=min(link.duration_minutes, 30))


def buffers(link: BookingLink) -> tuple[timedelta, timedelta]:
    """The free time a meeting of the link needs before it and after it."""
    return (
        timedelta(minutes=link.buffer_before_minutes),
        timedelta(minutes=link.buffer_after_minutes),
    )


def padded(link: BookingLink, busy: list[Interval]) -> list[Interval]:
    """Busy time grown by the buffers: a meeting needs ``buffer_before`` free before it and
    ``buffer_after`` after it."""
    before, after = buffers(link)
    return [(start - after, end + before) for start, end in busy]


def free(member: Member, span: Interval) -> list[Interval]:
    """The member's free time inside ``span``."""
    return subtract(member.hours.intervals(*span), member.blocked())


def compute(link: BookingLink, members: list[Member], span: Interval) -> list[Slot]:
    duration, every = timedelta(minutes=link.duration_minutes), step(link)
    if not members:
        return []
    if link.assignment == BookingLink.Assignment.ALL:
        common = common_free([(m.hours, m.blocked()) for m in members], span)
        hosts = tuple(m.user_id for m in members)
        return [Slot(start, end, hosts) for start, end in slots(common, duration, every)]
    found: dict[Interval, list[int]] = {}
    for member in members:
        for interval in slots(free(member, span), duration, every):
            found.setdefault(interval, []).append(member.user_id)
    return [Slot(start, end, tuple(hosts)) for (start, end), hosts in sorted(found.items())]


def members_of(link: BookingLink, span: Interval, exclude: Booking | None = None) -> list[Member]:
    """The link's members who connected a calendar, as the synced calendars and the link's own
    bookings have them (two queries, plus one for the daily caps). For "all", a member without a
    calendar makes the link unbookable: nobody answers for their time."""
    user_ids = [membership.user_id for membership in link.members.all()]
    found = calendars.calendars_of(link.workspace_id, user_ids)
    if link.assignment == BookingLink.Assignment.ALL and len(found) < len(user_ids):
        return []
    reach = sum(buffers(link), timedelta())
    wide = (span[0] - reach, span[1] + reach)
    busy = calendars.synced_busy(list(found.values()), *wide)
    booked = _booked(found, wide, exclude)
    full = _full_days(link, found, exclude)
    return [
        Member(
            user_id,
            calendars.working_hours(calendar),
            padded(link, busy[calendar.pk] + booked.get(user_id, [])),
            frozenset(full.get(user_id, ())),
        )
        for user_id, calendar in found.items()
    ]


def _booked(found: dict, span: Interval, exclude: Booking | None) -> dict[int, list[Interval]]:
    """The members' meetings booked through any link (of any workspace: it is the same
    person's time), which a calendar they are only invited to may not show yet."""
    rows = Booking.objects.filter(
        status=Booking.Status.CONFIRMED, start__lt=span[1], end__gt=span[0]
    )
    if exclude is not None:
        rows = rows.exclude(pk=exclude.pk)
    taken: dict[int, list[Interval]] = {}
    for hosts, start, end in rows.values_list("hosts", "start", "end"):
        for host in hosts:
            if host in found:
                taken.setdefault(host, []).append((start, end))
    return taken


def _full_days(link: BookingLink, found: dict, exclude: Booking | None) -> dict[int, set[date]]:
    if not link.daily_cap:
        return {}
    full: dict[int, set[date]] = {}
    for user_id, calendar in found.items():
        booked = Booking.objects.filter(
            link=link, organizer_id=user_id, status=Booking.Status.CONFIRMED, end__gt=timezone.now()
        )
        if exclude is not None:
            booked = booked.exclude(pk=exclude.pk)
        per_day = (
            booked.annotate(day=TruncDate("start", tzinfo=ZoneInfo(calendar.time_zone)))
            .values("day")
            .annotate(n=Count("id"))
            .values_list("day", "n")
        )
        full[user_id] = {day for day, n in per_day if n >= link.daily_cap}
    return full


def for_link(link: BookingLink, span: Interval | None = None) -> list[Slot]:
    """The link's free slots inside ``span`` (default: its whole bookable window)."""
    bookable = window(link)
    span = span or bookable
    span = (max(span[0], bookable[0]), min(span[1], bookable[1]))
    if span[0] >= span[1]:
        return []
    return compute(link, members_of(link, span), span)
