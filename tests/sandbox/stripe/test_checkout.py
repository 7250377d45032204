"""Checkout in subscription mode: sessions through the official SDK, and their hosted page
walked through with an HTTP client as a person's browser would: subscribe, be declined,
cancel, come back to a completed or expired page."""

import re

import pytest
import requests
import stripe

from sandbox.stripe.models import StripeObject

from .billing_fixtures import *  # noqa: F403  (the billing fixtures)
from .billing_fixtures import event_types

pytestmark = pytest.mark.django_db(transaction=True)

SUCCESS = "https://crm.example.com/billing/done?session={CHECKOUT_SESSION_ID}"
CANCEL = "https://crm.example.com/billing"


@pytest.fixture(autouse=True)
def _plain_http_cookies(settings):
    """The live server speaks http: its CSRF cookie must not be https-only."""
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture
def session(client, plans):
    return client.v1.checkout.sessions.create(
        {
            "mode": "subscription",
            "line_items": [{"price": plans.pro.id, "quantity": 1}],
            "success_url": SUCCESS,
            "cancel_url": CANCEL,
            "customer_email": "ada@acme.example",
            "client_reference_id": "workspace-7",
            "metadata": {"workspace": "7"},
            "subscription_data": {"metadata": {"workspace": "7", "plan": "pro"}},
        }
    )


def open_page(url):
    browser = requests.Session()
    shown = browser.get(url, timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', shown.text)
    return browser, shown, token.group(1) if token else None


def submit(browser, url, token, **fields):
    return browser.post(
        url, data={"csrfmiddlewaretoken": token, **fields}, allow_redirects=False, timeout=10
    )


def test_subscribing_on_the_page_completes_the_session(client, session, plans):
    assert session.status == "open" and session.url and session.subscription is None
    assert (session.amount_total, session.currency) == (2900, "usd")
    items = client.v1.checkout.sessions.line_items.list(session.id)
    assert [(i.price.id, i.quantity, i.description) for i in items.data] == [
        (plans.pro.id, 1, "Clianta Pro")
    ]
    browser, shown, token = open_page(session.url)
    assert shown.status_code == 200
    assert "29.00 USD" in shown.text and "ada@acme.example" in shown.text
    assert 'value="4242 4242 4242 4242"' in shown.text and token

    done = submit(browser, session.url, token, card="4242 4242 4242 4242")

    assert done.status_code == 302
    assert done.headers["Location"] == SUCCESS.replace("{CHECKOUT_SESSION_ID}", session.id)
    completed = client.v1.checkout.sessions.retrieve(
        session.id, {"expand": ["subscription", "customer"]}
    )
    assert (completed.status, completed.payment_status, completed.url) == (
        "complete",
        "paid",
        None,
    )
    assert completed.customer.email == "ada@acme.example"
    assert completed.customer_details.email == "ada@acme.example"
    subscription = completed.subscription
    assert subscription.status == "active"
    assert subscription.metadata.to_dict() == {"workspace": "7", "plan": "pro"}
    assert client.v1.invoices.retrieve(completed.invoice).status == "paid"
    assert event_types(client)[-7:] == [
        "customer.created",
        "checkout.session.completed",
        "customer.subscription.created",
        "invoice.created",
        "invoice.finalized",
        "invoice.paid",
        "invoice.payment_succeeded",
    ]
    event = client.v1.events.list({"type": "checkout.session.completed"}).data[0]
    assert event.data.object.client_reference_id == "workspace-7"

    # The page again, and the form posted again: no second subscription.
    _, shown, _ = open_page(session.url)
    assert shown.status_code == 410 and "already subscribed" in shown.text
    assert submit(browser, session.url, token, card="4242424242424242").status_code == 410
    assert StripeObject.objects.filter(kind="subscription").count() == 1


def test_a_declined_card_is_shown_and_nothing_is_made(client, session):
    browser, _, token = open_page(session.url)

    declined = submit(browser, session.url, token, card="4000 0000 0000 0341")

    assert declined.status_code == 402 and "Your card was declined." in declined.text
    assert submit(browser, session.url, token, card="1234").status_code == 402
    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"
    assert not StripeObject.objects.filter(kind__in=["subscription", "customer", "invoice"])
    assert client.v1.subscriptions.list().data == []
    # Without the form's CSRF token, the post is refused.
    assert browser.post(session.url, data={"card": "4242424242424242"}).status_code == 403


def test_the_page_links_back_to_cancel_url_and_escapes_what_it_shows(client, plans):
    named = client.v1.products.create({"name": "<script>alert(1)</script> Pro"})
    price = client.v1.prices.create(
        {
            "product": named.id,
            "currency": "eur",
            "unit_amount": 1000,
            "recurring": {"interval": "year"},
        }
    )
    customer = client.v1.customers.create({"email": "bo@acme.example"})
    session = client.v1.checkout.sessions.create(
        {
            "mode": "subscription",
            "line_items": [{"price": price.id, "quantity": 2}],
            "success_url": SUCCESS,
            "cancel_url": CANCEL,
            "customer": customer.id,
        }
    )
    browser, shown, token = open_page(session.url)
    assert "<script>alert" not in shown.text and "&lt;script&gt;" in shown.text
    assert f'href="{CANCEL}"' in shown.text and "20.00 EUR" in shown.text
    assert submit(browser, session.url, token, card="4242424242424242").status_code == 302
    completed = client.v1.checkout.sessions.retrieve(session.id)
    assert completed.customer == customer.id
    assert event_types(client)[-6] == "checkout.session.completed"
    assert StripeObject.objects.filter(kind="customer").count() == 1


def test_sessions_are_listed_expired_and_refused_when_wrong(client, session, plans):
    assert [s.id for s in client.v1.checkout.sessions.list().data] == [session.id]
    expired = client.v1.checkout.sessions.expire(session.id)
    assert (expired.status, expired.url) == ("expired", None)
    assert event_types(client)[-1] == "checkout.session.expired"
    _, shown, _ = open_page(session.url)
    assert shown.status_code == 410 and "expired" in shown.text
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.checkout.sessions.expire(session.id)
    assert client.v1.checkout.sessions.list({"status": "open"}).data == []

    good = {"mode": "subscription", "line_items": [{"price": plans.pro.id}], "success_url": SUCCESS}
    for change, param in [
        ({"line_items": None}, "line_items"),
        ({"line_items": [{"price": plans.setup_fee.id}]}, "line_items[0][price]"),
        ({"success_url": "javascript:alert(1)"}, "success_url"),
        ({"mode": "payment"}, "mode"),
        ({"customer": "cus_x", "customer_email": "a@b.example"}, "customer_email"),
        ({"colour": "blue"}, "colour"),
    ]:
        params = {key: value for key, value in {**good, **change}.items() if value is not None}
        with pytest.raises(stripe.InvalidRequestError) as refused:
            client.v1.checkout.sessions.create(params)
        assert refused.value.param == param
