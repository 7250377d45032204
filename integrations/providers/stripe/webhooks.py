"""Stripe's signed webhooks: ``Stripe-Signature`` verified by the SDK against each of the
endpoint's secrets (several while one is rotated), with a 5-minute tolerance; the delivery is
the event (its id is the same on every retry). https://docs.stripe.com/webhooks#verify-events
"""

from __future__ import annotations

import stripe
from django.conf import settings

from integrations.errors import WebhookVerificationError

#: Seconds a signature's timestamp may differ from now (Stripe's libraries' default).
TOLERANCE = 300


def verify(payload: bytes, header: str, secrets: list[str]) -> None:
    """Accept ``payload`` when ``header`` is a fresh signature of it by one of ``secrets``."""
    secrets = [secret for secret in secrets if secret.strip()]
    if not secrets:
        raise WebhookVerificationError("no signing secret is configured", provider="stripe")
    reason = ""
    for secret in secrets:
        try:
            stripe.WebhookSignature.verify_header(payload, header, secret, TOLERANCE)
            return
        except stripe.SignatureVerificationError as exc:
            reason = str(exc.user_message or exc)
    raise WebhookVerificationError(reason or "bad signature", provider="stripe")


class StripeSigned:
    """What an endpoint of Stripe events adds to ``integrations.webhooks.WebhookView``
    (``class View(StripeSigned, WebhookView)``): ``secrets_setting`` names the setting listing
    the endpoint's secrets."""

    secrets_setting = ""

    def verify(self, request) -> None:
        header = request.headers.get("Stripe-Signature", "")
        if not header:
            raise WebhookVerificationError("missing Stripe-Signature header", provider="stripe")
        verify(request.body, header, getattr(settings, self.secrets_setting))

    def delivery_id(self, request, payload: dict) -> str:
        return payload.get("id") if payload.get("object") == "event" else ""
