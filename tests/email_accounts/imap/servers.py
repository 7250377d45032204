"""Real mail servers on loopback for the tests: Dovecot (IMAP, with TLS on a certificate made
here) and aiosmtpd (SMTP)."""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

PASSWORD = "correct horse battery staple"

DOVECOT_CONF = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
ssl_dh = </usr/share/dovecot/dh.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
  mailbox Trash {{
    special_use = \\Trash
    auto = subscribe
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"dovecot did not start:\n{log.read_text() if log.exists() else ''}")


def write_certificate(folder: Path) -> Path:
    """A self-signed certificate for localhost (cert.pem, key.pem in ``folder``); clients trust
    it through SSL_CERT_FILE."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    (folder / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return folder / "cert.pem"


class Dovecot:
    """The users are written before Dovecot starts: it rereads its passwd-file only when the
    file's modification time (in seconds) changes."""

    USERS = 1000

    def __init__(self, root: Path, port: int, tls_port: int, prefix: str):
        self.root, self.port, self.tls_port, self.prefix = root, port, tls_port, prefix
        self.certificate = root / "cert.pem"
        self.users = iter(range(self.USERS))

    @classmethod
    def write_users(cls, path: Path, prefix: str) -> None:
        path.write_text(
            "".join(f"{prefix}{n}@mail.test:{{PLAIN}}{PASSWORD}\n" for n in range(cls.USERS))
        )
        path.chmod(0o644)

    def next_user(self) -> Mailbox:
        return Mailbox(self, f"{self.prefix}{next(self.users)}@mail.test", PASSWORD)


class Mailbox:
    """One Dovecot user, reached the way a mail client would, to put mail in or look."""

    def __init__(self, server: Dovecot, user: str, password: str):
        self.server, self.user, self.password = server, user, password

    @contextmanager
    def client(self):
        client = imaplib.IMAP4("127.0.0.1", self.server.port)
        client.login(self.user, self.password)
        try:
            yield client
        finally:
            client.logout()

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        with self.client() as client:
            status, _ = client.append(f'"{folder}"', None, None, raw)
            assert status == "OK"

    def create(self, folder: str) -> None:
        with self.client() as client:
            assert client.create(f'"{folder}"')[0] == "OK"

    def delete(self, folder: str) -> None:
        with self.client() as client:
            assert client.delete(f'"{folder}"')[0] == "OK"

    def move(self, subject: str, source: str, target: str) -> None:
        with self.client() as client:
            client.select(f'"{source}"')
            _, found = client.uid("SEARCH", "SUBJECT", f'"{subject}"')
            (uid,) = found[0].split()
            assert client.uid("COPY", uid.decode(), f'"{target}"')[0] == "OK"
            client.uid("STORE", uid.decode(), "+FLAGS", "(\\Deleted)")
            client.expunge()

    def messages(self, folder: str) -> list[bytes]:
        with self.client() as client:
            client.select(f'"{folder}"', readonly=True)
            _, data = client.uid("SEARCH", "ALL")
            uids = data[0].split()
            if not uids:
                return []
            _, fetched = client.uid("FETCH", b",".join(uids).decode(), "(BODY.PEEK[])")
            return [part[1] for part in fetched if isinstance(part, tuple)]


def _accounts() -> dict:
    """Dovecot will not run its login process as root: as root it uses its own users."""
    if os.geteuid() == 0:
        mail = pwd.getpwnam("dovecot")
        return {
            "internal_user": "dovecot",
            "internal_group": "dovecot",
            "login_user": "dovenull",
            "mail_uid": mail.pw_uid,
            "mail_gid": mail.pw_gid,
        }
    me = pwd.getpwuid(os.geteuid())
    return {
        "internal_user": me.pw_name,
        "internal_group": me.pw_name,
        "login_user": me.pw_name,
        "mail_uid": me.pw_uid,
        "mail_gid": me.pw_gid,
    }


@contextmanager
def running_dovecot(binary: str):
    """Dovecot, unprivileged, with its own configuration, users and maildirs in a temporary
    folder (not under pytest's tmp_path: Dovecot's own users must reach the mail folders)."""
    root = Path(tempfile.mkdtemp(prefix="clianta-dovecot-"))
    root.chmod(0o755)
    accounts = _accounts()
    (root / "home").mkdir()
    os.chown(root / "home", accounts["mail_uid"], accounts["mail_gid"])
    prefix = f"u{uuid.uuid4().hex[:8]}-"
    Dovecot.write_users(root / "passwd", prefix)
    write_certificate(root)
    port, tls_port = free_port(), free_port()
    conf = root / "dovecot.conf"
    conf.write_text(DOVECOT_CONF.format(root=root, port=port, tls_port=tls_port, **accounts))
    process = subprocess.Popen(
        [binary, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        _wait_for_port(port, process, root / "dovecot.log")
        yield Dovecot(root, port, tls_port, prefix)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(root, ignore_errors=True)


class SmtpServer:
    """aiosmtpd with AUTH; keeps what it was handed, or answers ``reply`` when it is set."""

    def __init__(self, mailbox: Mailbox):
        self.user, self.password = mailbox.user, mailbox.password
        self.mailbox = mailbox
        self.received = []
        #: File a copy of sent mail in the Sent folder itself, as Gmail does.
        self.files_sent_copy = False
        self.reply = "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if not self.reply.startswith("250"):
            return self.reply
        self.received.append(envelope)
        if self.files_sent_copy:
            self.mailbox.deliver(envelope.original_content, "Sent")
        return self.reply

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        login = (auth_data.login.decode(), auth_data.password.decode())
        # handled=False: aiosmtpd answers the refusal itself (535).
        return AuthResult(success=login == (self.user, self.password), handled=False)


@contextmanager
def running_smtp(mailbox: Mailbox, tls_context: ssl.SSLContext | None = None):
    """aiosmtpd on loopback: plain text, or STARTTLS required when given a TLS context."""
    handler = SmtpServer(mailbox)
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=handler.authenticate,
        auth_require_tls=tls_context is not None,
        tls_context=tls_context,
        require_starttls=tls_context is not None,
    )
    controller.start()
    handler.port = controller.port
    try:
        yield handler
    finally:
        controller.stop()
