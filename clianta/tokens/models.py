"""The API token model (knox's ``TOKEN_MODEL``): knox keeps only the token's SHA-512 digest and
its first characters (``token_key``, to find the row); the secret itself is shown once, when it
is created, and never stored."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.db import models
from django.utils import timezone
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS

from clianta.models import Workspace

# Last use is written at most this often per token: a busy script does not turn every read
# into a write.
LAST_USE_PRECISION = timedelta(minutes=1)


class ApiToken(AbstractAuthToken):
    """A user's API token. ``workspace`` set: it acts on that workspace only (any other answers
    404, as a workspace the user is not in does). ``read_only``: unsafe methods answer 403."""

    # A public id for the API and admin; the digest stays out of URLs and logs.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True, editable=False)
    name = models.CharField(max_length=100)
    workspace = models.ForeignKey(
        Workspace, null=True, blank=True, on_delete=models.CASCADE, related_name="api_tokens"
    )
    read_only = models.BooleanField(default=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.token_key}…)"

    @property
    def is_expired(self) -> bool:
        return self.expiry is not None and self.expiry <= timezone.now()

    def mark_used(self) -> None:
        """Record a use, writing at most once per ``LAST_USE_PRECISION`` (a conditional UPDATE,
        so concurrent requests write once)."""
        now = timezone.now()
        if self.last_used_at and now - self.last_used_at < LAST_USE_PRECISION:
            return
        stale = models.Q(last_used_at__isnull=True) | models.Q(
            last_used_at__lt=now - LAST_USE_PRECISION
        )
        ApiToken.objects.filter(stale, pk=self.pk).update(last_used_at=now)
        self.last_used_at = now
