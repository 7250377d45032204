"""A mailbox's login and sessions: IMAP to read, SMTP to send, with a username and password.

The account's servers live in the credential's metadata (``{"username", "imap": {host, port,
security}, "smtp": {…}}``) and its password in the encrypted ``api_key``. Connections use TLS,
implicit (``ssl``) or upgraded (``starttls``); ``none`` (plain text) is allowed only for a
loopback host, or anywhere when the ``IMAP_SMTP_ALLOW_PLAINTEXT`` setting is on.
"""

from __future__ import annotations

import imaplib
import ipaddress
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass

from django.conf import settings

from integrations.errors import AuthExpired, ConfigurationError, ProviderError, Transient

from . import mail_hosts

SECURITY = ("ssl", "starttls", "none")
DEFAULT_PORTS = {
    "imap": {"ssl": 993, "starttls": 143, "none": 143},
    "smtp": {"ssl": 465, "starttls": 587, "none": 25},
}


def plaintext_allowed(host: str) -> bool:
    """Plain text only to this machine, unless the setting allows it everywhere."""
    if settings.IMAP_SMTP_ALLOW_PLAINTEXT or host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    security: str = "ssl"

    def check(self) -> None:
        """The settings themselves; where the host may be is checked on connecting
        (``mail_hosts.resolve``)."""
        if self.security not in SECURITY:
            raise ConfigurationError(f"Unknown security {self.security!r}.", provider="smtp")
        if self.security == "none" and not plaintext_allowed(self.host):
            raise ConfigurationError(
                f"{self.host} needs TLS or STARTTLS: plain text is only for this machine.",
                provider="smtp",
            )


@dataclass(frozen=True)
class MailboxLogin:
    """Where and as whom to log in; ``password`` comes from the encrypted field only."""

    username: str
    password: str
    imap: Server
    smtp: Server

    @classmethod
    def of(cls, credential) -> MailboxLogin:
        meta = credential.metadata
        if not credential.api_key or "imap" not in meta or "smtp" not in meta:
            raise ConfigurationError("The mailbox is not set up.", provider="smtp")
        return cls(
            username=meta.get("username") or credential.account,
            password=credential.api_key,
            imap=Server(**meta["imap"]),
            smtp=Server(**meta["smtp"]),
        )

    def metadata(self) -> dict:
        """What the credential's metadata keeps: everything but the password."""
        return {"username": self.username, "imap": asdict(self.imap), "smtp": asdict(self.smtp)}


class LoginFailed(ProviderError):
    """A server refused the login, or could not be reached, while a mailbox was being connected:
    the person connecting can fix it, so it answers 400 with the server's reason."""

    status_code = 400
    code = "login_failed"

    def __init__(self, protocol: str, reason: str):
        super().__init__(f"{protocol.upper()}: {reason}", provider="smtp")
        self.extra = {"fields": {protocol: [reason]}}


def _reason(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error
        text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        return f"{exc.smtp_code} {text}"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    value = exc.args[0] if exc.args else exc
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value or exc)


def _temporary_refusal(exc: Exception) -> bool:
    """A refusal the server calls temporary: an SMTP 4xx reply (454 for a login), or IMAP's
    ``[UNAVAILABLE]`` response code (RFC 5530: the authentication backend is down)."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, imaplib.IMAP4.error) and "[UNAVAILABLE]" in _reason(exc).upper()


def mapped_error(exc: Exception, protocol: str, *, login: bool = False) -> ProviderError:
    """An IMAP or SMTP failure in the error tree: a refused login means reconnecting, unless the
    server says the refusal is temporary; lost or unreachable servers and 4xx replies are
    transient; anything else is the server's error. (smtplib's errors are OSErrors, and
    imaplib's ``abort`` is an ``error``: order matters.)"""
    reason = f"{protocol.upper()}: {_reason(exc)}"
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return ProviderError(reason, provider="smtp", provider_code="tls")
    if isinstance(exc, imaplib.IMAP4.abort | smtplib.SMTPServerDisconnected):
        return Transient(reason, provider="smtp")
    if _temporary_refusal(exc):
        status = exc.smtp_code if isinstance(exc, smtplib.SMTPResponseException) else None
        return Transient(reason, provider="smtp", status=status)
    if isinstance(exc, smtplib.SMTPAuthenticationError) or (
        login and isinstance(exc, imaplib.IMAP4.error)
    ):
        return AuthExpired(reason, provider="smtp", provider_code="login_failed")
    if isinstance(exc, smtplib.SMTPResponseException):
        return ProviderError(reason, provider="smtp", status=exc.smtp_code)
    if isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException):
        return Transient(reason, provider="smtp")
    return ProviderError(reason, provider="smtp")


def _imap(login: MailboxLogin) -> imaplib.IMAP4:
    server = login.imap
    server.check()
    addresses = mail_hosts.resolve(server.host, server.port)
    context = ssl.create_default_context()
    timeout = settings.PROVIDER_TIMEOUT
    if server.security == "ssl":
        client = mail_hosts.IMAP4_SSL(addresses, server.host, server.port, context, timeout)
    else:
        client = mail_hosts.IMAP4(addresses, server.host, server.port, timeout)
        if server.security == "starttls":
            client.starttls(context)
    return client


def _smtp(login: MailboxLogin) -> smtplib.SMTP:
    server = login.smtp
    server.check()
    addresses = mail_hosts.resolve(server.host, server.port)
    context = ssl.create_default_context()
    timeout = settings.PROVIDER_TIMEOUT
    if server.security == "ssl":
        return mail_hosts.SMTP_SSL(addresses, server.host, server.port, context, timeout)
    client = mail_hosts.SMTP(addresses, server.host, server.port, timeout)
    if server.security == "starttls":
        client.starttls(context=context)
    return client


@contextmanager
def imap_session(login: MailboxLogin) -> Iterator[imaplib.IMAP4]:
    """A logged-in IMAP connection, logged out afterwards; failures raise the error tree."""
    client = None
    try:
        client = _imap(login)
        client.login(login.username, login.password)
    except (imaplib.IMAP4.error, OSError, ValueError) as exc:
        _close(client)
        raise mapped_error(exc, "imap", login=True) from None
    try:
        yield client
    except (imaplib.IMAP4.error, OSError, ValueError) as exc:
        raise mapped_error(exc, "imap") from None
    finally:
        _close(client)


@contextmanager
def smtp_session(login: MailboxLogin) -> Iterator[smtplib.SMTP]:
    """A logged-in SMTP connection, closed afterwards; failures raise the error tree."""
    client = None
    try:
        client = _smtp(login)
        client.login(login.username, login.password)
        yield client
    except (smtplib.SMTPException, OSError, ValueError) as exc:
        raise mapped_error(exc, "smtp") from None
    finally:
        _close(client)


def _close(client) -> None:
    try:
        if isinstance(client, imaplib.IMAP4):
            client.logout()
        elif client is not None:
            client.quit()
    except (imaplib.IMAP4.error, smtplib.SMTPException, OSError):
        pass  # the connection is gone either way


def check_logins(login: MailboxLogin) -> None:
    """Log in to both servers; the first refusal raises ``LoginFailed`` with its reason."""
    for protocol, session in (("imap", imap_session), ("smtp", smtp_session)):
        try:
            with session(login):
                pass
        except (ConfigurationError, ProviderError) as exc:
            reason = exc.message.removeprefix(f"{protocol.upper()}: ")
            raise LoginFailed(protocol, reason) from None
