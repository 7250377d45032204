"""Google Sheets imports and exports, and the knowledge store Notion pages are synced into."""

from django.db import models

from clianta.models import Company, Contact, WorkspaceOwned


class SheetImport(WorkspaceOwned):
    """Contacts imported from a sheet: progress while it runs, then the report."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    spreadsheet_id = models.CharField(max_length=200)
    sheet = models.CharField(max_length=200, blank=True)
    mapping = models.JSONField(default=dict, blank=True, help_text="column header -> contact field")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    rejected = models.JSONField(default=list, blank=True, help_text="[{row, reason}]")
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"import of {self.spreadsheet_id} ({self.status})"


class KnowledgePage(WorkspaceOwned):
    """A Notion page shared with the workspace's integration, as plain text and Markdown."""

    page_id = models.CharField(max_length=64)
    title = models.CharField(max_length=2000, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    last_edited_time = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(
        null=True, blank=True, help_text="When its content was last read from Notion"
    )
    text = models.TextField(blank=True)
    markdown = models.TextField(blank=True)
    gone = models.BooleanField(default=False, help_text="No longer shared with the integration")
    contacts = models.ManyToManyField(Contact, blank=True, related_name="knowledge_pages")
    companies = models.ManyToManyField(Company, blank=True, related_name="knowledge_pages")

    class Meta(WorkspaceOwned.Meta):
        constraints = [
            models.UniqueConstraint(fields=["workspace", "page_id"], name="one_knowledge_page")
        ]
        indexes = [models.Index(fields=["workspace", "-last_edited_time"])]  # the timeline

    def __str__(self):
        return self.title or self.page_id


class NotionPace(models.Model):
    """When the workspace's next Notion request may go: one row shared by every worker, so
    together they keep under Notion's average of 3 requests a second."""

    workspace = models.OneToOneField(
        "clianta.Workspace", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    next_at = models.DateTimeField()

    def __str__(self):
        return f"{self.workspace_id}: next at {self.next_at:%H:%M:%S.%f}"
