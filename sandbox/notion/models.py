"""The Notion sandbox's state: workspaces, the bots installed in them, pages, databases,
blocks, what each bot was shared, and OAuth codes.

Provider-side records: the tokens here are the sandbox's own, in plain text.
"""

from django.db import models


class NotionWorkspace(models.Model):
    """A Notion workspace: the pages, databases and blocks in it, and the bots it installed."""

    workspace_id = models.UUIDField(unique=True)
    name = models.CharField(max_length=200, unique=True)
    icon = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name


class NotionBot(models.Model):
    """An integration installed in a workspace: an internal one (its ``secret_``/``ntn_`` token
    made by a helper) or a public one authorized by OAuth (``client_id`` set). It sees only the
    pages shared with it (and what is under them). ``per_second`` null: no rate limit; else a
    token bucket of ``burst`` requests refilled at ``per_second``."""

    bot_id = models.UUIDField(unique=True)
    workspace = models.ForeignKey(NotionWorkspace, on_delete=models.CASCADE, related_name="bots")
    client_id = models.CharField(max_length=200, blank=True, help_text="Empty: internal.")
    token = models.CharField(max_length=200, unique=True)
    refresh_token = models.CharField(max_length=200, unique=True, null=True, blank=True)
    owner = models.JSONField(default=dict, blank=True)
    per_second = models.FloatField(null=True, blank=True)
    burst = models.PositiveIntegerField(default=0)
    bucket = models.FloatField(default=0, help_text="Requests left in the bucket.")
    bucket_at = models.FloatField(default=0, help_text="Epoch second the bucket was counted.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"Notion bot {self.bot_id}"


class NotionObject(models.Model):
    """A page or a database. ``parent_type`` workspace, page_id or database_id; ``properties``
    is a page's property values (by name) or a database's schema (by name)."""

    object_id = models.UUIDField(unique=True)
    workspace = models.ForeignKey(
        NotionWorkspace, on_delete=models.CASCADE, related_name="contents"
    )
    kind = models.CharField(max_length=8, help_text="page or database.")
    parent_type = models.CharField(max_length=12)
    parent_id = models.UUIDField(null=True, blank=True)
    title = models.JSONField(default=list, blank=True, help_text="A database's title.")
    properties = models.JSONField(default=dict, blank=True)
    archived = models.BooleanField(default=False)
    created_time = models.DateTimeField()
    last_edited_time = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"Notion {self.kind} {self.object_id}"


class NotionShare(models.Model):
    """A page or database shared with a bot (and so everything under it)."""

    bot = models.ForeignKey(NotionBot, on_delete=models.CASCADE, related_name="shares")
    target = models.ForeignKey(NotionObject, on_delete=models.CASCADE, related_name="shares")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["bot", "target"], name="sandbox_notion_share")
        ]

    def __str__(self):
        return f"{self.target} shared with {self.bot}"


class NotionBlock(models.Model):
    """A block under a page or another block (``parent_id``), in ``position`` order; ``data``
    is its type's object without children (rich_text, checked, language…)."""

    block_id = models.UUIDField(unique=True)
    workspace = models.ForeignKey(NotionWorkspace, on_delete=models.CASCADE, related_name="blocks")
    parent_id = models.UUIDField(db_index=True)
    position = models.PositiveIntegerField()
    type = models.CharField(max_length=40)
    data = models.JSONField(default=dict, blank=True)
    archived = models.BooleanField(default=False)
    created_time = models.DateTimeField()
    last_edited_time = models.DateTimeField()

    class Meta:
        ordering = ["parent_id", "position", "id"]

    def __str__(self):
        return f"{self.type} block {self.block_id}"


class NotionAuthCode(models.Model):
    """An OAuth code the consent page issued: the workspace and what it shares (null: all)."""

    code = models.CharField(max_length=100, unique=True)
    client_id = models.CharField(max_length=200)
    redirect_uri = models.CharField(max_length=2000)
    workspace = models.ForeignKey(NotionWorkspace, on_delete=models.CASCADE, related_name="codes")
    shared = models.JSONField(null=True, blank=True, help_text="Object ids; null: every page.")
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"Notion code for {self.workspace}"
