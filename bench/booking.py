"""Booking link slots on PostgreSQL: a link over 4 members, each calendar seeded with 2,000
events in the next 60 days; the slots of the whole 60-day window, and the public page (a week),
for "all of them" and round robin. Prints queries and p95/median time per computation or page
view.

    .venv/bin/python bench/booking.py [--events 2000] [--members 4] [--repeat 30]

BENCH_DATABASE_URL names the PostgreSQL database to (re)create (default: clianta_bench_booking
on 127.0.0.1).
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import _recreate_database, environment  # noqa: E402

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/clianta_bench_booking"
DAYS = 60
ZONES = ["Europe/Paris", "Europe/London", "America/New_York", "UTC"]  # 14:00-16:00 UTC common


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000, help="Events per member.")
    parser.add_argument("--members", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=30, help="Runs measured per case.")
    args = parser.parse_args()
    database = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    _recreate_database(database)
    os.environ.update(environment(database, 8000))
    os.environ.update(ALLOWED_HOSTS="testserver", BOOKINGS_VIEWS_PER_IP_PER_MINUTE="1000000")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, check=True
    )
    import django

    django.setup()
    measure(seed(args.members, args.events), args.repeat)


def seed(members: int, events: int):
    """A workspace whose ``members`` members each have a calendar (working hours 9-17 in their
    own zone) holding ``events`` events of 30 to 90 minutes at random in the next 60 days; a
    link of each kind over all of them."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from bookings.models import BookingLink
    from calendars.models import CalendarEvent, CalendarIntegration, Meeting
    from clianta.models import Membership, Workspace
    from integrations.models import IntegrationCredential

    started = time.perf_counter()
    rng = random.Random(7)  # noqa: S311 - reproducible seed data
    now = timezone.now()
    workspace = Workspace.objects.create(name="Bench")
    memberships = []
    with transaction.atomic():
        for n in range(members):
            user = get_user_model().objects.create_user(f"member{n}")
            memberships.append(Membership.objects.create(workspace=workspace, user=user))
            email = f"member{n}@bench.example"
            credential = IntegrationCredential.objects.create(
                workspace=workspace,
                provider="google_calendar",
                account=email,
                connected_by=user,
                access_token="unused",
            )
            calendar = CalendarIntegration.objects.create(
                workspace=workspace,
                email=email,
                credential=credential,
                user=user,
                time_zone=ZONES[n % len(ZONES)],
            )
            starts = [
                now + timedelta(minutes=rng.randrange(0, DAYS * 24 * 60, 15)) for _ in range(events)
            ]
            meetings = Meeting.objects.bulk_create(
                Meeting(workspace=workspace, ical_uid=f"{n}-{i}@bench", start=start)
                for i, start in enumerate(starts)
            )
            CalendarEvent.objects.bulk_create(
                CalendarEvent(
                    workspace=workspace,
                    integration=calendar,
                    meeting=meeting,
                    provider_event_id=f"{n}-{i}",
                    start=meeting.start,
                    end=meeting.start + timedelta(minutes=rng.choice([30, 45, 60, 90])),
                )
                for i, meeting in enumerate(meetings)
            )
        links = {}
        for kind in BookingLink.Assignment.values:
            link = BookingLink.objects.create(
                workspace=workspace,
                title=kind,
                duration_minutes=30,
                assignment=kind,
                days_ahead=DAYS,
                min_notice_minutes=0,
                buffer_before_minutes=10,
                buffer_after_minutes=10,
                daily_cap=4,
            )
            link.members.set(memberships)
            links[kind] = link
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"{members} members x {events} events over {DAYS} days, seeded in "
        f"{time.perf_counter() - started:.0f} s"
    )
    return links


def timed(repeat: int, call):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()  # warm-up
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = call()
            times.append(time.perf_counter() - started)
    return result, len(queries), statistics.quantiles(times, n=20)[-1], statistics.median(times)


def measure(links: dict, repeat: int):
    from django.test import Client

    from bookings import slots

    client = Client()
    print("| case | slots | queries | p95 | median |")
    print("|---|---|---|---|---|")
    for kind, link in links.items():
        found, queries, p95, median = timed(repeat, lambda link=link: slots.for_link(link))
        print(
            f"| {kind}: slots of the 60-day window | {len(found)} | {queries} | "
            f"{p95 * 1000:.1f} ms | {median * 1000:.1f} ms |"
        )
        url = f"/book/{link.slug}?tz=Europe/Paris"

        def view(url=url):
            answer = client.get(url)
            assert answer.status_code == 200, answer.status_code
            return answer.content.count(b'class="slot"')

        shown, queries, p95, median = timed(repeat, view)
        print(
            f"| {kind}: public page (a week) | {shown} | {queries} | "
            f"{p95 * 1000:.1f} ms | {median * 1000:.1f} ms |"
        )


if __name__ == "__main__":
    main()
