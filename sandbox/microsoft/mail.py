"""Outlook mailboxes of the sandbox: delivering, sending, changing and deleting messages, each
change numbered in the mailbox's sequence that delta tokens point into; and the message
resource as Graph renders it (https://learn.microsoft.com/graph/api/resources/message).

Tests and ``sandbox_seed_outlook`` call :func:`deliver`, :func:`mark_read`, :func:`delete`,
:func:`clear` and :func:`expire_delta_tokens`; Graph's sendMail calls :func:`send`.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import secrets
from datetime import UTC, datetime
from email.message import EmailMessage

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import subscriptions
from .models import OutlookMailbox, OutlookMessage

FOLDERS = ("inbox", "sentitems", "drafts", "deleteditems", "archive", "junkemail")
# Graph folder ids are opaque; the sandbox derives a stable one from the well-known name.
FOLDER_PREFIX = "AAMkAGI2TG93AAA-"


def folder_id(name: str) -> str:
    return FOLDER_PREFIX + name


def mailbox(email_address: str) -> OutlookMailbox:
    box, _ = OutlookMailbox.objects.get_or_create(email=email_address.strip().lower())
    return box


def _next_seq(box: OutlookMailbox) -> int:
    OutlookMailbox.objects.filter(pk=box.pk).update(change_seq=F("change_seq") + 1)
    box.refresh_from_db(fields=["change_seq", "delta_floor"])
    return box.change_seq


def _new_id() -> str:
    return "AAMkAGI2" + secrets.token_urlsafe(30)


def _store(box: OutlookMailbox, folder: str, raw: bytes, conversation_id: str, **fields):
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    sender = email.utils.parseaddr(str(parsed.get("From", "")))
    recipients = email.utils.getaddresses([str(v) for v in parsed.get_all("To", [])])
    with transaction.atomic():
        message = OutlookMessage.objects.create(
            mailbox=box,
            graph_id=_new_id(),
            folder=folder,
            conversation_id=conversation_id,
            internet_message_id=str(parsed.get("Message-ID", "")).strip(),
            subject=str(parsed.get("Subject", "")),
            sender=sender[1].lower(),
            sender_name=sender[0],
            to=[address.lower() for _, address in recipients if address],
            received_at=fields.pop("received_at", None) or timezone.now(),
            mime=raw,
            seq=_next_seq(box),
            **fields,
        )
        subscriptions.announce(box, folder, "created", message.graph_id)
    return message


def _conversation(box: OutlookMailbox, raw: bytes) -> str:
    """The conversation of the message it answers (In-Reply-To, then References), else new."""
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    referenced = [str(parsed.get("In-Reply-To", "")).strip()]
    referenced += reversed(str(parsed.get("References", "")).split())
    for message_id in filter(None, referenced):
        found = box.messages.filter(internet_message_id=message_id).first()
        if found is not None:
            return found.conversation_id
    return "AAQkAGI2" + secrets.token_urlsafe(24)


def compose(
    sender: str,
    to: list[str],
    subject: str,
    body: str,
    *,
    message_id: str = "",
    in_reply_to: str = "",
    date: datetime | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = email.utils.format_datetime(date or datetime.now(UTC))
    message["Message-ID"] = message_id or email.utils.make_msgid(domain="outlook.example")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message.set_content(body)
    return message.as_bytes()


def deliver(
    email_address: str,
    *,
    sender: str = "ann@acme.example",
    subject: str = "Hello",
    body: str = "Hi",
    raw: bytes | None = None,
    folder: str = "inbox",
    received_at: datetime | None = None,
    **headers,
) -> OutlookMessage:
    """A message arriving in the mailbox (or filed in ``folder``), threaded like Exchange does."""
    box = mailbox(email_address)
    raw = raw or compose(sender, [box.email], subject, body, date=received_at, **headers)
    # What the owner filed in Sent Items was read; arriving mail is not.
    read = folder == "sentitems"
    return _store(box, folder, raw, _conversation(box, raw), received_at=received_at, is_read=read)


def recipients(raw: bytes) -> list[str]:
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    fields = [str(v) for name in ("To", "Cc", "Bcc") for v in parsed.get_all(name, [])]
    return [address for _, address in email.utils.getaddresses(fields) if "@" in address]


def send(email_address: str, raw: bytes, save_to_sent: bool = True) -> OutlookMessage | None:
    """sendMail: the copy in Sent Items, in the conversation it answers; Exchange gives a
    message without a Message-ID one."""
    box = mailbox(email_address)
    if not save_to_sent:
        return None
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    if not parsed.get("Message-ID"):
        raw = f"Message-ID: {email.utils.make_msgid(domain='outlook.example')}\r\n".encode() + raw
    return _store(box, "sentitems", raw, _conversation(box, raw), is_read=True)


def _change(email_address: str, graph_id: str, **fields) -> OutlookMessage:
    box = mailbox(email_address)
    message = box.messages.get(graph_id=graph_id, deleted=False)
    for name, value in fields.items():
        setattr(message, name, value)
    message.seq = _next_seq(box)
    message.save()
    change = "deleted" if message.deleted else "updated"
    subscriptions.announce(box, message.folder, change, message.graph_id)
    return message


def mark_read(email_address: str, graph_id: str, is_read: bool = True) -> OutlookMessage:
    return _change(email_address, graph_id, is_read=is_read)


def delete(email_address: str, graph_id: str) -> OutlookMessage:
    """Delete for good: delta queries report it as ``@removed`` from then on."""
    return _change(email_address, graph_id, deleted=True)


def clear(email_address: str) -> int:
    """Delete every message of the mailbox (delta queries report them removed)."""
    box = mailbox(email_address)
    return box.messages.filter(deleted=False).update(deleted=True, seq=_next_seq(box))


def expire_delta_tokens(email_address: str) -> None:
    """Drop every sync state of the mailbox: delta and skip tokens issued so far answer 410."""
    box = mailbox(email_address)
    OutlookMailbox.objects.filter(pk=box.pk).update(
        change_seq=F("change_seq") + 1, delta_floor=F("change_seq") + 1
    )


def _address(name: str, address: str) -> dict:
    return {"emailAddress": {"name": name or address, "address": address}}


def resource(message: OutlookMessage) -> dict:
    """The message resource (the properties a delta query returns by default: the body as an
    itemBody, its first 255 characters as the preview)."""
    parsed = email.message_from_bytes(bytes(message.mime), policy=email.policy.default)
    body = parsed.get_body(("plain", "html"))
    content = body.get_content() if body is not None else ""
    kind = "html" if body is not None and body.get_content_subtype() == "html" else "text"
    sent = email.utils.parsedate_to_datetime(parsed["Date"]) if parsed["Date"] else None
    return {
        "@odata.type": "#microsoft.graph.message",
        "@odata.etag": f'W/"{message.seq}"',
        "id": message.graph_id,
        "createdDateTime": _iso(message.received_at),
        "lastModifiedDateTime": _iso(message.received_at),
        "receivedDateTime": _iso(message.received_at),
        "sentDateTime": _iso(sent or message.received_at),
        "hasAttachments": any(part.is_attachment() for part in parsed.walk()),
        "internetMessageId": message.internet_message_id,
        "subject": message.subject,
        "body": {"contentType": kind, "content": content},
        "bodyPreview": content[:255],
        "conversationId": message.conversation_id,
        "parentFolderId": folder_id(message.folder),
        "isRead": message.is_read,
        "isDraft": False,
        "from": _address(message.sender_name, message.sender),
        "sender": _address(message.sender_name, message.sender),
        "toRecipients": [_address("", address) for address in message.to],
    }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
