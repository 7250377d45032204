from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from clianta import audit, deals, events, invitations
from clianta.models import Company, Contact, Deal, Membership, Note, Workspace
from clianta.tokens.auth import refuse_a_limited_token

from . import filters, serializers
from .invitations import InvitationSerializer
from .scoping import WorkspaceModelViewSet, WorkspaceScopedMixin, requester_memberships
from .timeline import TimelineMixin

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
        refuse_a_limited_token(self.request, "create workspaces")
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
        summary="Invite a member",
        description=(
            "Sends an invitation to the email address; the person becomes a member only when "
            "they accept it, logged in with that address. The answer is the same whether the "
            "address has an account or is already a member. Inviting a pending address again "
            "refreshes its invitation."
        ),
        request=serializers.MemberInviteSerializer,
        responses={202: InvitationSerializer},
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
    """Members of a workspace. Owners and admins invite members by email, change roles and
    remove members; anyone may leave. Only owners grant or take away the owner role, and a
    workspace always keeps one owner."""

    queryset = Membership.objects.select_related("user")
    serializer_class = serializers.MembershipSerializer
    http_method_names = ["get", "post", "patch", "delete"]

    def create(self, request, *args, **kwargs):
        self.require_manager("manage members")
        invite = serializers.MemberInviteSerializer(data=request.data)
        invite.is_valid(raise_exception=True)
        self._require_owner_for(invite.validated_data["role"])
        invitation = invitations.invite(
            self.workspace,
            invite.validated_data["email"],
            invite.validated_data["role"],
            request=request,
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_202_ACCEPTED)

    def perform_update(self, serializer):
        self.require_manager("manage members")
        target = serializer.instance
        previous = target.role
        new_role = serializer.validated_data.get("role", previous)
        self._require_owner_for(previous, new_role)
        with transaction.atomic():
            if previous == Role.OWNER and new_role != Role.OWNER:
                self._keep_an_owner(target)
            serializer.save()
            if new_role != previous:
                audit.record(
                    audit.MEMBER_ROLE_CHANGED,
                    workspace=self.workspace,
                    request=self.request,
                    target=target,
                    target_label=target.user.get_username(),
                    previous_role=previous,
                    role=new_role,
                )

    def perform_destroy(self, instance):
        leaving = instance.user_id == self.request.user.id
        if not leaving:
            self.require_manager("manage members")
            self._require_owner_for(instance.role)
        with transaction.atomic():
            if instance.role == Role.OWNER:
                self._keep_an_owner(instance)
            audit.record(
                audit.MEMBER_REMOVED,
                workspace=self.workspace,
                request=self.request,
                target=instance,
                target_label=instance.user.get_username(),
                role=instance.role,
                left=leaving,
            )
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


class CompanyViewSet(TimelineMixin, WorkspaceModelViewSet):
    """Companies of the workspace."""

    queryset = Company.objects.all()
    serializer_class = serializers.CompanySerializer
    filter_backends = [filters.SearchFilter]
    search_fields = ["name", "domain"]

    def timeline_contact_ids(self, company):
        return Contact.objects.filter(workspace=self.workspace, company=company).values("pk")


class ContactViewSet(TimelineMixin, WorkspaceModelViewSet):
    """Contacts of the workspace; an email address belongs to at most one contact."""

    queryset = Contact.objects.all()
    serializer_class = serializers.ContactSerializer
    filter_backends = [filters.SearchFilter]
    search_fields = ["first_name", "last_name", "email", "phone"]

    def timeline_contact_ids(self, contact):
        return Contact.objects.filter(pk=contact.pk).values("pk")

    @transaction.atomic
    def perform_create(self, serializer):
        contact = serializer.save(workspace=self.workspace)
        events.emit(
            events.CONTACT_CREATED,
            str(contact.workspace_id),
            contact_id=str(contact.pk),
            email=contact.email,
            name=contact.full_name,
        )


class DealViewSet(WorkspaceModelViewSet):
    """Deals of the workspace."""

    queryset = Deal.objects.all()
    serializer_class = serializers.DealSerializer
    filter_backends = [filters.SearchFilter]
    search_fields = ["name"]

    @transaction.atomic
    def perform_create(self, serializer):
        deals.announce_stage(serializer.save(workspace=self.workspace), previous=None)

    @transaction.atomic
    def perform_update(self, serializer):
        previous = serializer.instance.stage
        deals.announce_stage(serializer.save(), previous=previous)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("contact", OpenApiTypes.UUID, description="Only this contact's.")
        ]
    )
)
class NoteViewSet(WorkspaceModelViewSet):
    """Notes about contacts, newest first; any member reads them and adds one (notes are not
    edited)."""

    queryset = Note.objects.select_related("author")
    serializer_class = serializers.NoteSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if contact := filters.uuid_param(self.request.query_params, "contact"):
            queryset = queryset.filter(contact_id=contact)
        return queryset

    def perform_create(self, serializer):
        serializer.save(workspace=self.workspace, author=self.request.user)
