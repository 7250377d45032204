"""Google Calendar sync benchmark: a sandbox calendar of N events, a first sync and a
no-change sync.

    python bench/calendar_sync.py                  # 1,000 and 5,000 events
    python bench/calendar_sync.py --sizes 2000     # other sizes

The calendar is seeded by `sandbox_seed_calendar` and served by the sandbox under gunicorn in
another process (see harness.py). Printed per size: events/s of the first sync, CPU seconds per
1,000 events, database queries per 100 events, provider calls of the first sync, and provider
calls of a sync with nothing new.
"""

from __future__ import annotations

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness

EMAIL = "bench@clianta.example"


def child(size: int) -> None:
    """The syncing process: connect a calendar to the seeded one and sync it twice."""
    credential = harness.google_credential(
        "google_calendar", EMAIL, "https://www.googleapis.com/auth/calendar"
    )
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from calendars import services
    from calendars.models import CalendarEvent, CalendarIntegration
    from sandbox import faults

    calendar = CalendarIntegration.objects.create(
        workspace=credential.workspace, email=EMAIL, credential=credential
    )
    faults.clear_calls()
    cpu, wall = time.process_time(), time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        log = services.sync_events(calendar)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    assert log.status == "success", log.error
    events = log.created + log.skipped
    first_calls = faults.calls("google").count()
    faults.clear_calls()
    again = services.sync_events(CalendarIntegration.objects.get(pk=calendar.pk))
    assert again.status == "success" and again.created == 0
    print(
        json.dumps(
            {
                "events": events,
                "stored": CalendarEvent.objects.count(),
                "seconds": round(wall, 2),
                "events_per_second": round(events / wall, 1),
                "cpu_seconds_per_1000": round(cpu * 1000 / events, 3),
                "queries_per_100": round(len(queries) * 100 / events, 2),
                "first_sync_calls": first_calls,
                "no_change_calls": faults.calls("google").count(),
            }
        )
    )


def main() -> None:
    results = harness.run(
        __file__,
        __doc__.splitlines()[0],
        lambda size: ["sandbox_seed_calendar", "--email", EMAIL, "--events", str(size), "--clear"],
        child,
        sizes=[1000, 5000],
    )
    if len(results) > 1:
        print(
            "queries per 100 events, smallest vs largest: "
            f"{results[0]['queries_per_100']} vs {results[-1]['queries_per_100']}"
        )


if __name__ == "__main__":
    main()
