"""Twilio: SMS and voice through the twilio SDK, with the account SID and auth token of the
workspace's credential or, failing that, the TWILIO_* settings.
https://www.twilio.com/docs/libraries/reference/twilio-python
"""

from django.conf import settings

from integrations.registry import AuthKind, Provider


def client(credential):
    from twilio.http.http_client import TwilioHttpClient
    from twilio.rest import Client

    if credential is not None and credential.api_key:
        sid, token = credential.account, credential.api_key
    else:
        sid, token = settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN
    twilio = Client(sid, token, http_client=TwilioHttpClient(timeout=settings.PROVIDER_TIMEOUT))
    # The SDK has no base-URL option; its Api domain keeps the host in this attribute.
    twilio.api.base_url = settings.TWILIO_API_URL
    return twilio


TWILIO = Provider(
    slug="twilio",
    name="Twilio",
    workspace_wide=True,
    category="messaging",
    auth=AuthKind.API_KEY,
    endpoints=("TWILIO_API_URL",),
    client=client,
    description="SMS both ways, voice drops and call recordings.",
)
