"""The customer portal and hosted invoice page, walked through with an HTTP client: switch
plan, cancel at period end and take it back, pay an open invoice, cancel now; each sends the
API's events."""

import re

import pytest
import requests

from .billing_fixtures import *  # noqa: F403  (the billing fixtures)
from .billing_fixtures import event_types

pytestmark = pytest.mark.django_db(transaction=True)

RETURN = "https://crm.example.com/settings/billing"


@pytest.fixture(autouse=True)
def _plain_http_cookies(settings):
    settings.CSRF_COOKIE_SECURE = False


def post_form(browser, url, **fields):
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', browser.get(url).text)
    return browser.post(url, data={"csrfmiddlewaretoken": token.group(1), **fields}, timeout=10)


def test_the_portal_changes_the_subscription_through_the_api(client, plans, control):
    customer = client.v1.customers.create({"email": "ada@acme.example"})
    subscription = client.v1.subscriptions.create(
        {"customer": customer.id, "items": [{"price": plans.pro.id}]}
    )
    portal = client.v1.billing_portal.sessions.create(
        {"customer": customer.id, "return_url": RETURN}
    )
    assert portal.id.startswith("bps_") and portal.return_url == RETURN
    browser = requests.Session()
    shown = browser.get(portal.url, timeout=10)
    assert shown.status_code == 200
    assert "Clianta Pro, 29.00 USD per month" in shown.text and f'href="{RETURN}"' in shown.text

    switched = post_form(
        browser, portal.url, action="switch", subscription=subscription.id, price=plans.business.id
    )
    assert switched.status_code == 200 and "Your plan is changed." in switched.text
    changed = client.v1.subscriptions.retrieve(subscription.id)
    assert changed["items"].data[0].price.id == plans.business.id
    assert event_types(client)[-1] == "customer.subscription.updated"

    post_form(browser, portal.url, action="cancel_at_period_end", subscription=subscription.id)
    assert client.v1.subscriptions.retrieve(subscription.id).cancel_at_period_end is True
    post_form(browser, portal.url, action="renew", subscription=subscription.id)
    assert client.v1.subscriptions.retrieve(subscription.id).cancel_at_period_end is False

    failed = control(f"subscriptions/{subscription.id}/renew", {"outcome": "failed"}).json()
    invoice = failed["invoice"]
    assert "Invoices due" in browser.get(portal.url).text
    post_form(browser, portal.url, action="pay", invoice=invoice["id"])
    assert client.v1.invoices.retrieve(invoice["id"]).status == "paid"
    assert client.v1.subscriptions.retrieve(subscription.id).status == "active"

    refused = post_form(
        browser, portal.url, action="switch", subscription=subscription.id, price="price_x"
    )
    assert refused.status_code == 400
    done = post_form(browser, portal.url, action="cancel_now", subscription=subscription.id)
    assert "No active subscription." in done.text
    assert client.v1.subscriptions.retrieve(subscription.id).status == "canceled"
    assert event_types(client)[-1] == "customer.subscription.deleted"
    assert browser.get(portal.url[:-4] + "xxxx").status_code == 404


def test_the_hosted_invoice_page_shows_and_pays_an_open_invoice(client, plans):
    customer = client.v1.customers.create({"email": "ada@acme.example"})
    subscription = client.v1.subscriptions.create(
        {
            "customer": customer.id,
            "items": [{"price": plans.pro.id}],
            "payment_behavior": "default_incomplete",
        }
    )
    invoice = client.v1.invoices.retrieve(subscription.latest_invoice)
    browser = requests.Session()
    shown = browser.get(invoice.hosted_invoice_url, timeout=10)
    assert invoice.number in shown.text and "29.00 USD" in shown.text and "open" in shown.text

    paid = post_form(browser, invoice.hosted_invoice_url)

    assert paid.status_code == 200 and ">paid<" in paid.text
    assert client.v1.subscriptions.retrieve(subscription.id).status == "active"
