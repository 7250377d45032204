"""The twilio sandbox routes, mounted under /sandbox/twilio/ by urls.py (TWILIO_API_URL is
<SANDBOX_URL>/twilio; the SDK appends /2010-04-01/Accounts/...)."""

from django.urls import path

from . import twilio

ACCOUNT = "2010-04-01/Accounts/<str:account_sid>/"

urlpatterns = [
    path(ACCOUNT + "Messages.json", twilio.messages, name="twilio-messages"),
    path(ACCOUNT + "Messages/<str:sid>.json", twilio.message, name="twilio-message"),
    path(ACCOUNT + "Calls.json", twilio.calls, name="twilio-calls"),
    path(ACCOUNT + "Calls/<str:sid>.json", twilio.call, name="twilio-call"),
    path("_inbound_sms", twilio.inbound_sms, name="twilio-inbound-sms"),
    path("_recordings", twilio.recordings, name="twilio-recordings"),
]
