"""RFC 2822 messages into what the CRM stores, with the standard ``email`` package.

Every provider hands its mail over as raw bytes (Gmail's ``format=raw``, IMAP's RFC822, Graph's
MIME content), so one parser serves them all. A malformed message never raises: what can be read
is returned and the problems are listed.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

SNIPPET_LENGTH = 200
_SPACES = re.compile(r"\s+")
_TAGS = re.compile(r"<[^>]+>")


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


def _ids(value: str) -> list[str]:
    return re.findall(r"<[^<>\s]+>", value or "")


def _addresses(message, name: str, problems: list[str]) -> list[tuple[str, str]]:
    try:
        values = message.get_all(name) or []
        pairs = email.utils.getaddresses([str(v) for v in values])
    except Exception as exc:  # a malformed header must not stop the sync
        problems.append(f"{name}: {exc}")
        return []
    return [(_printable(n), _printable(a.strip().lower())) for n, a in pairs if "@" in a]


def _header(message, name: str, problems: list[str]) -> str:
    try:
        return str(message.get(name, "") or "").strip()
    except Exception as exc:
        problems.append(f"{name}: {exc}")
        return ""


def _date(message, problems: list[str]) -> datetime | None:
    raw = _header(message, "Date", problems)
    if not raw:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        problems.append(f"Date: cannot read {raw!r}")
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _content(part, problems: list[str]) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError, AssertionError, KeyError) as exc:
        payload = part.get_payload(decode=True) or b""
        problems.append(f"body: {exc}; decoded as UTF-8 with replacements")
        return payload.decode("utf-8", errors="replace")


def _printable(text: str) -> str:
    """PostgreSQL text cannot hold NUL characters."""
    return text.replace("\x00", "")


def parse(raw: bytes) -> ParsedMessage:
    problems: list[str] = []
    message = email.message_from_bytes(raw, policy=email.policy.default)
    parsed = ParsedMessage(problems=problems)
    parsed.message_id = (_ids(_header(message, "Message-ID", problems)) or [""])[0]
    parsed.in_reply_to = (_ids(_header(message, "In-Reply-To", problems)) or [""])[0]
    parsed.references = _ids(_header(message, "References", problems))
    senders = _addresses(message, "From", problems)
    if senders:
        parsed.from_name, parsed.from_address = senders[0]
    for name in ("to", "cc", "bcc"):
        setattr(parsed, name, [a for _, a in _addresses(message, name.capitalize(), problems)])
    parsed.subject = _printable(_header(message, "Subject", problems))
    parsed.sent_at = _date(message, problems)
    for part in message.walk():
        if part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        filename = part.get_filename()
        if disposition == "attachment" or filename:
            payload = part.get_payload(decode=True) or b""
            parsed.attachments.append(
                {
                    "filename": filename or "",
                    "content_type": part.get_content_type(),
                    "size": len(payload),
                }
            )
        elif part.get_content_type() == "text/plain" and not parsed.text:
            parsed.text = _printable(_content(part, problems))
        elif part.get_content_type() == "text/html" and not parsed.html:
            parsed.html = _printable(_content(part, problems))
    return parsed
