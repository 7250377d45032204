"""Invitations through the API: managers list and revoke a workspace's invitations
(``/api/workspaces/{id}/invitations``); the invitee lists the pending invitations sent to their
email address and accepts or declines them (``/api/invitations``). Inviting is
``POST /api/workspaces/{id}/members`` (``clianta.api.views.MembershipViewSet``)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from clianta import invitations
from clianta.models import Invitation, Workspace
from clianta.tokens.auth import refuse_a_limited_token

from .scoping import WorkspaceScopedMixin
from .serializers import WorkspaceSerializer
from .strict import StrictModelSerializer


class InvitationSerializer(StrictModelSerializer):
    """An invitation as its workspace's managers see it; the link's token is never shown."""

    status = serializers.ChoiceField(
        choices=["pending", "expired", "accepted", "declined", "revoked"], read_only=True
    )
    invited_by = serializers.CharField(source="invited_by.get_username", read_only=True, default="")

    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "role",
            "status",
            "invited_by",
            "created_at",
            "expires_at",
            "accepted_at",
        ]
        read_only_fields = fields


class InvitationWorkspaceSerializer(StrictModelSerializer):
    class Meta:
        model = Workspace
        fields = ["id", "name"]
        read_only_fields = fields


class ReceivedInvitationSerializer(StrictModelSerializer):
    """A pending invitation as the person it was sent to sees it."""

    workspace = InvitationWorkspaceSerializer(read_only=True)
    invited_by = serializers.CharField(source="invited_by.get_username", read_only=True, default="")

    class Meta:
        model = Invitation
        fields = ["id", "workspace", "role", "invited_by", "created_at", "expires_at"]
        read_only_fields = fields


class InvitationClosed(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "invitation_closed"
    default_detail = "This invitation was already accepted, declined or revoked."


class WorkspaceInvitationViewSet(
    WorkspaceScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Invitations of a workspace, for its owners and admins. ``DELETE`` revokes an open
    invitation: its link stops working."""

    queryset = Invitation.objects.select_related("invited_by")
    serializer_class = InvitationSerializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.require_manager("see and revoke invitations")

    def perform_destroy(self, instance):
        if not invitations.revoke(instance, request=self.request):
            raise InvitationClosed()


@extend_schema_view(
    accept=extend_schema(request=None, responses={200: WorkspaceSerializer}),
    decline=extend_schema(request=None, responses={204: None}),
)
class ReceivedInvitationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Pending invitations sent to your email address, in any workspace. Accepting one makes
    you a member with its role; another person's invitation answers 404. A token limited to a
    workspace reaches none of them (403): they lead to other workspaces."""

    queryset = Invitation.objects.all()
    serializer_class = ReceivedInvitationSerializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        refuse_a_limited_token(request, "see or answer invitations to other workspaces")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset.none()
        return invitations.addressed_to(self.request.user)

    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        membership = self._act(invitations.accept)
        workspace = membership.workspace
        return Response(WorkspaceSerializer(workspace, context={"request": request}).data)

    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        self._act(invitations.decline)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _act(self, operation):
        try:
            return operation(self.get_object(), self.request.user, request=self.request)
        except invitations.InvitationUnavailable as exc:
            # Raced with a revoke, an expiry or another tab.
            raise InvitationClosed(str(exc), exc.code) from None
