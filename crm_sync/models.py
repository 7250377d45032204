"""A workspace's CRM connection (a Salesforce org) and what its two-way sync keeps: where each
object's pull resumes, how fields map, which local record is which remote one with the values
last agreed on, and the conflicts each run resolved."""

import uuid

from django.conf import settings
from django.db import models

from clianta.models import Workspace, WorkspaceOwned
from integrations.models import IntegrationCredential, SyncLog


class CrmObject(models.TextChoices):
    """The CRM's objects that sync, in the order they sync (a contact names its company, a deal
    its company and contact)."""

    COMPANY = "company"
    CONTACT = "contact"
    DEAL = "deal"


class Direction(models.TextChoices):
    TO_REMOTE = "to_salesforce", "To Salesforce"
    FROM_REMOTE = "from_salesforce", "From Salesforce"
    BOTH = "both", "Both ways"


def default_limit_share() -> float:
    return settings.CRM_SYNC_LIMIT_SHARE


def default_bulk_threshold() -> int:
    return settings.CRM_SYNC_BULK_THRESHOLD


class CrmConnection(models.Model):
    """The workspace's connected org (one per workspace), its sync and its API budget."""

    workspace = models.OneToOneField(
        Workspace, primary_key=True, on_delete=models.CASCADE, related_name="crm_connection"
    )
    credential = models.ForeignKey(
        IntegrationCredential, on_delete=models.CASCADE, related_name="crm_connections"
    )
    sync_enabled = models.BooleanField(default=True)
    #: The org's API requests used in its 24-hour window, of its limit (Sforce-Limit-Info).
    api_used = models.PositiveIntegerField(null=True, blank=True)
    api_limit = models.PositiveIntegerField(null=True, blank=True)
    api_usage_at = models.DateTimeField(null=True, blank=True)
    #: A sync stops when the org's usage reaches this share of its daily limit, leaving the rest
    #: to the org's other integrations.
    limit_share = models.FloatField(default=default_limit_share)
    #: Syncs wait until then: the org's daily limit was (nearly) used up.
    paused_until = models.DateTimeField(null=True, blank=True)
    #: A first load of more records than this goes through Bulk API 2.0.
    bulk_threshold = models.PositiveIntegerField(default=default_bulk_threshold)
    last_sync_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.workspace}: {self.credential.account}"

    @property
    def account_key(self) -> str:
        return f"crm_sync.crmconnection:{self.pk}"


class ObjectCursor(models.Model):
    """Where one object's pull resumes: after (``stamp``, ``last_id``) in SystemModstamp then Id
    order; a first load through Bulk API 2.0 keeps its job and locator; deletions are read up to
    ``deletes_until``."""

    connection = models.ForeignKey(CrmConnection, on_delete=models.CASCADE, related_name="cursors")
    object = models.CharField(max_length=20, choices=CrmObject.choices)
    stamp = models.DateTimeField(null=True, blank=True)
    last_id = models.CharField(max_length=18, blank=True)
    #: The first load is done (the pull is incremental from then on).
    loaded = models.BooleanField(default=False)
    #: A Bulk API 2.0 first load under way: {"job", "locator", "since"}.
    bulk = models.JSONField(null=True, blank=True)
    deletes_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "object"], name="one_cursor_per_object")
        ]

    def __str__(self):
        return f"{self.object} after {self.stamp} {self.last_id}"


class FieldMapping(WorkspaceOwned):
    """One CRM field mapped to a field of the org's object, with its direction and, for a
    picklist such as a deal's stage, its values: pairs [CRM value, Salesforce value], the first
    pair of a value used when it is sent."""

    connection = models.ForeignKey(CrmConnection, on_delete=models.CASCADE, related_name="mappings")
    object = models.CharField(max_length=20, choices=CrmObject.choices)
    local_field = models.CharField(max_length=40)
    remote_field = models.CharField(max_length=80)
    direction = models.CharField(max_length=20, choices=Direction.choices, default=Direction.BOTH)
    value_map = models.JSONField(default=list, blank=True)

    class Meta(WorkspaceOwned.Meta):
        ordering = ["object", "local_field"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "object", "local_field"], name="one_mapping_per_local_field"
            ),
            models.UniqueConstraint(
                fields=["workspace", "object", "remote_field"], name="one_mapping_per_remote_field"
            ),
        ]

    def __str__(self):
        return f"{self.object}.{self.local_field} ↔ {self.remote_field} ({self.direction})"

    @property
    def pulls(self) -> bool:
        return self.direction != Direction.TO_REMOTE

    @property
    def pushes(self) -> bool:
        return self.direction != Direction.FROM_REMOTE


class RecordLink(models.Model):
    """A CRM record and its Salesforce record, with the mapped values both sides last agreed on
    (``baseline``, in the CRM's terms): a side whose value differs from it has changed.

    ``changed_at`` is when the CRM record last changed while not yet pushed (null: nothing to
    push); a record not yet in Salesforce has no ``remote_id``. A push Salesforce refused keeps
    its error until the record is pushed again."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    connection = models.ForeignKey(CrmConnection, on_delete=models.CASCADE, related_name="links")
    object = models.CharField(max_length=20, choices=CrmObject.choices)
    local_id = models.UUIDField()
    remote_id = models.CharField(max_length=18, blank=True)
    baseline = models.JSONField(default=dict, blank=True)
    remote_stamp = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)
    push_error = models.TextField(blank=True)
    push_failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "object", "local_id"], name="one_link_per_record"
            ),
            models.UniqueConstraint(
                fields=["connection", "object", "remote_id"],
                condition=~models.Q(remote_id=""),
                name="one_link_per_remote_record",
            ),
        ]
        indexes = [models.Index(fields=["connection", "object", "changed_at"])]

    def __str__(self):
        return f"{self.object} {self.local_id} ↔ {self.remote_id or '(not yet in Salesforce)'}"


class SyncConflict(models.Model):
    """A field changed on both sides since the last sync, and which change won (the newer;
    a tie goes to Salesforce), logged on the run that resolved it."""

    class Winner(models.TextChoices):
        SALESFORCE = "salesforce"
        CLIANTA = "clianta"

    sync_log = models.ForeignKey(SyncLog, on_delete=models.CASCADE, related_name="+")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    object = models.CharField(max_length=20, choices=CrmObject.choices)
    local_id = models.UUIDField()
    remote_id = models.CharField(max_length=18)
    field = models.CharField(max_length=40)
    remote_field = models.CharField(max_length=80)
    local_value = models.JSONField(null=True, blank=True)
    remote_value = models.JSONField(null=True, blank=True)
    local_changed_at = models.DateTimeField()
    remote_changed_at = models.DateTimeField()
    winner = models.CharField(max_length=20, choices=Winner.choices)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.object}.{self.field}: {self.winner} won"
