"""An https front for the sandbox: a certificate made on demand for loopback, and a small
TLS-terminating forwarder to the sandbox's plain http server.

msal accepts only an https authority whose token endpoint is https too (msal/authority.py,
``canonicalize``), so the Microsoft identity endpoints are reached through this front. msal is
told to trust the generated CA with ``verify=settings.MICROSOFT_CA_BUNDLE``; nothing is patched.
"""

from __future__ import annotations

import ipaddress
import logging
import selectors
import socket
import socketserver
import ssl
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

logger = logging.getLogger("sandbox.tls")
CA_FILE, CERT_FILE, KEY_FILE = "ca.pem", "server.pem", "server-key.pem"
VALIDITY = timedelta(days=365)
CHUNK = 64 * 1024


def ensure_certificate(directory: Path) -> tuple[Path, Path, Path]:
    """The CA, server certificate and server key in ``directory``, made once (for 127.0.0.1,
    ::1 and localhost) and made again when they expire within a day. Returns their paths."""
    directory = Path(directory)
    ca_path, cert_path, key_path = (directory / name for name in (CA_FILE, CERT_FILE, KEY_FILE))
    if key_path.exists() and _valid(cert_path):
        return ca_path, cert_path, key_path
    directory.mkdir(parents=True, exist_ok=True)
    ca_pem, cert_pem, key_pem = _generate()
    key_path.touch(mode=0o600)
    key_path.write_bytes(key_pem)
    cert_path.write_bytes(cert_pem)
    ca_path.write_bytes(ca_pem)
    return ca_path, cert_path, key_path


def _valid(cert_path: Path) -> bool:
    from cryptography import x509

    if not cert_path.exists():
        return False
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    return cert.not_valid_after_utc > datetime.now(UTC) + timedelta(days=1)


def _generate() -> tuple[bytes, bytes, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.now(UTC) - timedelta(minutes=5)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Clianta sandbox CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    names = [
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.IPAddress(ipaddress.ip_address("::1")),
    ]
    ca_ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    key_pem = key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return ca.public_bytes(pem), server.public_bytes(pem) + ca.public_bytes(pem), key_pem


def _usage(cert_sign: bool):
    from cryptography import x509

    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


class _Connection(socketserver.BaseRequestHandler):
    """One client connection: TLS handshake, then bytes piped both ways to the target."""

    def handle(self):
        server: TLSForwarder = self.server
        try:
            client = server.context.wrap_socket(self.request, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            logger.info("sandbox_tls.handshake_failed", extra={"reason": str(exc)})
            return
        try:
            upstream = socket.create_connection(server.target, timeout=server.timeout)
        except OSError as exc:
            logger.warning("sandbox_tls.upstream_unreachable", extra={"reason": str(exc)})
            client.close()
            return
        with client, upstream:
            _pipe(client, upstream)


def _pipe(client: ssl.SSLSocket, upstream: socket.socket) -> None:
    peers = {client: upstream, upstream: client}
    with selectors.DefaultSelector() as selector:
        for sock in peers:
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ)
        while True:
            for key, _ in selector.select(timeout=60):
                source = key.fileobj
                try:
                    data = source.recv(CHUNK)
                    # TLS may hold decrypted bytes the selector cannot see.
                    while isinstance(source, ssl.SSLSocket) and source.pending():
                        data += source.recv(source.pending())
                except ssl.SSLWantReadError:
                    continue
                except OSError:
                    return
                if not data:
                    return
                peers[source].setblocking(True)
                peers[source].sendall(data)
                peers[source].setblocking(False)


class TLSForwarder(socketserver.ThreadingTCPServer):
    """Listens on ``listen`` (host, port; port 0 picks one) with TLS; forwards each connection
    to ``target`` (host, port) in plain TCP. ``start()`` serves in a daemon thread."""

    daemon_threads = True
    allow_reuse_address = True
    timeout = 30

    def __init__(self, listen: tuple[str, int], target: tuple[str, int], cert: Path, key: Path):
        super().__init__(listen, _Connection)
        self.target = target
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(cert, key)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="sandbox-tls", daemon=True)
        thread.start()
        return thread
