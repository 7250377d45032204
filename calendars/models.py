"""Calendars connected to a workspace, their events, and the meetings those events are."""

import datetime

from django.conf import settings
from django.db import models

from clianta.models import Contact, WorkspaceOwned
from integrations.models import IntegrationCredential


def default_working_days():
    return [0, 1, 2, 3, 4]  # Monday to Friday


class CalendarIntegration(WorkspaceOwned):
    """One member's connected calendar, with the working hours slots are suggested in."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    provider = models.CharField(max_length=40, default="google_calendar")
    email = models.EmailField()
    credential = models.ForeignKey(
        IntegrationCredential, on_delete=models.CASCADE, related_name="calendars"
    )
    calendar_id = models.CharField(max_length=255, default="primary")
    sync_enabled = models.BooleanField(default=True)
    # Google's sync token, or the page token of an unfinished full sync; saved with its page.
    sync_cursor = models.JSONField(null=True, blank=True)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    working_hours_start = models.TimeField(default=datetime.time(9, 0))
    working_hours_end = models.TimeField(default=datetime.time(17, 0))
    working_days = models.JSONField(default=default_working_days, help_text="0 = Monday")

    class Meta(WorkspaceOwned.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "credential", "calendar_id"],
                name="one_integration_per_calendar",
            )
        ]

    def __str__(self):
        return f"{self.email} ({self.calendar_id})"

    @property
    def account_key(self) -> str:
        return f"calendars.calendarintegration:{self.pk}"


class Meeting(WorkspaceOwned):
    """One meeting in the workspace, however many members' calendars hold a copy of it: matched
    by iCalUID (and, for one occurrence of a series, its original start)."""

    ical_uid = models.CharField(max_length=1024)
    # The original start of one occurrence of a series (ISO 8601); "" for a single meeting.
    occurrence = models.CharField(max_length=40, blank=True)
    title = models.CharField(max_length=1024, blank=True)
    start = models.DateTimeField(null=True, blank=True)
    end = models.DateTimeField(null=True, blank=True)

    class Meta(WorkspaceOwned.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "ical_uid", "occurrence"], name="one_meeting_per_occurrence"
            )
        ]
        indexes = [models.Index(fields=["workspace", "-start"])]  # the timeline

    def __str__(self):
        return self.title or self.ical_uid


class CalendarEvent(WorkspaceOwned):
    """A member's copy of a meeting, as their calendar has it."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed"
        TENTATIVE = "tentative"
        CANCELLED = "cancelled"

    integration = models.ForeignKey(
        CalendarIntegration, null=True, on_delete=models.SET_NULL, related_name="events"
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="copies")
    provider_event_id = models.CharField(max_length=1024)
    title = models.CharField(max_length=1024, blank=True)
    description = models.TextField(blank=True)
    location = models.CharField(max_length=1024, blank=True)
    start = models.DateTimeField(db_index=True)
    end = models.DateTimeField()
    time_zone = models.CharField(max_length=64, blank=True)
    all_day = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    organizer = models.EmailField(blank=True)
    attendees = models.JSONField(
        default=list, blank=True, help_text="[{email, name, response_status, optional, organizer}]"
    )
    recurrence = models.JSONField(default=list, blank=True)
    recurring_event_id = models.CharField(max_length=1024, blank=True)
    conference_link = models.URLField(max_length=1024, blank=True)
    html_link = models.URLField(max_length=2048, blank=True)
    provider_updated_at = models.DateTimeField(null=True, blank=True)
    contacts = models.ManyToManyField(Contact, blank=True, related_name="calendar_events")

    class Meta(WorkspaceOwned.Meta):
        ordering = ["start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "provider_event_id"], name="one_event_per_provider_id"
            )
        ]

    def __str__(self):
        return self.title or self.provider_event_id
