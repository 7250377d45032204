from django.conf import settings
from rest_framework import serializers

from clianta.api.strict import StrictModelSerializer, StrictSerializer
from clianta.models import Membership

from .models import ApiToken

MAX_DAYS = 365


def _lifetime_field():
    return serializers.IntegerField(
        min_value=1,
        max_value=MAX_DAYS,
        required=False,
        help_text="Days until the token expires (default: the server's API_TOKEN_TTL_DAYS).",
    )


class ApiTokenSerializer(StrictModelSerializer):
    prefix = serializers.CharField(
        source="token_key", read_only=True, help_text="The token's first characters."
    )
    expires_at = serializers.DateTimeField(source="expiry", read_only=True)
    created_at = serializers.DateTimeField(source="created", read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "workspace",
            "read_only",
            "created_at",
            "expires_at",
            "last_used_at",
        ]
        read_only_fields = ["id", "workspace", "read_only", "last_used_at"]


class CreateApiTokenSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100)
    workspace = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="Limit the token to this workspace (one of yours); other workspaces answer 404.",
    )
    read_only = serializers.BooleanField(default=False, help_text="Refuse every change (403).")
    expires_in_days = _lifetime_field()

    def validate_workspace(self, workspace_id):
        if workspace_id is None:
            return None
        user = self.context["request"].user
        membership = Membership.objects.filter(user=user, workspace_id=workspace_id).first()
        if membership is None:
            raise serializers.ValidationError("You are not a member of this workspace.")
        return membership.workspace


class CreatedApiTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(
        read_only=True, help_text="The secret: shown only in this answer, never again."
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]


class RenewApiTokenSerializer(StrictSerializer):
    expires_in_days = _lifetime_field()


def lifetime_days(data) -> int:
    return data.get("expires_in_days") or settings.API_TOKEN_TTL_DAYS
