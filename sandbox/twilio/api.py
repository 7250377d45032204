"""The sandbox's Twilio REST API (2010-04-01): the account's fetch, its IncomingPhoneNumbers
list, Messages and Calls create and fetch, with HTTP Basic auth (Account SID : Auth Token) and
Twilio's error body ``{code, message, more_info, status}``.
https://www.twilio.com/docs/iam/api/account,
https://www.twilio.com/docs/phone-numbers/api/incomingphonenumber-resource,
https://www.twilio.com/docs/messaging/api/message-resource,
https://www.twilio.com/docs/voice/api/call-resource

Control API (not Twilio's; JSON in, JSON out):

- ``POST /sandbox/twilio/_inbound_sms`` ``{from, body, to?, account_sid?, url?}``: a text from
  ``from`` to the account's number ``to`` (default TWILIO_PHONE_NUMBER), posted signed to ``url``
  (default: our inbound webhook under PUBLIC_URL); answers the message sid and our answer.
- ``POST /sandbox/twilio/_recordings`` ``{call_sid, duration?}``: a recording of a call, posted
  signed to the call's RecordingStatusCallback.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from email.utils import format_datetime
from functools import wraps

import requests
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from sandbox.faults import sandbox_endpoint

from . import store
from .models import TwilioAccount, TwilioCall, TwilioMessage, TwilioPhoneNumber, TwilioRecording

GENERIC_CODES = {401: 20003, 403: 20003, 404: 20404, 429: 20429, 500: 20500, 503: 20503}
INBOUND_WEBHOOK_PATH = "/api/webhooks/twilio/sms"


def error_body(status: int) -> dict:
    code = GENERIC_CODES.get(status, status)
    return store.TwilioError(status, code, "The sandbox answered an injected fault.").body()


def _error(error: store.TwilioError) -> JsonResponse:
    return JsonResponse(error.body(), status=error.status)


def _authenticated(request: HttpRequest, account_sid: str) -> TwilioAccount:
    """The account of the request's Basic credentials, which must be the path's account."""
    kind, _, encoded = request.headers.get("Authorization", "").partition(" ")
    try:
        sid, _, token = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        sid = token = ""
    owner = store.account(sid) if kind.lower() == "basic" else None
    if owner is None or not hmac.compare_digest(owner.auth_token.encode(), token.encode()):
        raise store.TwilioError(401, 20003, "Authentication Error - invalid username")
    if owner.sid != account_sid:
        raise store.TwilioError(404, 20404, f"The requested resource {request.path} was not found")
    return owner


def twilio_api(view):
    """A REST endpoint: fault injection and call log, Basic auth, TwilioError as Twilio's body."""

    @sandbox_endpoint("twilio", error_body)
    @wraps(view)
    def wrapper(request, account_sid, *args, **kwargs):
        try:
            owner = _authenticated(request, account_sid)
            return view(request, owner, *args, **kwargs)
        except store.TwilioError as error:
            return _error(error)

    return wrapper


def _date(value) -> str | None:
    return format_datetime(value) if value else None


def _uri(owner: TwilioAccount, kind: str, sid: str) -> str:
    return f"/{store.API_VERSION}/Accounts/{owner.sid}/{kind}/{sid}.json"


def account_json(owner: TwilioAccount) -> dict:
    base = f"/{store.API_VERSION}/Accounts/{owner.sid}"
    return {
        "auth_token": owner.auth_token,
        "date_created": _date(owner.created_at),
        "date_updated": _date(owner.created_at),
        "friendly_name": f"Sandbox account {owner.sid[-6:]}",
        "owner_account_sid": owner.sid,
        "sid": owner.sid,
        "status": "active",
        "subresource_uris": {
            kind.lower(): f"{base}/{kind}.json"
            for kind in ("IncomingPhoneNumbers", "Messages", "Calls", "Recordings")
        },
        "type": "Full",
        "uri": f"{base}.json",
    }


def number_json(number: TwilioPhoneNumber) -> dict:
    """An IncomingPhoneNumber: its SMS and voice webhooks are not kept by the sandbox (texts are
    posted to the URL its control API is given)."""
    unset = dict.fromkeys(
        [
            "address_sid",
            "identity_sid",
            "sms_application_sid",
            "sms_fallback_url",
            "sms_url",
            "status_callback",
            "trunk_sid",
            "voice_application_sid",
            "voice_fallback_url",
            "voice_url",
            "emergency_address_sid",
            "bundle_sid",
        ]
    )
    return {
        **unset,
        "sid": number.sid,
        "account_sid": number.account.sid,
        "address_requirements": "none",
        "api_version": store.API_VERSION,
        "beta": False,
        "capabilities": {"voice": True, "sms": True, "mms": False, "fax": False},
        "date_created": _date(number.created_at),
        "date_updated": _date(number.created_at),
        "friendly_name": number.phone_number,
        "phone_number": number.phone_number,
        "origin": "twilio",
        "sms_fallback_method": "POST",
        "sms_method": "POST",
        "status_callback_method": "POST",
        "voice_receive_mode": "voice",
        "voice_caller_id_lookup": False,
        "voice_fallback_method": "POST",
        "voice_method": "POST",
        "emergency_status": "Inactive",
        "emergency_address_status": "unregistered",
        "status": "in-use",
        "type": "local",
        "uri": _uri(number.account, "IncomingPhoneNumbers", number.sid),
    }


def message_json(message: TwilioMessage) -> dict:
    return {
        "sid": message.sid,
        "account_sid": message.account.sid,
        "api_version": store.API_VERSION,
        "body": message.body,
        "date_created": _date(message.created_at),
        "date_updated": _date(message.updated_at),
        "date_sent": _date(message.updated_at) if message.status != "queued" else None,
        "direction": message.direction,
        "error_code": message.error_code,
        "error_message": None,
        "from": message.from_number,
        "messaging_service_sid": None,
        "num_media": "0",
        "num_segments": "1",
        "price": None,
        "price_unit": "USD",
        "status": message.status,
        "subresource_uris": {},
        "to": message.to,
        "uri": _uri(message.account, "Messages", message.sid),
    }


def call_json(call: TwilioCall) -> dict:
    return {
        "sid": call.sid,
        "account_sid": call.account.sid,
        "api_version": store.API_VERSION,
        "answered_by": call.answered_by or None,
        "date_created": _date(call.created_at),
        "date_updated": _date(call.updated_at),
        "direction": "outbound-api",
        "duration": str(call.duration) if call.duration is not None else None,
        "from": call.from_number,
        "from_formatted": call.from_number,
        "parent_call_sid": None,
        "price": None,
        "price_unit": "USD",
        "status": call.status,
        "subresource_uris": {},
        "to": call.to,
        "to_formatted": call.to,
        "uri": _uri(call.account, "Calls", call.sid),
    }


@twilio_api
def account(request, owner):
    return JsonResponse(account_json(owner))


def _int(value: str | None, default: int) -> int:
    try:
        return max(int(value), 0) if value is not None else default
    except ValueError as exc:
        raise store.TwilioError(400, 20001, f"Invalid integer: {value}") from exc


@twilio_api
def incoming_phone_numbers(request, owner):
    """The account's numbers, ``PhoneNumber`` matched exactly, in Twilio's paged list."""
    found = TwilioPhoneNumber.objects.filter(account=owner).select_related("account")
    if wanted := request.GET.get("PhoneNumber"):
        found = found.filter(phone_number=wanted)
    size = min(_int(request.GET.get("PageSize"), 50), 1000) or 50
    page = _int(request.GET.get("Page"), 0)
    rows = list(found[page * size : (page + 1) * size + 1])
    path = f"/{store.API_VERSION}/Accounts/{owner.sid}/IncomingPhoneNumbers.json"

    def page_uri(number: int) -> str:
        return f"{path}?PageSize={size}&Page={number}"

    return JsonResponse(
        {
            "incoming_phone_numbers": [number_json(row) for row in rows[:size]],
            "start": page * size,
            "end": page * size + max(len(rows[:size]) - 1, 0),
            "page": page,
            "page_size": size,
            "uri": page_uri(page),
            "first_page_uri": page_uri(0),
            "next_page_uri": page_uri(page + 1) if len(rows) > size else None,
            "previous_page_uri": page_uri(page - 1) if page else None,
        }
    )


@twilio_api
def messages(request, owner):
    if request.method != "POST":
        raise store.TwilioError(405, 20004, "Method not allowed")
    return JsonResponse(message_json(store.send_message(owner, request.POST)), status=201)


@twilio_api
def message(request, owner, sid):
    found = TwilioMessage.objects.filter(account=owner, sid=sid).first()
    if found is None:
        raise store.TwilioError(404, 20404, f"The requested resource {request.path} was not found")
    return JsonResponse(message_json(found))


@twilio_api
def calls(request, owner):
    if request.method != "POST":
        raise store.TwilioError(405, 20004, "Method not allowed")
    return JsonResponse(call_json(store.place_call(owner, request.POST)), status=201)


@twilio_api
def call(request, owner, sid):
    found = TwilioCall.objects.filter(account=owner, sid=sid).first()
    if found is None:
        raise store.TwilioError(404, 20404, f"The requested resource {request.path} was not found")
    return JsonResponse(call_json(found))


# Control ----------------------------------------------------------------------------------------


def control(view):
    @csrf_exempt
    @require_POST
    @wraps(view)
    def wrapper(request):
        try:
            data = json.loads(request.body or b"{}")
            if not isinstance(data, dict):
                raise ValueError("send a JSON object")
            return view(request, data)
        except ValueError as error:
            return JsonResponse({"error": str(error)}, status=400)
        except requests.RequestException as error:
            return JsonResponse({"error": f"the webhook did not answer: {error}"}, status=502)

    return wrapper


def _answer(response) -> dict:
    if response is None:
        return {"status": None, "body": None}
    return {"status": response.status_code, "body": response.text}


@control
def inbound_sms(request, data):
    owner = store.account(data.get("account_sid") or settings.TWILIO_ACCOUNT_SID)
    if owner is None:
        raise ValueError("no such account")
    if not data.get("from"):
        raise ValueError("from is required")
    url = data.get("url") or settings.PUBLIC_URL + INBOUND_WEBHOOK_PATH
    to = data.get("to") or settings.TWILIO_PHONE_NUMBER
    sent, response = store.receive_message(owner, data["from"], to, data.get("body", ""), url)
    return JsonResponse({"sid": sent.sid, **_answer(response)})


@control
def recordings(request, data):
    found = TwilioCall.objects.filter(sid=data.get("call_sid", "")).first()
    if found is None:
        raise ValueError("no such call")
    duration = data.get("duration", found.duration or 0)
    if isinstance(duration, bool) or not isinstance(duration, int) or duration < 0:
        raise ValueError("duration must be a whole number of seconds")
    recording = TwilioRecording.objects.create(
        sid=store.new_sid("RE"), call=found, duration=duration
    )
    return JsonResponse({"sid": recording.sid, **_answer(store.notify_recording(recording))})
