"""The IMAP wire details the IMAP sync and send need: folders, quoting, UIDs and fetched
messages, over ``imaplib`` (which leaves parsing its answers to the caller)."""

from __future__ import annotations

import base64
import imaplib
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from integrations.errors import ProviderError

# LIST answers: (flags) "delimiter" name  (RFC 3501 7.2.2); the name may be quoted or a literal.
_LIST = re.compile(rb'\((?P<flags>[^)]*)\) (?:"(?:[^"\\]|\\.)*"|NIL) (?P<name>.*)$')
_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")
# Folders not synced: not selectable, or another view of mail synced elsewhere (Gmail's
# "All Mail"), or not mail a CRM wants (RFC 6154 special-use attributes).
SKIPPED_FLAGS = {"\\noselect", "\\nonexistent", "\\all", "\\junk", "\\trash", "\\drafts"}
SENT_NAMES = ("sent", "sent items", "sent messages", "sent mail", "inbox.sent")


@dataclass(frozen=True)
class Folder:
    name: str  # as on the wire (modified UTF-7)
    flags: frozenset[str]

    @property
    def label(self) -> str:
        return decode_name(self.name)

    @property
    def is_sent(self) -> bool:
        return "\\sent" in self.flags


def check(answer: tuple, what: str):
    """The data of an OK answer; anything else raises the server's words."""
    status, data = answer
    if status != "OK":
        reason = b" ".join(d for d in data if isinstance(d, bytes)).decode(errors="replace")
        raise ProviderError(f"IMAP {what}: {reason}", provider="smtp")
    return data


def quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def decode_name(name: str) -> str:
    """Modified UTF-7 (RFC 3501 5.1.3) to text: ``&AOk-t&AOk-`` is ``été``."""

    def chunk(match: re.Match) -> str:
        encoded = match.group(1)
        if not encoded:
            return "&"
        padded = encoded.replace(",", "/") + "=" * (-len(encoded) % 4)
        return base64.b64decode(padded).decode("utf-16-be", errors="replace")

    return re.sub(r"&([^-]*)-", chunk, name)


def folders(client: imaplib.IMAP4) -> list[Folder]:
    found = []
    lines = check(client.list(), "LIST")
    for line in lines:
        if isinstance(line, tuple):  # a literal name: (b'(flags) "/" {5}', b'name')
            meta, name = line[0], line[1]
        elif isinstance(line, bytes):
            meta, name = line, None
        else:
            continue
        match = _LIST.match(meta)
        if match is None:
            continue
        name = name if name is not None else match.group("name")
        if name.startswith(b'"') and name.endswith(b'"'):
            name = re.sub(rb"\\(.)", rb"\1", name[1:-1])
        flags = frozenset(f.lower() for f in match.group("flags").decode().split())
        found.append(Folder(name.decode("ascii", errors="replace"), flags))
    return found


def synced(all_folders: list[Folder]) -> list[Folder]:
    return [f for f in all_folders if not (f.flags & SKIPPED_FLAGS)]


def sent_folder(client: imaplib.IMAP4) -> str:
    """The Sent folder: marked ``\\Sent``, else by a usual name, else created as "Sent"."""
    known = folders(client)
    for folder in known:
        if folder.is_sent:
            return folder.name
    for folder in known:
        if folder.label.lower() in SENT_NAMES:
            return folder.name
    check(client.create("Sent"), "CREATE")
    return "Sent"


def select(client: imaplib.IMAP4, name: str, *, readonly: bool = True) -> tuple[int, int]:
    """Open the folder; its UIDVALIDITY and how many messages it holds."""
    exists = check(client.select(quoted(name), readonly=readonly), f"SELECT {name}")
    return int(client.response("UIDVALIDITY")[1][0]), int(exists[0] or 0)


def uids(client: imaplib.IMAP4, criteria: str) -> list[int]:
    data = check(client.uid("SEARCH", criteria), "SEARCH")
    return sorted(int(n) for n in b" ".join(d for d in data if d).split())


def uid_set(uid_list: list[int]) -> str:
    """Sorted UIDs as an IMAP sequence set with ranges (``1:40,42``): servers limit the length
    of a command line (Dovecot: 64 kB)."""
    runs: list[list[int]] = []
    for uid in uid_list:
        if runs and uid == runs[-1][1] + 1:
            runs[-1][1] = uid
        else:
            runs.append([uid, uid])
    return ",".join(str(a) if a == b else f"{a}:{b}" for a, b in runs)


def batches(client: imaplib.IMAP4, uid_list: list[int], count: int, size: int) -> list[list[int]]:
    """The UIDs in batches of at most ``count`` messages and ``size`` bytes (a single larger
    message makes a batch of its own), from the messages' RFC822.SIZE."""
    sizes: dict[int, int] = {}
    for start in range(0, len(uid_list), 5000):
        part = uid_list[start : start + 5000]
        for line in check(client.uid("FETCH", uid_set(part), "(UID RFC822.SIZE)"), "FETCH"):
            uid, octets = _UID.search(line or b""), _SIZE.search(line or b"")
            if uid and octets:
                sizes[int(uid.group(1))] = int(octets.group(1))
    found, batch, total = [], [], 0
    for uid in uid_list:
        octets = sizes.get(uid, 0)
        if batch and (len(batch) >= count or total + octets > size):
            found.append(batch)
            batch, total = [], 0
        batch.append(uid)
        total += octets
    return [*found, batch] if batch else found


@dataclass
class WireMessage:
    uid: int
    body: bytes
    internal_date: datetime | None


def fetch(client: imaplib.IMAP4, uid_list: list[int], item: str) -> list[WireMessage]:
    """``UID FETCH`` of one body item (``BODY.PEEK[]`` or a header subset) for the UIDs."""
    if not uid_list:
        return []
    data = check(client.uid("FETCH", uid_set(uid_list), f"(UID INTERNALDATE {item})"), "FETCH")
    fetched = []
    for index, part in enumerate(data):
        if not isinstance(part, tuple):
            continue
        # UID and INTERNALDATE may come before the literal or after it.
        following = data[index + 1] if index + 1 < len(data) else b""
        meta = part[0] + b" " + (following if isinstance(following, bytes) else b"")
        uid = _UID.search(meta)
        if uid is None:
            continue
        stamp = imaplib.Internaldate2tuple(meta)
        when = datetime.fromtimestamp(time.mktime(stamp), tz=UTC) if stamp else None
        fetched.append(WireMessage(int(uid.group(1)), part[1], when))
    return fetched
