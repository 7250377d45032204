"""Payments: a workspace's own Stripe account inside its CRM. The only place (with the Stripe
backend) that talks to Stripe about a workspace's account: connecting it, syncing it, billing a
deal, and what the CRM shows of it."""

from __future__ import annotations

import hashlib
import json
import logging
from decimal import Decimal

from django.db.models import Max, Sum

from clianta.models import Deal
from integrations import credentials, health, sync
from integrations.errors import RECONNECT_MESSAGE, AccountTaken, AuthExpired, IntegrationError
from integrations.models import IntegrationCredential, SyncLog
from integrations.oauth import tokens
from integrations.providers.stripe.client import check_key, client

from . import money
from .backends.stripe import StripePaymentsSync, calls
from .models import Customer, Invoice, Payment, PaymentsAccount
from .store import DEAL_METADATA, Store

logger = logging.getLogger("payments")
PROVIDER = "stripe"


class PaymentsError(IntegrationError):
    status_code = 400


# Connecting ----------------------------------------------------------------------------------


def make_account(credential, user) -> PaymentsAccount | None:
    """The workspace's payments account for a Stripe credential just connected (through Connect
    or with a key); AccountTaken when another workspace already syncs that Stripe account (its
    Connect events could reach only one of them). A new account starts a full sync."""
    if credential.provider != PROVIDER:
        return None
    others = IntegrationCredential.objects.filter(
        provider=PROVIDER, account=credential.account, status=IntegrationCredential.Status.ACTIVE
    ).exclude(workspace_id=credential.workspace_id)
    if others.exists():
        raise AccountTaken(
            "Another workspace already has this Stripe account connected.", provider=PROVIDER
        )
    account, created = PaymentsAccount.objects.get_or_create(
        workspace_id=credential.workspace_id, defaults={"credential": credential}
    )
    if not created and account.credential_id != credential.pk:
        replaced = account.credential
        account.credential, account.sync_cursor = credential, None
        account.save(update_fields=["credential", "sync_cursor"])
        if replaced.account != credential.account:
            tokens.disconnect(replaced, actor=user)
    return account


def connect_key(workspace, user, api_key: str, request=None) -> IntegrationCredential:
    """Connect the workspace's Stripe account with a restricted (or secret) key pasted by an
    owner or admin: Stripe checks it first (KeyRefused, 400, and nothing stored otherwise); it
    is stored encrypted."""
    account_id, name = check_key(api_key)
    credential = credentials.save_key(
        workspace, user, PROVIDER, account_id, api_key, {"account_name": name}, request=request
    )
    return credential


# Syncing -------------------------------------------------------------------------------------


def sync_job(account: PaymentsAccount) -> StripePaymentsSync:
    return StripePaymentsSync(account)


def sync_payments(account: PaymentsAccount, **run_options) -> SyncLog:
    return sync.run(sync_job(account), **run_options)


def account_of(stripe_account: str) -> PaymentsAccount | None:
    """The payments account syncing a connected Stripe account (``acct_…``)."""
    return (
        PaymentsAccount.objects.select_related("credential")
        .filter(credential__account=stripe_account, credential__provider=PROVIDER)
        .first()
    )


def deauthorized(stripe_account: str) -> None:
    """Stripe says the account disconnected Clianta: its credential needs reconnecting."""
    found = account_of(stripe_account)
    if found is not None:
        health.mark_needs_reconnect(found.credential, RECONNECT_MESSAGE)


# What the CRM shows --------------------------------------------------------------------------


def lifetime_value(workspace, *, contact=None, company=None) -> dict:
    """What a contact (or a company) has paid, net of refunds, per currency, and their last
    payment."""
    payments = Payment.objects.filter(workspace=workspace, status="succeeded")
    payments = payments.filter(contact=contact) if contact else payments.filter(company=company)
    totals = payments.values("currency").annotate(
        received=Sum("amount_received"), refunded=Sum("amount_refunded"), last=Max("created")
    )
    return {
        "totals": [
            {
                "currency": row["currency"],
                "amount": row["received"] - row["refunded"],
                "amount_decimal": str(
                    money.decimal(row["received"] - row["refunded"], row["currency"])
                ),
                "display": money.display(row["received"] - row["refunded"], row["currency"]),
            }
            for row in totals.order_by("currency")
        ],
        "payments": payments.count(),
        "last_payment": payments.order_by("-created", "-id").first(),
    }


# Invoicing a deal ----------------------------------------------------------------------------


def invoice_deal(deal: Deal, items: list[dict], days_until_due: int, memo: str) -> Invoice:
    """Bill the deal's contact: the Stripe customer (made if needed), a draft invoice, its items
    (``items``: description, amount in the currency's unit, quantity; none: the deal's amount),
    then finalized and sent. Every call carries an idempotency key derived from the deal and
    the request, so a retried request bills once."""
    credential = credentials.use(deal.workspace_id, PROVIDER)
    found = PaymentsAccount.objects.get(workspace_id=deal.workspace_id)
    contact = deal.contact
    if contact is None or not contact.email:
        raise PaymentsError(
            "The deal's contact needs an email address to be billed.",
            code="no_billing_email",
            provider=PROVIDER,
        )
    currency = deal.currency.lower()
    lines = items or [{"description": deal.name, "amount": deal.amount, "quantity": 1}]
    try:
        units = [money.minor(Decimal(line["amount"]), currency) for line in lines]
    except ValueError as exc:
        raise PaymentsError(str(exc), code="invalid_amount", provider=PROVIDER) from exc
    key = _request_key(deal, lines, days_until_due, memo)
    stripe = client(credential).v1
    try:
        with calls(credential):
            customer = _customer_for(stripe, found, contact, key)
            invoice = stripe.invoices.create(
                {
                    "customer": customer,
                    "collection_method": "send_invoice",
                    "days_until_due": days_until_due,
                    "description": memo or None,
                    "currency": currency,
                    "metadata": {DEAL_METADATA: str(deal.pk)},
                    "pending_invoice_items_behavior": "exclude",
                },
                {"idempotency_key": f"{key}-invoice"},
            )
            for n, (line, unit) in enumerate(zip(lines, units, strict=True)):
                stripe.invoice_items.create(
                    {
                        "customer": customer,
                        "invoice": invoice.id,
                        "currency": currency,
                        "description": line["description"],
                        "quantity": int(line.get("quantity") or 1),
                        "unit_amount_decimal": str(unit),
                    },
                    {"idempotency_key": f"{key}-item-{n}"},
                )
            stripe.invoices.finalize_invoice(invoice.id, {}, {"idempotency_key": f"{key}-finalize"})
            sent = stripe.invoices.send_invoice(invoice.id, {}, {"idempotency_key": f"{key}-send"})
    except AuthExpired as exc:
        raise AuthExpired(RECONNECT_MESSAGE, provider=PROVIDER) from exc
    Store(found, announce=False).put(sent.to_dict())
    return Invoice.objects.get(workspace_id=deal.workspace_id, stripe_id=sent.id)


def _customer_for(stripe, account: PaymentsAccount, contact, key: str) -> str:
    known = Customer.objects.filter(
        workspace_id=account.workspace_id, contact=contact, deleted=False
    ).first()
    if known is not None:
        return known.stripe_id
    created = stripe.customers.create(
        {
            "email": contact.email,
            "name": contact.full_name or contact.email,
            "metadata": {"clianta_contact_id": str(contact.pk)},
        },
        {"idempotency_key": f"{key}-customer"},
    )
    Store(account, announce=False).put(created.to_dict())
    return created.id


def _request_key(deal, lines, days_until_due, memo) -> str:
    request = json.dumps(
        [
            str(deal.pk),
            [
                [str(line["description"]), str(line["amount"]), int(line.get("quantity") or 1)]
                for line in lines
            ],
            days_until_due,
            memo,
        ],
        sort_keys=True,
    )
    return "clianta-deal-invoice-" + hashlib.sha256(request.encode()).hexdigest()[:32]
