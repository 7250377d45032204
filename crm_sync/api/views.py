"""The workspace's Salesforce sync: its state and settings, syncs on demand, the field mapping,
the conflicts resolved and the records Salesforce refused. Members read; owners and admins
change things."""

from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status, viewsets
from rest_framework.response import Response

from clianta.api.filters import uuid_param
from clianta.api.pagination import CursorPagination
from clianta.api.schema import ErrorSerializer
from clianta.api.scoping import WorkspaceModelViewSet, WorkspaceScopedMixin
from integrations.api.serializers import SyncQueuedSerializer

from .. import services
from ..models import CrmObject, FieldMapping, RecordLink, SyncConflict
from . import serializers

OBJECT_FILTER = OpenApiParameter(
    "object", OpenApiTypes.STR, enum=CrmObject.values, description="Only this object's."
)


def _object_filter(queryset, params):
    value = params.get("object")
    return queryset.filter(object=value) if value in CrmObject.values else queryset


class ConnectionView(WorkspaceScopedMixin, generics.GenericAPIView):
    """The connected org: its API usage today, where each object's pull is, what waits to be
    pushed and the last run. PATCH changes ``limit_share``, ``bulk_threshold`` and
    ``sync_enabled`` (owners and admins)."""

    serializer_class = serializers.ConnectionSerializer
    managers_write = "change the Salesforce sync"

    @extend_schema(responses={200: serializers.ConnectionSerializer, 409: ErrorSerializer})
    def get(self, request):
        return Response(self.get_serializer(services.status(self.workspace)).data)

    @extend_schema(responses={200: serializers.ConnectionSerializer, 409: ErrorSerializer})
    def patch(self, request):
        connection = services.connection_of(self.workspace)
        form = self.get_serializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        for name, value in form.validated_data.items():
            setattr(connection, name, value)
        connection.save(update_fields=list(form.validated_data) or None)
        return Response(self.get_serializer(services.status(self.workspace)).data)


class SyncView(WorkspaceScopedMixin, generics.GenericAPIView):
    """Sync the org now (owners and admins): 202 with the run's SyncLog id, to follow at
    /api/sync-logs/{sync_id}."""

    serializer_class = serializers.SyncRequestSerializer
    managers_write = "sync Salesforce"

    @extend_schema(responses={202: SyncQueuedSerializer, 409: ErrorSerializer})
    def post(self, request):
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        with transaction.atomic():
            log = services.request_sync(self.workspace, full=form.validated_data["full"])
        return Response({"sync_id": log.pk, "status": log.status}, status=status.HTTP_202_ACCEPTED)


@extend_schema_view(list=extend_schema(parameters=[OBJECT_FILTER]))
class FieldMappingViewSet(WorkspaceModelViewSet):
    """How the CRM's fields map to the org's, per object (company ↔ Account, contact ↔ Contact,
    deal ↔ Opportunity). Every change is checked against the org's own description of the
    object: an unknown field, a read-only field sent to Salesforce, a type that does not fit or
    a required field left unmapped answers 400 naming the field. Owners and admins change it."""

    queryset = FieldMapping.objects.all()
    serializer_class = serializers.FieldMappingSerializer
    managers_write = "change the Salesforce field mapping"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    pagination_class = None

    def get_queryset(self):
        return _object_filter(super().get_queryset(), self.request.query_params)

    def perform_create(self, serializer):
        obj = serializer.validated_data["object"]
        adding = _fields(FieldMapping(), serializer.validated_data)
        services.check_mappings(
            self.workspace, obj, services.mapping_set(self.workspace, obj, adding=adding)
        )
        serializer.save(workspace=self.workspace, connection=services.connection_of(self.workspace))

    def perform_update(self, serializer):
        mapping = serializer.instance
        changed = _fields(mapping, serializer.validated_data)
        services.check_mappings(
            self.workspace,
            mapping.object,
            services.mapping_set(self.workspace, mapping.object, replacing=mapping, adding=changed),
        )
        serializer.save()

    def perform_destroy(self, instance):
        services.check_mappings(
            self.workspace,
            instance.object,
            services.mapping_set(self.workspace, instance.object, without=instance),
        )
        instance.delete()


def _fields(mapping: FieldMapping, changes: dict) -> dict:
    """A mapping's fields as they would be after ``changes``."""
    names = ("local_field", "remote_field", "direction", "value_map")
    return {name: changes.get(name, getattr(mapping, name)) for name in names}


class ByCreated(CursorPagination):
    ordering = ("-created_at", "-id")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OBJECT_FILTER,
            OpenApiParameter("sync_log", OpenApiTypes.UUID, description="Only this run's."),
        ]
    )
)
class ConflictViewSet(WorkspaceScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Fields changed on both sides since a sync, with both values and the winner (the newer
    change; a tie goes to Salesforce), newest first."""

    queryset = SyncConflict.objects.all()
    serializer_class = serializers.ConflictSerializer
    pagination_class = ByCreated

    def get_queryset(self):
        queryset = _object_filter(super().get_queryset(), self.request.query_params)
        if log := uuid_param(self.request.query_params, "sync_log"):
            queryset = queryset.filter(sync_log_id=log)
        return queryset


class ByFailure(CursorPagination):
    ordering = ("-push_failed_at", "-id")


@extend_schema_view(list=extend_schema(parameters=[OBJECT_FILTER]))
class PushErrorViewSet(WorkspaceScopedMixin, viewsets.ReadOnlyModelViewSet):
    """CRM records Salesforce refused when last pushed, with its errors, the latest first. A
    record is pushed again when it next changes."""

    queryset = RecordLink.objects.exclude(push_error="")
    serializer_class = serializers.PushErrorSerializer
    pagination_class = ByFailure

    def get_queryset(self):
        queryset = self.queryset
        if getattr(self, "swagger_fake_view", False):
            return queryset.none()
        queryset = queryset.filter(connection__workspace=self.workspace)
        return _object_filter(queryset, self.request.query_params)
