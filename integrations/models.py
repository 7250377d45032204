"""What the integration layer stores about each connection."""

import uuid

from django.db import models

from clianta.models import Workspace

from . import scrub
from .fields import EncryptedTextField


class IntegrationCredential(models.Model):
    """One connected account of one provider in one workspace; its secrets are encrypted."""

    SECRET_FIELDS = ("access_token", "refresh_token", "api_key")

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
    access_token = EncryptedTextField(null=True, blank=True)
    refresh_token = EncryptedTextField(null=True, blank=True)
    api_key = EncryptedTextField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    scopes = models.JSONField(default=list, blank=True)
    metadata = models.JSONField(default=dict, blank=True, help_text="Never holds secrets.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    last_error = models.TextField(blank=True)
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

    def masked(self, field: str) -> str:
        return scrub.mask(getattr(self, field))
