"""Apollo.io credits per workspace, cached lookups and bulk enrichment jobs."""

from django.db import models

from clianta import plans
from clianta.models import Workspace, WorkspaceOwned


class ApolloUsage(models.Model):
    """A workspace's Apollo credits: used in this period, and when it resets (the limit is its
    plan's)."""

    workspace = models.OneToOneField(
        Workspace, primary_key=True, on_delete=models.CASCADE, related_name="apollo_usage"
    )
    credits_used = models.PositiveIntegerField(default=0)
    reset_date = models.DateField()
    # Apollo's own daily request limit for the key in use, as its last answer's headers said.
    daily_requests_limit = models.PositiveIntegerField(null=True, blank=True)
    daily_requests_used = models.PositiveIntegerField(null=True, blank=True)
    daily_requests_left = models.PositiveIntegerField(null=True, blank=True)
    daily_requests_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "Apollo usage"
        verbose_name_plural = "Apollo usage"

    def __str__(self):
        return f"{self.workspace}: {self.credits_used}/{self.credits_limit}"

    @property
    def credits_limit(self) -> int:
        """The month's credits of the workspace's plan."""
        return plans.limit(self.workspace_id, "apollo_credits")


class Lookup(WorkspaceOwned):
    """An Apollo answer kept for a while, so asking the same again costs no credit."""

    class Kind(models.TextChoices):
        PERSON = "person"
        ORGANIZATION = "organization"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=500, help_text="The normalised question")
    result = models.JSONField(null=True, blank=True, help_text="null: Apollo found nothing")

    class Meta(WorkspaceOwned.Meta):
        constraints = [
            models.UniqueConstraint(fields=["workspace", "kind", "key"], name="one_lookup_per_key")
        ]

    def __str__(self):
        return f"{self.kind}: {self.key}"


class EnrichmentJob(WorkspaceOwned):
    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        STOPPED = "stopped"
        FAILED = "failed"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    contact_ids = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    enriched = models.PositiveIntegerField(default=0)
    not_found = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=list, blank=True, help_text="[{contact, email, outcome}]")
    stop_reason = models.CharField(max_length=255, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"enrichment of {self.total} contact(s): {self.status}"
