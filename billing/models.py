"""What Stripe says of each workspace's subscription to Clianta: its customer, its subscription's
state and its invoices, as last read from Stripe."""

from django.db import models

from clianta.models import Workspace


class BillingAccount(models.Model):
    """A workspace's customer at Stripe (one per workspace) and its subscription."""

    workspace = models.OneToOneField(
        Workspace, primary_key=True, on_delete=models.CASCADE, related_name="billing"
    )
    customer_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    subscription_id = models.CharField(max_length=255, blank=True)
    price_id = models.CharField(max_length=255, blank=True)
    price_lookup_key = models.CharField(max_length=255, blank=True)
    #: Stripe's subscription status (active, past_due, canceled, …); "" without one.
    status = models.CharField(max_length=40, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    #: When the subscription was first seen past_due in its current run of failed payments.
    past_due_since = models.DateTimeField(null=True, blank=True)
    #: When the state was last read from Stripe.
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["workspace__name"]

    def __str__(self):
        return f"{self.workspace}: {self.status or 'no subscription'}"


class Invoice(models.Model):
    """An invoice Stripe sent a workspace for its subscription."""

    account = models.ForeignKey(BillingAccount, on_delete=models.CASCADE, related_name="invoices")
    stripe_id = models.CharField(max_length=255, unique=True)
    number = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=40)
    currency = models.CharField(max_length=3)
    #: In the currency's minor unit, as Stripe gives them.
    amount_due = models.BigIntegerField()
    amount_paid = models.BigIntegerField()
    hosted_invoice_url = models.URLField(max_length=2000, blank=True)
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(help_text="When Stripe created it.")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["account", "-created_at"])]

    def __str__(self):
        return self.number or self.stripe_id
