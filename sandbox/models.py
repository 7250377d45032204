"""What the sandbox remembers: its call log and the faults to inject. Each fake provider keeps
its state in its own folder's models module, imported here so that they are the app's models.

These rows are the fake providers' own data: the tokens here are what the sandbox hands out,
stored in plain text like any other provider-side record, never our secrets.
"""

from django.db import models

from .apollo import models as apollo_models  # noqa: F401
from .google import models as google_models  # noqa: F401
from .microsoft import models as microsoft_models  # noqa: F401
from .notion import models as notion_models  # noqa: F401
from .salesforce import models as salesforce_models  # noqa: F401
from .slack import models as slack_models  # noqa: F401
from .stripe import models as stripe_models  # noqa: F401
from .twilio import models as twilio_models  # noqa: F401


class SandboxCall(models.Model):
    """One HTTP request a sandbox endpoint answered, so tests and benchmarks can count them."""

    provider = models.CharField(max_length=40)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    query = models.TextField(blank=True)
    status = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["provider", "path"])]

    def __str__(self):
        return f"{self.provider} {self.method} {self.path} -> {self.status}"


class SandboxFault(models.Model):
    """A fault the next matching requests of a provider get instead of (or on top of) the answer.

    A request matches when ``path_regex`` is found (``re.search``) in its full path, for example
    ``/sandbox/google/token``. ``remaining`` counts the uses left; null means forever.
    """

    provider = models.CharField(max_length=40)
    path_regex = models.CharField(max_length=500)
    status = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Answer this status instead of the real answer."
    )
    body = models.JSONField(
        null=True, blank=True, help_text="Error body; empty: the provider's usual error shape."
    )
    retry_after = models.PositiveIntegerField(
        null=True, blank=True, help_text="Seconds, sent as Retry-After with the status."
    )
    delay_ms = models.PositiveIntegerField(default=0)
    truncate = models.BooleanField(
        default=False, help_text="Answer 200 with the first half of the real body."
    )
    remaining = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: forever.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        what = f"status {self.status}" if self.status else "truncate" if self.truncate else "delay"
        return f"{self.provider} {self.path_regex}: {what}"
