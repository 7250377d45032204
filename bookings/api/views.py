from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from clianta.api.filters import in_period, period_parameters, uuid_param
from clianta.api.pagination import CursorPagination
from clianta.api.scoping import WorkspaceScopedMixin

from .. import services
from ..models import Booking, BookingLink
from . import serializers


class BookingLinkViewSet(WorkspaceScopedMixin, viewsets.ModelViewSet):
    """Booking links: a public page (``url``) where a prospect books a meeting with the
    members. Any member creates one that books themselves; owners and admins may name other
    members. Whoever created a link and the workspace's owners and admins change and delete
    it."""

    queryset = BookingLink.objects.prefetch_related("members")
    serializer_class = serializers.BookingLinkSerializer

    def perform_create(self, serializer):
        self.require_booking_only_oneself(serializer.validated_data["members"])
        serializer.save(workspace=self.workspace, created_by=self.request.user)

    def perform_update(self, serializer):
        self.require_creator(serializer.instance, "change this booking link")
        self.require_booking_only_oneself(serializer.validated_data.get("members", []))
        serializer.save()

    def perform_destroy(self, instance):
        self.require_creator(instance, "delete this booking link")
        instance.delete()

    def require_creator(self, link: BookingLink, doing: str) -> None:
        self.require_owner_or_manager(link.created_by_id, doing)

    def require_booking_only_oneself(self, members) -> None:
        if not self.membership.is_manager and any(
            m.user_id != self.request.user.pk for m in members
        ):
            raise PermissionDenied(
                "Only the workspace's owners and admins can make links that book other members."
            )


class ByStart(CursorPagination):
    ordering = ("start", "id")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            *period_parameters("Starting"),
            OpenApiParameter("link", OpenApiTypes.UUID),
            OpenApiParameter("status", enum=Booking.Status.values),
            OpenApiParameter("email", OpenApiTypes.STR),
        ]
    )
)
class BookingViewSet(WorkspaceScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Meetings booked through the workspace's links, by start."""

    queryset = Booking.objects.all()
    serializer_class = serializers.BookingSerializer
    pagination_class = ByStart

    def get_queryset(self):
        queryset = super().get_queryset()
        params = self.request.query_params
        if link := uuid_param(params, "link"):
            queryset = queryset.filter(link_id=link)
        if status := params.get("status"):
            queryset = queryset.filter(status=status)
        if email := params.get("email"):
            queryset = queryset.filter(email__iexact=email.strip())
        return in_period(queryset, params, "start")

    @extend_schema(request=None, responses=serializers.BookingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel the meeting; the visitor and the members are told by their calendars. The
        organiser and the workspace's owners and admins may."""
        booking = self.get_object()
        self.require_owner_or_manager(booking.organizer_id, "cancel this meeting")
        services.cancel(booking)
        return Response(self.get_serializer(booking).data)
