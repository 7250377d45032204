"""Slack's inbound endpoints, verified the same way (https://docs.slack.dev/authentication/
verifying-requests-from-slack): ``X-Slack-Signature`` is ``v0=`` HMAC-SHA256 of
``v0:<timestamp>:<raw body>`` with the app's signing secret, the timestamp within 5 minutes.

- The Events API (``/api/integrations/slack/webhook``): the ``url_verification`` challenge is
  answered at once; other deliveries are recorded once per ``event_id`` (Slack's retries, with
  ``X-Slack-Retry-Num``, are counted and dropped) and processed in Celery
  (``channel_messages.process``).
- The ``/clianta`` slash command (``/api/integrations/slack/commands``): answered in the request,
  well inside Slack's 3 seconds; nothing is recorded.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse, QueryDict
from slack_sdk.signature import SignatureVerifier

from integrations import webhooks
from integrations.errors import WebhookVerificationError

from . import commands

PROVIDER = "slack"


class SlackVerified(webhooks.WebhookView):
    provider = PROVIDER

    def verify(self, request: HttpRequest) -> None:
        timestamp = webhooks.require_header(request, "X-Slack-Request-Timestamp")
        signature = webhooks.require_header(request, "X-Slack-Signature")
        webhooks.check_timestamp(timestamp, now=self.clock.now())
        secret = settings.SLACK_SIGNING_SECRET
        if not secret:
            raise WebhookVerificationError("no secret configured", provider=PROVIDER)
        verifier = SignatureVerifier(secret, clock=self.clock)
        try:
            valid = verifier.is_valid(body=request.body, timestamp=timestamp, signature=signature)
        except (TypeError, ValueError):
            # A body that is not UTF-8, or a non-ASCII signature (hmac.compare_digest on str).
            valid = False
        if not valid:
            raise WebhookVerificationError("bad signature", provider=PROVIDER)


class EventsView(SlackVerified):
    """The workspace of a delivery is filled in when it is processed (from its ``team_id``),
    which keeps the request to one INSERT."""

    def early_response(self, request, payload):
        if payload.get("type") == "url_verification":
            return JsonResponse({"challenge": payload.get("challenge", "")})
        return None

    def delivery_id(self, request, payload):
        return payload.get("event_id")

    def event_type(self, request, payload):
        event = payload.get("event")
        value = event.get("type", "") if isinstance(event, dict) else ""
        return value[:100] if isinstance(value, str) else ""


class CommandView(SlackVerified):
    """Slash commands arrive form-encoded; the answer is the response."""

    def parse(self, request):
        form = QueryDict(request.body)
        return {key: form.get(key, "") for key in form}

    def early_response(self, request, payload):
        return JsonResponse(commands.answer(payload))
