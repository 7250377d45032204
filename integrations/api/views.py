from rest_framework import mixins, viewsets

from clianta.api.scoping import WorkspaceScopedMixin
from integrations.health import with_health
from integrations.models import IntegrationCredential
from integrations.oauth import tokens

from .serializers import CredentialSerializer


class IntegrationViewSet(
    WorkspaceScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The workspace's connected accounts and their health (syncing, healthy, needs_reconnect,
    failing, disabled). Secrets are never shown, only masked. DELETE disconnects: the grant is
    revoked at the provider where it supports that, and the credential is removed."""

    queryset = with_health(IntegrationCredential.objects.all())
    serializer_class = CredentialSerializer

    def perform_destroy(self, instance):
        tokens.disconnect(instance)
