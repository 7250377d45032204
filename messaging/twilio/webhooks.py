"""Twilio's webhooks: message status, inbound messages, call status, recordings (recorded, then
processed in Celery by ``process``), and the TwiML of a voice drop (answered at once).

Every request is checked with the SDK's RequestValidator: ``X-Twilio-Signature`` over the URL
Twilio called plus the form parameters. That URL is PUBLIC_URL plus the request's raw path and
query, never the Host or X-Forwarded-* headers, so it holds behind a proxy that terminated TLS
and a forged forwarded host changes nothing.
https://www.twilio.com/docs/usage/webhooks/webhooks-security
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from twilio.request_validator import RequestValidator

from clianta.api.errors import error_body
from integrations import credentials, webhooks
from integrations.errors import WebhookVerificationError

from . import numbers, phones, services, twiml, voice_drops
from .models import VoiceDrop

#: The handler of each kind of webhook delivery (TwilioWebhookView.kind).
HANDLERS = {
    "sms.status": services.apply_status,
    "sms.inbound": services.receive_sms,
    "call.status": voice_drops.apply_call_status,
    "recording": voice_drops.store_recording,
}


def signed_url(request: HttpRequest) -> str:
    return settings.PUBLIC_URL + request.get_full_path()


def auth_tokens(signers: list[tuple]) -> set[str]:
    """The Auth Tokens that may sign for an account: its credentials', else the setting's."""
    tokens = {token for _, token in signers if token}
    if not tokens and settings.TWILIO_AUTH_TOKEN:
        tokens = {settings.TWILIO_AUTH_TOKEN}
    return tokens


def verified_params(request: HttpRequest) -> tuple[QueryDict, list[tuple]]:
    """The form parameters of a request Twilio signed, and the (workspace id, Auth Token) of
    each credential of its AccountSid; WebhookVerificationError otherwise. The body is parsed
    here only because the signature covers the parameters."""
    signature = webhooks.require_header(request, "X-Twilio-Signature")
    params = QueryDict(request.body, encoding="utf-8")
    account = params.get("AccountSid", "")
    signers = credentials.active(services.PROVIDER, account=account)
    signers = list(signers.values_list("workspace_id", "api_key"))
    tokens = auth_tokens(signers)
    if not tokens:
        raise WebhookVerificationError("no secret configured", provider=services.PROVIDER)
    url = signed_url(request)
    if not any(RequestValidator(token).validate(url, params, signature) for token in tokens):
        raise WebhookVerificationError("bad signature", provider=services.PROVIDER)
    return params, signers


class TwilioWebhookView(webhooks.WebhookView):
    """A Twilio callback, recorded once per ``delivery_id`` and handled by ``HANDLERS[kind]``."""

    provider = services.PROVIDER
    #: What the delivery is (its event_type; HANDLERS picks the handler by it).
    kind = ""
    #: The parameters that identify one delivery, joined with ":".
    id_params: tuple[str, ...] = ()

    def verify(self, request):
        self.params, self.signers = verified_params(request)

    def parse(self, request):
        return self.params.dict()

    def delivery_id(self, request, payload):
        values = [payload.get(name, "") for name in self.id_params]
        return ":".join(values) if all(values) else ""

    def event_type(self, request, payload):
        return self.kind

    def workspace_for(self, request, payload):
        """The workspace of the account's only credential (the handlers resolve the rest)."""
        return self.signers[0][0] if len(self.signers) == 1 else None

    def acknowledge(self, request, delivery, created):
        return HttpResponse(twiml.empty(), content_type="text/xml")


class SmsStatusWebhook(TwilioWebhookView):
    kind = "sms.status"
    # One delivery per message and status: a repeated status is a redelivery.
    id_params = ("MessageSid", "MessageStatus")


class InboundSmsWebhook(TwilioWebhookView):
    kind = "sms.inbound"
    id_params = ("MessageSid",)


class CallStatusWebhook(TwilioWebhookView):
    kind = "call.status"
    id_params = ("CallSid", "CallStatus")


class RecordingWebhook(TwilioWebhookView):
    kind = "recording"
    id_params = ("RecordingSid",)


def process(delivery_pk: str) -> str:
    """Process one recorded callback (registered in apps.py)."""
    return webhooks.process_delivery(
        delivery_pk, lambda delivery: HANDLERS[delivery.event_type](delivery.payload)
    )


@method_decorator(csrf_exempt, name="dispatch")
class VoiceDropTwimlView(View):
    """What a voice drop call does once answered: Twilio asks with ``AnsweredBy`` set by
    answering-machine detection, and we answer TwiML playing the audio to machines only."""

    http_method_names = ["post"]

    def post(self, request, drop_id):
        try:
            params, _ = verified_params(request)
        except WebhookVerificationError as exc:
            message = f"Webhook verification failed: {exc.message}."
            return JsonResponse(error_body(message, exc.code), status=403)
        drop = get_object_or_404(VoiceDrop, pk=drop_id)
        # Only a call from a number the drop's workspace owns, on that account, gets its audio.
        caller = phones.normalise_or_none(params.get("From", "")) or ""
        if not numbers.owns(drop.workspace_id, params.get("AccountSid", ""), caller):
            raise Http404("No such voice drop.")
        body = twiml.voice_drop(drop.audio_url, params.get("AnsweredBy", ""))
        return HttpResponse(body, content_type="text/xml")
