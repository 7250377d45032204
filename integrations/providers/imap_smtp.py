"""Any mailbox: IMAP to read, SMTP to send, with a username and password."""

from integrations.registry import AuthKind, Provider

SMTP = Provider(
    slug="smtp",
    name="IMAP / SMTP",
    category="email",
    auth=AuthKind.PASSWORD,
    endpoints=(),
    description="Any other mailbox, with its IMAP and SMTP servers and a password.",
)
