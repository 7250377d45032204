from rest_framework import serializers

from clianta.api.strict import StrictModelSerializer, StrictSerializer
from integrations.api.serializers import SyncLogSerializer

from ..mapping import LOCAL_FIELDS
from ..models import CrmObject, Direction, FieldMapping, RecordLink, SyncConflict

VALUE = serializers.CharField(max_length=255, allow_blank=True)


class FieldMappingSerializer(StrictModelSerializer):
    object = serializers.ChoiceField(choices=CrmObject.choices)
    direction = serializers.ChoiceField(choices=Direction.choices, default=Direction.BOTH)
    remote_field = serializers.RegexField(
        r"^[A-Za-z][A-Za-z0-9_]{0,79}$",
        help_text="The Salesforce field's API name (Email, LinkedIn__c).",
    )
    value_map = serializers.ListField(
        child=serializers.ListField(child=VALUE, min_length=2, max_length=2),
        max_length=200,
        required=False,
        help_text="For a picklist: [CRM value, Salesforce value] pairs; the first pair of a "
        "value is used when it is sent.",
    )

    class Meta:
        model = FieldMapping
        fields = [
            "id",
            "object",
            "local_field",
            "remote_field",
            "direction",
            "value_map",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate(self, attrs):
        obj = attrs.get("object", getattr(self.instance, "object", None))
        local = attrs.get("local_field", getattr(self.instance, "local_field", None))
        if self.instance is not None and "object" in attrs and attrs["object"] != obj:
            raise serializers.ValidationError({"object": ["A mapping's object cannot change."]})
        if local not in LOCAL_FIELDS.get(obj, {}):
            known = ", ".join(LOCAL_FIELDS.get(obj, {}))
            raise serializers.ValidationError(
                {"local_field": [f"Clianta's {obj} has no field {local!r} (one of: {known})."]}
            )
        return attrs


class ObjectStateSerializer(StrictSerializer):
    object = serializers.ChoiceField(choices=CrmObject.choices)
    loaded = serializers.BooleanField(help_text="The first load is done.")
    synced_up_to = serializers.DateTimeField(allow_null=True)
    bulk_job = serializers.CharField(help_text="A Bulk API 2.0 first load under way.")


class ConnectionSerializer(StrictSerializer):
    org_id = serializers.CharField(read_only=True)
    username = serializers.CharField(read_only=True)
    instance_url = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    sync_enabled = serializers.BooleanField(required=False)
    api_used = serializers.IntegerField(read_only=True, allow_null=True)
    api_limit = serializers.IntegerField(read_only=True, allow_null=True)
    api_usage_at = serializers.DateTimeField(read_only=True, allow_null=True)
    limit_share = serializers.FloatField(
        min_value=0.05,
        max_value=1.0,
        required=False,
        help_text="Syncs stop when the org's API usage reaches this share of its daily limit.",
    )
    paused_until = serializers.DateTimeField(read_only=True, allow_null=True)
    bulk_threshold = serializers.IntegerField(
        min_value=0,
        max_value=100_000_000,
        required=False,
        help_text="A first load of more records goes through Bulk API 2.0.",
    )
    objects = ObjectStateSerializer(many=True, read_only=True)
    waiting = serializers.IntegerField(read_only=True, help_text="CRM records to push.")
    refused = serializers.IntegerField(
        read_only=True, help_text="CRM records Salesforce refused (see push-errors)."
    )
    last_sync = SyncLogSerializer(read_only=True, allow_null=True)


class SyncRequestSerializer(StrictSerializer):
    full = serializers.BooleanField(
        default=False, help_text="Read everything again (the links are kept)."
    )


class ConflictSerializer(StrictModelSerializer):
    class Meta:
        model = SyncConflict
        fields = [
            "id",
            "sync_log",
            "object",
            "local_id",
            "remote_id",
            "field",
            "remote_field",
            "local_value",
            "remote_value",
            "local_changed_at",
            "remote_changed_at",
            "winner",
            "created_at",
        ]
        read_only_fields = fields


class PushErrorSerializer(StrictModelSerializer):
    class Meta:
        model = RecordLink
        fields = ["id", "object", "local_id", "remote_id", "push_error", "push_failed_at"]
        read_only_fields = fields
