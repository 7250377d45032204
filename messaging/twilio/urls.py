"""Routes of the twilio integration, included under /api/ by clianta/urls.py."""

from django.urls import path

from clianta.api.routers import Router

from . import webhooks
from .api import views

router = Router()
router.register("sms", views.SmsMessageViewSet, basename="sms-message")
router.register("voice-drops", views.VoiceDropViewSet, basename="voice-drop")
router.register("call-recordings", views.CallRecordingViewSet, basename="call-recording")

WEBHOOKS = "webhooks/twilio/"

urlpatterns = [
    path("integrations/twilio/connect", views.TwilioConnectView.as_view(), name="twilio-connect"),
    path("workspaces/<str:workspace_pk>/sms/send", views.SendSmsView.as_view(), name="sms-send"),
    path(WEBHOOKS + "status", webhooks.SmsStatusWebhook.as_view(), name="twilio-sms-status"),
    path(WEBHOOKS + "sms", webhooks.InboundSmsWebhook.as_view(), name="twilio-sms-inbound"),
    path(
        WEBHOOKS + "calls/status", webhooks.CallStatusWebhook.as_view(), name="twilio-call-status"
    ),
    path(WEBHOOKS + "recording", webhooks.RecordingWebhook.as_view(), name="twilio-recording"),
    path(
        WEBHOOKS + "voice-drops/<uuid:drop_id>/twiml",
        webhooks.VoiceDropTwimlView.as_view(),
        name="twilio-voice-drop-twiml",
    ),
    *router.urls,
]
