"""The Microsoft sandbox's own records: authorization codes, grants, and Outlook mailboxes.

Like every sandbox record, the tokens here are what the fake provider hands out, kept in plain
text as a provider keeps its own records, never our secrets.
"""

from django.db import models


class MicrosoftAuthCode(models.Model):
    """A code the authorize page issued: single use, bound to its client, redirect URI, PKCE
    challenge and the nonce msal sent."""

    code = models.CharField(max_length=100, unique=True)
    client_id = models.CharField(max_length=200)
    redirect_uri = models.TextField()
    scopes = models.TextField()
    email = models.CharField(max_length=254)
    code_challenge = models.CharField(max_length=200, blank=True)
    code_challenge_method = models.CharField(max_length=10, blank=True)
    nonce = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"code for {self.email}"


class MicrosoftGrant(models.Model):
    """One consent: its current access token and refresh token. Every refresh replaces both,
    and the replaced refresh token is refused from then on (invalid_grant)."""

    email = models.CharField(max_length=254, db_index=True)
    client_id = models.CharField(max_length=200)
    scopes = models.TextField()
    access_token = models.CharField(max_length=200, unique=True)
    access_expires_at = models.DateTimeField()
    refresh_token = models.CharField(max_length=200, unique=True)
    revoked = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"grant of {self.email}"


class OutlookMailbox(models.Model):
    """A mailbox. ``change_seq`` counts its changes (delta tokens are positions in it); tokens
    older than ``delta_floor`` are no longer kept, as when Exchange drops a sync state."""

    email = models.CharField(max_length=254, unique=True)
    display_name = models.CharField(max_length=200, blank=True)
    change_seq = models.BigIntegerField(default=0)
    delta_floor = models.BigIntegerField(default=0)

    def __str__(self):
        return self.email


class OutlookMessage(models.Model):
    """A message in a well-known folder; a deleted one stays as a tombstone for delta queries."""

    mailbox = models.ForeignKey(OutlookMailbox, on_delete=models.CASCADE, related_name="messages")
    graph_id = models.CharField(max_length=120, unique=True)
    folder = models.CharField(max_length=40, help_text="Well-known name: inbox, sentitems.")
    conversation_id = models.CharField(max_length=120)
    internet_message_id = models.CharField(max_length=998, blank=True)
    subject = models.CharField(max_length=998, blank=True)
    sender = models.CharField(max_length=254, blank=True)
    sender_name = models.CharField(max_length=200, blank=True)
    to = models.JSONField(default=list, blank=True)
    received_at = models.DateTimeField()
    is_read = models.BooleanField(default=False)
    mime = models.BinaryField()
    seq = models.BigIntegerField(help_text="The mailbox's change_seq at the last change.")
    deleted = models.BooleanField(default=False)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["mailbox", "folder", "seq"])]

    def __str__(self):
        return self.subject or self.graph_id


class OutlookSubscription(models.Model):
    """A Graph change-notification subscription on a mailbox's messages (of one well-known
    folder, or all): changes of the kinds it names are posted to ``notification_url`` until it
    expires or is deleted; lifecycle events go to ``lifecycle_url``."""

    subscription_id = models.CharField(max_length=40, unique=True)
    mailbox = models.ForeignKey(
        OutlookMailbox, on_delete=models.CASCADE, related_name="subscriptions"
    )
    resource = models.CharField(max_length=200)
    folder = models.CharField(max_length=40, blank=True, help_text="Empty: every folder.")
    change_types = models.CharField(max_length=40)
    notification_url = models.URLField(max_length=2000)
    lifecycle_url = models.URLField(max_length=2000, blank=True)
    client_state = models.CharField(max_length=128, blank=True)
    client_id = models.CharField(max_length=200)
    expiration = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.mailbox_id} {self.resource}"
