"""Fill the sandbox Stripe with a connected account's customers and paid payment intents, fast
(20,000 payments in seconds), for trying and benchmarking the sync of payments.

    python manage.py sandbox_seed_stripe --payments 20000 [--customers 200] [--currency usd]

Makes a standard account connected to Clianta's platform account (``STRIPE_SECRET_KEY``, which
can act on it with ``Stripe-Account``), a restricted key of that account, ``--customers``
customers (``customerK@example.com``) and ``--payments`` succeeded payment intents, each with
its charge, spread over the customers and over the past ``--days`` days (lists answer them
newest first). Rows are bulk-inserted: no events are recorded and no webhook is delivered.
Prints the account id and the restricted key. https://docs.stripe.com/api/payment_intents
"""

from __future__ import annotations

import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from sandbox.stripe import bodies, keys, store
from sandbox.stripe.connect import connect
from sandbox.stripe.models import StripeObject
from sandbox.stripe.platform import platform_account

BATCH = 2000
AMOUNTS = (900, 1900, 2900, 4900, 9900, 14900, 29900)


class Command(BaseCommand):
    help = "Seed the sandbox Stripe with a connected account's customers and payments."

    def add_arguments(self, parser):
        parser.add_argument("--payments", type=int, required=True)
        parser.add_argument("--customers", type=int, default=100)
        parser.add_argument("--currency", default="usd")
        parser.add_argument("--days", type=int, default=365)
        parser.add_argument("--seed", type=int, default=None, help="random seed")

    def handle(self, *args, payments, customers, currency, days, seed, **options):
        if payments < 0 or customers < 1 or days < 1:
            raise CommandError("--payments ≥ 0, --customers ≥ 1 and --days ≥ 1, please.")
        currency = currency.lower()
        if len(currency) != 3 or not currency.isalpha():
            raise CommandError(f"Not a currency code: {currency}")
        chance = random.Random(seed)  # noqa: S311 (made-up data, not secrets)
        started = time.monotonic()
        now = int(time.time())
        with transaction.atomic():
            account = store.create_account()
            platform = platform_account()
            if platform is not None:
                connect(platform, account, "read_write")
            key = keys.restricted_key(account)
            customer_bodies = self._customers(customers, now - days * 86400)
            rows = [
                StripeObject(account=account, object_id=body["id"], kind="customer", data=body)
                for body in customer_bodies
            ]
            StripeObject.objects.bulk_create(rows, batch_size=BATCH)
            intents, charges = self._payments(
                payments, [c["id"] for c in customer_bodies], currency, now, days, chance
            )
            for kind, made in (("payment_intent", intents), ("charge", charges)):
                StripeObject.objects.bulk_create(
                    (
                        StripeObject(account=account, object_id=body["id"], kind=kind, data=body)
                        for body in made
                    ),
                    batch_size=BATCH,
                )
        self.stdout.write(f"account: {account.account_id}")
        self.stdout.write(f"restricted key: {key}")
        self.stdout.write(
            f"{customers} customers and {payments} payments ({currency}) "
            f"in {time.monotonic() - started:.1f} s"
        )

    def _customers(self, count: int, since: int) -> list[dict]:
        made = []
        for number in range(1, count + 1):
            body = store.customer_body(store.new_id("customer"))
            body.update(
                email=f"customer{number}@example.com", name=f"Customer {number}", created=since
            )
            made.append(body)
        return made

    def _payments(self, count, customers, currency, now, days, chance):
        """Succeeded intents and their charges, oldest first (so that lists answer newest
        first by creation time too)."""
        times = sorted(chance.randint(now - days * 86400, now) for _ in range(count))
        card = bodies.TEST_METHODS["pm_card_visa"]
        intents, charges = [], []
        for number, created in enumerate(times, start=1):
            intent = bodies.intent(
                store.new_id("payment_intent"),
                chance.choice(AMOUNTS),
                currency,
                created=created,
            )
            intent.update(
                customer=customers[number % len(customers)],
                description=f"Payment {number}",
                metadata={"order": str(number)},
            )
            method_id = store.new_id("payment_method")
            charge = bodies.charge(store.new_id("charge"), intent, method_id, card)
            intent.update(
                status="succeeded",
                amount_received=intent["amount"],
                latest_charge=charge["id"],
                payment_method=method_id,
            )
            intents.append(intent)
            charges.append(charge)
        return intents, charges
