from datetime import timedelta

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from clianta.api.filters import aware_datetime_param, in_period, period_parameters, uuid_param
from clianta.api.pagination import CursorPagination
from clianta.api.schema import AWARE_DATETIME_NOTE
from clianta.api.scoping import WorkspaceScopedMixin
from integrations.api.serializers import ConnectAnswerSerializer
from integrations.oauth.views import consent_url

from .. import services
from ..models import CalendarEvent, CalendarIntegration
from . import serializers


class ConnectView(WorkspaceScopedMixin, APIView):
    """Start connecting Google Calendar: answers the consent URL the person must open."""

    @extend_schema(request=None, responses={200: ConnectAnswerSerializer})
    def post(self, request):
        return Response({"authorization_url": consent_url("google_calendar", self.workspace)})


class CalendarIntegrationViewSet(
    WorkspaceScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Connected calendars, with the time zone and working hours slots are suggested in. The
    person who connected a calendar and the workspace's owners and admins change them."""

    queryset = CalendarIntegration.objects.select_related("credential")
    serializer_class = serializers.CalendarIntegrationSerializer
    http_method_names = ["get", "patch"]

    def update(self, request, *args, **kwargs):
        owner_id = self.get_object().credential.connected_by_id
        self.require_owner_or_manager(owner_id, "change this calendar's settings")
        return super().update(request, *args, **kwargs)


class ByStart(CursorPagination):
    ordering = ("start", "id")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            *period_parameters("Starting"),
            OpenApiParameter("contact", OpenApiTypes.UUID),
            OpenApiParameter("integration", OpenApiTypes.UUID),
        ]
    )
)
class CalendarEventViewSet(
    WorkspaceScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Synced events; ``POST`` creates one in a calendar the requester connected, sending
    invitations from it (nobody, owners and admins included, invites from a colleague's)."""

    queryset = CalendarEvent.objects.prefetch_related("contacts")
    serializer_class = serializers.CalendarEventSerializer
    pagination_class = ByStart

    def get_queryset(self):
        queryset = super().get_queryset()
        params = self.request.query_params
        if contact := uuid_param(params, "contact"):
            queryset = queryset.filter(contacts__id=contact)
        if integration := uuid_param(params, "integration"):
            queryset = queryset.filter(integration_id=integration)
        return in_period(queryset, params, "start")

    @extend_schema(
        request=serializers.NewEventSerializer,
        responses={201: serializers.CalendarEventSerializer},
    )
    def create(self, request):
        form = serializers.NewEventSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        form.is_valid(raise_exception=True)
        data = form.validated_data
        integration = data.pop("integration", None) or _only_calendar(
            self.workspace, connected_by=request.user
        )
        if integration.credential.connected_by_id != request.user.pk:
            raise PermissionDenied(
                "Only the person who connected this calendar creates events in it."
            )
        event = services.create_event(integration, **data)
        return Response(self.get_serializer(event).data, status=status.HTTP_201_CREATED)


def _only_calendar(workspace, connected_by=None) -> CalendarIntegration:
    """The workspace's only calendar (of those ``connected_by`` connected, when given)."""
    calendars = CalendarIntegration.objects.filter(workspace=workspace).select_related("credential")
    if connected_by is not None:
        calendars = calendars.filter(credential__connected_by=connected_by)
    found = list(calendars[:2])
    if len(found) != 1:
        whose = "you have" if connected_by is not None else "the workspace has"
        raise ValidationError({"integration": [f"Say which calendar: {whose} none or several."]})
    return found[0]


class AvailabilityView(WorkspaceScopedMixin, APIView):
    """Busy blocks of a connected calendar (the provider's free/busy) between start and end."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "start", OpenApiTypes.DATETIME, required=True, description=AWARE_DATETIME_NOTE
            ),
            OpenApiParameter(
                "end",
                OpenApiTypes.DATETIME,
                required=True,
                description=f"After start. {AWARE_DATETIME_NOTE}",
            ),
            OpenApiParameter(
                "integration",
                OpenApiTypes.UUID,
                description="The calendar; optional when the workspace has exactly one.",
            ),
        ],
        responses=serializers.AvailabilitySerializer,
    )
    def get(self, request):
        params = request.query_params
        start, end = aware_datetime_param(params, "start"), aware_datetime_param(params, "end")
        if not start or not end or end <= start:
            raise ValidationError({"end": ["Give start and end, the end after the start."]})
        chosen = uuid_param(params, "integration")
        integration = (
            CalendarIntegration.objects.filter(workspace=self.workspace, pk=chosen).first()
            if chosen
            else _only_calendar(self.workspace)
        )
        if integration is None:
            raise ValidationError({"integration": ["No such calendar in this workspace."]})
        busy = services.check_availability(integration, start, end)
        answer = {"integration": integration.pk, "busy": [{"start": s, "end": e} for s, e in busy]}
        return Response(serializers.AvailabilitySerializer(answer).data)


class SlotsView(WorkspaceScopedMixin, APIView):
    """Free slots common to the members named, inside each one's working hours (in their own
    time zone) and outside their busy times."""

    @extend_schema(
        request=serializers.SlotsRequestSerializer, responses=serializers.SlotsSerializer
    )
    def post(self, request):
        form = serializers.SlotsRequestSerializer(
            data=request.data, context={"workspace": self.workspace, "request": request}
        )
        form.is_valid(raise_exception=True)
        data = form.validated_data
        members = []
        for user in data["attendees"]:
            calendar = CalendarIntegration.objects.filter(
                workspace=self.workspace, user=user
            ).first()
            if calendar is None:
                raise ValidationError(
                    {"attendees": [f"{user.get_username()} has no connected calendar."]}
                )
            members.append(calendar)
        found = services.suggest_slots(
            members,
            timedelta(minutes=data["duration_minutes"]),
            data["window_start"],
            data["window_end"],
            step=timedelta(minutes=data["step_minutes"]),
        )
        answer = {"slots": [{"start": s, "end": e} for s, e in found]}
        return Response(serializers.SlotsSerializer(answer).data)
