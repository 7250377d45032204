import json

from rest_framework import serializers

from clianta import events
from clianta.api.strict import ListField, StrictModelSerializer, StrictSerializer

from .. import services
from ..models import ALL_EVENTS, Attempt, Delivery, Endpoint

EVENT_CHOICES = [ALL_EVENTS, *events.EVENT_TYPES]


class EndpointSerializer(StrictModelSerializer):
    event_types = ListField(
        child=serializers.ChoiceField(choices=EVENT_CHOICES),
        max_length=len(EVENT_CHOICES),
        help_text="The event types to receive; `*` for all.",
    )

    class Meta:
        model = Endpoint
        fields = [
            "id",
            "url",
            "description",
            "event_types",
            "enabled",
            "disabled_reason",
            "disabled_at",
            "failing_since",
            "paused_until",
            "previous_secret_expires_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [f for f in fields if f not in {"url", "description", "event_types"}]
        extra_kwargs = {
            "url": {"help_text": "Public HTTPS; redirects are not followed."},
            "previous_secret_expires_at": {
                "help_text": "During a rotation, until when the previous secret still signs."
            },
        }

    def validate_url(self, url):
        try:
            return services.check_url(url)
        except services.Refused as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def validate_event_types(self, types):
        try:
            return services.check_event_types(types)
        except services.Refused as exc:
            raise serializers.ValidationError(str(exc)) from exc


class EndpointWithSecretSerializer(EndpointSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text="The signing secret (`whsec_…`), shown only in this answer: keep it.",
    )

    class Meta(EndpointSerializer.Meta):
        fields = [*EndpointSerializer.Meta.fields, "secret"]
        read_only_fields = [*EndpointSerializer.Meta.read_only_fields, "secret"]


class AttemptSerializer(StrictModelSerializer):
    class Meta:
        model = Attempt
        fields = ["at", "status_code", "latency_ms", "error", "response"]
        read_only_fields = fields


class DeliverySerializer(StrictModelSerializer):
    payload = serializers.SerializerMethodField(help_text="The JSON body as sent.")

    class Meta:
        model = Delivery
        fields = [
            "id",
            "message_id",
            "event_type",
            "status",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "delivered_at",
            "created_at",
            "payload",
        ]
        read_only_fields = fields

    def get_payload(self, delivery) -> dict:
        return json.loads(delivery.body)


class DeliveryDetailSerializer(DeliverySerializer):
    attempt_set = AttemptSerializer(many=True, read_only=True)

    class Meta(DeliverySerializer.Meta):
        fields = [*DeliverySerializer.Meta.fields, "attempt_set"]
        read_only_fields = fields


class TestEventSerializer(StrictSerializer):
    event_type = serializers.ChoiceField(choices=list(events.EVENT_TYPES))
