"""SSRF through a mailbox's servers: an IMAP/SMTP host is resolved once, every address it
resolves to is checked (the IPv4 address inside NAT64, 6to4, IPv4-compatible, IPv4-mapped and
Teredo addresses included), a name that does not resolve is refused, and the connection goes to
the address that was checked, never to a second answer for the name (DNS rebinding).

The name service and the TCP connect are the operating system's: tests answer for the one and
record the other, and the project's code runs unchanged between them."""

import socket

import pytest

from integrations.errors import ConfigurationError
from integrations.providers.imap_smtp import mailbox as imap_smtp
from integrations.providers.imap_smtp.mailbox import MailboxLogin, Server

URL = "/api/email-accounts"
PUBLIC = "93.184.215.14"  # a global address; nothing is ever sent to it (connects are recorded)


def form(imap_host: str) -> dict:
    return {
        "provider": "smtp",
        "email": "me@acme.example",
        "password": "secret-password",
        "imap": {"host": imap_host, "port": 993, "security": "ssl"},
        "smtp": {"host": "smtp.acme.example", "port": 465, "security": "ssl"},
    }


def open_session(session, login) -> None:
    with session(login):
        pass


@pytest.fixture
def no_private_hosts(settings):
    settings.IMAP_SMTP_ALLOW_PRIVATE_HOSTS = False


@pytest.fixture
def wire(monkeypatch):
    """Answers for ``*.test`` names (a list per name, one per lookup; an empty list: the name
    does not resolve), every lookup of those names, and every TCP connect attempted (refused)."""
    real_getaddrinfo = socket.getaddrinfo

    class Wire:
        answers: dict[str, list[str | None]] = {}
        lookups: list[str] = []
        connects: list[tuple] = []

    def getaddrinfo(host, port, *args, **kwargs):
        if isinstance(host, str) and host.endswith(".test"):
            Wire.lookups.append(host)
            answers = Wire.answers.get(host, [])
            address = answers.pop(0) if len(answers) > 1 else (answers or [None])[0]
            if address is None:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return real_getaddrinfo(host, port, *args, **kwargs)

    def connect(self, address):
        Wire.connects.append(address[:2])
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    return Wire


@pytest.mark.django_db
@pytest.mark.parametrize(
    "host",
    [
        "64:ff9b::a00:8",  # NAT64 of 10.0.0.8
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254 (cloud metadata)
        "2002:a00:8::1",  # 6to4 of 10.0.0.8
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "::10.0.0.8",  # IPv4-compatible
        "::169.254.169.254",
        "::ffff:10.0.0.8",  # IPv4-mapped
        "::ffff:127.0.0.1",
        "2001:0:4136:e378:8000:63bf:f5ff:fff7",  # Teredo (client 10.0.0.8)
        "64:ff9b:1::a00:8",  # local-use NAT64
    ],
)
def test_ipv6_addresses_embedding_internal_ipv4_are_refused(api_a, no_private_hosts, wire, host):
    response = api_a.post(URL, form(host), format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()) >= {"error", "code", "fields"}
    assert "private network" in response.json()["fields"]["imap"][0]
    assert wire.connects == []


@pytest.mark.django_db
def test_a_name_resolving_to_an_embedded_internal_address_is_refused(api_a, no_private_hosts, wire):
    wire.answers["nat64.test"] = ["64:ff9b::a00:8"]
    response = api_a.post(URL, form("nat64.test"), format="json")
    assert response.status_code == 400
    assert "private network" in response.json()["fields"]["imap"][0]
    assert wire.connects == []


@pytest.mark.django_db
def test_a_name_that_does_not_resolve_is_refused_before_any_connection(
    api_a, no_private_hosts, wire
):
    # Nothing at the check; an internal address if the name were looked up again to connect.
    wire.answers["flaky.test"] = [None, "10.0.0.8"]
    response = api_a.post(URL, form("flaky.test"), format="json")
    assert response.status_code == 400, response.content
    assert response.json()["fields"]["imap"] == ["flaky.test does not resolve to an address."]
    assert wire.connects == []


@pytest.mark.parametrize("protocol", ["imap", "smtp"])
@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_the_connection_goes_to_the_address_that_was_checked(
    no_private_hosts, wire, protocol, security
):
    """DNS rebinding: the name answers a public address to the check, then this machine."""
    wire.answers["rebind.test"] = [PUBLIC, "127.0.0.1"]
    server = Server("rebind.test", 1993, security)
    other = Server(PUBLIC, 1, "ssl")
    login = MailboxLogin("me", "pw", imap=server if protocol == "imap" else other, smtp=server)
    session = imap_smtp.imap_session if protocol == "imap" else imap_smtp.smtp_session
    with pytest.raises(imap_smtp.ProviderError):
        open_session(session, login)
    assert wire.lookups == ["rebind.test"]
    assert wire.connects == [(PUBLIC, 1993)]


def test_only_the_development_switch_lets_internal_addresses_through(settings, wire):
    wire.answers["internal.test"] = ["10.0.0.8"]
    login = MailboxLogin(
        "me", "pw", imap=Server("internal.test", 143, "starttls"), smtp=Server("x.test", 1)
    )
    settings.IMAP_SMTP_ALLOW_PRIVATE_HOSTS = False
    with pytest.raises(ConfigurationError, match="private network"):
        open_session(imap_smtp.imap_session, login)
    assert wire.connects == []
    settings.IMAP_SMTP_ALLOW_PRIVATE_HOSTS = True
    with pytest.raises(imap_smtp.ProviderError):
        open_session(imap_smtp.imap_session, login)
    assert wire.connects == [("10.0.0.8", 143)]
