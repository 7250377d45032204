"""Real mail servers for the IMAP/SMTP tests: one Dovecot per test process (a fresh user per
test) and one aiosmtpd per test (see servers.py)."""

import os
import shutil
import ssl

import pytest

from email_accounts import services
from integrations.providers.imap_smtp.mailbox import MailboxLogin, Server
from tests.conftest import missing_service

from .servers import Mailbox, running_dovecot, running_smtp


@pytest.fixture(scope="session")
def dovecot():
    binary = shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None
    )
    if binary is None:
        missing_service("needs Dovecot: apt-get install dovecot-imapd")
    with running_dovecot(binary) as server:
        yield server


@pytest.fixture
def mailbox(dovecot) -> Mailbox:
    return dovecot.next_user()


@pytest.fixture
def smtp_server(mailbox):
    with running_smtp(mailbox) as server:
        yield server


@pytest.fixture
def smtp_starttls_server(mailbox, dovecot):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(dovecot.certificate, dovecot.root / "key.pem")
    with running_smtp(mailbox, context) as server:
        yield server


@pytest.fixture
def login(mailbox, smtp_server) -> MailboxLogin:
    return MailboxLogin(
        username=mailbox.user,
        password=mailbox.password,
        imap=Server("127.0.0.1", mailbox.server.port, "none"),
        smtp=Server("127.0.0.1", smtp_server.port, "none"),
    )


@pytest.fixture
def imap_account(workspace_a, alice, mailbox, login):
    """The mailbox connected as the API connects it (both logins checked)."""
    return services.connect_mailbox(workspace_a, alice, mailbox.user, login)
