"""The CRM core every integration reads and writes: workspaces, their members, companies,
contacts and deals."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class Workspace(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    #: Its plan's slug in settings.BILLING_PLANS, kept by the billing app (clianta.plans).
    plan = models.CharField(max_length=40, default="free")
    #: While its payment is failing (past_due): when its plan falls back to Free.
    plan_grace_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner"
        ADMIN = "admin"
        MEMBER = "member"

    MANAGERS = (Role.OWNER, Role.ADMIN)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="one_membership_per_user")
        ]

    def __str__(self):
        return f"{self.user} in {self.workspace} ({self.role})"

    @property
    def is_manager(self) -> bool:
        """Owners and admins manage the workspace: its members, settings and integrations."""
        return self.role in self.MANAGERS

    def may_manage(self, owner_id) -> bool:
        """Whether this member may manage something a person owns (an integration they
        connected): its owner, or any owner or admin of the workspace. ``owner_id`` is the
        owner's user id, or None when nobody owns it (then only managers may)."""
        return self.is_manager or (owner_id is not None and owner_id == self.user_id)


# Neither accepted, declined nor revoked (it may have expired).
OPEN_INVITATION = models.Q(
    accepted_at__isnull=True, declined_at__isnull=True, revoked_at__isnull=True
)


class Invitation(models.Model):
    """An invitation to join a workspace, pending until the person it was sent to accepts it
    while logged in with that email address (``clianta/invitations.py``).

    The link's token is stored only as its SHA-256 digest. One open invitation per address and
    workspace: inviting the address again refreshes it (new token, new expiry)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(
        max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    declined_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "workspace",
                Lower("email"),
                condition=OPEN_INVITATION,
                name="one_open_invitation_per_email",
            )
        ]

    def __str__(self):
        return f"{self.email} to {self.workspace} ({self.role})"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.declined_at:
            return "declined"
        if self.revoked_at:
            return "revoked"
        return "pending" if self.expires_at > timezone.now() else "expired"


class WorkspaceOwned(models.Model):
    """Base of every row that belongs to one workspace."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]


class Company(WorkspaceOwned):
    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=253, blank=True, db_index=True)
    industry = models.CharField(max_length=120, blank=True)
    website = models.URLField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    employee_count = models.PositiveIntegerField(null=True, blank=True)
    revenue_range = models.CharField(max_length=100, blank=True)
    location = models.CharField(max_length=255, blank=True)
    technologies = models.JSONField(default=list, blank=True)
    enriched_at = models.DateTimeField(null=True, blank=True)

    class Meta(WorkspaceOwned.Meta):
        verbose_name_plural = "companies"

    def __str__(self):
        return self.name


class Contact(WorkspaceOwned):
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    title = models.CharField(max_length=200, blank=True)
    seniority = models.CharField(max_length=50, blank=True)
    linkedin_url = models.URLField(max_length=500, blank=True)
    location = models.CharField(max_length=255, blank=True)
    enriched_at = models.DateTimeField(null=True, blank=True)
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )

    class Meta(WorkspaceOwned.Meta):
        constraints = [
            # One contact per address in a workspace, whoever creates it (email, calendar, import).
            models.UniqueConstraint(
                "workspace",
                Lower("email"),
                condition=~models.Q(email=""),
                name="one_contact_per_email",
            )
        ]

    def __str__(self):
        return self.full_name or self.email or str(self.id)

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Deal(WorkspaceOwned):
    class Stage(models.TextChoices):
        LEAD = "lead"
        QUALIFIED = "qualified"
        PROPOSAL = "proposal"
        NEGOTIATION = "negotiation"
        WON = "won"
        LOST = "lost"

    name = models.CharField(max_length=200)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.LEAD)
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, default="USD")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    close_date = models.DateField(null=True, blank=True)

    def __str__(self):
        return self.name


class Note(WorkspaceOwned):
    """A member's note about a contact (on the contact's timeline)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()

    class Meta(WorkspaceOwned.Meta):
        indexes = [models.Index(fields=["contact", "-created_at"])]  # the timeline

    def __str__(self):
        return self.body[:60]


class AuditEvent(models.Model):
    """Who did what to a workspace's integrations, messages, tokens and members, or which staff
    member opened one of its credentials. Written by ``clianta.audit.record`` only; never edited.

    The actor's and target's names are copied, so the row still reads after they are deleted.
    ``details`` never holds secrets."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(
        Workspace, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(max_length=255, blank=True)
    action = models.CharField(max_length=60, db_index=True)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=255, blank=True)
    details = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "-created_at"])]

    def __str__(self):
        return f"{self.actor_label or 'system'} {self.action} {self.target_label}".strip()


class CrmEvent(models.Model):
    """One thing that happened in a workspace (``clianta.events``), written once, in the same
    transaction as the change it describes, by ``clianta.events.emit`` only; never edited.

    ``contact`` is the person it concerns, where there is one (the timeline reads it);
    ``data`` holds JSON values only, never secrets."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=60, db_index=True)
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "-occurred_at"]),
            models.Index(fields=["contact", "-occurred_at"]),
        ]

    def __str__(self):
        return f"{self.type} {self.occurred_at:%Y-%m-%d %H:%M}"


class Heartbeat(models.Model):
    """When each Celery worker (by hostname) last ran the heartbeat task that beat schedules."""

    name = models.CharField(max_length=50, primary_key=True)
    last_seen = models.DateTimeField()

    def __str__(self):
        return f"{self.name} at {self.last_seen:%Y-%m-%d %H:%M:%S}"


# API tokens live in their own module (clianta/tokens/); imported here so that Django registers
# the model with this app.
from clianta.tokens.models import ApiToken  # noqa: E402, F401
