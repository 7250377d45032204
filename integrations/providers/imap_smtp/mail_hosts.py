"""IMAP and SMTP clients connected only to a mailbox server's checked public addresses
(``integrations.public_net``): a mailbox's servers are named by a member, so they must not become
a way to reach this machine or a private network and read the answers back in an error."""

from __future__ import annotations

import imaplib
import smtplib

from django.conf import settings

from integrations import public_net
from integrations.errors import ConfigurationError


def resolve(host: str, port: int) -> list[tuple]:
    """The addresses to connect to for ``host``, resolved once and checked
    (``public_net.resolve``); refused with ConfigurationError (internal addresses are allowed
    only with the development switch ``IMAP_SMTP_ALLOW_PRIVATE_HOSTS``)."""
    try:
        return public_net.resolve(host, port, allow_internal=settings.IMAP_SMTP_ALLOW_PRIVATE_HOSTS)
    except public_net.NotPublic as exc:
        raise ConfigurationError(str(exc), provider="smtp") from exc


class IMAP4(imaplib.IMAP4):
    """imaplib's client connected to checked addresses; ``host`` stays the name, for STARTTLS's
    SNI and certificate check."""

    def __init__(self, addresses: list[tuple], host: str, port: int, timeout: float):
        self.addresses = addresses
        super().__init__(host, port, timeout)

    def _create_socket(self, timeout):
        return public_net.connect(self.addresses, timeout)


class IMAP4_SSL(imaplib.IMAP4_SSL):
    def __init__(self, addresses: list[tuple], host: str, port: int, ssl_context, timeout: float):
        self.addresses = addresses
        super().__init__(host, port, ssl_context=ssl_context, timeout=timeout)

    def _create_socket(self, timeout):
        sock = public_net.connect(self.addresses, timeout)
        return self.ssl_context.wrap_socket(sock, server_hostname=self.host)


class SMTP(smtplib.SMTP):
    """smtplib's client connected to checked addresses; the name is kept (``_host``) for
    STARTTLS's SNI and certificate check."""

    def __init__(self, addresses: list[tuple], host: str, port: int, timeout: float):
        self.addresses = addresses
        super().__init__(host, port, timeout=timeout)

    def _get_socket(self, host, port, timeout):
        return public_net.connect(self.addresses, timeout)


class SMTP_SSL(smtplib.SMTP_SSL):
    def __init__(self, addresses: list[tuple], host: str, port: int, context, timeout: float):
        self.addresses = addresses
        super().__init__(host, port, context=context, timeout=timeout)

    def _get_socket(self, host, port, timeout):
        sock = public_net.connect(self.addresses, timeout)
        return self.context.wrap_socket(sock, server_hostname=self._host)
