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


class StripeKey(models.Model):
    """Another key that authenticates as an account: a restricted key (``rk_test_…``) or an
    OAuth access or refresh token a platform holds for a connected account. A revoked (or rolled)
    key answers 401."""

    RESTRICTED, ACCESS, REFRESH = "restricted", "access", "refresh"

    account = models.ForeignKey(StripeAccount, on_delete=models.CASCADE, related_name="keys")
    key = models.CharField(max_length=128, unique=True)
    kind = models.CharField(max_length=16)
    platform = models.ForeignKey(
        StripeAccount, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.kind} {self.key[:12]}…"


class StripeConnection(models.Model):
    """A standard account connected to a platform by OAuth (until deauthorized)."""

    platform = models.ForeignKey(
        StripeAccount, on_delete=models.CASCADE, related_name="connections"
    )
    account = models.ForeignKey(StripeAccount, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=20)
    publishable_key = models.CharField(max_length=128)
    connected_at = models.DateTimeField(auto_now_add=True)
    deauthorized_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["platform", "account"], name="sandbox_stripe_connected")
        ]

    def __str__(self):
        return f"{self.platform} → {self.account}"


class StripeAuthCode(models.Model):
    """An authorization code the Connect consent page issued, exchanged once at /oauth/token."""

    code = models.CharField(max_length=100, unique=True)
    platform = models.ForeignKey(StripeAccount, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(StripeAccount, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=20)
    redirect_uri = models.CharField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.code
