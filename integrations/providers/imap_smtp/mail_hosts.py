"""Where an IMAP or SMTP connection may go, and connections that go exactly there.

A mailbox's servers are named by a member, so the server must not become a way to reach this
machine or a private network and read the answers back in an error. A name is resolved once; each
address it resolves to is checked (including the IPv4 address embedded in IPv4-mapped and
-compatible, NAT64, 6to4 and Teredo addresses); a name that does not resolve is refused; and the
connection is made to those checked addresses, never by resolving the name again (which would let
a name change its address between the check and the connection: DNS rebinding). TLS still sends
the name (SNI) and verifies the certificate against it.
"""

from __future__ import annotations

import imaplib
import ipaddress
import smtplib
import socket

from django.conf import settings

from integrations.errors import ConfigurationError

# IPv6 prefixes that carry an IPv4 address in their last 32 bits.
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # RFC 4291, deprecated
# RFC 8215's local-use NAT64 prefix: where the IPv4 address sits depends on the operator's
# prefix length, so it is refused outright.
LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address stands for, if any."""
    found = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
    if ip in NAT64 or ip in IPV4_COMPATIBLE:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return [address for address in found if address is not None]


def internal(address: str) -> bool:
    """Whether an address is this machine, a private, shared or reserved network, multicast, or
    an IPv6 address standing for one of those."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if not ip.is_global or ip.is_multicast:
        return True
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in LOCAL_NAT64:
            return True
        return any(internal(str(v4)) for v4 in embedded_ipv4(ip))
    return False


def resolve(host: str, port: int) -> list[tuple]:
    """The addresses to connect to for ``host`` (``getaddrinfo`` entries), resolved once and
    checked: a name that does not resolve, or that resolves to any internal address, is refused
    with ConfigurationError (internal addresses are allowed only with the development switch
    ``IMAP_SMTP_ALLOW_PRIVATE_HOSTS``)."""
    try:
        found = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        found = []
    if not found:
        raise ConfigurationError(f"{host} does not resolve to an address.", provider="smtp")
    if not settings.IMAP_SMTP_ALLOW_PRIVATE_HOSTS and any(internal(info[4][0]) for info in found):
        raise ConfigurationError(
            f"{host} is on this machine or a private network.", provider="smtp"
        )
    return found


def connect(addresses: list[tuple], timeout: float | None) -> socket.socket:
    """A TCP connection to the first of the checked addresses that answers (as
    ``socket.create_connection`` tries a name's addresses in turn)."""
    error: OSError | None = None
    for family, kind, proto, _, address in addresses:
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            sock.connect(address)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    raise error or OSError("No address to connect to.")


class IMAP4(imaplib.IMAP4):
    """imaplib's client connected to checked addresses; ``host`` stays the name, for STARTTLS's
    SNI and certificate check."""

    def __init__(self, addresses: list[tuple], host: str, port: int, timeout: float):
        self.addresses = addresses
        super().__init__(host, port, timeout)

    def _create_socket(self, timeout):
        return connect(self.addresses, timeout)


class IMAP4_SSL(imaplib.IMAP4_SSL):
    def __init__(self, addresses: list[tuple], host: str, port: int, ssl_context, timeout: float):
        self.addresses = addresses
        super().__init__(host, port, ssl_context=ssl_context, timeout=timeout)

    def _create_socket(self, timeout):
        sock = connect(self.addresses, timeout)
        return self.ssl_context.wrap_socket(sock, server_hostname=self.host)


class SMTP(smtplib.SMTP):
    """smtplib's client connected to checked addresses; the name is kept (``_host``) for
    STARTTLS's SNI and certificate check."""

    def __init__(self, addresses: list[tuple], host: str, port: int, timeout: float):
        self.addresses = addresses
        super().__init__(host, port, timeout=timeout)

    def _get_socket(self, host, port, timeout):
        return connect(self.addresses, timeout)


class SMTP_SSL(smtplib.SMTP_SSL):
    def __init__(self, addresses: list[tuple], host: str, port: int, context, timeout: float):
        self.addresses = addresses
        super().__init__(host, port, context=context, timeout=timeout)

    def _get_socket(self, host, port, timeout):
        sock = connect(self.addresses, timeout)
        return self.context.wrap_socket(sock, server_hostname=self._host)
