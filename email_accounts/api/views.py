from django.db.models import Count
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from clianta import audit
from clianta.api.filters import in_period, period_parameters, uuid_param
from clianta.api.pagination import CursorPagination
from clianta.api.scoping import WorkspaceModelViewSet, WorkspaceScopedMixin
from integrations import sync
from integrations.api.serializers import ConnectAnswerSerializer, SyncQueuedSerializer
from integrations.oauth import tokens
from integrations.oauth.views import consent_url

from .. import services, tasks
from ..models import (
    BlockedSender,
    EmailAccount,
    EmailMessage,
    EmailSettings,
    EmailThread,
    MailboxDelegate,
)
from . import serializers


class EmailAccountViewSet(
    WorkspaceScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The workspace's mailboxes. Adding Gmail or Outlook answers the URL of the OAuth consent
    the person connecting must open; the mailbox appears once they allow it. Adding an IMAP/SMTP
    mailbox (``smtp``) checks both logins at once and answers the mailbox, or 400 with the
    server's reason.

    Whoever connects a mailbox owns it. Only its owner and the members it is delegated to send
    from it; its owner and the workspace's owners and admins manage its delegates and
    disconnect it. Every member sees the mailboxes and their mail."""

    queryset = EmailAccount.objects.select_related("credential__connected_by")
    serializer_class = serializers.EmailAccountSerializer
    throttle_scopes = {"send": "email_send"}

    @extend_schema(
        request=serializers.ConnectAccountSerializer,
        responses={200: ConnectAnswerSerializer, 201: serializers.EmailAccountSerializer},
    )
    def create(self, request):
        form = serializers.ConnectAccountSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        if data["provider"] == "smtp":
            account = services.connect_mailbox(
                self.workspace, request.user, data["email"], data["login"]
            )
            return Response(self.get_serializer(account).data, status=status.HTTP_201_CREATED)
        url = consent_url(data["provider"], self.workspace)
        return Response({"authorization_url": url})

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "keep_mail",
                OpenApiTypes.BOOL,
                description="Keep the synced mail (default) or remove it with the account.",
            )
        ]
    )
    def destroy(self, request, *args, **kwargs):
        """Revoke the mailbox's grant at the provider and remove it."""
        account = self.get_object()
        self.require_owner_or_manager(services.owner_id(account), "disconnect this mailbox")
        keep = request.query_params.get("keep_mail", "true").lower() not in ("false", "0", "no")
        if not keep:
            EmailMessage.objects.filter(account=account).delete()
        # Deleting the credential deletes the account.
        tokens.disconnect(account.credential, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={202: SyncQueuedSerializer})
    @action(detail=True, methods=["post"])
    def sync(self, request, pk=None):
        """Queue a sync now; follow it at /api/sync-logs/{sync_id}."""
        account = self.get_object()
        log = sync.queue(services.sync_job(account), trigger="manual")
        tasks.sync_account.delay(str(account.pk), trigger="manual", log_id=str(log.pk))
        return Response({"sync_id": log.pk, "status": log.status}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=serializers.SendSerializer, responses={201: serializers.SentSerializer})
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        """Send from this mailbox (its owner and its delegates); the sent message is stored at
        once."""
        account = self.get_object()
        if not services.may_send_as(account, request.user):
            raise PermissionDenied(
                "Only the mailbox's owner and the members it is delegated to can send from it."
            )
        form = serializers.SendSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        sent = services.send_email(account, **form.validated_data)
        audit.record(
            audit.MESSAGE_SENT,
            workspace=self.workspace,
            request=request,
            target=account,
            target_label=account.email,
            channel="email",
            message=str(sent.pk),
            recipients=sum(len(form.validated_data[name]) for name in ("to", "cc", "bcc")),
        )
        return Response(
            {
                "id": sent.pk,
                "provider_message_id": sent.provider_message_id,
                "message_id": sent.message_id,
                "thread": sent.thread_id,
                "provider_thread_id": sent.provider_thread_id,
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        methods=["get"], request=None, responses=serializers.DelegateSerializer(many=True)
    )
    @extend_schema(
        methods=["post"],
        request=serializers.NewDelegateSerializer,
        responses={201: serializers.DelegateSerializer},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def delegates(self, request, pk=None):
        """The members who may send from this mailbox besides its owner. Its owner and the
        workspace's owners and admins add them (members of the workspace only)."""
        account = self.get_object()
        if request.method == "GET":
            found = account.delegates.select_related("user", "granted_by")
            return Response(serializers.DelegateSerializer(found, many=True).data)
        self.require_owner_or_manager(services.owner_id(account), "delegate this mailbox")
        form = serializers.NewDelegateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        form.is_valid(raise_exception=True)
        delegation = services.delegate(
            account, form.validated_data["member"].user, granted_by=request.user
        )
        audit.record(
            audit.MAILBOX_DELEGATED,
            workspace=self.workspace,
            request=request,
            target=account,
            delegate=delegation.user.get_username(),
        )
        return Response(
            serializers.DelegateSerializer(delegation).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=None,
        responses={204: None},
        parameters=[OpenApiParameter("delegate_pk", OpenApiTypes.UUID, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["delete"], url_path=r"delegates/(?P<delegate_pk>[^/.]+)")
    def remove_delegate(self, request, pk=None, delegate_pk=None):
        """Stop a member sending from this mailbox (its owner, or an owner or admin)."""
        account = self.get_object()
        delegation = get_object_or_404(MailboxDelegate, pk=delegate_pk, account=account)
        self.require_owner_or_manager(services.owner_id(account), "delegate this mailbox")
        delegation.delete()
        audit.record(
            audit.MAILBOX_DELEGATION_REMOVED,
            workspace=self.workspace,
            request=request,
            target=account,
            delegate=delegation.user.get_username(),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class BySentTime(CursorPagination):
    ordering = ("-sent_at", "-id")


class ByLastMessage(CursorPagination):
    ordering = ("-last_message_at", "-id")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("account", OpenApiTypes.UUID),
            OpenApiParameter("thread", OpenApiTypes.UUID),
            OpenApiParameter("contact", OpenApiTypes.UUID),
            *period_parameters("Sent"),
        ]
    )
)
class EmailMessageViewSet(WorkspaceScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Synced and sent mail, newest first."""

    queryset = EmailMessage.objects.prefetch_related("contacts")
    serializer_class = serializers.EmailMessageSerializer
    pagination_class = BySentTime

    def get_queryset(self):
        queryset = super().get_queryset()
        params = self.request.query_params
        for name in ("account", "thread"):
            if value := uuid_param(params, name):
                queryset = queryset.filter(**{f"{name}_id": value})
        if contact := uuid_param(params, "contact"):
            queryset = queryset.filter(contacts__id=contact)
        return in_period(queryset, params, "sent_at")


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("contact", OpenApiTypes.UUID), *period_parameters("Last mail")]
    )
)
class EmailThreadViewSet(WorkspaceScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Conversations, most recent first."""

    queryset = EmailThread.objects.annotate(message_count=Count("messages"))
    serializer_class = serializers.EmailThreadSerializer
    pagination_class = ByLastMessage

    def get_queryset(self):
        queryset = super().get_queryset()
        params = self.request.query_params
        if contact := uuid_param(params, "contact"):
            queryset = queryset.filter(messages__contacts__id=contact).distinct()
        return in_period(queryset, params, "last_message_at")


class BlockedSenderViewSet(WorkspaceModelViewSet):
    """Senders whose mail is skipped by syncs (counted in the SyncLog): addresses, or whole
    domains with their subdomains. No-reply senders are always skipped. Owners and admins
    change the list."""

    queryset = BlockedSender.objects.all()
    serializer_class = serializers.BlockedSenderSerializer
    http_method_names = ["get", "post", "delete"]
    managers_write = "change the blocked senders"


class EmailSettingsView(WorkspaceScopedMixin, generics.RetrieveUpdateAPIView):
    """The workspace's contact policy for mail: ``none``, ``sent`` (people written to; the
    default) or ``everyone``. Owners and admins change it."""

    serializer_class = serializers.EmailSettingsSerializer
    http_method_names = ["get", "put", "patch"]
    managers_write = "change the email settings"

    def get_object(self):
        return EmailSettings.objects.get_or_create(workspace=self.workspace)[0]
