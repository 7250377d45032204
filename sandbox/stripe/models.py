"""The sandbox Stripe's state: accounts (their secret keys), every API object as Stripe would
answer it, the idempotency keys it has seen and the events it has recorded."""

from django.db import models


class StripeAccount(models.Model):
    """An account (``acct_…``) and the test secret key that authenticates as it."""

    account_id = models.CharField(max_length=64, unique=True)
    secret_key = models.CharField(max_length=128, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.account_id


class StripeObject(models.Model):
    """One API object (``cus_…``), its answer body in ``data``; ``seq`` orders lists newest
    first as Stripe does."""

    account = models.ForeignKey(
        StripeAccount, on_delete=models.CASCADE, related_name="stripe_objects"
    )
    object_id = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=40)
    data = models.JSONField()
    deleted = models.BooleanField(default=False)
    seq = models.BigAutoField(primary_key=True)

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["account", "kind", "-seq"])]

    def __str__(self):
        return self.object_id


class StripeIdempotency(models.Model):
    """The first answer to a key, replayed to the same request and refused to another."""

    account = models.ForeignKey(StripeAccount, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="sha256 of method, path and body.")
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "key"], name="sandbox_stripe_key_once")
        ]

    def __str__(self):
        return self.key


class StripeEvent(models.Model):
    """An event (``evt_…``) of the Events API, its body in ``data``."""

    account = models.ForeignKey(StripeAccount, on_delete=models.CASCADE, related_name="events")
    object_id = models.CharField(max_length=64, unique=True)
    type = models.CharField(max_length=80)
    data = models.JSONField()
    seq = models.BigAutoField(primary_key=True)

    class Meta:
        ordering = ["-seq"]

    def __str__(self):
        return f"{self.object_id} {self.type}"
