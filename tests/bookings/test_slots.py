"""Slot computation of booking links: members in different time zones, DST, buffers, daily
caps, and round robin's union of free time."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bookings import slots
from bookings.models import BookingLink
from calendars.availability import WorkingHours

WEEKDAYS = frozenset(range(5))
NINE_TO_FIVE = (time(9), time(17))


def member(user_id, zone="UTC", busy=(), full_days=(), hours=NINE_TO_FIVE):
    return slots.Member(
        user_id, WorkingHours(zone, *hours, WEEKDAYS), list(busy), frozenset(full_days)
    )


def link(**fields):
    return BookingLink(duration_minutes=fields.pop("duration_minutes", 30), **fields)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def starts(found):
    return [slot.start for slot in found]


def test_all_members_common_hours_across_time_zones():
    """Paris works 8:00-16:00 UTC in winter, New York 14:00-22:00 UTC: together 14:00-16:00."""
    day = (utc(2026, 1, 14), utc(2026, 1, 15))
    found = slots.compute(
        link(duration_minutes=60),
        [member(1, "Europe/Paris"), member(2, "America/New_York")],
        day,
    )
    assert starts(found) == [utc(2026, 1, 14, 14), utc(2026, 1, 14, 14, 30), utc(2026, 1, 14, 15)]
    assert {slot.hosts for slot in found} == {(1, 2)}


def test_working_hours_follow_daylight_saving_time():
    """New York's 9:00 is 14:00 UTC on the Friday before DST starts (2026-03-08) and 13:00 UTC
    on the Monday after."""
    span = (utc(2026, 3, 6), utc(2026, 3, 10))
    found = slots.compute(link(duration_minutes=30), [member(1, "America/New_York")], span)
    firsts = {}
    for slot in found:
        firsts.setdefault(slot.start.astimezone(ZoneInfo("America/New_York")).date(), slot.start)
    assert firsts == {date(2026, 3, 6): utc(2026, 3, 6, 14), date(2026, 3, 9): utc(2026, 3, 9, 13)}


def test_busy_time_and_buffers_remove_slots():
    """A meeting 10:00-11:00 with 15 minutes before and 30 after: a 30-minute slot must end by
    9:45 (its 30 after) and start from 11:15 (the meeting's 15 before the slot)."""
    busy = [(utc(2026, 1, 14, 10), utc(2026, 1, 14, 11))]
    the_link = link(duration_minutes=30, buffer_before_minutes=15, buffer_after_minutes=30)
    day = (utc(2026, 1, 14, 9), utc(2026, 1, 14, 13))
    found = slots.compute(the_link, [member(1, busy=slots.padded(the_link, busy))], day)
    # Slots start every 30 minutes on the clock: 9:00 (ends 9:30, free until 9:30), then 11:30.
    assert starts(found) == [
        utc(2026, 1, 14, 9),
        utc(2026, 1, 14, 11, 30),
        utc(2026, 1, 14, 12),
        utc(2026, 1, 14, 12, 30),
    ]


def test_a_member_at_the_daily_cap_has_no_slots_that_day():
    span = (utc(2026, 1, 14), utc(2026, 1, 16))
    found = slots.compute(link(), [member(1, full_days={date(2026, 1, 14)})], span)
    assert {slot.start.date() for slot in found} == {date(2026, 1, 15)}


def test_round_robin_offers_any_members_free_time_with_who_is_free():
    """Member 1 is busy in the morning, member 2 in the afternoon: every hour has someone."""
    day = (utc(2026, 1, 14, 9), utc(2026, 1, 14, 17))
    morning = [(utc(2026, 1, 14, 9), utc(2026, 1, 14, 13))]
    afternoon = [(utc(2026, 1, 14, 13), utc(2026, 1, 14, 17))]
    found = slots.compute(
        link(duration_minutes=60, assignment=BookingLink.Assignment.ROUND_ROBIN),
        [member(1, busy=morning), member(2, busy=afternoon)],
        day,
    )
    # 9:00-12:00 with member 2, 13:00-16:00 with member 1; 12:30 straddles both busy halves.
    assert len(found) == 14
    assert utc(2026, 1, 14, 12, 30) not in starts(found)
    assert {slot.hosts for slot in found if slot.start < utc(2026, 1, 14, 12, 30)} == {(2,)}
    assert {slot.hosts for slot in found if slot.start >= utc(2026, 1, 14, 13)} == {(1,)}
    all_together = slots.compute(
        link(duration_minutes=60), [member(1, busy=morning), member(2, busy=afternoon)], day
    )
    assert all_together == []


def test_slots_step_with_short_meetings():
    found = slots.compute(
        link(duration_minutes=15), [member(1)], (utc(2026, 1, 14, 9), utc(2026, 1, 14, 10))
    )
    assert starts(found) == [utc(2026, 1, 14, 9) + timedelta(minutes=15 * n) for n in range(4)]
