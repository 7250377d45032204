from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import filters, mixins, permissions, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from clianta import events
from clianta.models import Company, Contact, Deal, Membership, Workspace

from . import serializers
from .scoping import WorkspaceModelViewSet, WorkspaceScopedMixin, requester_memberships

Role = Membership.Role


class WorkspaceViewSet(viewsets.ModelViewSet):
    """Your workspaces. Creating one makes you its owner; owners and admins rename it; only owners
    delete it."""

    queryset = Workspace.objects.all()
    serializer_class = serializers.WorkspaceSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset.none()
        mine = requester_memberships(self.request).values("workspace_id")
        return self.queryset.filter(pk__in=mine).prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.filter(user=self.request.user))
        )

    def perform_create(self, serializer):
        with transaction.atomic():
            workspace = serializer.save()
            Membership.objects.create(workspace=workspace, user=self.request.user, role=Role.OWNER)

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        if request.method in permissions.SAFE_METHODS:
            return
        role = next(m.role for m in obj.memberships.all())
        allowed = (Role.OWNER,) if self.action == "destroy" else Membership.MANAGERS
        if role not in allowed:
            raise PermissionDenied(f"Your role ({role}) cannot {self.action} this workspace.")


@extend_schema_view(
    create=extend_schema(
        request=serializers.MemberInviteSerializer,
        responses={201: serializers.MembershipSerializer},
    )
)
class MembershipViewSet(
    WorkspaceScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Members of a workspace. Owners and admins add members by email, change roles and remove
    members; anyone may leave. Only owners grant or take away the owner role, and a workspace
    always keeps one owner."""

    queryset = Membership.objects.select_related("user")
    serializer_class = serializers.MembershipSerializer
    http_method_names = ["get", "post", "patch", "delete"]

    def create(self, request, *args, **kwargs):
        self.require_manager("manage members")
        invite = serializers.MemberInviteSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        invite.is_valid(raise_exception=True)
        self._require_owner_for(invite.validated_data["role"])
        membership = Membership.objects.create(
            workspace=self.workspace,
            user=invite.context["user"],
            role=invite.validated_data["role"],
        )
        return Response(self.get_serializer(membership).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        self.require_manager("manage members")
        target = serializer.instance
        new_role = serializer.validated_data.get("role", target.role)
        self._require_owner_for(target.role, new_role)
        with transaction.atomic():
            if target.role == Role.OWNER and new_role != Role.OWNER:
                self._keep_an_owner(target)
            serializer.save()

    def perform_destroy(self, instance):
        if instance.user_id != self.request.user.id:
            self.require_manager("manage members")
            self._require_owner_for(instance.role)
        with transaction.atomic():
            if instance.role == Role.OWNER:
                self._keep_an_owner(instance)
            instance.delete()

    def _require_owner_for(self, *roles):
        if Role.OWNER in roles and self.membership.role != Role.OWNER:
            raise PermissionDenied("Only an owner can grant or take away the owner role.")

    def _keep_an_owner(self, leaving: Membership):
        owners = Membership.objects.select_for_update().filter(
            workspace=self.workspace, role=Role.OWNER
        )
        if not owners.exclude(pk=leaving.pk).exists():
            raise ValidationError({"role": ["A workspace must keep at least one owner."]})


class CompanyViewSet(WorkspaceModelViewSet):
    """Companies of the workspace."""

    queryset = Company.objects.all()
    serializer_class = serializers.CompanySerializer
    filter_backends = [filters.SearchFilter]
    search_fields = ["name", "domain"]


class ContactViewSet(WorkspaceModelViewSet):
    """Contacts of the workspace; an email address belongs to at most one contact."""

    queryset = Contact.objects.all()
    serializer_class = serializers.ContactSerializer
    filter_backends = [filters.SearchFilter]
    search_fields = ["first_name", "last_name", "email", "phone"]

    def perform_create(self, serializer):
        contact = serializer.save(workspace=self.workspace)
        events.emit(events.CONTACT_CREATED, str(contact.workspace_id), contact_id=str(contact.pk))


class DealViewSet(WorkspaceModelViewSet):
    """Deals of the workspace."""

    queryset = Deal.objects.all()
    serializer_class = serializers.DealSerializer
    filter_backends = [filters.SearchFilter]
    search_fields = ["name"]

    def perform_create(self, serializer):
        self._announce(serializer.save(workspace=self.workspace), previous=None)

    def perform_update(self, serializer):
        previous = serializer.instance.stage
        self._announce(serializer.save(), previous=previous)

    def _announce(self, deal, previous):
        """Stage changes (and a deal won) are CRM events."""
        if deal.stage == previous:
            return
        data = {"deal_id": str(deal.pk), "stage": deal.stage, "previous_stage": previous or ""}
        if previous is not None:
            events.emit(events.DEAL_STAGE_CHANGED, str(deal.workspace_id), **data)
        if deal.stage == Deal.Stage.WON:
            events.emit(events.DEAL_WON, str(deal.workspace_id), **data)
