from rest_framework import mixins, viewsets

from clianta.api.scoping import WorkspaceScopedMixin
from integrations.models import IntegrationCredential

from .serializers import CredentialSerializer


class CredentialViewSet(
    WorkspaceScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The workspace's connected accounts. Secrets are never shown, only masked."""

    queryset = IntegrationCredential.objects.all()
    serializer_class = CredentialSerializer
