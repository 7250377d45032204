from zoneinfo import available_timezones

from django.contrib.auth import get_user_model
from rest_framework import serializers

from clianta.api.scoping import scoped
from clianta.api.strict import (
    AwareDateTimeField,
    ListField,
    StrictModelSerializer,
    StrictSerializer,
)
from integrations import push
from integrations.api.serializers import push_state_field

from ..models import CalendarEvent, CalendarIntegration


class CalendarIntegrationSerializer(StrictModelSerializer):
    """A connected calendar; ``working_hours_end`` must be after ``working_hours_start``."""

    time_zone = serializers.ChoiceField(choices=sorted(available_timezones()), required=False)
    working_days = ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        min_length=1,
        max_length=7,
        required=False,
        help_text="0 = Monday",
    )

    class Meta:
        model = CalendarIntegration
        fields = [
            "id",
            "email",
            "calendar_id",
            "user",
            "sync_enabled",
            "last_sync_at",
            "time_zone",
            "working_hours_start",
            "working_hours_end",
            "working_days",
            "push",
        ]
        read_only_fields = ["id", "email", "calendar_id", "user", "last_sync_at"]

    push = push_state_field()

    def get_push(self, integration) -> dict:
        return push.state_of(integration.pk)

    def validate(self, data):
        start = data.get("working_hours_start", getattr(self.instance, "working_hours_start", None))
        end = data.get("working_hours_end", getattr(self.instance, "working_hours_end", None))
        if start and end and start >= end:
            raise serializers.ValidationError(
                {"working_hours_end": ["Working hours must end after they start."]}
            )
        return data


class CalendarEventSerializer(StrictModelSerializer):
    class Meta:
        model = CalendarEvent
        fields = [
            "id",
            "integration",
            "meeting",
            "provider_event_id",
            "title",
            "description",
            "location",
            "start",
            "end",
            "time_zone",
            "all_day",
            "status",
            "organizer",
            "attendees",
            "recurrence",
            "recurring_event_id",
            "conference_link",
            "html_link",
            "contacts",
        ]
        read_only_fields = fields


class NewEventSerializer(StrictSerializer):
    """An event to create: ``end`` must be after ``start``."""

    integration = scoped(
        CalendarIntegration,
        required=False,
        help_text="The calendar to create it in, one you connected; optional when you connected "
        "exactly one.",
    )
    title = serializers.CharField(max_length=1024)
    start = AwareDateTimeField()
    end = AwareDateTimeField()
    attendees = ListField(
        child=serializers.EmailField(), required=False, default=list, max_length=200
    )
    description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=8192
    )
    location = serializers.CharField(required=False, allow_blank=True, default="", max_length=1024)
    add_video_conference = serializers.BooleanField(required=False, default=False)

    def validate(self, data):
        if data["end"] <= data["start"]:
            raise serializers.ValidationError({"end": ["The event must end after it starts."]})
        return data


class BusySerializer(StrictSerializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class AvailabilitySerializer(StrictSerializer):
    integration = serializers.UUIDField()
    busy = BusySerializer(many=True)


class SlotsRequestSerializer(StrictSerializer):
    """Free slots of the attendees: ``window_end`` must be after ``window_start``, at most 62
    days later."""

    duration_minutes = serializers.IntegerField(min_value=5, max_value=8 * 60)
    window_start = AwareDateTimeField()
    window_end = AwareDateTimeField()
    attendees = scoped(
        get_user_model(),
        lookup="memberships__workspace",
        many=True,
        help_text="Ids of the workspace members who must all be free.",
    )
    step_minutes = serializers.IntegerField(min_value=5, max_value=240, default=30)

    def validate(self, data):
        span = data["window_end"] - data["window_start"]
        if span.total_seconds() <= 0:
            raise serializers.ValidationError(
                {"window_end": ["The window must end after it starts."]}
            )
        if span.days > 62:
            raise serializers.ValidationError({"window_end": ["Ask for at most 62 days at once."]})
        return data


class SlotsSerializer(StrictSerializer):
    slots = BusySerializer(many=True)
