"""The Twilio kinds of the timeline (``clianta.timeline``): text messages with their delivery
status, voice drop calls with their outcome, call recordings."""

from django.db.models import F, Value
from django.db.models.functions import Concat

from clianta.timeline import TimelineSource, columns

from .models import CallRecording, SmsMessage, VoiceDropCall


def _sms(workspace, contact_ids):
    return columns(
        SmsMessage.objects.filter(workspace=workspace, contact_id__in=contact_ids),
        at=F("created_at"),
        kind="sms",
        integration="twilio",
        direction=F("direction"),
        title=F("body"),
        status=F("status"),
    )


def _voice_drops(workspace, contact_ids):
    return columns(
        VoiceDropCall.objects.filter(voice_drop__workspace=workspace, contact_id__in=contact_ids),
        at=F("updated_at"),
        kind="voice_drop",
        integration="twilio",
        direction="outbound",
        title=Concat(Value("Voice drop to "), F("to_number")),
        status=F("outcome"),
        ref=F("voice_drop_id"),
    )


def _recordings(workspace, contact_ids):
    return columns(
        CallRecording.objects.filter(workspace=workspace, contact_id__in=contact_ids),
        at=F("created_at"),
        kind="call_recording",
        integration="twilio",
        title="Call recording",
        detail=Concat(F("duration"), Value(" s")),
        status=F("status"),
    )


SMS = TimelineSource(
    kind="sms",
    description="Text messages in and out, with their delivery status.",
    rows=_sms,
    url_name="sms-message-detail",
)
VOICE_DROP = TimelineSource(
    kind="voice_drop",
    description="Voice drops to the contact and their outcome.",
    rows=_voice_drops,
    url_name="voice-drop-detail",
)
CALL_RECORDING = TimelineSource(
    kind="call_recording",
    description="Recordings of calls with the contact.",
    rows=_recordings,
    url_name="call-recording-detail",
)
