"""The sandbox_seed_stripe command: a connected account with a restricted key, its customers and
paid payment intents, readable through the stripe SDK."""

import io

import pytest
import stripe
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_seeder_makes_payments_the_sdk_pages_through(sandbox, settings):
    out = io.StringIO()
    call_command("sandbox_seed_stripe", payments=30, customers=4, currency="jpy", stdout=out)
    lines = dict(line.split(": ", 1) for line in out.getvalue().splitlines() if ": " in line)
    api = {"api": f"{sandbox.url}/stripe"}
    client = stripe.StripeClient(lines["restricted key"], base_addresses=api)

    intents = list(client.v1.payment_intents.list({"limit": 100}).auto_paging_iter())
    assert len(intents) == 30 and {i.status for i in intents} == {"succeeded"}
    assert {i.currency for i in intents} == {"jpy"}
    created = [intent.created for intent in intents]
    assert created == sorted(created, reverse=True)
    customers = client.v1.customers.list({"limit": 10}).data
    assert sorted(c.email for c in customers) == [f"customer{k}@example.com" for k in range(1, 5)]
    charge = client.v1.charges.retrieve(intents[0].latest_charge)
    assert (charge.payment_intent, charge.status) == (intents[0].id, "succeeded")
    assert client.v1.events.list().data == []  # nothing recorded, nothing delivered
    platform = stripe.StripeClient(settings.STRIPE_SECRET_KEY, base_addresses=api)
    on_behalf = platform.v1.charges.list(options={"stripe_account": lines["account"]})
    assert len(on_behalf.data) == 10
