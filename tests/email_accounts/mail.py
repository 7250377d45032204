"""Raw RFC 2822 messages for the tests."""

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime


def raw(
    sender="ann@acme.example",
    to=("me@clianta.example",),
    subject="Hello",
    body="Hi there",
    message_id=None,
    in_reply_to=None,
    references=(),
    date=datetime(2026, 11, 1, 9, 30, tzinfo=UTC),
    cc=(),
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to)
    if cc:
        message["Cc"] = ", ".join(cc)
    message["Subject"] = subject
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id or f"<{abs(hash((sender, subject, date)))}@acme.example>"
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = " ".join(references)
    message.set_content(body)
    return message.as_bytes()
