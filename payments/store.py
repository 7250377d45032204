"""Stripe objects into the CRM: upserts by (workspace, Stripe id), each customer linked to the
contact with its email and the company of its email's domain, and the CRM events of what changed
(only for changes seen as they happen, never for a backfill of history)."""

from __future__ import annotations

import uuid

from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Lower
from django.utils import timezone

from clianta import deals, events
from clianta.models import Company, Contact, Deal
from integrations.providers.stripe.client import moment

from . import money
from .models import Customer, Invoice, Payment, PaymentsAccount, Refund, Subscription

DEAL_METADATA = "clianta_deal_id"
CUSTOMER_UPDATES = ["email", "name", "contact", "company", "created", "deleted", "updated_at"]
#: What a backfill's upsert of a payment changes in a row already there.
PAYMENT_UPDATES = [
    *("customer_ref", "customer", "contact", "company", "currency", "status", "created"),
    *("amount", "amount_display", "amount_received", "description", "charge_id"),
    *("failure_message", "updated_at"),
]


def _ref(value) -> str:
    """An id, whether Stripe gave the object (expanded) or its id."""
    if isinstance(value, dict):
        return value.get("id", "")
    return value or ""


class Store:
    """Upserts into one workspace's account; ``announce``: raise CRM events for changes."""

    def __init__(self, account: PaymentsAccount, announce: bool):
        self.account = account
        self.workspace_id = account.workspace_id
        self.announce = announce

    def put(self, obj: dict) -> None:
        handler = getattr(self, "_" + obj.get("object", ""), None)
        if handler is not None:
            handler(obj)

    def deleted(self, obj: dict) -> None:
        if obj.get("object") == "customer":
            Customer.objects.filter(workspace_id=self.workspace_id, stripe_id=obj["id"]).update(
                deleted=True
            )

    # Customers -----------------------------------------------------------------------------

    def _customer(self, obj: dict) -> None:
        self._customers([obj])

    def _customers(self, objects: list[dict]) -> None:
        """Customers in one upsert, each linked to the contact with its email and to that
        contact's company, else the company of its email's domain (the oldest of several);
        then what was synced before them is linked to them."""
        emails = {(obj.get("email") or "").strip().lower() for obj in objects} - {""}
        in_workspace = {"workspace_id": self.workspace_id}
        contacts = {
            contact.key: contact
            for contact in Contact.objects.annotate(key=Lower("email"))
            .filter(key__in=emails, **in_workspace)
            .order_by("-created_at")
        }
        domains = {email.rpartition("@")[2] for email in emails}
        companies = {
            company.key: company.pk
            for company in Company.objects.annotate(key=Lower("domain"))
            .filter(key__in=domains, **in_workspace)
            .order_by("-created_at")
        }
        rows = []
        for obj in objects:
            email = (obj.get("email") or "").strip()
            contact = contacts.get(email.lower())
            domain = email.rpartition("@")[2].lower()
            rows.append(
                Customer(
                    stripe_id=obj["id"],
                    email=email[:254],
                    name=(obj.get("name") or "")[:255],
                    contact=contact,
                    company_id=(contact and contact.company_id) or companies.get(domain),
                    created=moment(obj.get("created")) or timezone.now(),
                    deleted=bool(obj.get("deleted")),
                    **in_workspace,
                )
            )
        Customer.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["workspace", "stripe_id"],
            update_fields=CUSTOMER_UPDATES,
        )
        theirs = Customer.objects.filter(stripe_id=OuterRef("customer_ref"), **in_workspace)
        for model in (Payment, Invoice, Subscription):
            model.objects.filter(
                customer_ref__in=[obj["id"] for obj in objects], **in_workspace
            ).update(
                customer=Subquery(theirs.values("pk")[:1]),
                contact=Subquery(theirs.values("contact")[:1]),
                company=Subquery(theirs.values("company")[:1]),
            )

    def _linked(self, obj: dict, customers: dict | None = None) -> dict:
        """The fields linking an object to its customer (looked up, or found in
        ``customers``, by Stripe id) and its contact and company."""
        ref = _ref(obj.get("customer"))
        if customers is not None:
            customer = customers.get(ref)
        elif ref:
            customer = Customer.objects.filter(
                workspace_id=self.workspace_id, stripe_id=ref
            ).first()
        else:
            customer = None
        return {
            "customer_ref": ref,
            "customer": customer,
            "contact_id": customer.contact_id if customer else None,
            "company_id": customer.company_id if customer else None,
            "currency": (obj.get("currency") or "").lower(),
            "status": obj.get("status") or "",
            "created": moment(obj.get("created")) or timezone.now(),
        }

    def _upsert(self, model, obj: dict, **fields):
        """The row before (None when new) and after."""
        before = model.objects.filter(workspace_id=self.workspace_id, stripe_id=obj["id"]).first()
        row, _ = model.objects.update_or_create(
            workspace_id=self.workspace_id,
            stripe_id=obj["id"],
            defaults={**self._linked(obj), **fields},
        )
        return before, row

    # Payments ------------------------------------------------------------------------------

    def put_page(self, objects: list[dict]) -> None:
        """A backfill's page: its customers and its payment intents each in one upsert, the
        others one by one."""
        bulk = ("customer", "payment_intent")
        for obj in objects:
            if obj.get("object") not in bulk:
                self.put(obj)
        customers = [obj for obj in objects if obj.get("object") == "customer"]
        if customers:
            self._customers(customers)
        intents = [obj for obj in objects if obj.get("object") == "payment_intent"]
        if not intents:
            return
        refs = {_ref(obj.get("customer")) for obj in intents} - {""}
        customers = {
            customer.stripe_id: customer
            for customer in Customer.objects.filter(
                workspace_id=self.workspace_id, stripe_id__in=refs
            )
        }
        rows = [
            Payment(
                workspace_id=self.workspace_id,
                stripe_id=obj["id"],
                **self._linked(obj, customers),
                **_payment_fields(obj),
            )
            for obj in intents
        ]
        Payment.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["workspace", "stripe_id"],
            update_fields=PAYMENT_UPDATES,
        )

    def _payment_intent(self, obj: dict) -> None:
        before, row = self._upsert(Payment, obj, **_payment_fields(obj))
        if not self.announce:
            return
        data = {
            "payment_id": str(row.pk),
            "contact_id": str(row.contact_id) if row.contact_id else None,
            "amount": row.amount_display,
        }
        if row.status == "succeeded" and (before is None or before.status != "succeeded"):
            events.emit(events.PAYMENT_SUCCEEDED, str(self.workspace_id), **data)
        elif row.failure_message and (
            before is None or before.failure_message != row.failure_message
        ):
            events.emit(
                events.PAYMENT_FAILED, str(self.workspace_id), reason=row.failure_message, **data
            )

    def _charge(self, obj: dict) -> None:
        """A charge changes its payment's refunded amount (``charge.refunded``)."""
        Payment.objects.filter(
            workspace_id=self.workspace_id, stripe_id=_ref(obj.get("payment_intent"))
        ).update(amount_refunded=obj.get("amount_refunded") or 0, charge_id=obj["id"])

    def _refund(self, obj: dict) -> None:
        payment = _ref(obj.get("payment_intent"))
        Refund.objects.update_or_create(
            workspace_id=self.workspace_id,
            stripe_id=obj["id"],
            defaults={
                "payment_ref": payment,
                "amount": obj.get("amount") or 0,
                "currency": (obj.get("currency") or "").lower(),
                "status": obj.get("status") or "",
                "created": moment(obj.get("created")) or timezone.now(),
            },
        )
        refunded = Refund.objects.filter(
            workspace_id=self.workspace_id, payment_ref=payment, status="succeeded"
        ).aggregate(total=Sum("amount"))["total"]
        Payment.objects.filter(workspace_id=self.workspace_id, stripe_id=payment).update(
            amount_refunded=refunded or 0
        )

    # Invoices and subscriptions --------------------------------------------------------------

    def _invoice(self, obj: dict) -> None:
        deal_id = (obj.get("metadata") or {}).get(DEAL_METADATA) or None
        deal = (
            Deal.objects.filter(workspace_id=self.workspace_id, pk=deal_id).first()
            if _uuid(deal_id)
            else None
        )
        before, row = self._upsert(
            Invoice,
            obj,
            number=obj.get("number") or "",
            amount_due=obj.get("amount_due") or 0,
            amount_paid=obj.get("amount_paid") or 0,
            amount_remaining=obj.get("amount_remaining") or 0,
            due_date=moment(obj.get("due_date")),
            hosted_invoice_url=obj.get("hosted_invoice_url") or "",
            deal=deal,
        )
        if not self.announce or row.status != "paid" or (before and before.status == "paid"):
            return
        self._invoice_event(events.INVOICE_PAID, row, row.amount_paid)
        if deal is not None and self.account.deal_won_on_paid:
            deals.set_stage(deal, Deal.Stage.WON)

    def _subscription(self, obj: dict) -> None:
        items = (obj.get("items") or {}).get("data") or [{}]
        price = items[0].get("price") or {}
        self._upsert(
            Subscription,
            obj,
            current_period_end=moment(items[0].get("current_period_end")),
            cancel_at_period_end=bool(obj.get("cancel_at_period_end")),
            amount=(price.get("unit_amount") or 0) * (items[0].get("quantity") or 1),
            interval=(price.get("recurring") or {}).get("interval") or "",
        )

    def announce_overdue(self) -> None:
        """``invoice.overdue`` once for each open invoice past its due date."""
        due = Invoice.objects.filter(
            workspace_id=self.workspace_id,
            status="open",
            due_date__lt=timezone.now(),
            overdue_announced=False,
        )
        for row in due:
            if Invoice.objects.filter(pk=row.pk, overdue_announced=False).update(
                overdue_announced=True
            ):
                self._invoice_event(events.INVOICE_OVERDUE, row, row.amount_remaining)

    def _invoice_event(self, kind: str, row: Invoice, amount: int) -> None:
        events.emit(
            kind,
            str(self.workspace_id),
            invoice_id=str(row.pk),
            invoice_number=row.number,
            deal_id=str(row.deal_id) if row.deal_id else None,
            contact_id=str(row.contact_id) if row.contact_id else None,
            amount=money.display(amount, row.currency),
        )


def _payment_fields(obj: dict) -> dict:
    error = obj.get("last_payment_error") or {}
    return {
        "amount": obj.get("amount") or 0,
        "amount_display": money.display(obj.get("amount") or 0, obj.get("currency") or ""),
        "amount_received": obj.get("amount_received") or 0,
        "description": (obj.get("description") or "")[:2000],
        "charge_id": _ref(obj.get("latest_charge")),
        "failure_message": (error.get("message") or "")[:2000],
    }


def _uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
