"""A workspace's own Stripe account inside its CRM: the connection and its sync cursor, and the
customers, payments, invoices, subscriptions and refunds synced from it. Amounts are integers in
the currency's minor unit, as Stripe gives them (see ``money``)."""

from django.db import models

from clianta.models import Company, Contact, Deal, Workspace, WorkspaceOwned
from integrations.models import IntegrationCredential


class PaymentsAccount(models.Model):
    """The workspace's connected Stripe account (one per workspace) and its sync."""

    workspace = models.OneToOneField(
        Workspace, primary_key=True, on_delete=models.CASCADE, related_name="payments_account"
    )
    credential = models.ForeignKey(
        IntegrationCredential, on_delete=models.CASCADE, related_name="payments_accounts"
    )
    sync_enabled = models.BooleanField(default=True)
    #: Where the next sync resumes (the backfill's list and position, then the last event
    #: seen); saved in the same transaction as the objects it covers.
    sync_cursor = models.JSONField(null=True, blank=True)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    #: A paid invoice of a deal moves the deal to won.
    deal_won_on_paid = models.BooleanField(default=False)

    def __str__(self):
        return f"{self.workspace}: {self.credential.account}"

    @property
    def account_key(self) -> str:
        return f"payments.paymentsaccount:{self.pk}"


class Synced(WorkspaceOwned):
    """An object of the workspace's Stripe account, by its Stripe id."""

    stripe_id = models.CharField(max_length=255)
    #: When Stripe created it.
    created = models.DateTimeField()

    class Meta(WorkspaceOwned.Meta):
        abstract = True
        ordering = ["-created", "-id"]

    def __str__(self):
        return self.stripe_id


def _unique(name: str):
    return [models.UniqueConstraint(fields=["workspace", "stripe_id"], name=f"{name}_once")]


class Customer(Synced):
    email = models.EmailField(blank=True)
    name = models.CharField(max_length=255, blank=True)
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL)
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.SET_NULL)
    deleted = models.BooleanField(default=False)

    class Meta(Synced.Meta):
        constraints = _unique("payments_customer")


class Linked(Synced):
    """An object of a customer, linked to its contact and company."""

    #: The customer's Stripe id, so the object links to it when it is synced later.
    customer_ref = models.CharField(max_length=255, blank=True, db_index=True)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL)
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=40)

    class Meta(Synced.Meta):
        abstract = True


class Payment(Linked):
    """A payment intent (and its latest charge)."""

    amount = models.BigIntegerField()
    #: ``12.34 USD``, ``1,234 JPY`` (money.display), for people and the timeline.
    amount_display = models.CharField(max_length=40, blank=True)
    amount_received = models.BigIntegerField(default=0)
    amount_refunded = models.BigIntegerField(default=0)
    description = models.TextField(blank=True)
    charge_id = models.CharField(max_length=255, blank=True)
    failure_message = models.TextField(blank=True)
    invoice = models.ForeignKey("Invoice", null=True, blank=True, on_delete=models.SET_NULL)

    class Meta(Linked.Meta):
        constraints = _unique("payments_payment")
        indexes = [models.Index(fields=["workspace", "contact", "-created"])]


class Invoice(Linked):
    number = models.CharField(max_length=255, blank=True)
    amount_due = models.BigIntegerField()
    amount_paid = models.BigIntegerField()
    amount_remaining = models.BigIntegerField()
    due_date = models.DateTimeField(null=True, blank=True)
    hosted_invoice_url = models.URLField(max_length=2000, blank=True)
    deal = models.ForeignKey(Deal, null=True, blank=True, on_delete=models.SET_NULL)
    #: Set once ``invoice.overdue`` was announced.
    overdue_announced = models.BooleanField(default=False)

    class Meta(Linked.Meta):
        constraints = _unique("payments_invoice")


class Subscription(Linked):
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    #: The first item's price, per period.
    amount = models.BigIntegerField(default=0)
    interval = models.CharField(max_length=10, blank=True)

    class Meta(Linked.Meta):
        constraints = _unique("payments_subscription")


class Refund(Synced):
    payment_ref = models.CharField(max_length=255, blank=True, help_text="Its payment intent.")
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=40)

    class Meta(Synced.Meta):
        constraints = _unique("payments_refund")
