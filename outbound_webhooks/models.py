"""Customers' own webhook endpoints, and every delivery of a CRM event to them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from clianta.models import CrmEvent, WorkspaceOwned
from integrations.fields import EncryptedTextField

ALL_EVENTS = "*"


class Endpoint(WorkspaceOwned):
    """A URL of the customer's that receives the workspace's events of ``event_types`` (or
    ``["*"]``), signed with ``secret`` (Standard Webhooks). During a rotation the previous secret
    signs too, until ``previous_secret_expires_at``."""

    class Disabled(models.TextChoices):
        GONE = "gone", "The endpoint answered 410 Gone"
        FAILING = "failing", "Every delivery failed for days"
        BY_ADMIN = "by_admin", "Disabled by an admin"

    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    event_types = models.JSONField(default=list)
    secret = EncryptedTextField()
    previous_secret = EncryptedTextField(blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=10, choices=Disabled.choices, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    failing_since = models.DateTimeField(
        null=True, blank=True, help_text="The first failed attempt since the last success."
    )
    consecutive_failures = models.PositiveIntegerField(default=0)
    paused_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="After a failure, nothing is sent before this time but one probe.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(WorkspaceOwned.Meta):
        indexes = [models.Index(fields=["workspace", "enabled"])]

    def __str__(self):
        return self.url

    def wants(self, event_type: str) -> bool:
        return ALL_EVENTS in self.event_types or event_type in self.event_types


class Delivery(models.Model):
    """One event for one endpoint: pending until a 2xx, failed once the retries are spent.
    ``message_id`` is the ``webhook-id`` header, the same on every attempt and replay."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(
        CrmEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message_id = models.CharField(max_length=64)
    event_type = models.CharField(max_length=60)
    body = models.TextField(help_text="The JSON payload, byte for byte as sent.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(fields=["endpoint", "-created_at"]),
            models.Index(
                fields=["endpoint", "next_attempt_at"],
                name="delivery_due",
                condition=models.Q(status="pending"),
            ),
        ]

    def __str__(self):
        return f"{self.event_type} -> {self.endpoint_id} ({self.status})"


class Attempt(models.Model):
    """One HTTP request of a delivery: what the endpoint answered and how fast."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_set")
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField()
    error = models.CharField(max_length=300, blank=True)
    response = models.CharField(
        max_length=500, blank=True, help_text="The start of the response body, as text."
    )

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.status_code or self.error} in {self.latency_ms} ms"
