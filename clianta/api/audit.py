"""``/api/audit-log``: the workspace's audit trail, for its owners and admins, read-only."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError

from clianta import audit
from clianta.models import AuditEvent

from .filters import in_period, period_parameters
from .scoping import WorkspaceScopedMixin


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.IntegerField(
        source="actor_id", read_only=True, allow_null=True, help_text="The user's id."
    )
    actor_label = serializers.CharField(
        read_only=True, help_text="The user's name when it acted (kept after they are deleted)."
    )
    action = serializers.ChoiceField(choices=audit.ACTIONS, read_only=True)
    target_type = serializers.CharField(
        read_only=True, help_text="What was acted on (app_label.model), or empty."
    )
    details = serializers.DictField(
        read_only=True, help_text="Facts about the action (provider, recipients count...)."
    )

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created_at",
            "action",
            "actor",
            "actor_label",
            "target_type",
            "target_id",
            "target_label",
            "details",
            "ip_address",
        ]
        read_only_fields = fields


def _actions(params) -> list[str]:
    """``?action=a&action=b`` or ``?action=a,b``; unknown actions are a 400."""
    wanted = [name for value in params.getlist("action") for name in value.split(",") if name]
    unknown = sorted(set(wanted) - set(audit.ACTIONS))
    if unknown:
        message = f"Unknown action: {', '.join(unknown)}. Known: {', '.join(audit.ACTIONS)}."
        raise ValidationError({"action": [message]})
    return wanted


def _actor(params) -> int | None:
    value = params.get("actor")
    if not value:
        return None
    if not value.isdigit() or len(value) > 18:
        raise ValidationError({"actor": ["Not a valid user id."]})
    return int(value)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "actor",
                {"type": "integer", "minimum": 0, "maximum": 10**18 - 1},
                description="Only this user's actions.",
            ),
            OpenApiParameter(
                "action",
                OpenApiTypes.STR,
                enum=audit.ACTIONS,
                many=True,
                explode=True,
                description="Only these actions (repeat the parameter, or separate by commas).",
            ),
            *period_parameters("Recorded"),
        ]
    )
)
class AuditEventViewSet(WorkspaceScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Who connected, checked, disconnected or revoked an integration, sent a message, created
    or revoked a token, invited, removed or changed the role of a member, and which staff opened
    one of the workspace's credentials; newest first. Owners and admins only; never editable."""

    queryset = AuditEvent.objects.all()
    serializer_class = AuditEventSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset
        self.require_manager("read the audit log")
        params = self.request.query_params
        if (actor := _actor(params)) is not None:
            queryset = queryset.filter(actor_id=actor)
        if actions := _actions(params):
            queryset = queryset.filter(action__in=actions)
        return in_period(queryset, params, "created_at")
