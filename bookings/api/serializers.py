from rest_framework import serializers

from calendars import services as calendars
from clianta.api.scoping import scoped
from clianta.api.strict import ListField, StrictModelSerializer, StrictSerializer, single_line
from clianta.models import Membership

from .. import public
from ..models import Booking, BookingLink


class QuestionSerializer(StrictSerializer):
    label = serializers.CharField(max_length=200, validators=[single_line])
    required = serializers.BooleanField(default=False)


class BookingLinkSerializer(StrictModelSerializer):
    # One line: titles go into email subjects and event titles.
    title = serializers.CharField(max_length=200, validators=[single_line])
    location = serializers.CharField(
        max_length=500, required=False, allow_blank=True, validators=[single_line]
    )
    members = scoped(
        Membership,
        many=True,
        allow_empty=False,
        help_text="Membership ids of the members it books; each must have connected a calendar.",
    )
    questions = ListField(
        child=QuestionSerializer(),
        required=False,
        max_length=10,
        help_text="Asked besides name and email.",
    )
    url = serializers.SerializerMethodField(help_text="The public page.")

    class Meta:
        model = BookingLink
        fields = [
            "id",
            "title",
            "url",
            "duration_minutes",
            "members",
            "assignment",
            "buffer_before_minutes",
            "buffer_after_minutes",
            "min_notice_minutes",
            "days_ahead",
            "daily_cap",
            "questions",
            "video_conference",
            "location",
            "paused",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "url", "created_by", "created_at", "updated_at"]
        extra_kwargs = {
            "duration_minutes": {"min_value": 5, "max_value": 480},
            "buffer_before_minutes": {"max_value": 240},
            "buffer_after_minutes": {"max_value": 240},
            "min_notice_minutes": {"max_value": 60 * 24 * 30},
            "days_ahead": {"min_value": 1, "max_value": 365},
            "daily_cap": {"min_value": 1, "max_value": 50},
        }

    def get_url(self, link) -> str:
        return public.page_url(link)

    def validate_members(self, members):
        if len(members) > 20:
            raise serializers.ValidationError("A link books at most 20 members.")
        mine = self.context["view"].membership
        users = {m.user_id for m in members}
        connected = calendars.calendars_of(mine.workspace_id, users)
        missing = [m for m in members if m.user_id not in connected]
        if missing:
            names = ", ".join(sorted(m.user.get_username() for m in missing))
            raise serializers.ValidationError(
                f"No connected calendar: {names}. Each member the link books connects Google "
                "Calendar first (POST /api/calendar/connect)."
            )
        return members


class BookingSerializer(StrictModelSerializer):
    class Meta:
        model = Booking
        fields = [
            "id",
            "link",
            "organizer",
            "hosts",
            "start",
            "end",
            "name",
            "email",
            "answers",
            "time_zone",
            "status",
            "contact",
            "calendar_event",
            "cancelled_at",
            "created_at",
        ]
        read_only_fields = fields
