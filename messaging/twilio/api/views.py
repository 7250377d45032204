from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.response import Response

from clianta import audit
from clianta.api.filters import uuid_param
from clianta.api.schema import ErrorSerializer
from clianta.api.scoping import WorkspaceScopedMixin

from .. import services
from ..models import CallRecording, SmsMessage, VoiceDrop
from . import serializers


class TwilioConnectView(WorkspaceScopedMixin, generics.GenericAPIView):
    """Connect the workspace's own Twilio account (owners and admins): Twilio checks the
    Account SID and Auth Token and must list ``phone_number`` among the account's numbers; the
    token is stored encrypted. Texts and calls then go from that number, and texts to it arrive
    in this workspace. Connecting another account replaces the earlier one. 400
    ``account_refused`` names the field Twilio refused; 409 ``account_taken`` when another
    workspace already sends from that number."""

    serializer_class = serializers.TwilioConnectSerializer
    managers_write = "connect Twilio"

    @extend_schema(
        responses={
            201: serializers.TwilioConnectionSerializer,
            400: ErrorSerializer,
            409: ErrorSerializer,
            502: ErrorSerializer,
            503: ErrorSerializer,
        }
    )
    def post(self, request):
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        credential = services.connect(
            self.workspace,
            request.user,
            data["account_sid"],
            data["auth_token"],
            data["phone_number"],
            request=request,
        )
        answer = {
            "id": credential.pk,
            "account_sid": credential.account,
            "account_name": credential.metadata["account_name"],
            "phone_number": credential.metadata["phone_number"],
        }
        return Response(
            serializers.TwilioConnectionSerializer(answer).data, status=status.HTTP_201_CREATED
        )


class SendSmsView(WorkspaceScopedMixin, generics.GenericAPIView):
    """Send a text message from the workspace's Twilio number. 400 ``invalid_phone_number`` for
    a number that is not one; 409 ``recipient_opted_out`` when the recipient replied STOP."""

    serializer_class = serializers.SendSmsSerializer
    throttle_scope = "sms_send"

    @extend_schema(
        responses={
            201: serializers.SmsMessageSerializer,
            409: ErrorSerializer,  # opted out, or Twilio not set up
            429: ErrorSerializer,
            502: ErrorSerializer,
            503: ErrorSerializer,
        }
    )
    def post(self, request, workspace_pk):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        message = services.send_sms(self.workspace, data["to"], data["body"], data.get("contact"))
        audit.record(
            audit.MESSAGE_SENT,
            workspace=self.workspace,
            request=request,
            target=message,
            channel="sms",
            to=message.to_number,
        )
        body = serializers.SmsMessageSerializer(message).data
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("contact", OpenApiTypes.UUID),
            OpenApiParameter("direction", enum=SmsMessage.Direction.values),
        ]
    )
)
class SmsMessageViewSet(WorkspaceScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Text messages sent and received, newest first."""

    queryset = SmsMessage.objects.all()
    serializer_class = serializers.SmsMessageSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        if contact := uuid_param(self.request.query_params, "contact"):
            queryset = queryset.filter(contact_id=contact)
        if direction := self.request.query_params.get("direction"):
            queryset = queryset.filter(direction=direction)
        return queryset


class VoiceDropViewSet(
    WorkspaceScopedMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Voice drop campaigns: the audio is left on answering machines; people are hung up on.
    Opted-out numbers are skipped. ``progress`` counts the calls by outcome."""

    queryset = VoiceDrop.objects.prefetch_related("calls")
    serializer_class = serializers.VoiceDropSerializer
    throttle_scopes = {"create": "voice_drop"}

    def perform_create(self, serializer):
        super().perform_create(serializer)
        drop = serializer.instance
        audit.record(
            audit.MESSAGE_SENT,
            workspace=self.workspace,
            request=self.request,
            target=drop,
            channel="voice_drop",
            calls=drop.calls.count(),
        )


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("contact", OpenApiTypes.UUID)]))
class CallRecordingViewSet(WorkspaceScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Call recordings Twilio reported, newest first."""

    queryset = CallRecording.objects.all()
    serializer_class = serializers.CallRecordingSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        if contact := uuid_param(self.request.query_params, "contact"):
            queryset = queryset.filter(contact_id=contact)
        return queryset
