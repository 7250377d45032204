"""Refill the sandbox Salesforce's default org with realistic records, fast (50,000 contacts in
seconds), for trying and benchmarking the Salesforce sync.

    python manage.py sandbox_seed_salesforce [--accounts 200] [--contacts 2000]
        [--opportunities 500] [--daily-limit 15000] [--days 20]

Empties the org's records first, then makes the accounts, the contacts (each of an account)
and the opportunities (each of a contact and its account), stamped over the past ``--days``.
``--daily-limit`` sets the org's daily API request allocation and starts its count again.
Prints the org, its user and what it made. Connect with the consent page as that user.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from sandbox.salesforce import seed, store


class Command(BaseCommand):
    help = "Refill the sandbox Salesforce's default org with accounts, contacts, opportunities."

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=int, default=200)
        parser.add_argument("--contacts", type=int, default=2000)
        parser.add_argument("--opportunities", type=int, default=500)
        parser.add_argument("--daily-limit", type=int, default=None)
        parser.add_argument("--days", type=int, default=20, help="spread over the past days")
        parser.add_argument("--seed", type=int, default=None, help="random seed")

    def handle(self, *args, accounts, contacts, opportunities, daily_limit, days, **options):
        if min(accounts, contacts, opportunities) < 0 or not 1 <= days <= 29:
            raise CommandError("Counts ≥ 0 and 1 ≤ --days ≤ 29 (Get Updated reaches 30 days).")
        if daily_limit is not None and daily_limit < 1:
            raise CommandError("--daily-limit must be at least 1.")
        started = time.monotonic()
        org = store.default_org()
        user = store.user_for(org)
        seed.empty(org)
        made = seed.seed(
            org,
            accounts=accounts,
            contacts=contacts,
            opportunities=opportunities,
            days=days,
            chance_seed=options["seed"],
        )
        if daily_limit is not None:
            store.set_daily_limit(org, daily_limit)
            store.reset_usage(org)
        org.refresh_from_db()
        self.stdout.write(f"org: {org.name} ({org.org_id})")
        self.stdout.write(f"user: {user.username} ({user.user_id})")
        self.stdout.write(", ".join(f"{count} {name}" for name, count in made.items()))
        self.stdout.write(
            f"daily API requests: {org.api_used}/{org.daily_api_limit} used; "
            f"done in {time.monotonic() - started:.1f} s"
        )
