"""The sandbox Slack's state: teams with their users and channels, install codes and bot
tokens, channel messages, and the event and slash-command deliveries it made to the app."""

import time

from django.db import models


def _epoch() -> int:
    return int(time.time())


class SlackTeam(models.Model):
    team_id = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=100)

    def __str__(self):
        return self.name


class SlackUser(models.Model):
    team = models.ForeignKey(SlackTeam, on_delete=models.CASCADE, related_name="users")
    user_id = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=100)
    real_name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    is_bot = models.BooleanField(default=False)

    def __str__(self):
        return f"{self.name} ({self.user_id})"


class SlackChannel(models.Model):
    team = models.ForeignKey(SlackTeam, on_delete=models.CASCADE, related_name="channels")
    channel_id = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=80)
    members = models.JSONField(default=list, blank=True, help_text="User ids (bots included).")
    created = models.PositiveBigIntegerField(default=_epoch, help_text="Epoch seconds.")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="sandbox_slack_channel_name")
        ]

    def __str__(self):
        return f"#{self.name}"


class SlackAuthCode(models.Model):
    code = models.CharField(max_length=80, unique=True)
    client_id = models.CharField(max_length=200)
    redirect_uri = models.TextField(blank=True)
    team = models.ForeignKey(SlackTeam, on_delete=models.CASCADE, related_name="+")
    scopes = models.TextField(blank=True)
    webhook_channel = models.ForeignKey(
        SlackChannel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"code for {self.team_id}"


class SlackBotToken(models.Model):
    """A bot token the sandbox issued (``xoxb-…``); revoked by auth.revoke."""

    token = models.CharField(max_length=100, unique=True)
    client_id = models.CharField(max_length=200)
    team = models.ForeignKey(SlackTeam, on_delete=models.CASCADE, related_name="+")
    bot_user = models.ForeignKey(SlackUser, on_delete=models.CASCADE, related_name="+")
    scopes = models.TextField(blank=True)
    revoked = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"bot token of {self.team_id}"


class SlackPost(models.Model):
    """A message in a channel, by a person (control API) or the app (chat.postMessage)."""

    channel = models.ForeignKey(SlackChannel, on_delete=models.CASCADE, related_name="posts")
    user_id = models.CharField(max_length=20)
    text = models.TextField(blank=True)
    blocks = models.JSONField(null=True, blank=True)
    ts = models.CharField(max_length=30, unique=True)
    thread_ts = models.CharField(max_length=30, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.ts} in {self.channel_id}"


class SlackDelivery(models.Model):
    """A request the sandbox made to the app (an event or a slash command) and its outcome.
    ``answers`` lists each attempt's status; ``responses`` what the app posted to the
    command's response_url."""

    class Kind(models.TextChoices):
        EVENT = "event"
        COMMAND = "command"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    team = models.ForeignKey(SlackTeam, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=80, unique=True, help_text="event_id, or the command's id.")
    payload = models.JSONField(default=dict)
    answers = models.JSONField(default=list, blank=True)
    body = models.TextField(blank=True, help_text="The app's last answer.")
    responses = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.kind} {self.key}"
