"""Gmail mailboxes of the sandbox: messages, threads, labels and history, kept in the database.

The API views (``gmail.py``) and tests in the same process share these functions. Tests put mail
in with :func:`deliver`, change it behind the client's back with :func:`relabel` and
:func:`delete`, read it with :func:`messages`, and make Gmail forget old history with
:func:`expire_history`. Every change bumps the mailbox's historyId and leaves a history record,
as Gmail's do (https://developers.google.com/workspace/gmail/api/guides/sync).

Searching is in ``gmail_search``, composing messages in ``gmail_compose``.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import Message
from html import escape, unescape

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, QuerySet

# Re-exported: callers use gmail_mailbox.compose, search and SYSTEM_LABELS.
from . import gmail_push
from .gmail_compose import compose as compose
from .gmail_search import SYSTEM_LABELS as SYSTEM_LABELS
from .gmail_search import search as search
from .models import GmailHistoryRecord, GmailMailbox, GmailMessage

SNIPPET_LENGTH = 200
_REPLY_PREFIX = re.compile(r"^(\s*(re|fwd?|aw|sv|wg|tr)\s*(\[\d+\])?\s*:)+", re.IGNORECASE)


def pack(labels: Iterable[str]) -> str:
    """Label ids as stored: space-separated, a space at each end, duplicates dropped."""
    labels = list(dict.fromkeys(labels))
    return f" {' '.join(labels)} " if labels else " "


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def new_gmail_id(internal_ms: int) -> str:
    """A Gmail-like id: 16 hex digits whose high bits grow with time."""
    return f"{((max(internal_ms, 0) << 20) | secrets.randbits(20)) % (1 << 64):016x}"


def mailbox(email: str) -> GmailMailbox:
    """The mailbox of ``email`` (case-insensitive), created empty on first use."""
    box, _ = GmailMailbox.objects.get_or_create(email=email.strip().lower())
    return box


def messages(email: str) -> QuerySet[GmailMessage]:
    """The mailbox's messages, newest first, spam and trash included."""
    return mailbox(email).messages.all()


def get(email: str, message_id: str) -> GmailMessage:
    """One message; raises GmailMessage.DoesNotExist."""
    return mailbox(email).messages.get(gmail_id=message_id)


# Reading messages


def parse(raw: bytes) -> Message:
    return message_from_bytes(raw, policy=policy.compat32)


def header_text(value) -> str:
    """A header value as Gmail's payload shows it: unfolded, RFC 2047 encoded words decoded."""
    if value is None:
        return ""
    text = re.sub(r"\r?\n(?=[ \t])", "", str(value))
    if re.search(r"[\udc80-\udcff]", text):  # raw 8-bit bytes: most likely UTF-8
        return text.encode("ascii", "surrogateescape").decode("utf-8", "replace")
    try:
        return str(make_header(decode_header(text)))
    except (HeaderParseError, LookupError, UnicodeError, ValueError):
        return text


def part_text(part: Message) -> str:
    data = part.get_payload(decode=True) or b""
    try:
        return data.decode(part.get_content_charset() or "us-ascii", "replace")
    except LookupError:
        return data.decode("latin-1")


def message_ids(value) -> list[str]:
    """The ``<id@host>`` tokens of a Message-ID, In-Reply-To or References header."""
    return re.findall(r"<[^<>\s]+>", header_text(value))


def snippet(text: str) -> str:
    """Gmail's snippet of a body text: whitespace collapsed, cut, HTML-escaped ("it&#39;s")."""
    text = " ".join(text.split())[:SNIPPET_LENGTH]
    return escape(text).replace("&#x27;", "&#39;")


def _body_text(msg: Message) -> str:
    texts: dict[str, str] = {}
    for part in msg.walk():
        kind = part.get_content_type()
        if part.is_multipart() or part.get_filename() or kind in texts:
            continue
        if kind in ("text/plain", "text/html"):
            texts[kind] = part_text(part)
    if "text/plain" in texts:
        return texts["text/plain"]
    markup = re.sub(r"(?is)<(style|script)\b.*?</\1>|<[^>]+>", " ", texts.get("text/html", ""))
    return unescape(markup)


def indexed_fields(raw: bytes) -> dict:
    """The fields of a message row that the API filters on or answers with, from its bytes."""
    msg = parse(raw)
    recipients = [header_text(v) for name in ("To", "Cc", "Bcc") for v in msg.get_all(name, [])]
    return {
        "message_id_header": (message_ids(msg["Message-ID"]) or [""])[0][:500],
        "subject": header_text(msg["Subject"]),
        "sender": header_text(msg["From"]),
        "recipients": ", ".join(recipients),
        "snippet": snippet(_body_text(msg)),
        "has_attachment": any(part.get_filename() for part in msg.walk()),
    }


def build(
    box: GmailMailbox,
    raw: bytes,
    *,
    labels: Iterable[str],
    internal_ms: int,
    thread_id: str | None = None,
    gmail_id: str | None = None,
    history_id: int = 0,
    fields: dict | None = None,
) -> GmailMessage:
    """An unsaved message row from the RFC 2822 bytes; ``fields`` (see :func:`indexed_fields`)
    spares parsing them when the caller wrote the message itself."""
    gmail_id = gmail_id or new_gmail_id(internal_ms)
    return GmailMessage(
        mailbox=box,
        gmail_id=gmail_id,
        thread_id=thread_id or gmail_id,
        labels=pack(labels),
        internal_date=internal_ms,
        history_id=history_id,
        size_estimate=len(raw),
        raw=raw,
        **(fields or indexed_fields(raw)),
    )


# Changing mailboxes


def _bump(box: GmailMailbox, count: int = 1) -> int:
    """Advance the mailbox's historyId by ``count`` (in a transaction); returns the new one."""
    GmailMailbox.objects.filter(pk=box.pk).update(history_id=F("history_id") + count)
    box.history_id = GmailMailbox.objects.values_list("history_id", flat=True).get(pk=box.pk)
    return box.history_id


def _record(message: GmailMessage, **change) -> None:
    labels = set(message.labels.split()) | set(change.get("labels_removed", "").split())
    gmail_push.announce(message.mailbox_id, labels)
    GmailHistoryRecord.objects.create(
        mailbox_id=message.mailbox_id,
        history_id=message.history_id,
        gmail_id=message.gmail_id,
        thread_id=message.thread_id,
        labels=message.labels,
        **change,
    )


def subject_key(subject: str) -> str:
    """A subject without its Re:/Fwd: prefixes, for comparing a reply's with its thread's."""
    return " ".join(_REPLY_PREFIX.sub("", subject).split()).lower()


def _thread_of(message: GmailMessage, references: list[str], requested: str | None) -> str:
    """Gmail's threading: a message joins a thread when its In-Reply-To or References name a
    message of it and the subjects match; a threadId given to send() is honoured only then.
    https://developers.google.com/workspace/gmail/api/guides/threads
    """
    if references:
        key = subject_key(message.subject)
        candidates = message.mailbox.messages.filter(message_id_header__in=references)
        related = [
            c for c in candidates.order_by("-internal_date") if subject_key(c.subject) == key
        ]
        threads = [c.thread_id for c in related]
        if requested in threads:
            return requested
        if threads:
            return threads[0]
    return message.gmail_id


def store(
    box: GmailMailbox,
    raw: bytes,
    *,
    labels: Iterable[str],
    internal_ms: int | None = None,
    thread_id: str | None = None,
) -> GmailMessage:
    """Store a new message, threaded as Gmail would (``thread_id``: the one the client asked
    for); records messageAdded."""
    internal_ms = now_ms() if internal_ms is None else internal_ms
    with transaction.atomic():
        message = build(box, raw, labels=labels, internal_ms=internal_ms, history_id=_bump(box))
        msg = parse(raw)
        references = message_ids(msg["In-Reply-To"]) + message_ids(msg["References"])
        message.thread_id = _thread_of(message, references, thread_id)
        message.save()
        _record(message, message_added=True)
    return message


def _insert_many(model, rows: list[dict]) -> None:
    """INSERT plain rows with one executemany: the ORM's bulk_create spends most of a seeding
    run preparing values, one field at a time."""
    fields = [model._meta.get_field(name) for name in rows[0]]
    quote = connection.ops.quote_name
    # Identifiers come from the model, quoted; values are parameters.
    table, columns = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, [tuple(row.values()) for row in rows])


def bulk_store(box: GmailMailbox, rows: list[GmailMessage]) -> None:
    """Save unsaved rows from :func:`build` at once, oldest first, each with its own historyId
    and messageAdded record (threads are taken as the rows have them)."""
    if not rows:
        return
    rows = sorted(rows, key=lambda row: row.internal_date)
    names = [f.attname for f in GmailMessage._meta.concrete_fields if not f.primary_key]
    with transaction.atomic():
        first = _bump(box, len(rows)) - len(rows) + 1
        for offset, row in enumerate(rows):
            row.history_id = first + offset
        _insert_many(GmailMessage, [{name: getattr(row, name) for name in names} for row in rows])
        history = [
            {
                "mailbox_id": box.pk,
                "history_id": row.history_id,
                "gmail_id": row.gmail_id,
                "thread_id": row.thread_id,
                "labels": row.labels,
                "message_added": True,
                "message_deleted": False,
                "labels_added": " ",
                "labels_removed": " ",
            }
            for row in rows
        ]
        _insert_many(GmailHistoryRecord, history)
        gmail_push.announce(box.pk, {label for row in rows for label in row.labels.split()})


def change_labels(
    box: GmailMailbox, gmail_id: str, add: Iterable[str] = (), remove: Iterable[str] = ()
) -> GmailMessage:
    """Add and remove labels; records one history entry when anything changed.
    Raises GmailMessage.DoesNotExist."""
    with transaction.atomic():
        message = box.messages.select_for_update().get(gmail_id=gmail_id)
        current, removing = message.label_ids, set(remove)
        added = [label for label in dict.fromkeys(add) if label not in current + list(removing)]
        removed = [label for label in current if label in removing]
        if not added and not removed:
            return message
        message.labels = pack([label for label in current if label not in removing] + added)
        message.history_id = _bump(box)
        message.save(update_fields=["labels", "history_id"])
        _record(message, labels_added=pack(added), labels_removed=pack(removed))
    return message


def erase(box: GmailMailbox, gmail_id: str) -> None:
    """Delete a message for good; records messageDeleted. Raises GmailMessage.DoesNotExist."""
    with transaction.atomic():
        message = box.messages.select_for_update().get(gmail_id=gmail_id)
        message.history_id = _bump(box)
        _record(message, message_deleted=True)
        message.delete()


def forget_history(box: GmailMailbox) -> int:
    """Drop all history up to now: an earlier startHistoryId answers 404, as Gmail's does once
    it no longer keeps that far back. Returns the oldest startHistoryId still answered."""
    with transaction.atomic():
        kept_from = _bump(box, 0)
        GmailMailbox.objects.filter(pk=box.pk).update(history_kept_from=kept_from)
        box.history.filter(history_id__lte=kept_from).delete()
    box.history_kept_from = kept_from
    return kept_from


def clear(box: GmailMailbox) -> int:
    """Delete every message and all history (earlier startHistoryIds 404); returns how many."""
    with transaction.atomic():
        count = box.messages.all().delete()[0]
        forget_history(box)
    return count


#: The burst the per-user quota tolerates, in seconds of its rate: Google enforces a moving
#: average that "allows short bursts" (developers.google.com/workspace/gmail/api/reference/quota).
QUOTA_BURST_SECONDS = 2


def charge(box: GmailMailbox, units: int) -> bool:
    """Spend quota units of the mailbox's budget; False when they do not fit. The budget is a
    bucket of ``QUOTA_BURST_SECONDS`` of settings.SANDBOX_GMAIL_USER_QUOTA_UNITS_PER_SECOND
    (0: unlimited), refilled at that rate."""
    rate = settings.SANDBOX_GMAIL_USER_QUOTA_UNITS_PER_SECOND
    if not rate:
        return True
    capacity = rate * QUOTA_BURST_SECONDS
    with transaction.atomic():
        row = GmailMailbox.objects.select_for_update().get(pk=box.pk)
        now = time.time()
        level = capacity if row.quota_level is None else row.quota_level
        level = min(capacity, level + (now - row.quota_checked) * rate)
        fits = level >= units
        GmailMailbox.objects.filter(pk=box.pk).update(
            quota_level=level - units if fits else level, quota_checked=now
        )
    return fits


# Helpers for tests and seeding


def deliver(
    email: str,
    *,
    sender: str | None = None,
    subject: str = "",
    body: str = "",
    to=None,
    cc=None,
    html: str | None = None,
    in_reply_to: str | None = None,
    references=None,
    labels: Iterable[str] = ("INBOX", "UNREAD"),
    attachments: Iterable[tuple] = (),
    raw: bytes | None = None,
    date: datetime | None = None,
) -> GmailMessage:
    """A message arriving in ``email``'s mailbox, threaded by its headers; ``raw`` (RFC 2822
    bytes) replaces the built message. ``date`` sets both the Date header and internalDate."""
    if date is not None and date.tzinfo is None:
        date = date.replace(tzinfo=UTC)
    if raw is None:
        if sender is None:
            raise ValueError("deliver() needs a sender, or the raw message")
        raw = compose(
            sender=sender,
            to=to or email,
            subject=subject,
            body=body,
            cc=cc,
            html=html,
            in_reply_to=in_reply_to,
            references=references,
            attachments=attachments,
            date=date,
        )
    internal_ms = int(date.timestamp() * 1000) if date else None
    return store(mailbox(email), raw, labels=labels, internal_ms=internal_ms)


def relabel(
    email: str, message_id: str, add: Iterable[str] = (), remove: Iterable[str] = ()
) -> GmailMessage:
    """Change a message's labels, as the user would in Gmail."""
    return change_labels(mailbox(email), message_id, add, remove)


def delete(email: str, message_id: str) -> None:
    """Delete a message for good, as the user emptying the trash would."""
    erase(mailbox(email), message_id)


def expire_history(email: str) -> int:
    """Forget the mailbox's history up to now; see :func:`forget_history`."""
    return forget_history(mailbox(email))
