"""Fill a sandbox Google calendar with realistic events, fast (10,000 in a few seconds).

    python manage.py sandbox_seed_calendar --email user@example.com --events 300 [--clear]

The mix: meetings in working hours across the past 90 days and the next 365, with guests from
several domains in every answer state, a few weekly series (one without end), all-day events,
Meet conferences, some transparent and some cancelled events. The events' time zone (and the
calendar's) is ``--time-zone``. Under ``make run`` the default calendar is the one of the
address the sandbox consent page suggests.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, time, timedelta

from django.core.management.base import BaseCommand, CommandError

from sandbox.google import calendar_store as cs
from sandbox.google import calendar_time as ct
from sandbox.google.oauth import DEFAULT_EMAIL

PEOPLE = [
    ("Maria Lopez", "maria.lopez@acme-corp.com"),
    ("Kenji Watanabe", "kenji@globex.io"),
    ("Priya Natarajan", "priya.n@initech.net"),
    ("Tom Becker", "tom.becker@umbrella.example"),
    ("Amara Okafor", "amara@hooli.dev"),
    ("Sofia Rossi", "sofia.rossi@example.org"),
    ("Lucas Martin", "lucas.martin@gmail.com"),
]
TOPICS = [
    "Intro call with {company}",
    "{company} demo",
    "Pricing review",
    "Contract negotiation: {company}",
    "Onboarding kickoff",
    "Pipeline review",
    "1:1",
    "Customer check-in: {company}",
    "Lunch with {name}",
    "QBR prep",
]
SERIES = ["Weekly team sync", "Sales stand-up", "Pipeline review", "1:1 with manager"]
ALL_DAY = ["Out of office", "Conference: SaaStr", "Company offsite", "Public holiday"]
LOCATIONS = ["", "", "Room 4", "HQ, 2nd floor", "Café Central"]
RESPONSES = ["needsAction", "accepted", "accepted", "tentative", "declined"]
PAST_DAYS, FUTURE_DAYS = 90, 365


class Seeder:
    """Generates the request bodies of one calendar; ``counts`` says what went in."""

    def __init__(self, email: str, count: int, tz_name: str, rng: random.Random):
        self.email, self.count, self.tz_name, self.rng = email, count, tz_name, rng
        self.tz = ct.zone(tz_name)
        self.today = datetime.now(self.tz).date()
        self.bodies, self.created, self.counts = [], [], Counter()

    def _day(self):
        day = self.today + timedelta(days=self.rng.randint(-PAST_DAYS, FUTURE_DAYS))
        while day.weekday() >= 5 and self.rng.random() < 0.9:  # mostly working days
            day += timedelta(days=1)
        return day

    def _when(self, day, minutes: int) -> tuple[dict, dict]:
        start = datetime.combine(day, time(self.rng.randint(8, 17), self.rng.choice([0, 30])))
        end = start + timedelta(minutes=minutes)
        return (
            {"dateTime": start.isoformat(), "timeZone": self.tz_name},
            {"dateTime": end.isoformat(), "timeZone": self.tz_name},
        )

    def _guests(self, most: int) -> list[dict]:
        people = self.rng.sample(PEOPLE, self.rng.randint(1, most))
        guests = [
            {"email": email, "displayName": name, "responseStatus": self.rng.choice(RESPONSES)}
            for name, email in people
        ]
        return [*guests, {"email": self.email, "responseStatus": "accepted"}]

    def _add(self, body: dict, day) -> None:
        start = datetime.combine(day, time(12), self.tz).astimezone(UTC)
        now = datetime.now(UTC)
        earliest = min(start, now) - timedelta(days=30)
        created = earliest + (min(start, now) - earliest) * self.rng.random()
        self.bodies.append(body)
        self.created.append(created)

    def meeting(self) -> None:
        rng, day = self.rng, self._day()
        name, email = rng.choice(PEOPLE)
        company = email.split("@")[1].split(".")[0].replace("-", " ").title()
        start, end = self._when(day, rng.choice([15, 30, 30, 45, 60, 60, 90]))
        body = {
            "summary": rng.choice(TOPICS).format(company=company, name=name.split()[0]),
            "start": start,
            "end": end,
            "location": rng.choice(LOCATIONS),
        }
        if rng.random() < 0.75:
            body["attendees"] = self._guests(4)
            self.counts["with guests"] += 1
            if rng.random() < 0.3:
                request = {"requestId": f"seed-{len(self.bodies)}"}
                request["conferenceSolutionKey"] = {"type": "hangoutsMeet"}
                body["conferenceData"] = {"createRequest": request}
                self.counts["with Meet"] += 1
        if rng.random() < 0.05:
            body["transparency"] = "transparent"
            self.counts["transparent"] += 1
        if rng.random() < 0.04:
            body["status"] = "cancelled"
            self.counts["cancelled"] += 1
        self._add(body, day)

    def all_day(self) -> None:
        day, days = self._day(), self.rng.choice([1, 1, 1, 2, 3])
        body = {
            "summary": self.rng.choice(ALL_DAY),
            "start": {"date": day.isoformat()},
            "end": {"date": (day + timedelta(days=days)).isoformat()},
            "transparency": "transparent" if self.rng.random() < 0.5 else "opaque",
        }
        self._add(body, day)
        self.counts["all-day"] += 1

    def series(self, number: int) -> None:
        day = self.today - timedelta(days=self.rng.randint(7, PAST_DAYS))
        day += timedelta(days=number % 5 - day.weekday())  # each series on its own weekday
        start, end = self._when(day, 30)
        rule = "RRULE:FREQ=WEEKLY" + ("" if number == 0 else f";COUNT={self.rng.randint(8, 40)}")
        body = {
            "summary": SERIES[number % len(SERIES)],
            "start": start,
            "end": end,
            "recurrence": [rule],
            "attendees": self._guests(3),
        }
        self._add(body, day)
        self.counts["weekly series"] += 1

    def run(self) -> list[dict]:
        series = min(len(SERIES), max(1, self.count // 40)) if self.count >= 3 else 0
        for number in range(series):
            self.series(number)
        while len(self.bodies) < self.count:
            if self.rng.random() < 0.06:
                self.all_day()
            else:
                self.meeting()
        return self.bodies


class Command(BaseCommand):
    help = "Fill a sandbox Google calendar with realistic events (series, all-day, guests, …)."

    def add_arguments(self, parser):
        parser.add_argument("--email", default=DEFAULT_EMAIL, help=f"default: {DEFAULT_EMAIL}")
        parser.add_argument("--events", type=int, default=200, help="how many (default 200)")
        parser.add_argument("--time-zone", default="UTC", help="IANA zone (default UTC)")
        parser.add_argument("--clear", action="store_true", help="empty the calendar first")
        parser.add_argument("--seed", type=int, help="random seed, for a repeatable calendar")

    def handle(self, *args, email, events, time_zone, clear, seed, **options):
        if events < 0:
            raise CommandError("--events must be 0 or more")
        try:
            ct.zone(time_zone)
        except ValueError as error:
            raise CommandError(f"--time-zone: {error}") from error
        cal = cs.calendar(email)
        if clear:
            self.stdout.write(f"Cleared {cs.clear(cal)} events of {cal.email}.")
        cal.time_zone = time_zone
        cal.save(update_fields=["time_zone"])
        if not events:
            return
        seeder = Seeder(cal.email, events, time_zone, random.Random(seed))  # noqa: S311
        bodies = seeder.run()
        cs.bulk_insert(cal, bodies, created=seeder.created)
        days = sorted((b["start"].get("date") or b["start"]["dateTime"])[:10] for b in bodies)
        counts = ", ".join(f"{value} {name}" for name, value in sorted(seeder.counts.items()))
        self.stdout.write(
            f"Seeded {cal.email} with {len(bodies)} events ({counts}); "
            f"{days[0]} to {days[-1]}, in {time_zone}."
        )
