"""Twilio's operations: the only module (with voice_drops.py) that talks to Twilio.

The account is the workspace's stored credential (``account`` = the Account SID, ``api_key`` =
the Auth Token, ``metadata["phone_number"]`` = its number) or, failing that, the TWILIO_*
settings' shared account with the number assigned to the workspace (numbers.py says who owns a
number).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clianta import events, plans
from clianta.models import Contact, Workspace
from integrations import credentials, health, registry
from integrations.errors import RECONNECT_MESSAGE, AccountTaken, AuthExpired, Transient
from integrations.models import IntegrationCredential
from integrations.oauth import tokens
from integrations.providers.twilio.client import check_account, provider_errors
from integrations.providers.twilio.errors import NoPhoneNumber, OptedOut

from . import numbers, phones
from .models import SmsMessage, SmsOptOut, UnroutedSms

PROVIDER = "twilio"
logger = logging.getLogger("integrations.twilio")

# Twilio's default opt-out and opt-in keywords for long codes: a message that is exactly one of
# them (any case, surrounding blanks ignored). https://www.twilio.com/docs/messaging/tutorials/advanced-opt-out
OPT_OUT_KEYWORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
OPT_IN_KEYWORDS = {"START", "YES", "UNSTOP"}


@dataclass
class Account:
    """A workspace's Twilio account: the SDK client, the number it sends from, and the
    workspace's credential (None: the TWILIO_* settings)."""

    client: Any
    phone_number: str
    credential: IntegrationCredential | None

    def create(self, resource: str, **params):
        """``client.<resource>.create(**params)`` with Twilio's errors mapped; a credential Twilio
        refuses is marked needs_reconnect."""
        try:
            with provider_errors():
                return getattr(self.client, resource).create(**params)
        except AuthExpired:
            if self.credential is not None:
                health.mark_needs_reconnect(self.credential, RECONNECT_MESSAGE)
            raise


def account_for(workspace_id) -> Account:
    """The workspace's account (the credential rule of ``integrations.credentials``: its own, or
    the settings' shared one); AuthExpired or ConfigurationError when it has none to use."""
    credential = credentials.use(workspace_id, PROVIDER)
    if credential is not None:
        number = credential.metadata.get("phone_number") or ""
        missing = "The workspace's Twilio connection names no phone number to send from."
    else:
        number = numbers.assigned_number(workspace_id) or ""
        missing = (
            "No phone number of the shared Twilio account is assigned to this workspace: "
            "ask an administrator to assign one, or connect the workspace's own Twilio account."
        )
    if not number:
        raise NoPhoneNumber(missing, provider=PROVIDER)
    client = registry.get(PROVIDER).client(credential)
    return Account(client, phones.normalise(number), credential)


def connect(workspace, user, account_sid: str, auth_token: str, phone_number: str, request=None):
    """Connect the workspace's own Twilio account, sending from ``phone_number``: Twilio checks
    the SID and token and lists the number among the account's (``AccountRefused``, 400,
    otherwise), and a number another workspace already sends from on that account is refused
    (``AccountTaken``, 409), as texts to it could reach only one of them. The token is stored
    encrypted; an earlier account of the workspace is disconnected. Nothing is stored on a
    refusal."""
    number = phones.normalise(phone_number)
    name = check_account(account_sid, auth_token, number)
    if numbers.owners(account_sid, number) - {workspace.pk}:
        raise AccountTaken(
            "Another workspace already sends from this number of this Twilio account.",
            provider=PROVIDER,
        )
    with transaction.atomic():
        earlier = IntegrationCredential.objects.filter(workspace=workspace, provider=PROVIDER)
        for replaced in earlier.exclude(account=account_sid):
            tokens.disconnect(replaced, actor=user, request=request)
        metadata = {"phone_number": number, "account_name": name}
        return credentials.save_key(
            workspace, user, PROVIDER, account_sid, auth_token, metadata, request=request
        )


def callback_url(name: str, **kwargs) -> str:
    """The public URL of one of our Twilio webhooks (Twilio signs exactly this URL)."""
    return settings.PUBLIC_URL + reverse(name, kwargs=kwargs or None)


# Opt-outs ---------------------------------------------------------------------------------------


def is_opted_out(workspace_id, e164: str) -> bool:
    return SmsOptOut.objects.filter(workspace_id=workspace_id, phone=e164).exists()


def opt_out(workspace_id, e164: str, keyword: str) -> None:
    SmsOptOut.objects.get_or_create(
        workspace_id=workspace_id, phone=e164, defaults={"keyword": keyword[:20]}
    )
    logger.info("twilio.opted_out", extra={"workspace_id": str(workspace_id)})


def opt_in(workspace_id, e164: str) -> None:
    SmsOptOut.objects.filter(workspace_id=workspace_id, phone=e164).delete()
    logger.info("twilio.opted_in", extra={"workspace_id": str(workspace_id)})


def refuse_opted_out(workspace_id, e164: str) -> None:
    if is_opted_out(workspace_id, e164):
        raise OptedOut(
            f"{e164} has opted out of text messages (it replied STOP); it must reply START first.",
            provider=PROVIDER,
        )


# Outbound ---------------------------------------------------------------------------------------


def sms_used(workspace_id) -> int:
    """Texts sent since the first of this month (the plan's ``sms`` usage)."""
    start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return SmsMessage.objects.filter(
        workspace_id=workspace_id,
        direction=SmsMessage.Direction.OUTBOUND,
        created_at__gte=start,
    ).count()


def send_sms(
    workspace: Workspace, to: str, body: str, contact: Contact | None = None
) -> SmsMessage:
    """Send ``body`` to ``to`` (any format phonenumbers reads) and store the message; Twilio
    reports its progress to the status webhook. Raises InvalidPhoneNumber, OptedOut,
    ConfigurationError or a ProviderError."""
    number = phones.normalise(to)
    refuse_opted_out(workspace.pk, number)
    plans.enforce(workspace.pk, "sms")
    account = account_for(workspace.pk)
    try:
        sent = account.create(
            "messages",
            to=number,
            from_=account.phone_number,
            body=body,
            status_callback=callback_url("twilio-sms-status"),
        )
    except OptedOut:
        opt_out(workspace.pk, number, keyword="")
        raise
    message = SmsMessage.objects.create(
        workspace=workspace,
        contact=contact or phones.contact_for(workspace.pk, number),
        direction=SmsMessage.Direction.OUTBOUND,
        sid=sent.sid,
        from_number=account.phone_number,
        to_number=number,
        body=body,
        status=sent.status or SmsMessage.Status.QUEUED,
    )
    logger.info("twilio.sms_sent", extra={"sid": sent.sid, "workspace_id": str(workspace.pk)})
    return message


def apply_status(params: dict) -> bool:
    """A message status callback: move the message forward (never back). False when the
    status is not newer than the stored one. Raises Transient while the message is not stored
    yet (the callback can arrive before ``send_sms`` has stored it)."""
    sid, status = params.get("MessageSid", ""), params.get("MessageStatus", "")
    rank = SmsMessage.RANK.get(status)
    if rank is None:
        logger.info("twilio.status_ignored", extra={"sid": sid, "status": status})
        return False
    message = SmsMessage.objects.filter(sid=sid).first()
    if message is None:
        raise Transient(f"Message {sid} is not stored yet.", provider=PROVIDER)
    if not numbers.owns(message.workspace_id, params.get("AccountSid", ""), message.from_number):
        logger.warning("twilio.status_not_owned", extra={"sid": sid})
        return False
    older = [name for name, value in SmsMessage.RANK.items() if value < rank]
    error_code = params.get("ErrorCode", "")[:10]
    with transaction.atomic():
        updated = SmsMessage.objects.filter(sid=sid, status__in=older).update(
            status=status, error_code=error_code, updated_at=timezone.now()
        )
        if updated:
            events.emit(
                events.SMS_STATUS_CHANGED,
                str(message.workspace_id),
                contact_id=str(message.contact_id) if message.contact_id else None,
                message_id=str(message.pk),
                sid=sid,
                status=status,
                previous_status=message.status,
                error_code=error_code or None,
            )
    return bool(updated)


# Inbound ----------------------------------------------------------------------------------------


def record_unrouted(params: dict, sender: str, to: str, reason: str) -> None:
    """Keep a text no single workspace owns the number of, for staff to see (admin)."""
    UnroutedSms.objects.get_or_create(
        message_sid=params["MessageSid"],
        defaults={
            "account_sid": params.get("AccountSid", "")[:64],
            "from_number": sender[:40],
            "to_number": to[:40],
            "body": params.get("Body", ""),
            "reason": reason,
        },
    )
    logger.warning("twilio.sms_unrouted", extra={"sid": params["MessageSid"], "reason": reason})


def receive_sms(params: dict) -> SmsMessage | None:
    """An inbound message: stored once (by MessageSid), linked to the contact with the sender's
    number, STOP / START applied, SMS_RECEIVED announced, in the workspace that owns the number
    it was sent to. None when no workspace or several own it: the text is kept as unrouted."""
    sender = phones.normalise_or_none(params.get("From", "")) or params.get("From", "")[:20]
    to = phones.normalise_or_none(params.get("To", "")) or params.get("To", "")[:20]
    found = numbers.owners(params.get("AccountSid", ""), to)
    if len(found) != 1:
        reason = "several workspaces own the number" if found else "no workspace owns the number"
        record_unrouted(params, sender, to, reason)
        return None
    workspace_id = found.pop()
    contact = phones.contact_for(workspace_id, sender)
    body = params.get("Body", "")
    with transaction.atomic():
        message, created = SmsMessage.objects.get_or_create(
            sid=params["MessageSid"],
            defaults={
                "workspace_id": workspace_id,
                "contact": contact,
                "direction": SmsMessage.Direction.INBOUND,
                "from_number": sender,
                "to_number": to,
                "body": body,
                "status": SmsMessage.Status.RECEIVED,
            },
        )
        if not created:
            return message
        keyword = body.strip().upper()
        if keyword in OPT_OUT_KEYWORDS:
            opt_out(workspace_id, sender, keyword)
        elif keyword in OPT_IN_KEYWORDS:
            opt_in(workspace_id, sender)
        events.emit(
            events.SMS_RECEIVED,
            workspace_id,
            contact_id=str(contact.pk) if contact else None,
            phone=sender,
            body=body,
        )
    logger.info("twilio.sms_received", extra={"sid": message.sid})
    return message
