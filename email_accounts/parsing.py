"""RFC 2822 messages into what the CRM stores, with the standard ``email`` package.

Every provider hands its mail over as raw bytes (Gmail's ``format=raw``, IMAP's RFC822, Graph's
MIME content), so one parser serves them all. A malformed message never raises: what can be read
is returned and the problems are listed. The ``compat32`` policy is used, with headers decoded
here: the modern header registry costs several times as much CPU per message.
"""

from __future__ import annotations

import email
import email.header
import email.utils
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

SNIPPET_LENGTH = 200
_SPACES = re.compile(r"\s+")
_TAGS = re.compile(r"<[^>]+>")
_MESSAGE_IDS = re.compile(r"<[^<>\s]+>")


@dataclass
class ParsedMessage:
    message_id: str = ""
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    from_name: str = ""
    from_address: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    bcc: list[str] = field(default_factory=list)
    subject: str = ""
    sent_at: datetime | None = None
    text: str = ""
    html: str = ""
    attachments: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def snippet(self) -> str:
        source = self.text or _TAGS.sub(" ", self.html)
        return _SPACES.sub(" ", source).strip()[:SNIPPET_LENGTH]

    @property
    def participants(self) -> list[str]:
        return [self.from_address, *self.to, *self.cc, *self.bcc]


def _printable(text: str) -> str:
    """PostgreSQL text cannot hold NUL characters."""
    return text.replace("\x00", "")


def _decoded(value, problems: list[str], name: str) -> str:
    """A header value with its RFC 2047 encoded words decoded."""
    if value is None:
        return ""
    text = str(value)
    if "=?" not in text and text.isascii():  # no encoded word: nothing to decode
        return _printable(text)
    try:
        return _printable(str(email.header.make_header(email.header.decode_header(text))))
    except (email.errors.HeaderParseError, LookupError, UnicodeError, ValueError) as exc:
        problems.append(f"{name}: {exc}")
        return _printable(text)


def _addresses(values: list, name: str, problems: list[str]) -> list[tuple[str, str]]:
    if not values:
        return []
    try:
        pairs = email.utils.getaddresses([str(v) for v in values])
    except Exception as exc:  # a malformed header must not stop the sync
        problems.append(f"{name}: {exc}")
        return []
    return [
        (_decoded(n, problems, name), _printable(a.strip().lower())) for n, a in pairs if "@" in a
    ]


def _date(value: str, problems: list[str]) -> datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        problems.append(f"Date: cannot read {value!r}")
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _text(part, problems: list[str]) -> str:
    payload = part.get_payload(decode=True) or b""
    charset = part.get_content_charset() or "utf-8"
    try:
        return _printable(payload.decode(charset, errors="replace"))
    except LookupError:
        problems.append(f"body: unknown charset {charset!r}; read as UTF-8")
        return _printable(payload.decode("utf-8", errors="replace"))


def parse(raw: bytes) -> ParsedMessage:
    problems: list[str] = []
    message = email.message_from_bytes(raw)
    # Read in one pass: each Message.get() looks through every header.
    headers: dict[str, list] = {}
    for name, value in message.items():
        headers.setdefault(name.lower(), []).append(value)

    def first(name: str, default=""):
        return headers[name][0] if name in headers else default

    parsed = ParsedMessage(problems=problems)
    parsed.message_id = (_MESSAGE_IDS.findall(first("message-id")) or [""])[0]
    parsed.in_reply_to = (_MESSAGE_IDS.findall(first("in-reply-to")) or [""])[0]
    parsed.references = _MESSAGE_IDS.findall(first("references"))
    senders = _addresses(headers.get("from"), "From", problems)
    if senders:
        parsed.from_name, parsed.from_address = senders[0]
    parsed.to = [a for _, a in _addresses(headers.get("to"), "To", problems)]
    parsed.cc = [a for _, a in _addresses(headers.get("cc"), "Cc", problems)]
    parsed.bcc = [a for _, a in _addresses(headers.get("bcc"), "Bcc", problems)]
    parsed.subject = _decoded(first("subject", None), problems, "Subject")
    parsed.sent_at = _date(first("date"), problems)
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        content_type = part.get_content_type()
        if part.get_content_disposition() == "attachment" or filename:
            payload = part.get_payload(decode=True) or b""
            parsed.attachments.append(
                {
                    "filename": _decoded(filename, problems, "filename"),
                    "content_type": content_type,
                    "size": len(payload),
                }
            )
        elif content_type == "text/plain" and not parsed.text:
            parsed.text = _text(part, problems)
        elif content_type == "text/html" and not parsed.html:
            parsed.html = _text(part, problems)
    return parsed
