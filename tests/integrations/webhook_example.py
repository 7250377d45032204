"""The example provider the webhook framework is tested with: signed exactly like Slack's Events
API (https://api.slack.com/authentication/verifying-requests-from-slack), verified with
slack_sdk's SignatureVerifier, deduplicated on the body's ``event_id``.

The test worker imports this module through CELERY_IMPORTS (pyproject's pytest-env), which
registers its processor.
"""

import time
from functools import partial

from django.http import JsonResponse
from slack_sdk.signature import SignatureVerifier

from clianta.models import Contact
from integrations import webhooks
from integrations.errors import RateLimited, Transient, WebhookVerificationError

PROVIDER = "example"
MAX_SLOW_SECONDS = 10


class ExampleWebhookView(webhooks.WebhookView):
    provider = PROVIDER

    def verify(self, request):
        timestamp = webhooks.require_header(request, "X-Slack-Request-Timestamp")
        signature = webhooks.require_header(request, "X-Slack-Signature")
        webhooks.check_timestamp(timestamp, now=self.clock.now())
        subscriptions = webhooks.active_subscriptions(self.provider)
        if not subscriptions:
            raise WebhookVerificationError("no secret configured", provider=self.provider)
        for subscription in subscriptions:
            verifier = SignatureVerifier(subscription.secret, clock=self.clock)
            try:
                valid = verifier.is_valid(
                    body=request.body, timestamp=timestamp, signature=signature
                )
            except (TypeError, ValueError):
                # A body that is not UTF-8, or a non-ASCII signature (hmac.compare_digest on str).
                valid = False
            if valid:
                self.subscription = subscription
                return
        raise WebhookVerificationError("bad signature", provider=self.provider)

    def early_response(self, request, payload):
        if payload.get("type") == "url_verification":
            return JsonResponse({"challenge": payload.get("challenge", "")})
        return None

    def delivery_id(self, request, payload):
        return payload.get("event_id")


def handle_event(delivery):
    """Creates a contact from the event; ``slow_seconds`` and ``fail`` in the event change that."""
    event = delivery.payload.get("event") or {}
    if event.get("slow_seconds"):
        time.sleep(min(float(event["slow_seconds"]), MAX_SLOW_SECONDS))
    if event.get("fail") == "transient":
        raise Transient("The example provider is unavailable.", provider=PROVIDER)
    if event.get("fail") == "rate_limited":
        raise RateLimited("Slow down.", provider=PROVIDER, retry_after=900)
    if event.get("fail") == "error":
        raise ValueError("The example event cannot be handled.")
    Contact.objects.create(
        workspace_id=delivery.workspace_id,
        email=event.get("email", ""),
        first_name=event.get("first_name", ""),
    )


webhooks.register(PROVIDER, partial(webhooks.process_delivery, handler=handle_event))
