"""Free time across members in different time zones, including a DST change."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from calendars.availability import WorkingHours, common_free, merge, slots, subtract

WEEKDAYS = frozenset(range(5))
PARIS = WorkingHours("Europe/Paris", time(9), time(17), WEEKDAYS)
NEW_YORK = WorkingHours("America/New_York", time(9), time(17), WEEKDAYS)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_merge_and_subtract():
    busy = merge(
        [(utc(2026, 6, 1, 10), utc(2026, 6, 1, 11)), (utc(2026, 6, 1, 10, 30), utc(2026, 6, 1, 12))]
    )
    assert busy == [(utc(2026, 6, 1, 10), utc(2026, 6, 1, 12))]
    free = subtract([(utc(2026, 6, 1, 9), utc(2026, 6, 1, 17))], busy)
    assert free == [
        (utc(2026, 6, 1, 9), utc(2026, 6, 1, 10)),
        (utc(2026, 6, 1, 12), utc(2026, 6, 1, 17)),
    ]


def test_two_members_overlap_only_where_both_work_and_are_free():
    # Monday 1 June 2026: Paris works 07:00-15:00 UTC, New York 13:00-21:00 UTC.
    window = (utc(2026, 6, 1), utc(2026, 6, 2))
    new_york_busy = [(utc(2026, 6, 1, 13), utc(2026, 6, 1, 14))]
    free = common_free([(PARIS, []), (NEW_YORK, new_york_busy)], window)
    assert free == [(utc(2026, 6, 1, 14), utc(2026, 6, 1, 15))]
    assert slots(free, timedelta(minutes=30), timedelta(minutes=30)) == [
        (utc(2026, 6, 1, 14), utc(2026, 6, 1, 14, 30)),
        (utc(2026, 6, 1, 14, 30), utc(2026, 6, 1, 15)),
    ]


def test_working_hours_follow_the_local_clock_across_a_dst_change():
    # Europe moves clocks on 29 March 2026, the US on 8 March: in the weeks between, Paris and
    # New York are 5 hours apart instead of 6, and the overlap grows by an hour.
    before = common_free([(PARIS, []), (NEW_YORK, [])], (utc(2026, 3, 6), utc(2026, 3, 7)))
    between = common_free([(PARIS, []), (NEW_YORK, [])], (utc(2026, 3, 13), utc(2026, 3, 14)))
    after = common_free([(PARIS, []), (NEW_YORK, [])], (utc(2026, 3, 30), utc(2026, 3, 31)))
    assert before == [(utc(2026, 3, 6, 14), utc(2026, 3, 6, 16))]  # 2 h
    assert between == [(utc(2026, 3, 13, 13), utc(2026, 3, 13, 16))]  # 3 h
    assert after == [(utc(2026, 3, 30, 13), utc(2026, 3, 30, 15))]  # 2 h
    # Inside one window spanning the change, each day keeps 09:00-17:00 local time.
    paris = PARIS.intervals(utc(2026, 3, 27), utc(2026, 3, 31))
    local = [
        (
            s.astimezone(ZoneInfo("Europe/Paris")).time(),
            e.astimezone(ZoneInfo("Europe/Paris")).time(),
        )
        for s, e in paris
    ]
    assert local == [(time(9), time(17))] * 2  # Friday 27 and Monday 30 March
    assert [e - s for s, e in paris] == [timedelta(hours=8)] * 2


def test_weekends_and_the_window_edges():
    saturday = common_free([(PARIS, [])], (utc(2026, 6, 6), utc(2026, 6, 7)))
    assert saturday == []
    clipped = PARIS.intervals(utc(2026, 6, 1, 12), utc(2026, 6, 1, 13))
    assert clipped == [(utc(2026, 6, 1, 12), utc(2026, 6, 1, 13))]


def test_slots_start_on_step_boundaries():
    free = [(utc(2026, 6, 1, 9, 10), utc(2026, 6, 1, 10, 40))]
    found = slots(free, timedelta(minutes=30), timedelta(minutes=15))
    assert [s.strftime("%H:%M") for s, _ in found] == ["09:15", "09:30", "09:45", "10:00"]
