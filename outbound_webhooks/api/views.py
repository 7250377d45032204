import uuid

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from clianta import audit
from clianta.api.schema import ErrorSerializer
from clianta.api.scoping import WorkspaceModelViewSet, WorkspaceScopedMixin

from .. import services
from ..models import Attempt, Delivery, Endpoint
from . import serializers

MANAGE = "manage the webhook endpoints"


class ManagersOnly(WorkspaceScopedMixin):
    """Every method, reads included, needs an owner or admin: endpoints and deliveries show
    where the workspace's data goes and what it holds."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.require_manager(MANAGE)


class EndpointViewSet(ManagersOnly, WorkspaceModelViewSet):
    """The workspace's webhook endpoints (owners and admins): CRM events are POSTed to them,
    signed as Standard Webhooks say. The signing secret is in the answer to the creation and to
    ``rotate-secret``, never again."""

    queryset = Endpoint.objects.all()
    serializer_class = serializers.EndpointSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_serializer_class(self):
        if self.action == "create":
            return serializers.EndpointWithSecretSerializer
        return super().get_serializer_class()

    def perform_create(self, serializer):
        try:
            serializer.instance = services.create(
                self.workspace, self.request.user, **serializer.validated_data
            )
        except services.Refused as exc:
            raise ValidationError({"url": [str(exc)]}) from exc
        audit.record(
            audit.WEBHOOK_ENDPOINT_CREATED,
            workspace=self.workspace,
            request=self.request,
            target=serializer.instance,
        )

    def perform_destroy(self, instance):
        audit.record(
            audit.WEBHOOK_ENDPOINT_DELETED,
            workspace=self.workspace,
            request=self.request,
            target=instance,
        )
        instance.delete()

    @extend_schema(request=None, responses={200: serializers.EndpointWithSecretSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        """A new signing secret, shown in this answer only. The previous one keeps signing too
        (both signatures are sent) for 24 hours, time to deploy the new one."""
        endpoint = services.rotate_secret(self.get_object())
        audit.record(
            audit.WEBHOOK_SECRET_ROTATED, workspace=self.workspace, request=request, target=endpoint
        )
        return Response(serializers.EndpointWithSecretSerializer(endpoint).data)

    @extend_schema(request=None, responses={200: serializers.EndpointSerializer})
    @action(detail=True, methods=["post"])
    def enable(self, request, pk=None):
        """Enable again; its pending deliveries are sent at once."""
        endpoint = services.enable(self.get_object())
        return Response(self.get_serializer(endpoint).data)

    @extend_schema(request=None, responses={200: serializers.EndpointSerializer})
    @action(detail=True, methods=["post"])
    def disable(self, request, pk=None):
        """Stop sending to it; no new event is queued for it until it is enabled again."""
        endpoint = services.disable(self.get_object())
        return Response(self.get_serializer(endpoint).data)

    @extend_schema(
        request=serializers.TestEventSerializer,
        responses={200: serializers.DeliveryDetailSerializer, 400: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        """Send a sample event of ``event_type`` now (``"test": true`` in its data); the answer
        is the delivery with its one attempt. The endpoint's health is left as it was."""
        serializer = serializers.TestEventSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        sent = services.send_test(self.get_object(), serializer.validated_data["event_type"])
        return Response(serializers.DeliveryDetailSerializer(sent).data)


class ByCreation(CursorPagination):
    ordering = ("-created_at", "-id")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=[s.value for s in Delivery.Status]),
            OpenApiParameter("event_type", OpenApiTypes.STR),
        ]
    )
)
class DeliveryViewSet(
    ManagersOnly, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """An endpoint's deliveries, newest first, each with its attempts (status, latency, the start
    of the answer); any of them can be replayed."""

    queryset = Delivery.objects.all()
    pagination_class = ByCreation

    def get_serializer_class(self):
        if self.action == "list":
            return serializers.DeliverySerializer
        return serializers.DeliveryDetailSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Delivery.objects.none()
        try:
            endpoint_pk = uuid.UUID(self.kwargs["endpoint_pk"])
        except ValueError as exc:
            raise Http404 from exc
        endpoint = get_object_or_404(Endpoint, workspace=self.workspace, pk=endpoint_pk)
        queryset = Delivery.objects.filter(endpoint=endpoint)
        if self.action != "list":
            queryset = queryset.prefetch_related(
                Prefetch("attempt_set", Attempt.objects.order_by("-at", "-id"))
            )
        params = self.request.query_params
        if value := params.get("status"):
            queryset = queryset.filter(status=value)
        if value := params.get("event_type"):
            queryset = queryset.filter(event_type=value)
        return queryset

    @extend_schema(request=None, responses={202: serializers.DeliverySerializer})
    @action(detail=True, methods=["post"])
    def replay(self, request, endpoint_pk=None, pk=None):
        """Send this delivery's message again (same ``webhook-id`` and body) as a new delivery,
        queued now."""
        copy = services.replay(self.get_object())
        return Response(serializers.DeliverySerializer(copy).data, status=status.HTTP_202_ACCEPTED)
