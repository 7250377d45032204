"""The twilio sandbox routes, mounted under /sandbox/twilio/ by sandbox/urls.py (TWILIO_API_URL is
<SANDBOX_URL>/twilio; the SDK appends /2010-04-01/Accounts/...)."""

from django.urls import path

from . import api

ACCOUNT = "2010-04-01/Accounts/<str:account_sid>/"

urlpatterns = [
    path("2010-04-01/Accounts/<str:account_sid>.json", api.account, name="twilio-account"),
    path(
        ACCOUNT + "IncomingPhoneNumbers.json",
        api.incoming_phone_numbers,
        name="twilio-incoming-phone-numbers",
    ),
    path(ACCOUNT + "Messages.json", api.messages, name="twilio-messages"),
    path(ACCOUNT + "Messages/<str:sid>.json", api.message, name="twilio-message"),
    path(ACCOUNT + "Calls.json", api.calls, name="twilio-calls"),
    path(ACCOUNT + "Calls/<str:sid>.json", api.call, name="twilio-call"),
    path("_inbound_sms", api.inbound_sms, name="twilio-inbound-sms"),
    path("_recordings", api.recordings, name="twilio-recordings"),
]
