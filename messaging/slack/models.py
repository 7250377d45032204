"""Slack: the installed app per workspace, notification rules and their posts, and the channel
messages received through the Events API."""

import uuid

from django.db import models

from clianta.events import CONTACT_CREATED, DEAL_WON, EVENT_TYPES
from clianta.models import Contact, Workspace, WorkspaceOwned
from integrations.fields import EncryptedTextField
from integrations.models import IntegrationCredential


class SlackIntegration(models.Model):
    """The Slack app installed in one Slack team for one workspace. The bot token is the
    credential's (encrypted) access token; the incoming webhook URL is a secret too."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    credential = models.OneToOneField(
        IntegrationCredential, on_delete=models.CASCADE, related_name="slack_integration"
    )
    team_id = models.CharField(max_length=40, unique=True, help_text="One workspace per team.")
    team_name = models.CharField(max_length=200, blank=True)
    bot_user_id = models.CharField(max_length=40, blank=True)
    app_id = models.CharField(max_length=40, blank=True)
    default_channel = models.CharField(
        max_length=100, blank=True, help_text="Where test messages go: a channel id or #name."
    )
    incoming_webhook_url = EncryptedTextField(null=True, blank=True)
    linked_channels = models.JSONField(
        default=list, blank=True, help_text="Channel ids whose messages are stored."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["team_name"]

    def __str__(self):
        return f"{self.team_name or self.team_id} ({self.workspace_id})"


class NotificationRule(WorkspaceOwned):
    """A CRM event of the workspace becomes a message in a Slack channel.

    ``template`` names event fields in braces, such as ``{contact_name}`` or ``{deal_amount}``
    (see rendering.context); unknown names are left as written.
    """

    #: Created for a workspace when it installs Slack, as the original service had them.
    DEFAULTS = (
        ("New lead captured", CONTACT_CREATED, "#sales", "New lead captured: {contact_name}"),
        ("Deal won", DEAL_WON, "#celebrations", "Deal won: {deal_name} ({deal_amount})"),
    )

    name = models.CharField(max_length=200)
    event_type = models.CharField(max_length=40, choices=list(EVENT_TYPES.items()))
    channel = models.CharField(max_length=100, help_text="A channel id or #name.")
    template = models.TextField()
    enabled = models.BooleanField(default=True)

    class Meta(WorkspaceOwned.Meta):
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="slack_rule_name_unique")
        ]

    def __str__(self):
        return self.name


class SlackNotification(WorkspaceOwned):
    """One post a rule asked for, and what became of it: every attempt counts, and the last
    error stays, so no notification is lost silently."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RETRYING = "retrying"
        SENT = "sent"
        FAILED = "failed"

    rule = models.ForeignKey(
        NotificationRule, null=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    event_type = models.CharField(max_length=40)
    event_data = models.JSONField(default=dict, blank=True)
    channel = models.CharField(max_length=100)
    text = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    ts = models.CharField(max_length=40, blank=True, help_text="Slack's id of the posted message.")
    sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.event_type} -> {self.channel} ({self.status})"


class SlackMember(models.Model):
    """A member of an installed team as ``users.info`` last described them, so a busy channel
    asks Slack once per person per PROFILE_MAX_AGE instead of once per message."""

    integration = models.ForeignKey(
        SlackIntegration, on_delete=models.CASCADE, related_name="members"
    )
    user_id = models.CharField(max_length=40)
    email = models.EmailField(blank=True)
    name = models.CharField(max_length=200, blank=True)
    checked_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["integration", "user_id"], name="one_slack_member")
        ]

    def __str__(self):
        return f"{self.user_id} {self.email}"


class SlackMessage(WorkspaceOwned):
    """A message posted in a linked channel; on the contact's timeline when the sender's email
    is a contact's."""

    integration = models.ForeignKey(
        SlackIntegration, on_delete=models.CASCADE, related_name="messages"
    )
    channel_id = models.CharField(max_length=40)
    ts = models.CharField(max_length=40)
    thread_ts = models.CharField(max_length=40, blank=True)
    user_id = models.CharField(max_length=40)
    user_email = models.EmailField(blank=True)
    user_name = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True)
    posted_at = models.DateTimeField()
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="slack_messages"
    )

    class Meta(WorkspaceOwned.Meta):
        ordering = ["-posted_at"]
        indexes = [models.Index(fields=["contact", "-posted_at"])]  # the timeline
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "channel_id", "ts"], name="one_slack_message_per_ts"
            )
        ]

    def __str__(self):
        return f"{self.channel_id} {self.ts}"
