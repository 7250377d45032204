from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clianta.api.strict import StrictModelSerializer, StrictSerializer
from integrations.health import Health, health_of
from integrations.models import IntegrationCredential, SyncLog


class PersonSerializer(StrictSerializer):
    """A user as other members of the workspace see them."""

    id = serializers.IntegerField(read_only=True)
    email = serializers.CharField(read_only=True)


class CredentialSerializer(StrictModelSerializer):
    """A connected account: its health, who connected it (its owner, empty when unknown), and
    each secret only as a mask (last 4 characters)."""

    access_token = serializers.SerializerMethodField()
    refresh_token = serializers.SerializerMethodField()
    api_key = serializers.SerializerMethodField()
    health = serializers.SerializerMethodField()
    connected_by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = IntegrationCredential
        fields = [
            "id",
            "provider",
            "account",
            "connected_by",
            "status",
            "health",
            "sync_enabled",
            "last_sync_at",
            "last_success_at",
            "last_error",
            "consecutive_failures",
            "access_token",
            "refresh_token",
            "api_key",
            "expires_at",
            "scopes",
            "created_at",
            "updated_at",
        ]

    def get_access_token(self, credential) -> str:
        return credential.masked("access_token")

    def get_refresh_token(self, credential) -> str:
        return credential.masked("refresh_token")

    def get_api_key(self, credential) -> str:
        return credential.masked("api_key")

    @extend_schema_field(serializers.ChoiceField(choices=Health.CHOICES))
    def get_health(self, credential) -> str:
        return health_of(credential)


class SyncLogSerializer(StrictModelSerializer):
    class Meta:
        model = SyncLog
        fields = [
            "id",
            "provider",
            "kind",
            "account",
            "status",
            "trigger",
            "attempt",
            "started_at",
            "finished_at",
            "pages",
            "continued",
            "created",
            "updated",
            "deleted",
            "skipped",
            "skip_reasons",
            "error",
        ]
        read_only_fields = fields


class ConnectAnswerSerializer(StrictSerializer):
    authorization_url = serializers.URLField(
        help_text="Open this in the browser of the person connecting the account."
    )


class PushStateSerializer(StrictSerializer):
    """Whether the provider pushes the account's changes to us (``active``; its polls then come
    ``PUSH_POLL_MINUTES`` apart), could not be watched (``failed``, with the reason; it polls as
    usual) or is not watched (``off``)."""

    state = serializers.ChoiceField(choices=["active", "failed", "off"])
    expires_at = serializers.DateTimeField(allow_null=True)
    last_notification_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)


def push_state_field():
    """A read-only ``push`` field (see PushStateSerializer) for an account serializer."""
    return extend_schema_field(PushStateSerializer)(
        serializers.SerializerMethodField(help_text=PushStateSerializer.__doc__)
    )


class SyncQueuedSerializer(StrictSerializer):
    """A sync queued on demand: its SyncLog, to follow."""

    sync_id = serializers.UUIDField(help_text="Follow it at /api/sync-logs/{sync_id}.")
    status = serializers.CharField()
