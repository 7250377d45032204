"""Mailboxes connected to a workspace, who may send from them, and the mail synced from them."""

import uuid

from django.conf import settings
from django.db import models

from clianta.models import Contact, Workspace, WorkspaceOwned
from integrations.models import IntegrationCredential


class EmailAccount(WorkspaceOwned):
    class Provider(models.TextChoices):
        GMAIL = "gmail", "Gmail"
        OUTLOOK = "outlook", "Outlook"
        SMTP = "smtp", "IMAP / SMTP"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    provider = models.CharField(max_length=20, choices=Provider.choices)
    email = models.EmailField()
    credential = models.ForeignKey(
        IntegrationCredential, on_delete=models.CASCADE, related_name="email_accounts"
    )
    sync_enabled = models.BooleanField(default=True)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    # Where the next sync resumes (Gmail history id or page token, Graph delta link, IMAP UIDs);
    # saved in the same transaction as the messages it covers.
    sync_cursor = models.JSONField(null=True, blank=True)

    class Meta(WorkspaceOwned.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "provider", "email"], name="one_account_per_mailbox"
            )
        ]

    def __str__(self):
        return f"{self.email} ({self.provider})"

    @property
    def account_key(self) -> str:
        return f"email_accounts.emailaccount:{self.pk}"


class MailboxDelegate(models.Model):
    """A member of the mailbox's workspace its owner (or an owner or admin of the workspace) lets
    send from it. Besides the person who connected it, only delegates send from a mailbox."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(EmailAccount, on_delete=models.CASCADE, related_name="delegates")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["account", "user"], name="one_delegation_per_user")
        ]

    def __str__(self):
        return f"{self.user} sends as {self.account}"


class EmailThread(WorkspaceOwned):
    """A conversation: grouped by the provider's thread id and, across mailboxes and providers,
    by Message-ID / In-Reply-To / References."""

    subject = models.CharField(max_length=998, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True, db_index=True)

    def __str__(self):
        return self.subject or str(self.pk)


class EmailMessage(WorkspaceOwned):
    class Direction(models.TextChoices):
        INBOUND = "inbound"
        OUTBOUND = "outbound"

    # Kept (without an account) when an account is removed with its mail kept.
    account = models.ForeignKey(
        EmailAccount, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    thread = models.ForeignKey(EmailThread, on_delete=models.CASCADE, related_name="messages")
    provider_message_id = models.CharField(max_length=255)
    provider_thread_id = models.CharField(max_length=255, blank=True, db_index=True)
    message_id = models.CharField(max_length=998, blank=True, db_index=True, help_text="Message-ID")
    in_reply_to = models.CharField(max_length=998, blank=True)
    references = models.TextField(blank=True)
    from_address = models.EmailField(blank=True, db_index=True)
    from_name = models.CharField(max_length=255, blank=True)
    to = models.JSONField(default=list, blank=True)
    cc = models.JSONField(default=list, blank=True)
    bcc = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=998, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    snippet = models.CharField(max_length=500, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    labels = models.JSONField(default=list, blank=True, help_text="Labels, or the folder")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    attachments = models.JSONField(
        default=list, blank=True, help_text="[{filename, content_type, size}]"
    )
    contacts = models.ManyToManyField(Contact, blank=True, related_name="email_messages")

    class Meta(WorkspaceOwned.Meta):
        ordering = ["-sent_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "provider_message_id"], name="one_message_per_provider_id"
            )
        ]

    def __str__(self):
        return self.subject or self.provider_message_id


class EmailSettings(models.Model):
    """A workspace's rules for what mail creates contacts."""

    class ContactPolicy(models.TextChoices):
        NONE = "none", "Never create contacts from mail"
        SENT = "sent", "People the workspace has written to"
        EVERYONE = "everyone", "Everyone in the mail (except blocked senders)"

    workspace = models.OneToOneField(
        Workspace, primary_key=True, on_delete=models.CASCADE, related_name="email_settings"
    )
    contact_policy = models.CharField(
        max_length=10, choices=ContactPolicy.choices, default=ContactPolicy.SENT
    )

    class Meta:
        verbose_name_plural = "email settings"

    def __str__(self):
        return f"{self.workspace}: {self.contact_policy}"


class BlockedSender(WorkspaceOwned):
    """An address (``news@shop.example``) or a whole domain (``shop.example``) whose mail is
    skipped, on top of the built-in no-reply senders."""

    pattern = models.CharField(max_length=255)

    class Meta(WorkspaceOwned.Meta):
        constraints = [
            models.UniqueConstraint(fields=["workspace", "pattern"], name="one_blocked_pattern")
        ]

    def __str__(self):
        return self.pattern
