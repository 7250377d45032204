"""RFC 2822 messages for tests and seeding, built with the ``email`` package; the mailbox
(``gmail_mailbox``) re-exports :func:`compose` and its :func:`~gmail_mailbox.deliver` uses it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid


def compose(
    *,
    sender: str,
    to: str | Iterable[str],
    subject: str,
    body: str,
    cc: str | Iterable[str] | None = None,
    html: str | None = None,
    in_reply_to: str | None = None,
    references: str | Iterable[str] | None = None,
    attachments: Iterable[tuple] = (),
    date: datetime | None = None,
    message_id: str | None = None,
) -> bytes:
    """RFC 2822 bytes (CRLF) built with the ``email`` package. ``attachments``: tuples
    ``(filename, data bytes, mime type)``, the type optional (application/octet-stream).
    ``date`` must be timezone-aware."""
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = sender
    message["To"] = to if isinstance(to, str) else ", ".join(to)
    if cc:
        message["Cc"] = cc if isinstance(cc, str) else ", ".join(cc)
    message["Subject"] = subject
    date = date or datetime.now(UTC)
    message["Date"] = format_datetime(date)
    domain = sender.rpartition("@")[2].strip(" >") or "sandbox.invalid"
    message["Message-ID"] = message_id or make_msgid(domain=domain)
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    references = references or in_reply_to
    if references:
        message["References"] = references if isinstance(references, str) else " ".join(references)
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for filename, data, *kind in attachments:
        maintype, _, subtype = (kind[0] if kind else "application/octet-stream").partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()
