"""Twilio: SMS both ways, voice drops and call recordings.

``client``: the REST API through the twilio SDK, errors mapped into the error tree; ``errors``:
Twilio's refusals that are the client's mistake. A workspace without its own account uses the
shared one of the TWILIO_* settings.
"""

from integrations.base import AuthKind, Provider

from . import client

TWILIO_PROVIDER = Provider(
    slug="twilio",
    name="Twilio",
    workspace_wide=True,
    category="messaging",
    auth=AuthKind.API_KEY,
    endpoints=("TWILIO_API_URL",),
    client=client.client,
    fallback_settings=("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"),
    # Twilio is told the status callbacks with each message and call; only the inbound SMS
    # webhook is set on the phone number.
    console_urls=(
        ("Phone number, Messaging: A message comes in (HTTP POST)", "twilio-sms-inbound"),
        ("Status callback of each SMS (sent with the message)", "twilio-sms-status"),
        ("Status callback of each call (sent with the call)", "twilio-call-status"),
        ("Recording status callback (sent with the call)", "twilio-recording"),
    ),
    description="SMS both ways, voice drops and call recordings.",
)
