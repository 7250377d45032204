"""What the sandbox Twilio does with messages and calls, and how it calls our webhooks back.

Callbacks are form POSTs signed like Twilio's (``X-Twilio-Signature`` computed with the SDK's
``RequestValidator.compute_signature`` and the account's Auth Token), sent from a background
thread once the create request has committed, as Twilio sends them after answering.

Numbers that decide what happens (Twilio's test numbers for errors at create,
https://www.twilio.com/docs/iam/test-credentials; the rest are the sandbox's own):

- Messages to ``+15005550001`` (invalid, 21211), ``+15005550002`` (not routable, 21612),
  ``+15005550003`` (no international permission, 21408), ``+15005550004`` (unsubscribed,
  21610), ``+15005550009`` (not a mobile number, 21614) fail at create with a 400, as does a
  message to a number whose last keyword texted to the sender was STOP (21610). Others go
  queued → sent → delivered, except to ``+15005550101`` (undelivered, 30003) and
  ``+15005550102`` (failed, 30008).
- Calls are answered by the last digit of the number: 0-3 a machine (``machine_end_beep`` once
  its greeting ends), 4-5 a person (``human``), 6 busy, 7 no answer, 8 failed, 9 ``unknown``.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
import xml.etree.ElementTree as ET

import requests
from django.conf import settings
from django.db import close_old_connections, connection, transaction
from twilio.request_validator import RequestValidator

from .models import TwilioAccount, TwilioCall, TwilioMessage, TwilioPhoneNumber, TwilioRecording

logger = logging.getLogger("sandbox.twilio")
API_VERSION = "2010-04-01"
CALLBACK_TIMEOUT = 10
E164 = re.compile(r"^\+[1-9]\d{6,14}$")

MESSAGE_CREATE_ERRORS = {
    "+15005550001": (21211, "The 'To' number {to} is not a valid phone number."),
    "+15005550002": (21612, "The 'To' phone number: {to}, is not currently reachable via SMS."),
    "+15005550003": (21408, "Permission to send an SMS has not been enabled for {to}."),
    "+15005550004": (21610, "Attempt to send to unsubscribed recipient"),
    "+15005550009": (21614, "'To' number {to} is not a valid mobile number"),
}
# A recipient that texted one of these to a number gets nothing more from it (21610) until it
# texts an opt-in word. https://help.twilio.com/articles/223134027
OPT_OUT_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
OPT_IN_WORDS = {"START", "YES", "UNSTOP"}
MESSAGE_ENDINGS = {"+15005550101": ("undelivered", 30003), "+15005550102": ("failed", 30008)}
CALL_ANSWERS = {
    **dict.fromkeys("0123", "machine_end_beep"),
    **dict.fromkeys("45", "human"),
    "6": "busy",
    "7": "no-answer",
    "8": "failed",
    "9": "unknown",
}
PLAYED_SECONDS = 20  # how long the sandbox says a <Play> lasted


class TwilioError(Exception):
    """An error Twilio answers as ``{code, message, more_info, status}``."""

    def __init__(self, status: int, code: int, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def body(self) -> dict:
        return {
            "code": self.code,
            "message": self.message,
            "more_info": f"https://www.twilio.com/docs/errors/{self.code}",
            "status": self.status,
        }


def new_sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


# Accounts ---------------------------------------------------------------------------------------

# Every AccountSid in Twilio's OpenAPI description (twilio/twilio-oai) has this pattern.
ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")


def create_account(
    sid: str | None = None, auth_token: str | None = None, numbers: tuple[str, ...] = ()
) -> TwilioAccount:
    """A new account, owning ``numbers`` (E.164)."""
    owner = TwilioAccount.objects.create(
        sid=sid or new_sid("AC"), auth_token=auth_token or secrets.token_hex(16)
    )
    for number in numbers:
        add_number(owner, number)
    return owner


def add_number(owner: TwilioAccount, number: str) -> TwilioPhoneNumber:
    found, _ = TwilioPhoneNumber.objects.get_or_create(
        account=owner, phone_number=number, defaults={"sid": new_sid("PN")}
    )
    return found


def account(sid: str) -> TwilioAccount | None:
    """The account with ``sid``; the TWILIO_* settings' account, owning TWILIO_PHONE_NUMBER, is
    known from the start. A SID not of Twilio's form (``AC`` and 32 hex digits) names no
    account."""
    if not ACCOUNT_SID.fullmatch(sid or ""):
        return None
    found = TwilioAccount.objects.filter(sid=sid).first()
    if found is None and sid and sid == settings.TWILIO_ACCOUNT_SID:
        found, _ = TwilioAccount.objects.get_or_create(
            sid=sid, defaults={"auth_token": settings.TWILIO_AUTH_TOKEN}
        )
        if settings.TWILIO_PHONE_NUMBER:
            add_number(found, settings.TWILIO_PHONE_NUMBER)
    return found


# Callbacks --------------------------------------------------------------------------------------


def post_signed(owner: TwilioAccount, url: str, params: dict) -> requests.Response:
    """POST ``params`` to ``url`` as a form, signed with the account's Auth Token."""
    signature = RequestValidator(owner.auth_token).compute_signature(url, params)
    headers = {"X-Twilio-Signature": signature, "User-Agent": "TwilioProxy/1.1"}
    return requests.post(url, data=params, headers=headers, timeout=CALLBACK_TIMEOUT)


def in_background(work, *args) -> None:
    """Run ``work(*args)`` in a thread once the current transaction commits."""

    def run():
        try:
            work(*args)
        except Exception:
            logger.exception("sandbox.twilio.callback_failed")
        finally:
            connection.close()

    transaction.on_commit(lambda: threading.Thread(target=run, daemon=True).start())


def _notify(owner: TwilioAccount, url: str, params: dict) -> None:
    if not url:
        return
    try:
        post_signed(owner, url, params)
    except requests.RequestException as error:
        logger.warning("sandbox.twilio.callback_unreachable", extra={"error": str(error)})


# Messages ---------------------------------------------------------------------------------------


def send_message(owner: TwilioAccount, form) -> TwilioMessage:
    to, sender = form.get("To", ""), form.get("From", "")
    if not to:
        raise TwilioError(400, 21604, "A 'To' phone number is required.")
    if not sender and not form.get("MessagingServiceSid"):
        raise TwilioError(400, 21603, "A 'From' phone number is required.")
    if not form.get("Body") and not form.get("MediaUrl"):
        raise TwilioError(400, 21602, "Message body is required.")
    if to in MESSAGE_CREATE_ERRORS or not E164.match(to):
        code, message = MESSAGE_CREATE_ERRORS.get(to, MESSAGE_CREATE_ERRORS["+15005550001"])
        raise TwilioError(400, code, message.format(to=to))
    if _opted_out(owner, to, sender):
        raise TwilioError(400, *MESSAGE_CREATE_ERRORS["+15005550004"])
    message = TwilioMessage.objects.create(
        sid=new_sid("SM"),
        account=owner,
        direction="outbound-api",
        to=to,
        from_number=sender,
        body=form.get("Body", ""),
        status="queued",
        status_callback=form.get("StatusCallback", ""),
    )
    in_background(_deliver, message.pk)
    return message


def _opted_out(owner: TwilioAccount, recipient: str, sender: str) -> bool:
    """Whether the last opt-out or opt-in word ``recipient`` texted ``sender`` was an opt-out."""
    texts = TwilioMessage.objects.filter(
        account=owner, direction="inbound", from_number=recipient, to=sender
    ).order_by("-id")
    for body in texts.values_list("body", flat=True):
        word = body.strip().upper()
        if word in OPT_OUT_WORDS | OPT_IN_WORDS:
            return word in OPT_OUT_WORDS
    return False


def _deliver(message_pk: int) -> None:
    """queued → sent → delivered (or the number's ending), each status called back."""
    close_old_connections()
    message = TwilioMessage.objects.select_related("account").get(pk=message_pk)
    ending, error_code = MESSAGE_ENDINGS.get(message.to, ("delivered", None))
    for status in ("queued", "sent", ending):
        message.status = status
        message.error_code = error_code if status == ending else None
        message.save(update_fields=["status", "error_code", "updated_at"])
        params = {
            "MessageSid": message.sid,
            "SmsSid": message.sid,
            "AccountSid": message.account.sid,
            "From": message.from_number,
            "To": message.to,
            "MessageStatus": status,
            "SmsStatus": status,
            "ApiVersion": API_VERSION,
        }
        if message.error_code:
            params["ErrorCode"] = str(message.error_code)
        _notify(message.account, message.status_callback, params)


def receive_message(owner: TwilioAccount, sender: str, to: str, body: str, url: str):
    """A message from ``sender`` to the account's number ``to``, posted to ``url`` (the
    number's messaging webhook) at once; returns the message and our answer."""
    message = TwilioMessage.objects.create(
        sid=new_sid("SM"),
        account=owner,
        direction="inbound",
        to=to,
        from_number=sender,
        body=body,
        status="received",
    )
    params = {
        "MessageSid": message.sid,
        "SmsSid": message.sid,
        "SmsMessageSid": message.sid,
        "AccountSid": owner.sid,
        "From": sender,
        "To": to,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": API_VERSION,
    }
    return message, post_signed(owner, url, params)


# Calls ------------------------------------------------------------------------------------------


def place_call(owner: TwilioAccount, form) -> TwilioCall:
    to, sender = form.get("To", ""), form.get("From", "")
    if not to:
        raise TwilioError(400, 21201, "No 'To' number is specified")
    if not sender:
        raise TwilioError(400, 21213, "No 'From' number is specified")
    if not E164.match(to) or to == "+15005550001":
        raise TwilioError(400, 21211, f"Invalid 'To' Phone Number: {to}")
    if bool(form.get("Url")) == bool(form.get("Twiml")):
        raise TwilioError(400, 21205, "Give either Url or Twiml.")
    call = TwilioCall.objects.create(
        sid=new_sid("CA"),
        account=owner,
        to=to,
        from_number=sender,
        url=form.get("Url", ""),
        method=form.get("Method", "POST").upper(),
        twiml=form.get("Twiml", ""),
        machine_detection=form.get("MachineDetection", ""),
        status="queued",
        status_callback=form.get("StatusCallback", ""),
        record=form.get("Record", "").lower() == "true",
        recording_status_callback=form.get("RecordingStatusCallback", ""),
    )
    in_background(_ring, call.pk)
    return call


def call_params(call: TwilioCall, **extra) -> dict:
    params = {
        "CallSid": call.sid,
        "AccountSid": call.account.sid,
        "From": call.from_number,
        "To": call.to,
        "CallStatus": call.status,
        "Direction": "outbound-api",
        "ApiVersion": API_VERSION,
    }
    if call.answered_by:
        params["AnsweredBy"] = call.answered_by
    return {**params, **extra}


def _ring(call_pk: int) -> None:
    """Answer by the number's rule, run the call's TwiML, call back its final status, and post
    its recording when it was recorded."""
    close_old_connections()
    call = TwilioCall.objects.select_related("account").get(pk=call_pk)
    answer = CALL_ANSWERS[call.to[-1]]
    if answer in ("busy", "no-answer", "failed"):
        call.status, call.duration = answer, 0
        call.save(update_fields=["status", "duration", "updated_at"])
        _notify(call.account, call.status_callback, call_params(call, CallDuration="0"))
        return
    call.status = "in-progress"
    # Answering-machine detection reports only when asked for (MachineDetection).
    call.answered_by = answer if call.machine_detection else ""
    if call.url:
        call.twiml = _fetch_twiml(call)
    call.played = _played(call.twiml)
    call.status, call.duration = "completed", 1 + PLAYED_SECONDS * len(call.played)
    call.save()
    _notify(call.account, call.status_callback, call_params(call, CallDuration=str(call.duration)))
    if call.record:
        recording = TwilioRecording.objects.create(
            sid=new_sid("RE"), call=call, duration=call.duration
        )
        notify_recording(recording)


def _fetch_twiml(call: TwilioCall) -> str:
    """What our url answers (POST or GET, signed); an unreachable url ends the call (11200)."""
    params = call_params(call)
    try:
        if call.method == "GET":
            url = requests.Request("GET", call.url, params=params).prepare().url
            signature = RequestValidator(call.account.auth_token).compute_signature(url, {})
            headers = {"X-Twilio-Signature": signature}
            answer = requests.get(url, headers=headers, timeout=CALLBACK_TIMEOUT)
        else:
            answer = post_signed(call.account, call.url, params)
    except requests.RequestException:
        answer = None
    if answer is None or not answer.ok:
        call.error_code = 11200  # HTTP retrieval failure
        return ""
    return answer.text


def _played(twiml: str) -> list[str]:
    try:
        root = ET.fromstring(twiml)  # noqa: S314 - TwiML from our own app under test
    except ET.ParseError:
        return []
    return [(play.text or "").strip() for play in root.iter("Play")]


def recording_params(recording: TwilioRecording) -> dict:
    account_sid = recording.call.account.sid
    return {
        "AccountSid": account_sid,
        "CallSid": recording.call.sid,
        "RecordingSid": recording.sid,
        "RecordingUrl": (
            f"{settings.TWILIO_API_URL}/{API_VERSION}/Accounts/{account_sid}/Recordings/"
            f"{recording.sid}"
        ),
        "RecordingStatus": "completed",
        "RecordingDuration": str(recording.duration),
        "RecordingChannels": "1",
        "RecordingSource": "OutboundAPI",
    }


def notify_recording(recording: TwilioRecording) -> requests.Response | None:
    call = recording.call
    if not call.recording_status_callback:
        return None
    return post_signed(call.account, call.recording_status_callback, recording_params(recording))
