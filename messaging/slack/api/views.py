from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from clianta import audit
from clianta.api.filters import uuid_param
from clianta.api.schema import ErrorSerializer
from clianta.api.scoping import WorkspaceModelViewSet, WorkspaceScopedMixin

from .. import install, services
from ..models import NotificationRule, SlackIntegration, SlackMessage, SlackNotification
from . import serializers


class SlackIntegrationViewSet(
    WorkspaceScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The Slack team installed for the workspace (connect through
    ``/api/integrations/slack/connect``). ``default_channel`` gets test messages; messages in
    ``linked_channels`` (channel ids) are stored and shown on contacts' timelines. Owners and
    admins change them."""

    queryset = SlackIntegration.objects.select_related("credential")
    serializer_class = serializers.SlackIntegrationSerializer
    http_method_names = ["get", "patch", "post"]
    managers_write = "change the Slack settings"

    @extend_schema(request=None, responses={204: None, 403: ErrorSerializer})
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """Release the Slack team (owners and admins): the bot token is revoked at Slack and
        the install removed, so that the team can be connected to another workspace."""
        self.require_manager("release a Slack team")
        install.release(self.get_object(), request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class NotificationRuleViewSet(WorkspaceModelViewSet):
    """Which CRM events post to which Slack channel, and with what text. ``template`` names
    the event's fields in braces: ``{contact_name}``, ``{contact_email}``, ``{company_name}``,
    ``{deal_name}``, ``{deal_stage}``, ``{deal_amount}``, and the event's own (``{subject}``,
    ``{body}``, ``{phone}``). Owners and admins change the rules."""

    queryset = NotificationRule.objects.all()
    serializer_class = serializers.NotificationRuleSerializer
    managers_write = "change the Slack notification rules"


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("status", OpenApiTypes.STR)]))
class SlackNotificationViewSet(WorkspaceScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Every notification a rule asked for: queued, retrying, sent or failed, with its attempts
    and last error."""

    queryset = SlackNotification.objects.all()
    serializer_class = serializers.SlackNotificationSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        if status := self.request.query_params.get("status"):
            queryset = queryset.filter(status=status)
        return queryset


class ByPostedTime(CursorPagination):
    ordering = ("-posted_at", "-id")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("contact", OpenApiTypes.UUID),
            OpenApiParameter("channel", OpenApiTypes.STR),
        ]
    )
)
class SlackMessageViewSet(WorkspaceScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Messages from linked Slack channels, newest first; ``?contact=`` gives a contact's."""

    queryset = SlackMessage.objects.all()
    serializer_class = serializers.SlackMessageSerializer
    pagination_class = ByPostedTime

    def get_queryset(self):
        queryset = super().get_queryset()
        if contact := uuid_param(self.request.query_params, "contact"):
            queryset = queryset.filter(contact_id=contact)
        if channel := self.request.query_params.get("channel"):
            queryset = queryset.filter(channel_id=channel)
        return queryset


class SlackTestView(WorkspaceScopedMixin, APIView):
    """Check the Slack connection: auth.test, then a test message in the default channel. The
    answer says what Slack said; Slack's refusals answer in the error format with its code.
    The person who installed it and the workspace's owners and admins run it."""

    @extend_schema(
        request=None,
        responses={
            200: serializers.SlackTestSerializer,
            **{code: ErrorSerializer for code in (401, 403, 409, 429, 502, 503)},
        },
    )
    def post(self, request, workspace_pk):
        integration = services.integration_of(self.workspace)
        self.require_owner_or_manager(integration.credential.connected_by_id, "test Slack")
        answer = services.test(integration)
        audit.record(
            audit.MESSAGE_SENT,
            workspace=self.workspace,
            request=request,
            target=integration,
            channel="slack",
            slack_channel=answer["message"]["channel"],
            test=True,
        )
        return Response(answer)
