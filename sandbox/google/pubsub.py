"""The sandbox's Cloud Pub/Sub push subscription: a message published to a topic is pushed to
the subscription's endpoint as Pub/Sub does (cloud.google.com/pubsub/docs/push): a JSON body
``{"message": {"data", "messageId", "publishTime", "attributes"}, "subscription"}``, with an OIDC
token Google signs in ``Authorization: Bearer`` (cloud.google.com/pubsub/docs/authenticate-push-
subscriptions): RS256, claims ``aud``, ``azp``, ``email``, ``email_verified``, ``exp``, ``iat``,
``iss`` (``https://accounts.google.com``) and ``sub``.

The subscription is what a person would configure in Google Cloud: its endpoint
(``SANDBOX_PUBSUB_PUSH_ENDPOINT``, default ``<PUBLIC_URL>/api/push/gmail``), its service account
(``GMAIL_PUSH_SERVICE_ACCOUNT``) and its audience (``GMAIL_PUSH_AUDIENCE``). The signing key is
the sandbox's own, its certificate served at ``/sandbox/google/oauth2/v1/certs`` in the shape of
``https://www.googleapis.com/oauth2/v1/certs`` (``{kid: PEM certificate}``).

Pushes leave from a thread after the change commits; the fault switch drops (a status) or holds
back (``delay_ms``) a push whose ``/push/pubsub/<topic>`` matches a fault of provider ``google``.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
import uuid
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from google.auth import crypt, jwt

from sandbox import faults
from sandbox.faults import sandbox_endpoint

from .errors import api_error_body
from .models import GoogleSigningKey

ISSUER = "https://accounts.google.com"
TOKEN_LIFETIME = timedelta(hours=1)


def signing_key() -> GoogleSigningKey:
    """The newest signing key, made on first use (RSA 2048 and a self-signed certificate)."""
    key = GoogleSigningKey.objects.first()
    return key if key is not None else _new_key()


def _new_key() -> GoogleSigningKey:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sandbox.googleapis.example")])
    now = datetime.now(UTC) - timedelta(minutes=5)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=365))
        .sign(private, hashes.SHA256())
    )
    return GoogleSigningKey.objects.create(
        kid=secrets.token_hex(20),
        private_key=private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        certificate=certificate.public_bytes(serialization.Encoding.PEM).decode(),
    )


@sandbox_endpoint("google", api_error_body)
def certs_view(request: HttpRequest) -> JsonResponse:
    """The public certificates of the signing keys, ``{kid: PEM}``."""
    signing_key()
    return JsonResponse({key.kid: key.certificate for key in GoogleSigningKey.objects.all()})


def oidc_token(audience: str, email: str, *, key: GoogleSigningKey | None = None, **claims) -> str:
    """An OIDC token as Google signs for a push subscription's service account."""
    key = key or signing_key()
    now = int(time.time())
    payload = {
        "aud": audience,
        "azp": str(uuid.uuid4().int)[:21],
        "email": email,
        "email_verified": True,
        "exp": now + int(TOKEN_LIFETIME.total_seconds()),
        "iat": now,
        "iss": ISSUER,
        "sub": str(uuid.uuid4().int)[:21],
        **claims,
    }
    signer = crypt.RSASigner.from_string(key.private_key, key.kid)
    return jwt.encode(signer, payload).decode()


def endpoint() -> str:
    return settings.SANDBOX_PUBSUB_PUSH_ENDPOINT or f"{settings.PUBLIC_URL}/api/push/gmail"


def envelope(topic: str, data: dict) -> dict:
    """The JSON body Pub/Sub pushes for one message published to ``topic``."""
    project = topic.split("/")[1] if topic.count("/") >= 3 else "sandbox"
    return {
        "message": {
            "data": base64.b64encode(json.dumps(data).encode()).decode(),
            "messageId": str(uuid.uuid4().int)[:16],
            "publishTime": datetime.now(UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "attributes": {},
        },
        "subscription": f"projects/{project}/subscriptions/clianta-gmail-push",
    }


def publish(topic: str, data: dict) -> None:
    """Push one message published to ``topic`` to the subscription's endpoint, from a thread,
    with an OIDC token minted now."""
    audience = settings.GMAIL_PUSH_AUDIENCE or endpoint()
    token = oidc_token(audience, settings.GMAIL_PUSH_SERVICE_ACCOUNT)
    request = {"json": envelope(topic, data), "headers": {"Authorization": f"Bearer {token}"}}
    faults.push_later("google", [faults.Push(f"/push/pubsub/{topic}", endpoint(), request)])
