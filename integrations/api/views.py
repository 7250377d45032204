from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from clianta.api.pagination import CursorPagination
from clianta.api.scoping import WorkspaceScopedMixin
from clianta.audit import INTEGRATION_CHECKED
from integrations import audit
from integrations.errors import IntegrationError
from integrations.health import with_health
from integrations.models import IntegrationCredential, SyncLog
from integrations.oauth import tokens

from .serializers import CredentialSerializer, SyncLogSerializer


class ByStartTime(CursorPagination):
    ordering = ("-started_at", "-id")


class IntegrationViewSet(
    WorkspaceScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The workspace's connected accounts and their health (syncing, healthy, needs_reconnect,
    failing, disabled). Secrets are never shown, only masked. Every member sees them; only the
    person who connected an account and the workspace's owners and admins check or disconnect it.
    DELETE disconnects: the grant is revoked at the provider where it supports that, and the
    credential is removed."""

    queryset = with_health(IntegrationCredential.objects.select_related("connected_by"))
    serializer_class = CredentialSerializer

    def perform_destroy(self, instance):
        self.require_owner_or_manager(instance.connected_by_id, "disconnect this account")
        tokens.disconnect(instance, request=self.request)

    @extend_schema(request=None, responses=CredentialSerializer)
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        """Check the connection: a valid access token is made ready (refreshed if it is due).
        An account whose grant was revoked answers 401 and is marked for reconnection."""
        credential = self.get_object()
        self.require_owner_or_manager(credential.connected_by_id, "check this account")
        try:
            if credential.refresh_token:
                tokens.access_token(credential)
        except IntegrationError as exc:
            audit.record(INTEGRATION_CHECKED, credential, request=request, result=exc.code)
            raise
        audit.record(INTEGRATION_CHECKED, credential, request=request, result="ok")
        return Response(self.get_serializer(credential).data)


class SyncLogViewSet(WorkspaceScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Sync runs of the workspace's accounts, newest first: what each created, updated,
    deleted and skipped (and why), or why it failed. A queued run's id is followed here."""

    queryset = SyncLog.objects.all()
    serializer_class = SyncLogSerializer
    pagination_class = ByStartTime
