"""Twilio's REST API through the twilio SDK, with the account SID and auth token of the
workspace's credential or, failing that, the TWILIO_* settings; failures mapped into the error
tree once.
https://www.twilio.com/docs/libraries/reference/twilio-python
"""

from collections.abc import Iterator
from contextlib import contextmanager

import requests
from django.conf import settings
from twilio.base.exceptions import TwilioException

from integrations.errors import (
    AuthExpired,
    IntegrationError,
    ProviderError,
    RateLimited,
    Transient,
)

from .errors import AccountRefused, InvalidPhoneNumber, OptedOut

# Twilio error codes (https://www.twilio.com/docs/api/errors): an invalid or non-mobile 'To'
# number, and a recipient that replied STOP.
INVALID_NUMBER_CODES = {21211, 21614}
UNSUBSCRIBED_CODE = 21610


def client(credential):
    if credential is not None and credential.api_key:
        return client_for(credential.account, credential.api_key)
    return client_for(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)


def client_for(sid: str, token: str):
    from twilio.http.http_client import TwilioHttpClient
    from twilio.rest import Client

    twilio = Client(sid, token, http_client=TwilioHttpClient(timeout=settings.PROVIDER_TIMEOUT))
    # The SDK has no base-URL option; its Api domain keeps the host in this attribute.
    twilio.api.base_url = settings.TWILIO_API_URL
    return twilio


def check_account(sid: str, token: str, number: str) -> str:
    """The account's name, once Twilio has taken ``sid`` and ``token``, found the account
    active, and listed ``number`` (E.164) among its numbers; AccountRefused naming the field at
    fault otherwise. Nothing else is asked of the account."""
    account = client_for(sid, token).api.v2010.accounts(sid)
    try:
        with provider_errors():
            found = account.fetch()
            owned = account.incoming_phone_numbers.list(phone_number=number, limit=1)
    except AuthExpired as exc:
        raise AccountRefused(
            "auth_token", "Twilio refused this Account SID and Auth Token."
        ) from exc
    if found.status != "active":
        raise AccountRefused("account_sid", f"This Twilio account is {found.status}.")
    if not owned:
        raise AccountRefused("phone_number", f"{number} is not a number of this Twilio account.")
    return found.friendly_name or sid


@contextmanager
def provider_errors() -> Iterator[None]:
    """Map what the twilio SDK raises onto the error tree, once for every call."""
    try:
        yield
    except TwilioException as exc:
        raise mapped_error(exc) from exc
    except requests.RequestException as exc:
        raise Transient(f"Twilio did not answer: {type(exc).__name__}", provider="twilio") from exc


def mapped_error(exc: TwilioException) -> IntegrationError:
    status = getattr(exc, "status", None)
    code = getattr(exc, "code", None)
    message = getattr(exc, "msg", "") or getattr(exc, "detail", "") or "Twilio refused the call."
    if code in INVALID_NUMBER_CODES:
        return InvalidPhoneNumber(message, provider="twilio")
    if code == UNSUBSCRIBED_CODE:
        return OptedOut(message, provider="twilio")
    fields = {"provider": "twilio", "status": status, "provider_code": str(code or "")}
    if status == 401 or code == 20003:
        return AuthExpired("Twilio refused the account's credentials.", **fields)
    if status == 429 or code == 20429:
        return RateLimited("Twilio's rate limit was reached.", **fields)
    if status is None or status >= 500:
        return Transient("Twilio is unavailable.", **fields)
    return ProviderError(message, **fields)
