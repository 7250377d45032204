"""The sandbox Stripe through the official stripe SDK: customers, lists and their paging,
metadata updates, idempotent retries, errors in Stripe's shape, and the Events API."""

import pytest
import stripe

from sandbox import faults
from sandbox.stripe import store
from sandbox.stripe.models import StripeObject
from tests.conftest import wait_for
from tests.outbound_webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def account(sandbox):
    return store.create_account()


def client_for(sandbox, key, retries=0):
    return stripe.StripeClient(
        key, base_addresses={"api": f"{sandbox.url}/stripe"}, max_network_retries=retries
    )


@pytest.fixture
def client(sandbox, account):
    return client_for(sandbox, account.secret_key)


def test_customers_are_created_read_updated_and_deleted(client, account):
    created = client.v1.customers.create(
        {"email": "ada@acme.example", "name": "Ada", "metadata": {"crm_id": "42", "tier": "a"}}
    )
    assert created.id.startswith("cus_") and created.object == "customer"
    assert (created.email, created.metadata.to_dict()) == (
        "ada@acme.example",
        {"crm_id": "42", "tier": "a"},
    )

    updated = client.v1.customers.update(
        created.id, {"name": "Ada L.", "metadata": {"tier": "", "plan": "pro"}}
    )
    assert updated.name == "Ada L."
    assert updated.metadata.to_dict() == {"crm_id": "42", "plan": "pro"}
    assert client.v1.customers.retrieve(created.id).name == "Ada L."

    deleted = client.v1.customers.delete(created.id)
    assert deleted.deleted is True
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.customers.retrieve(created.id)
    assert (missing.value.http_status, missing.value.code) == (404, "resource_missing")
    kinds = [event.type for event in client.v1.events.list({"limit": 10}).data]
    assert kinds == ["customer.deleted", "customer.updated", "customer.created"]
    assert client.v1.events.list({"type": "customer.updated"}).data[0].data.previous_attributes


def test_lists_page_newest_first_and_auto_paginate(client):
    made = [client.v1.customers.create({"email": f"c{n}@acme.example"}).id for n in range(5)]

    first = client.v1.customers.list({"limit": 2})
    assert [c.id for c in first.data] == made[::-1][:2] and first.has_more
    after = client.v1.customers.list({"limit": 2, "starting_after": first.data[-1].id})
    assert [c.id for c in after.data] == made[::-1][2:4]
    before = client.v1.customers.list({"limit": 2, "ending_before": after.data[0].id})
    assert [c.id for c in before.data] == made[::-1][:2]
    assert [c.id for c in first.auto_paging_iter()] == made[::-1]
    found = client.v1.customers.list({"email": "c3@acme.example"})
    assert [c.id for c in found.data] == [made[3]]


def test_an_idempotency_key_replays_the_first_answer_and_refuses_another_request(client):
    options = {"idempotency_key": "invoice-deal-7"}
    first = client.v1.customers.create({"email": "ada@acme.example"}, options)
    again = client.v1.customers.create({"email": "ada@acme.example"}, options)

    assert again.id == first.id
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert StripeObject.objects.filter(kind="customer").count() == 1
    with pytest.raises(stripe.IdempotencyError) as refused:
        client.v1.customers.create({"email": "bo@acme.example"}, options)
    assert refused.value.http_status == 400


def test_errors_have_stripes_shape(sandbox, client, account):
    with pytest.raises(stripe.AuthenticationError) as unknown:
        client_for(sandbox, "sk_test_" + "0" * 48).v1.customers.list()
    assert unknown.value.http_status == 401
    with pytest.raises(stripe.InvalidRequestError) as bad:
        client.v1.customers.create({"favourite_colour": "blue"})
    assert (bad.value.code, bad.value.param) == ("parameter_unknown", "favourite_colour")
    with pytest.raises(stripe.InvalidRequestError) as limit:
        client.v1.customers.list({"limit": 101})
    assert limit.value.param == "limit"


LOCKED = {"error": {"type": "invalid_request_error", "code": "lock_timeout", "message": "Locked"}}


def test_a_lock_timeout_is_retried_by_the_sdk_and_a_rate_limit_is_not(sandbox, account):
    client = client_for(sandbox, account.secret_key, retries=2)
    faults.inject("stripe", r"/v1/customers$", status=429, body=LOCKED, times=1)

    created = client.v1.customers.create({"email": "ada@acme.example"})

    assert created.id.startswith("cus_")
    assert [call.status for call in faults.calls("stripe")] == [429, 200]
    faults.inject("stripe", r"/v1/customers$", status=429, times=1)
    with pytest.raises(stripe.RateLimitError) as limited:
        client.v1.customers.list()
    assert limited.value.json_body["error"]["code"] == "rate_limit"
    assert "Stripe-Should-Retry" not in limited.value.headers


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.close()


def test_events_are_posted_to_webhook_endpoints_signed_as_stripe_signs(client, receiver):
    endpoint = client.v1.webhook_endpoints.create(
        {"url": receiver.url("/stripe"), "enabled_events": ["customer.created"]}
    )
    assert endpoint.secret.startswith("whsec_")
    assert "secret" not in client.v1.webhook_endpoints.retrieve(endpoint.id)
    customer = client.v1.customers.create({"email": "ada@acme.example"})
    client.v1.customers.update(customer.id, {"name": "Ada"})  # not an enabled event

    wait_for(lambda: receiver.received)
    [delivery] = receiver.received
    event = stripe.Webhook.construct_event(
        delivery.body, delivery.headers["Stripe-Signature"], endpoint.secret, tolerance=300
    )
    assert (event.type, event.data.object.id) == ("customer.created", customer.id)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(
            delivery.body, delivery.headers["Stripe-Signature"], "whsec_other"
        )


def test_products_and_prices_make_a_plan_catalogue(client):
    pro = client.v1.products.create({"name": "Clianta Pro", "metadata": {"plan": "pro"}})
    monthly = client.v1.prices.create(
        {
            "product": pro.id,
            "currency": "EUR",
            "unit_amount": 2900,
            "recurring": {"interval": "month"},
            "lookup_key": "pro-monthly",
        }
    )
    one_off = client.v1.prices.create({"product": pro.id, "currency": "jpy", "unit_amount": 500})

    assert (monthly.type, monthly.currency, monthly.recurring.interval) == (
        "recurring",
        "eur",
        "month",
    )
    assert (one_off.type, one_off.recurring, one_off.unit_amount) == ("one_time", None, 500)
    found = client.v1.prices.list({"lookup_keys": ["pro-monthly"]})
    assert [p.id for p in found.data] == [monthly.id]
    assert [p.id for p in client.v1.prices.list({"type": "one_time"}).data] == [one_off.id]
    with pytest.raises(stripe.InvalidRequestError) as taken:
        client.v1.prices.create(
            {"product": pro.id, "currency": "eur", "unit_amount": 1, "lookup_key": "pro-monthly"}
        )
    assert taken.value.param == "lookup_key"

    client.v1.prices.update(monthly.id, {"active": False})
    assert client.v1.prices.list({"active": True}).data[0].id == one_off.id
    assert client.v1.products.update(pro.id, {"name": "Pro"}).name == "Pro"
    for wrong, param in [
        ({"product": "prod_missing", "currency": "eur", "unit_amount": 1}, "id"),
        ({"product": pro.id, "currency": "euro", "unit_amount": 1}, "currency"),
        ({"product": pro.id, "currency": "eur", "unit_amount": -1}, "unit_amount"),
        (
            {
                "product": pro.id,
                "currency": "eur",
                "unit_amount": 1,
                "recurring": {"interval": "decade"},
            },
            "recurring[interval]",
        ),
    ]:
        with pytest.raises(stripe.InvalidRequestError) as refused:
            client.v1.prices.create(wrong)
        assert refused.value.param == param
    kinds = [event.type for event in client.v1.events.list({"limit": 20}).data]
    assert kinds[-3:] == ["price.created", "price.created", "product.created"]  # newest first
    assert kinds[:2] == ["product.updated", "price.updated"]


def test_the_platform_key_opens_cliantas_account_with_its_plans_and_webhook(sandbox, settings):
    platform = client_for(sandbox, settings.STRIPE_SECRET_KEY)
    prices = platform.v1.prices.list({"lookup_keys": ["clianta_pro_monthly"]}).data
    assert [(price.unit_amount, price.recurring.interval) for price in prices] == [(2900, "month")]
    assert platform.v1.products.retrieve(prices[0].product).name == "Clianta Pro"
    endpoints = platform.v1.webhook_endpoints.list().data
    urls = {endpoint.url: endpoint for endpoint in endpoints}
    assert set(urls) == {
        settings.PUBLIC_URL + path
        for path in ("/api/webhooks/stripe", "/api/webhooks/stripe/connect")
    }
    endpoint = urls[settings.PUBLIC_URL + "/api/webhooks/stripe"]
    assert endpoint.enabled_events == ["*"]
    # The same account answers the next request: nothing is seeded twice.
    assert len(platform.v1.prices.list({"limit": 100}).data) == 2
