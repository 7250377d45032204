"""Twilio fixtures: a sandbox account connected to workspace A, and signed webhook requests."""

from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator

from clianta.models import Contact
from integrations.models import IntegrationCredential
from sandbox.twilio import store as twilio_store

PUBLIC_URL = "https://crm.example.com"
OUR_NUMBER = "+15005550006"


def sign(url: str, params: dict, token: str) -> str:
    return RequestValidator(token).compute_signature(url, params)


def post_form(client, path, params, signature=None, **headers):
    """POST ``params`` form-encoded, as Twilio does, with ``signature`` (None: no header)."""
    if signature is not None:
        headers["HTTP_X_TWILIO_SIGNATURE"] = signature
    return client.post(
        path, data=urlencode(params), content_type="application/x-www-form-urlencoded", **headers
    )


def post_signed(client, path, params, token, *, url=None, **headers):
    """POST ``params`` to ``path`` signed for ``url`` (default PUBLIC_URL + path) with
    ``token``."""
    return post_form(client, path, params, sign(url or PUBLIC_URL + path, params, token), **headers)


@pytest.fixture
def twilio_account(db):
    """An account of the sandbox Twilio (its SID and Auth Token)."""
    return twilio_store.create_account()


@pytest.fixture
def credential(twilio_account, workspace_a):
    """Workspace A's Twilio connection: the account's SID and token, and its number."""
    return IntegrationCredential.objects.create(
        workspace=workspace_a,
        provider="twilio",
        account=twilio_account.sid,
        api_key=twilio_account.auth_token,
        metadata={"phone_number": OUR_NUMBER},
    )


@pytest.fixture
def public_url(settings):
    settings.PUBLIC_URL = PUBLIC_URL
    return PUBLIC_URL


@pytest.fixture
def contact(workspace_a):
    return Contact.objects.create(
        workspace=workspace_a, first_name="Ada", email="ada@example.com", phone="(415) 555-2671"
    )
