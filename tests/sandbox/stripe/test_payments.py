"""Payment intents, charges and refunds of the sandbox Stripe through the official stripe SDK:
test cards that pay and that are declined, the events, list filters, refunds in part and in
full, zero-decimal currencies, restricted keys and their revocation."""

import time

import pytest
import requests
import stripe

from sandbox.stripe import keys, store

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def account(sandbox):
    return store.create_account()


def client_for(sandbox, key):
    return stripe.StripeClient(
        key, base_addresses={"api": f"{sandbox.url}/stripe"}, max_network_retries=0
    )


@pytest.fixture
def client(sandbox, account):
    return client_for(sandbox, account.secret_key)


def pay(client, amount=2500, currency="usd", **extra):
    params = {"amount": amount, "currency": currency, "payment_method": "pm_card_visa"}
    return client.v1.payment_intents.create({**params, "confirm": True, **extra})


def test_a_visa_payment_succeeds_with_its_charge_and_events(client):
    customer = client.v1.customers.create({"email": "ada@acme.example"})
    intent = pay(
        client,
        customer=customer.id,
        description="Order 7",
        metadata={"order": "7"},
        expand=["latest_charge"],
    )

    assert intent.id.startswith("pi_") and intent.status == "succeeded"
    assert (intent.amount, intent.amount_received, intent.currency) == (2500, 2500, "usd")
    charge = intent.latest_charge
    assert charge.id.startswith("ch_") and charge.status == "succeeded" and charge.paid
    assert (charge.customer, charge.payment_intent, charge.amount_captured) == (
        customer.id,
        intent.id,
        2500,
    )
    assert charge.payment_method_details.card.last4 == "4242"
    assert charge.metadata.to_dict() == {"order": "7"}
    assert client.v1.payment_intents.retrieve(intent.id).latest_charge == charge.id
    assert client.v1.charges.retrieve(charge.id).description == "Order 7"
    kinds = [event.type for event in client.v1.events.list({"limit": 3}).data]
    assert kinds == ["payment_intent.succeeded", "charge.succeeded", "payment_intent.created"]


def test_a_declined_card_is_a_402_card_error_with_a_failed_charge(client):
    with pytest.raises(stripe.CardError) as declined:
        client.v1.payment_intents.create(
            {
                "amount": 900,
                "currency": "eur",
                "payment_method": "pm_card_chargeDeclined",
                "confirm": True,
            }
        )
    error = declined.value
    assert (error.http_status, error.code) == (402, "card_declined")
    assert error.json_body["error"]["decline_code"] == "generic_decline"
    intent = client.v1.payment_intents.retrieve(error.json_body["error"]["payment_intent"]["id"])
    assert intent.status == "requires_payment_method"
    assert intent.last_payment_error.decline_code == "generic_decline"
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert (charge.status, charge.paid, charge.failure_code) == ("failed", False, "card_declined")
    kinds = [event.type for event in client.v1.events.list({"limit": 3}).data]
    assert kinds == ["payment_intent.payment_failed", "charge.failed", "payment_intent.created"]


def test_an_intent_without_confirmation_waits_and_bad_requests_are_refused(client):
    waiting = client.v1.payment_intents.create({"amount": 1000, "currency": "gbp"})
    assert (waiting.status, waiting.latest_charge) == ("requires_payment_method", None)
    for params, param, code in [
        ({"currency": "usd"}, "amount", "parameter_missing"),
        ({"amount": 1000, "currency": "usd", "colour": "red"}, "colour", "parameter_unknown"),
        ({"amount": 10, "currency": "usd"}, "amount", "amount_too_small"),
        ({"amount": 1000, "currency": "usd", "customer": "cus_nope"}, "customer", None),
        (
            {"amount": 1000, "currency": "usd", "payment_method": "pm_nope", "confirm": True},
            "payment_method",
            "resource_missing",
        ),
    ]:
        with pytest.raises(stripe.InvalidRequestError) as refused:
            client.v1.payment_intents.create(params)
        assert refused.value.param == param
        assert code is None or refused.value.code == code
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.payment_intents.retrieve("pi_missing")
    assert (missing.value.http_status, missing.value.code) == (404, "resource_missing")


def test_zero_decimal_currencies_take_whole_units(client):
    yen = pay(client, amount=5000, currency="JPY")
    won = pay(client, amount=12000, currency="krw")
    assert (yen.currency, yen.amount_received) == ("jpy", 5000)
    assert client.v1.charges.retrieve(won.latest_charge).amount == 12000


def test_lists_filter_by_customer_payment_intent_and_creation_time(client):
    ada = client.v1.customers.create({"email": "ada@acme.example"}).id
    bo = client.v1.customers.create({"email": "bo@acme.example"}).id
    first = pay(client, customer=ada)
    pay(client, customer=bo)
    third = pay(client, customer=ada)

    ada_intents = client.v1.payment_intents.list({"customer": ada}).data
    assert [intent.id for intent in ada_intents] == [third.id, first.id]
    by_intent = client.v1.charges.list({"payment_intent": first.id}).data
    assert [charge.id for charge in by_intent] == [first.latest_charge]
    assert len(client.v1.charges.list({"customer": ada}).data) == 2
    now = int(time.time())
    assert len(client.v1.payment_intents.list({"created": {"gte": now - 60}}).data) == 3
    assert client.v1.payment_intents.list({"created": {"lte": now - 60}}).data == []
    paged = client.v1.payment_intents.list({"limit": 2})
    assert len(paged.data) == 2 and paged.has_more
    assert len(list(paged.auto_paging_iter())) == 3


def test_refunds_in_part_then_in_full_update_the_charge(client):
    intent = pay(client, amount=3000)
    part = client.v1.refunds.create({"payment_intent": intent.id, "amount": 1000})
    assert (part.status, part.amount, part.charge) == ("succeeded", 1000, intent.latest_charge)
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert (charge.amount_refunded, charge.refunded) == (1000, False)

    with pytest.raises(stripe.InvalidRequestError) as too_much:
        client.v1.refunds.create({"charge": charge.id, "amount": 2500})
    assert (too_much.value.param, too_much.value.code) == ("amount", "amount_too_large")
    rest = client.v1.refunds.create({"charge": charge.id, "reason": "requested_by_customer"})
    assert rest.amount == 2000
    charge = client.v1.charges.retrieve(charge.id)
    assert (charge.amount_refunded, charge.refunded) == (3000, True)
    assert [refund.id for refund in charge.refunds.data] == [rest.id, part.id]
    with pytest.raises(stripe.InvalidRequestError) as again:
        client.v1.refunds.create({"charge": charge.id})
    assert again.value.code == "charge_already_refunded"

    assert client.v1.refunds.retrieve(part.id).amount == 1000
    listed = client.v1.refunds.list({"payment_intent": intent.id}).data
    assert [refund.id for refund in listed] == [rest.id, part.id]
    events = client.v1.events.list({"limit": 4}).data
    assert [event.type for event in events] == [
        "charge.refunded",
        "refund.created",
        "charge.refunded",
        "refund.created",
    ]
    assert events[0].data.previous_attributes.to_dict() == {
        "amount_refunded": 1000,
        "refunded": False,
    }


def test_an_idempotent_retry_of_a_payment_charges_once(client):
    options = {"idempotency_key": "order-7"}
    params = {"amount": 700, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True}
    first = client.v1.payment_intents.create(params, options)
    again = client.v1.payment_intents.create(params, options)
    assert again.id == first.id
    assert len(client.v1.charges.list().data) == 1


def test_restricted_keys_work_until_revoked_or_rolled(sandbox, account):
    key = keys.restricted_key(account)
    assert key.startswith("rk_test_")
    restricted = client_for(sandbox, key)
    pay(restricted)
    assert len(client_for(sandbox, account.secret_key).v1.payment_intents.list().data) == 1

    rolled = requests.post(f"{sandbox.url}/stripe/_keys/{key}/roll", timeout=10).json()
    with pytest.raises(stripe.AuthenticationError) as refused:
        restricted.v1.payment_intents.list()
    assert refused.value.http_status == 401
    assert refused.value.user_message == f"Invalid API Key provided: rk_test_****{key[-4:]}"
    assert len(client_for(sandbox, rolled["key"]).v1.payment_intents.list().data) == 1

    made = requests.post(
        f"{sandbox.url}/stripe/_keys", json={"account": account.account_id}, timeout=10
    )
    assert made.status_code == 201 and made.json()["account"] == account.account_id
    other = made.json()["key"]
    assert requests.delete(f"{sandbox.url}/stripe/_keys/{other}", timeout=10).ok
    with pytest.raises(stripe.AuthenticationError):
        client_for(sandbox, other).v1.charges.list()
    assert keys.revoke(rolled["key"]) and not keys.revoke(rolled["key"])
