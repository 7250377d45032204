"""What the integration layer stores: connections, sync runs, webhooks."""

import uuid

from django.conf import settings
from django.db import models

from clianta import scrub
from clianta.models import Workspace

from .fields import EncryptedTextField


class IntegrationCredential(models.Model):
    """One connected account of one provider in one workspace; its secrets are encrypted.

    Also the account's sync health: whether its syncs run, when they last succeeded, and how many
    have failed in a row.
    """

    SECRET_FIELDS = ("access_token", "refresh_token", "api_key")
    # Written by token refresh; saving an instance loaded earlier never overwrites them unless
    # they were changed on that instance (see save()).
    GRANT_FIELDS = (*SECRET_FIELDS, "expires_at")

    class Status(models.TextChoices):
        ACTIVE = "active"
        NEEDS_RECONNECT = "needs_reconnect"
        REVOKED = "revoked"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="credentials")
    provider = models.CharField(max_length=40, db_index=True)
    # The provider's name for the connected account (an email address, a team id); "" when a
    # workspace has only one account of that provider.
    account = models.CharField(max_length=255, blank=True)
    #: Who connected it: the integration's owner, who may disconnect and check it (as may the
    #: workspace's owners and admins) and, for a mailbox, send from it. Empty for rows from
    #: before owners were recorded and for connections made without a person.
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    access_token = EncryptedTextField(null=True, blank=True)
    refresh_token = EncryptedTextField(null=True, blank=True)
    api_key = EncryptedTextField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    scopes = models.JSONField(default=list, blank=True)
    metadata = models.JSONField(default=dict, blank=True, help_text="Never holds secrets.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    last_error = models.TextField(blank=True)
    sync_enabled = models.BooleanField(
        default=True, help_text="Off after repeated auth failures, or by staff."
    )
    last_sync_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    consecutive_auth_failures = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["provider", "account"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "provider", "account"], name="one_credential_per_account"
            )
        ]

    def __str__(self):
        return f"{self.provider}:{self.account or 'default'} ({self.workspace_id})"

    def save(self, *args, update_fields=None, **kwargs):
        loaded = getattr(self, "_loaded_grant", None)
        if update_fields is None and loaded is not None and not self._state.adding:
            # Leave out grant fields this instance did not change: a refresh that committed
            # since it was loaded must survive this save.
            unchanged = {name for name, value in loaded.items() if getattr(self, name) == value}
            update_fields = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in unchanged
            ]
        super().save(*args, update_fields=update_fields, **kwargs)
        self.remember_grant()

    def remember_grant(self) -> None:
        """Take the grant this instance holds as the stored one (after a save or a re-read)."""
        self._loaded_grant = {name: getattr(self, name) for name in self.GRANT_FIELDS}

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        if all(name in field_names for name in cls.GRANT_FIELDS):
            instance.remember_grant()
        return instance

    def masked(self, field: str) -> str:
        return scrub.mask(getattr(self, field))


class OAuthState(models.Model):
    """One authorization attempt: bound to the browser session and workspace that started it,
    valid for a few minutes, used once. Holds the PKCE verifier server-side."""

    state = models.CharField(max_length=64, unique=True)
    session_key_hash = models.CharField(max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    provider = models.CharField(max_length=40)
    code_verifier = EncryptedTextField(null=True, blank=True)
    #: The choices made on the connect page (the backend's ``options_form``); never secrets.
    options = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.provider} authorization for {self.workspace_id}"


class SyncLog(models.Model):
    """One run of one account's sync: what it did, or why it did not."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCESS = "success"
        RETRYING = "retrying"
        FAILED = "failed"
        SKIPPED = "skipped"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    provider = models.CharField(max_length=40, db_index=True)
    kind = models.CharField(max_length=40, help_text="What is synced: email, calendar, …")
    credential = models.ForeignKey(
        IntegrationCredential,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sync_logs",
    )
    account = models.CharField(max_length=255, help_text="The synced account, as people know it.")
    account_key = models.CharField(max_length=100, db_index=True, help_text="<model>:<id>")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    trigger = models.CharField(max_length=20, default="schedule")
    attempt = models.PositiveSmallIntegerField(default=1)
    task_id = models.CharField(max_length=255, blank=True)
    lock_token = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    skip_reasons = models.JSONField(default=dict, blank=True, help_text="reason -> count")
    pages = models.PositiveIntegerField(default=0)
    continued = models.BooleanField(
        default=False,
        help_text="It stopped at the end of its time slice; the next run goes on from there.",
    )
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["status", "started_at"])]

    def __str__(self):
        return f"{self.kind} sync of {self.account} ({self.status})"


class HeldLock(models.Model):
    """A lock held by one process (one sync per account, one refresh per credential): a row per
    held lock, with its holder's token and an expiry. See integrations/locks.py."""

    key = models.CharField(max_length=120, primary_key=True)
    token = models.CharField(max_length=64)
    expires_at = models.DateTimeField()

    def __str__(self):
        return self.key


class WebhookSubscription(models.Model):
    """A provider's deliveries to us for one workspace, with the secret that signs them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    provider = models.CharField(max_length=40, db_index=True)
    url = models.URLField()
    secret = EncryptedTextField(null=True, blank=True)
    events = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.provider} -> {self.url}"


class WebhookDelivery(models.Model):
    """An inbound delivery that verified, recorded once per provider delivery id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    provider = models.CharField(max_length=40)
    delivery_id = models.CharField(max_length=255)
    workspace = models.ForeignKey(
        Workspace, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    event_type = models.CharField(max_length=100, blank=True)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    verified = models.BooleanField(default=True)
    redeliveries = models.PositiveIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    #: When the worker is to (next) try it: set when recorded, pushed back by a claim's lease or a
    #: retry's backoff, empty once processed or given up.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "delivery_id"], name="one_delivery_per_id")
        ]
        indexes = [
            models.Index(
                fields=["provider", "next_attempt_at"],
                condition=models.Q(processed_at__isnull=True),
                name="webhook_delivery_due",
            )
        ]

    def __str__(self):
        return f"{self.provider} {self.delivery_id}"


class PushChannel(models.Model):
    """A provider's push channel for one synced account (a Google Calendar watch, say): the
    provider calls us when the account changes, and the account syncs. ``kind`` names the
    registered ``integrations.push.PushKind``; ``account_id`` is the app's account row."""

    class Status(models.TextChoices):
        ACTIVE = "active"
        FAILED = "failed", "Failed to renew"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    credential = models.ForeignKey(
        IntegrationCredential, on_delete=models.CASCADE, related_name="push_channels"
    )
    kind = models.CharField(max_length=40)
    account_id = models.UUIDField(db_index=True)
    scope = models.CharField(
        max_length=40, blank=True, help_text="What of the account it watches, when not all of it."
    )
    channel_id = models.CharField(max_length=64, unique=True)
    resource_id = models.CharField(max_length=255, blank=True)
    token = EncryptedTextField(help_text="Our secret, which the provider echoes with each push.")
    expires_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    last_error = models.TextField(blank=True)
    notifications = models.PositiveBigIntegerField(default=0)
    last_notification_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["kind", "account_id"])]

    def __str__(self):
        return f"{self.kind} {self.channel_id}"


class PushedSync(models.Model):
    """An account's sync that a push asked for and that has not finished: pushes arriving
    meanwhile set ``again``, so it runs once more afterwards, never twice at once."""

    key = models.CharField(max_length=100, primary_key=True, help_text="<kind>:<account id>")
    again = models.BooleanField(default=False)
    queued_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.key
