"""Connections that reach only the public internet.

A host named by a customer (a mailbox's server, a webhook endpoint's URL) must not become a way
to reach this machine or a private network and read the answers back. A name is resolved once;
each address it resolves to is checked (including the IPv4 address embedded in IPv4-mapped and
-compatible, NAT64, 6to4 and Teredo addresses); a name that does not resolve is refused; and the
connection is made to those checked addresses, never by resolving the name again (which would let
a name change its address between the check and the connection: DNS rebinding). TLS still sends
the name (SNI) and verifies the certificate against it.
"""

from __future__ import annotations

import ipaddress
import socket

import requests
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.connection import HTTPConnection, HTTPSConnection

# IPv6 prefixes that carry an IPv4 address in their last 32 bits.
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # RFC 4291, deprecated
# RFC 8215's local-use NAT64 prefix: where the IPv4 address sits depends on the operator's
# prefix length, so it is refused outright.
LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")


class NotPublic(OSError):
    """The name does not resolve, or resolves to an address that is not public."""


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


def resolve(host: str, port: int, *, allow_internal: bool = False) -> list[tuple]:
    """The addresses to connect to for ``host`` (``getaddrinfo`` entries), resolved once and
    checked: raises NotPublic for a name that does not resolve, or that resolves to any internal
    address (unless ``allow_internal``, a development switch)."""
    try:
        found = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        found = []
    if not found:
        raise NotPublic(f"{host} does not resolve to an address.")
    if not allow_internal and any(internal(info[4][0]) for info in found):
        raise NotPublic(f"{host} is on this machine or a private network.")
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


class _Checked:
    """urllib3's connection, resolving and checking its host on every new socket."""

    allow_internal = False

    def _new_conn(self) -> socket.socket:
        addresses = resolve(self._dns_host, self.port, allow_internal=self.allow_internal)
        sock = connect(addresses, self.timeout)
        for option in self.socket_options or ():
            sock.setsockopt(*option)
        return sock


class _CheckedHTTP(_Checked, HTTPConnection):
    pass


class _CheckedHTTPS(_Checked, HTTPSConnection):
    pass


class PublicOnlyAdapter(requests.adapters.HTTPAdapter):
    """A requests adapter whose connections go only to public addresses (checked when each
    connection is opened, so a name that changes its address is checked again). A refused
    address raises ``NotPublic`` itself, not the ``requests.ConnectionError`` urllib3 and
    requests wrap it in."""

    def __init__(self, *, allow_internal: bool = False, **kwargs):
        self.allow_internal = allow_internal
        super().__init__(**kwargs)

    def send(self, *args, **kwargs):
        try:
            return super().send(*args, **kwargs)
        except requests.ConnectionError as exc:
            # requests.ConnectionError(urllib3 ProtocolError("Connection aborted.", NotPublic))
            wrapped = exc.args[0].args if exc.args and isinstance(exc.args[0], Exception) else ()
            refused = next((e for e in wrapped if isinstance(e, NotPublic)), None)
            if refused is not None:
                raise refused from exc
            raise

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        allow = self.allow_internal
        http = type("Pool", (HTTPConnectionPool,), {})
        https = type("Pool", (HTTPSConnectionPool,), {})
        http.ConnectionCls = type("Conn", (_CheckedHTTP,), {"allow_internal": allow})
        https.ConnectionCls = type("Conn", (_CheckedHTTPS,), {"allow_internal": allow})
        self.poolmanager.pool_classes_by_scheme = {"http": http, "https": https}


def public_session(*, allow_internal: bool = False) -> requests.Session:
    """A requests session that reaches public addresses only and ignores proxy settings from
    the environment (a proxy would resolve the name itself)."""
    session = requests.Session()
    session.trust_env = False
    adapter = PublicOnlyAdapter(allow_internal=allow_internal)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
