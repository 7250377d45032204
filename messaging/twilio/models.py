"""Twilio: text messages both ways, opt-outs, voice drop campaigns and call recordings.

Phone numbers are stored in E.164 (see phones.py).
"""

from django.conf import settings
from django.db import models

from clianta.models import Contact, WorkspaceOwned


class SmsMessage(WorkspaceOwned):
    """One text message sent or received through the workspace's Twilio number."""

    class Direction(models.TextChoices):
        OUTBOUND = "outbound"
        INBOUND = "inbound"

    class Status(models.TextChoices):
        # Twilio's message statuses used here (twilio.com/docs/messaging/api/message-resource).
        ACCEPTED = "accepted"
        QUEUED = "queued"
        SENDING = "sending"
        SENT = "sent"
        DELIVERED = "delivered"
        UNDELIVERED = "undelivered"
        FAILED = "failed"
        RECEIVED = "received"
        READ = "read"

    #: Order of outbound statuses: a status callback never moves a message to a lower rank
    #: (Twilio's callbacks can arrive out of order).
    RANK = {
        Status.ACCEPTED: 0,
        Status.QUEUED: 1,
        Status.SENDING: 2,
        Status.SENT: 3,
        Status.DELIVERED: 4,
        Status.UNDELIVERED: 4,
        Status.FAILED: 4,
        Status.READ: 5,
    }

    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="sms_messages"
    )
    direction = models.CharField(max_length=10, choices=Direction.choices)
    sid = models.CharField(max_length=64, unique=True, help_text="Twilio's MessageSid.")
    from_number = models.CharField(max_length=20)
    to_number = models.CharField(max_length=20)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices)
    error_code = models.CharField(max_length=10, blank=True)

    class Meta(WorkspaceOwned.Meta):
        indexes = [models.Index(fields=["workspace", "contact", "created_at"])]

    def __str__(self):
        return f"{self.direction} {self.sid} ({self.status})"


class SmsOptOut(WorkspaceOwned):
    """A number that answered STOP (or another opt-out keyword): nothing is sent to it until it
    answers START. The row is removed on opt-in."""

    phone = models.CharField(max_length=20)
    keyword = models.CharField(max_length=20, blank=True, help_text="The word it was sent.")

    class Meta(WorkspaceOwned.Meta):
        constraints = [
            models.UniqueConstraint(fields=["workspace", "phone"], name="one_sms_opt_out_per_phone")
        ]

    def __str__(self):
        return f"{self.phone} opted out"


class VoiceDrop(WorkspaceOwned):
    """A voicemail drop campaign: ``audio_url`` played to the answering machines of its calls."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled"
        RUNNING = "running"
        COMPLETED = "completed"

    audio_url = models.URLField(max_length=1000)
    scheduled_at = models.DateTimeField(null=True, blank=True, help_text="Empty: at once.")
    record = models.BooleanField(default=False, help_text="Record the calls.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Voice drop {self.pk} ({self.status})"


class VoiceDropCall(models.Model):
    """One number of a voice drop, and what became of the call to it."""

    class Outcome(models.TextChoices):
        PENDING = "pending"
        CALLING = "calling"
        SKIPPED = "skipped", "skipped (opted out)"
        VOICEMAIL = "voicemail", "audio left on a machine"
        HUMAN = "human", "a person answered: hung up"
        UNKNOWN = "unknown", "answered, no machine detected: hung up"
        BUSY = "busy"
        NO_ANSWER = "no-answer"
        FAILED = "failed"
        CANCELED = "canceled"

    FINISHED = (
        Outcome.SKIPPED,
        Outcome.VOICEMAIL,
        Outcome.HUMAN,
        Outcome.UNKNOWN,
        Outcome.BUSY,
        Outcome.NO_ANSWER,
        Outcome.FAILED,
        Outcome.CANCELED,
    )

    voice_drop = models.ForeignKey(VoiceDrop, on_delete=models.CASCADE, related_name="calls")
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="voice_drop_calls"
    )
    to_number = models.CharField(max_length=20)
    from_number = models.CharField(max_length=20, blank=True, help_text="The number called from.")
    sid = models.CharField(
        max_length=64, unique=True, null=True, blank=True, help_text="Twilio's CallSid."
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    call_status = models.CharField(max_length=12, blank=True, help_text="Twilio's CallStatus.")
    answered_by = models.CharField(max_length=20, blank=True, help_text="Twilio's AnsweredBy.")
    duration = models.PositiveIntegerField(null=True, blank=True, help_text="Seconds.")
    error = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["voice_drop", "to_number"], name="one_voice_drop_call_per_number"
            )
        ]
        indexes = [models.Index(fields=["contact", "-updated_at"])]  # the timeline

    def __str__(self):
        return f"{self.to_number}: {self.outcome}"


class CallRecording(WorkspaceOwned):
    """A call recording Twilio reported (its recording status callback)."""

    recording_sid = models.CharField(max_length=64, unique=True)
    call_sid = models.CharField(max_length=64, db_index=True)
    url = models.URLField(max_length=1000)
    duration = models.PositiveIntegerField(null=True, blank=True, help_text="Seconds.")
    status = models.CharField(max_length=12, blank=True)
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="call_recordings"
    )
    voice_drop_call = models.ForeignKey(
        VoiceDropCall, null=True, blank=True, on_delete=models.SET_NULL, related_name="recordings"
    )

    class Meta(WorkspaceOwned.Meta):
        indexes = [models.Index(fields=["contact", "-created_at"])]  # the timeline

    def __str__(self):
        return f"Recording {self.recording_sid} of {self.call_sid}"


class TwilioNumber(WorkspaceOwned):
    """A number of the shared Twilio account (the TWILIO_* settings) assigned to one workspace:
    it sends from it, and what is texted to it is that workspace's. Staff assign numbers in the
    admin; a number belongs to one workspace at most."""

    phone_number = models.CharField(max_length=20, unique=True, help_text="E.164.")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(WorkspaceOwned.Meta):
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.phone_number


class UnroutedSms(models.Model):
    """A text no workspace owns the number of (or more than one claims): kept for staff, never
    given to a workspace by guess."""

    message_sid = models.CharField(max_length=64, unique=True)
    account_sid = models.CharField(max_length=64)
    from_number = models.CharField(max_length=40)
    to_number = models.CharField(max_length=40)
    body = models.TextField(blank=True)
    reason = models.CharField(max_length=200)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = "unrouted SMS"
        verbose_name_plural = "unrouted SMS"

    def __str__(self):
        return f"{self.from_number} → {self.to_number}"
