"""Invoices from a deal: the contact becomes a Stripe customer, the invoice gets its lines (or
the deal's amount), is finalized and sent; the same request again bills nothing more (its
idempotency keys come from the request). Its status follows Stripe's events; a paid invoice can
move the deal to won, an open one past its due date is announced once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from clianta.models import Contact, CrmEvent, Deal
from payments import services
from payments.models import Invoice, PaymentsAccount
from sandbox.stripe import keys
from sandbox.stripe.models import StripeObject

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def deal(workspace_a):
    ada = Contact.objects.create(workspace=workspace_a, email="ada@acme.example", first_name="Ada")
    return Deal.objects.create(
        workspace=workspace_a, name="Pilot", amount=Decimal("1200.50"), contact=ada
    )


def invoice(api, deal, **body):
    return api.post(f"/api/deals/{deal.pk}/invoice", body, format="json")


def remote_invoices(stripe_account):
    return stripe_account.api.v1.invoices.list({"limit": 100}).data


def sync(workspace):
    return services.sync_payments(PaymentsAccount.objects.get(workspace=workspace))


def test_the_same_request_twice_bills_once(connected, stripe_account, deal, api_a):
    lines = [
        {"description": "Setup", "amount": "1000.00"},
        {"description": "Seats", "amount": "20.05", "quantity": 10},
    ]
    first = invoice(api_a, deal, items=lines, days_until_due=14, memo="Thanks!")
    again = invoice(api_a, deal, items=lines, days_until_due=14, memo="Thanks!")

    assert (first.status_code, again.status_code) == (201, 201), first.content
    assert first.json()["stripe_id"] == again.json()["stripe_id"]
    (sent,) = remote_invoices(stripe_account)
    assert (sent.status, sent.amount_due, sent.currency) == ("open", 120050, "usd")
    assert sent.metadata["clianta_deal_id"] == str(deal.pk)
    assert stripe_account.api.v1.customers.retrieve(sent.customer).email == "ada@acme.example"
    body = first.json()
    assert (body["deal"], body["status"], body["amount_due_display"]) == (
        str(deal.pk),
        "open",
        "1,200.50 USD",
    )
    assert Invoice.objects.count() == 1

    other = invoice(api_a, deal, items=lines, days_until_due=14, memo="Another")
    assert other.status_code == 201 and len(remote_invoices(stripe_account)) == 2
    # One customer for the contact, whatever the number of invoices.
    assert len(stripe_account.api.v1.customers.list().data) == 1


def test_a_deal_in_a_zero_decimal_currency_is_billed_in_whole_units(
    connected, stripe_account, deal, api_a
):
    Deal.objects.filter(pk=deal.pk).update(currency="JPY", amount=Decimal("15000"))
    deal.refresh_from_db()

    assert invoice(api_a, deal).status_code == 201
    assert remote_invoices(stripe_account)[0].amount_due == 15000

    refused = invoice(api_a, deal, items=[{"description": "Half", "amount": "0.5"}])
    assert (refused.status_code, refused.json()["code"]) == (400, "invalid_amount")


def test_a_contact_without_an_email_cannot_be_billed(connected, deal, api_a):
    Contact.objects.filter(pk=deal.contact_id).update(email="")

    response = invoice(api_a, deal)

    assert (response.status_code, response.json()["code"]) == (400, "no_billing_email")


@pytest.mark.parametrize("won_on_paid", [True, False])
def test_a_paid_invoice_is_announced_and_can_win_the_deal(
    connected, stripe_account, deal, api_a, workspace_a, won_on_paid
):
    PaymentsAccount.objects.filter(workspace=workspace_a).update(deal_won_on_paid=won_on_paid)
    sent = invoice(api_a, deal).json()
    sync(workspace_a)

    stripe_account.api.v1.invoices.pay(sent["stripe_id"])
    sync(workspace_a)

    assert Invoice.objects.get().status == "paid"
    (paid,) = CrmEvent.objects.filter(type="invoice.paid")
    assert paid.data["deal_id"] == str(deal.pk) and paid.data["amount"] == "1,200.50 USD"
    deal.refresh_from_db()
    assert (deal.stage == Deal.Stage.WON) is won_on_paid
    assert CrmEvent.objects.filter(type="deal.won").exists() is won_on_paid


def test_an_open_invoice_past_its_due_date_is_announced_once(
    connected, stripe_account, deal, api_a, workspace_a
):
    sent = invoice(api_a, deal, days_until_due=1).json()
    sync(workspace_a)
    row = StripeObject.objects.get(object_id=sent["stripe_id"])
    row.data["due_date"] = int((timezone.now() - timedelta(days=1)).timestamp())
    row.save()
    stripe_account.api.v1.invoices.update(sent["stripe_id"], {"metadata": {"note": "late"}})

    sync(workspace_a)
    sync(workspace_a)

    (overdue,) = CrmEvent.objects.filter(type="invoice.overdue")
    assert overdue.data["invoice_number"] and overdue.contact_id == deal.contact_id


def test_a_revoked_key_needs_reconnecting(connected, stripe_account, deal, api_a):
    keys.revoke(stripe_account.key)

    response = invoice(api_a, deal)

    assert (response.status_code, response.json()["code"]) == (401, "reconnect_required")
    connected.refresh_from_db()
    assert connected.status == "needs_reconnect"
