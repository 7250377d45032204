"""Any mailbox: IMAP to read, SMTP to send, with a username and password (no OAuth, no SDK).

``mailbox``: the account's servers and login, and logged-in sessions with failures mapped into
the error tree; ``mail_hosts``: where a connection may go, and connections that go exactly there.
"""

from integrations.base import AuthKind, Provider

SMTP_PROVIDER = Provider(
    slug="smtp",
    name="IMAP / SMTP",
    category="email",
    auth=AuthKind.PASSWORD,
    endpoints=(),
    sync_schedule="email_accounts.sync_all",
    description="Any other mailbox, with its IMAP and SMTP servers and a password.",
)
