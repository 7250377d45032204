"""The sandbox Twilio's state: accounts, messages, calls and recordings, as Twilio keeps them.

Provider-side records: the auth tokens here are the sandbox's own, in plain text.
"""

from django.db import models


class TwilioAccount(models.Model):
    """An account: its SID (``AC`` + 32 hex) and the Auth Token that authenticates the REST API
    and signs our webhooks."""

    sid = models.CharField(max_length=64, unique=True)
    auth_token = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.sid


class TwilioPhoneNumber(models.Model):
    """A number the account has bought (an IncomingPhoneNumber), in E.164."""

    sid = models.CharField(max_length=64, unique=True)
    account = models.ForeignKey(TwilioAccount, on_delete=models.CASCADE, related_name="numbers")
    phone_number = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "phone_number"], name="sandbox_twilio_number_once"
            )
        ]

    def __str__(self):
        return self.phone_number


class TwilioMessage(models.Model):
    """A message sent through the API (``outbound-api``) or received by a number (``inbound``)."""

    sid = models.CharField(max_length=64, unique=True)
    account = models.ForeignKey(TwilioAccount, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=12)
    to = models.CharField(max_length=40)
    from_number = models.CharField(max_length=40)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=12)
    error_code = models.PositiveIntegerField(null=True, blank=True)
    status_callback = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.sid} {self.status}"


class TwilioCall(models.Model):
    """An outbound call: what it was asked to do and what happened (see ``store``)."""

    sid = models.CharField(max_length=64, unique=True)
    account = models.ForeignKey(TwilioAccount, on_delete=models.CASCADE, related_name="calls")
    to = models.CharField(max_length=40)
    from_number = models.CharField(max_length=40)
    url = models.CharField(max_length=2000, blank=True)
    method = models.CharField(max_length=6, default="POST")
    twiml = models.TextField(blank=True, help_text="TwiML given, or the TwiML our url answered.")
    machine_detection = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=12)
    answered_by = models.CharField(max_length=20, blank=True)
    played = models.JSONField(default=list, blank=True, help_text="Audio URLs <Play>ed.")
    duration = models.PositiveIntegerField(null=True, blank=True)
    error_code = models.PositiveIntegerField(null=True, blank=True)
    status_callback = models.CharField(max_length=2000, blank=True)
    record = models.BooleanField(default=False)
    recording_status_callback = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.sid} to {self.to}: {self.status}"


class TwilioRecording(models.Model):
    sid = models.CharField(max_length=64, unique=True)
    call = models.ForeignKey(TwilioCall, on_delete=models.CASCADE, related_name="recordings")
    duration = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.sid} of {self.call.sid}"
