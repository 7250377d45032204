"""How the sandbox Slack calls the app: signed like Slack (``v0`` HMAC of the raw body with the
app's signing secret, https://docs.slack.dev/authentication/verifying-requests-from-slack).

Events are retried as Slack retries them (https://docs.slack.dev/apis/events-api/#retries): up to
three more times after a failed or slow (over 3 s) answer, with ``X-Slack-Retry-Num`` and
``X-Slack-Retry-Reason``. Slack waits about a minute, then five, between tries; the sandbox
retries at once. Slash commands are not retried.
"""

from __future__ import annotations

import time

import requests
from django.conf import settings
from slack_sdk.signature import SignatureVerifier

from .models import SlackDelivery

#: The app's Request URLs, as configured on its Slack app page (relative to PUBLIC_URL).
EVENTS_PATH = "/api/integrations/slack/webhook"
COMMANDS_PATH = "/api/integrations/slack/commands"
#: Slack's deadline for an answer.
DEADLINE_SECONDS = 3
EVENT_RETRIES = 3


def signed_headers(body: bytes, content_type: str) -> dict:
    timestamp = str(int(time.time()))
    verifier = SignatureVerifier(settings.SLACK_SIGNING_SECRET)
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": verifier.generate_signature(timestamp=timestamp, body=body),
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    }


def send(delivery: SlackDelivery, path: str, body: bytes, content_type: str) -> SlackDelivery:
    """POST ``body`` to the app; events are retried until answered 2xx in time. Every attempt
    is recorded in ``delivery.answers``, the last body in ``delivery.body``."""
    tries = 1 + (EVENT_RETRIES if delivery.kind == SlackDelivery.Kind.EVENT else 0)
    reason = ""
    for attempt in range(tries):
        headers = signed_headers(body, content_type)
        if attempt:
            headers.update({"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": reason})
        try:
            answer = requests.post(
                settings.PUBLIC_URL + path, data=body, headers=headers, timeout=DEADLINE_SECONDS
            )
        except requests.Timeout:
            delivery.answers.append({"attempt": attempt, "status": None, "reason": "http_timeout"})
            reason = "http_timeout"
            continue
        except requests.RequestException as exc:
            delivery.answers.append({"attempt": attempt, "status": None, "reason": str(exc)[:200]})
            reason = "connection_failed"
            continue
        delivery.answers.append({"attempt": attempt, "status": answer.status_code})
        delivery.body = answer.text[:10000]
        if answer.ok:
            break
        reason = "http_error"
    delivery.save(update_fields=["answers", "body"])
    return delivery
