"""TLS is the rule: implicit TLS or STARTTLS with a verified certificate; plain text only to
this machine (or where a setting allows it)."""

import pytest

from email_accounts import services
from email_accounts.models import EmailMessage
from integrations.errors import ConfigurationError
from integrations.providers.imap_smtp.mailbox import (
    MailboxLogin,
    Server,
    check_logins,
    plaintext_allowed,
)
from tests.email_accounts.mail import raw

pytestmark = pytest.mark.django_db


@pytest.fixture
def trusted(monkeypatch, dovecot):
    """The test servers' self-signed certificate, trusted as a CA would be."""
    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot.certificate))


def test_imap_over_tls_and_smtp_over_starttls(
    trusted, dovecot, mailbox, smtp_starttls_server, workspace_a, alice
):
    login = MailboxLogin(
        mailbox.user,
        mailbox.password,
        imap=Server("localhost", dovecot.tls_port, "ssl"),
        smtp=Server("localhost", smtp_starttls_server.port, "starttls"),
    )
    account = services.connect_mailbox(workspace_a, alice, mailbox.user, login)
    mailbox.deliver(raw(subject="Secure", message_id="<secure@acme.example>"))
    assert services.sync_emails(account).created == 1
    services.send_email(account, ["ann@acme.example"], "Over TLS", "Hi")
    assert len(smtp_starttls_server.received) == 1
    assert EmailMessage.objects.count() == 2


def test_imap_over_starttls(trusted, dovecot, mailbox, smtp_starttls_server):
    check_logins(
        MailboxLogin(
            mailbox.user,
            mailbox.password,
            imap=Server("localhost", dovecot.port, "starttls"),
            smtp=Server("localhost", smtp_starttls_server.port, "starttls"),
        )
    )


def test_an_untrusted_certificate_is_refused(api_a, dovecot, mailbox, smtp_server):
    response = api_a.post(
        "/api/email-accounts",
        {
            "provider": "smtp",
            "email": mailbox.user,
            "password": mailbox.password,
            "imap": {"host": "localhost", "port": dovecot.tls_port, "security": "ssl"},
            "smtp": {"host": "127.0.0.1", "port": smtp_server.port, "security": "none"},
        },
        format="json",
    )
    assert response.status_code == 400
    assert "CERTIFICATE_VERIFY_FAILED" in response.json()["fields"]["imap"][0]


def test_plain_text_only_to_this_machine_unless_allowed(settings):
    assert plaintext_allowed("127.0.0.1") and plaintext_allowed("localhost")
    assert plaintext_allowed("::1") and not plaintext_allowed("mail.acme.example")
    with pytest.raises(ConfigurationError):
        Server("mail.acme.example", 143, "none").check()
    Server("mail.acme.example", 143, "starttls").check()
    settings.IMAP_SMTP_ALLOW_PLAINTEXT = True
    assert plaintext_allowed("mail.acme.example")
    Server("mail.acme.example", 143, "none").check()
