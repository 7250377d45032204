"""Stripe's signed webhooks: ``Stripe-Signature`` verified by the SDK against each of the
endpoint's secrets (several while one is rotated), with a 5-minute tolerance; the delivery is
the event (its id is the same on every retry). https://docs.stripe.com/webhooks#verify-events
"""

from __future__ import annotations

import stripe
from django.conf import settings
from django.http import HttpRequest

from integrations.errors import WebhookVerificationError
from integrations.webhooks import REPLAY_WINDOW, WebhookView, require_header


def verify(payload: bytes, header: str, secrets: list[str]) -> None:
    """Accept ``payload`` when ``header`` is a fresh signature of it by one of ``secrets``."""
    secrets = [secret for secret in secrets if secret.strip()]
    if not secrets:
        raise WebhookVerificationError("no signing secret is configured", provider="stripe")
    reason = ""
    for secret in secrets:
        try:
            stripe.WebhookSignature.verify_header(payload, header, secret, REPLAY_WINDOW)
            return
        except stripe.SignatureVerificationError as exc:
            reason = str(exc.user_message or exc)
    raise WebhookVerificationError(reason or "bad signature", provider="stripe")


class StripeWebhookView(WebhookView):
    """An endpoint of Stripe events. Subclasses set ``provider`` (the key their processor is
    registered under) and ``secrets_setting`` (the setting listing the endpoint's secrets)."""

    secrets_setting = ""

    def verify(self, request: HttpRequest) -> None:
        header = require_header(request, "Stripe-Signature")
        verify(request.body, header, getattr(settings, self.secrets_setting))

    def delivery_id(self, request: HttpRequest, payload: dict) -> str:
        return payload.get("id") if payload.get("object") == "event" else ""
