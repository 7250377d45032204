"""Standard Webhooks signatures (https://www.standardwebhooks.com/): ``whsec_`` secrets, and the
``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` headers of one attempt, signed
by the ``standardwebhooks`` library over ``id.timestamp.body``."""

from __future__ import annotations

import base64
import secrets
from datetime import datetime

from standardwebhooks import Webhook

SECRET_BYTES = 32


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def headers(signing_secrets: list[str], message_id: str, at: datetime, body: str) -> dict:
    """The headers of one attempt; one ``v1,`` signature per secret (both during a rotation),
    so a receiver holding either verifies it."""
    signatures = [Webhook(secret).sign(message_id, at, body) for secret in signing_secrets]
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": " ".join(signatures),
        "content-type": "application/json",
    }
