"""Any mailbox through IMAP (sync) and SMTP (send), with the standard library's clients.

Sync is incremental per folder by UID. The cursor is ``{folder: {"uidvalidity", "last_uid"}}``;
a message's provider id is ``<folder>:<uidvalidity>:<uid>``. When a folder's UIDVALIDITY changes
its UIDs mean nothing any more (RFC 3501 2.3.1.1), and a message moved to another folder gets a
new UID there: in both cases stored messages are matched to the new UIDs by Message-ID and
renamed, only the unmatched ones are fetched, and those no longer anywhere are deleted, so a
resync or a move never doubles mail.
"""

from __future__ import annotations

import email
import email.policy
import imaplib
import logging
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from integrations import health
from integrations.errors import AuthExpired, IntegrationError
from integrations.providers.imap_smtp.mailbox import MailboxLogin, imap_session, smtp_session
from integrations.sync import Page

from .. import parsing
from ..models import EmailMessage
from ..store import Deleted, Fetched
from . import imap_folders as wire
from .base import EmailBackend, MailboxSync

logger = logging.getLogger("integrations.smtp")
PAGE_SIZE = 100
# A page's bodies are held in memory together: big attachments make smaller pages.
PAGE_BYTES = 20 * 1024 * 1024
SENT_LABEL = "SENT"
HEADER_ONLY = "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"
HEADER_BATCH = 1000
ID_FIELDS = ("provider_message_id", "message_id")


def provider_id(folder: str, validity: int, uid: int) -> str:
    return f"{folder}:{validity}:{uid}"


@dataclass
class Renamed:
    """A stored message found again under another provider id (moved to another folder, or
    renumbered by a new UIDVALIDITY)."""

    old_id: str
    new_id: str
    labels: list[str]


@dataclass
class FolderPlan:
    """What one folder's sync will fetch: its new UIDs, and its highest UID once done."""

    folder: wire.Folder
    validity: int
    new_uids: list[int]
    ceiling: int
    rebased: bool

    @property
    def labels(self) -> list[str]:
        folder = self.folder
        return [folder.label, SENT_LABEL] if folder.is_sent else [folder.label]


class ImapSync(MailboxSync):
    """One pass over the folders finds the new UIDs and the stored messages gone from their
    folder; gone messages that reappear among the new ones (same Message-ID) are renamed, the
    others deleted, in one page; then each folder's new messages are fetched, page by page."""

    def pages(self, cursor) -> Iterator[Page]:
        try:
            yield from self._pages(dict(cursor or {}))
        except AuthExpired as exc:
            # Only the login raises it: the password was changed or revoked at the server.
            message = (
                f"{exc.message} The server no longer accepts the password; reconnect the mailbox."
            )
            health.mark_needs_reconnect(self.credential, message)
            raise AuthExpired(message, provider="smtp", provider_code=exc.provider_code) from None

    def _pages(self, cursor: dict) -> Iterator[Page]:
        yielded = False
        with imap_session(MailboxLogin.of(self.credential)) as client:
            plans, vanished = [], {}
            for folder in wire.synced(wire.folders(client)):
                plan, gone = self._plan(client, folder, cursor.get(folder.name))
                plans.append(plan)
                vanished.update(gone)
            if vanished or any(plan.rebased for plan in plans):
                page = self._matched(client, plans, vanished, cursor)
                cursor, yielded = page.cursor, True
                yield page
            for plan in plans:
                for page in self._fetch(client, plan, cursor):
                    cursor, yielded = page.cursor, True
                    yield page
        if not yielded:  # nothing new: the run still records when the mailbox was checked
            yield Page([], cursor)

    def _plan(self, client, folder: wire.Folder, known: dict | None):
        validity, exists = wire.select(client, folder.name)
        if known and known["uidvalidity"] != validity:
            logger.info(
                "smtp.uidvalidity_changed",
                extra={"account": self.account_key, "folder": folder.label},
            )
            new = wire.uids(client, "ALL")
            gone = dict(self._stored(folder, known["uidvalidity"]).values_list(*ID_FIELDS))
            return FolderPlan(folder, validity, new, new[-1] if new else 0, True), gone
        last = known["last_uid"] if known else 0
        new = [uid for uid in wire.uids(client, f"UID {last + 1}:*") if uid > last]
        gone = self._vanished(client, folder, validity, exists - len(new))
        return FolderPlan(folder, validity, new, new[-1] if new else last, False), gone

    def _stored(self, folder: wire.Folder, validity: int):
        return EmailMessage.objects.filter(
            account=self.account,
            provider_message_id__startswith=provider_id(folder.name, validity, ""),
        )

    def _vanished(self, client, folder, validity: int, expected: int) -> dict[str, str]:
        """Stored messages of the folder no longer in it, {provider id: Message-ID}. Only when
        the counts disagree are the folder's UIDs listed and compared."""
        stored = self._stored(folder, validity)
        if stored.count() == expected:
            return {}
        present = {str(uid) for uid in wire.uids(client, "ALL")}
        return {
            stored_id: message_id
            for stored_id, message_id in stored.values_list(*ID_FIELDS)
            if stored_id.rpartition(":")[2] not in present
        }

    def _matched(self, client, plans: list[FolderPlan], vanished: dict, cursor: dict) -> Page:
        """Vanished messages found among the new ones, by Message-ID, are renamed (keeping
        their thread and contacts) and not fetched again; the others are deleted."""
        waiting = defaultdict(list)
        for old_id, message_id in vanished.items():
            if message_id:
                waiting[message_id].append(old_id)
        items = []
        for plan in plans:
            if waiting and plan.new_uids:
                wire.select(client, plan.folder.name)
                matched = set()
                for start in range(0, len(plan.new_uids), HEADER_BATCH):
                    part = plan.new_uids[start : start + HEADER_BATCH]
                    for header in wire.fetch(client, part, HEADER_ONLY):
                        old_ids = waiting.get(parsing.parse(header.body).message_id)
                        if old_ids:
                            old_id = old_ids.pop()
                            del vanished[old_id]
                            new_id = provider_id(plan.folder.name, plan.validity, header.uid)
                            items.append(Renamed(old_id, new_id, plan.labels))
                            matched.add(header.uid)
                plan.new_uids = [uid for uid in plan.new_uids if uid not in matched]
            if plan.rebased:
                done = plan.new_uids[0] - 1 if plan.new_uids else plan.ceiling
                cursor = {
                    **cursor,
                    plan.folder.name: {"uidvalidity": plan.validity, "last_uid": done},
                }
        items += [Deleted(old_id) for old_id in vanished]
        return Page(items, cursor)

    def _fetch(self, client, plan: FolderPlan, cursor: dict) -> Iterator[Page]:
        if not plan.new_uids:
            return
        name = plan.folder.name
        wire.select(client, name)
        chunks = wire.batches(client, plan.new_uids, PAGE_SIZE, PAGE_BYTES)
        for index, chunk in enumerate(chunks):
            done = chunk[-1] if index + 1 < len(chunks) else plan.ceiling
            items = [
                Fetched(
                    provider_id(name, plan.validity, m.uid),
                    "",
                    plan.labels,
                    m.body,
                    m.internal_date,
                )
                for m in wire.fetch(client, chunk, "BODY.PEEK[]")
            ]
            cursor = {**cursor, name: {"uidvalidity": plan.validity, "last_uid": done}}
            yield Page(items, cursor)

    def store(self, page: Page):
        renamed = {i.old_id: i for i in page.items if isinstance(i, Renamed)}
        rows = list(
            EmailMessage.objects.filter(account=self.account, provider_message_id__in=renamed)
        )
        for row in rows:
            row.provider_message_id, row.labels = (
                renamed[row.provider_message_id].new_id,
                renamed[row.provider_message_id].labels,
            )
        EmailMessage.objects.bulk_update(rows, ["provider_message_id", "labels"])
        counts = super().store(page)
        counts.updated += len(rows)
        return counts


def send(account, raw: bytes, thread_id: str | None) -> tuple[str, str]:
    """Send through SMTP; then keep a copy in the Sent folder unless the server already put
    one there (Gmail does, most servers do not). The provider id is the Sent copy's."""
    login = MailboxLogin.of(account.credential)
    message = email.message_from_bytes(raw, policy=email.policy.SMTP)
    with smtp_session(login) as smtp:
        smtp.send_message(message)  # leaves Bcc out of what is sent
    message_id = parsing.parse(raw).message_id
    try:
        return _sent_copy(login, raw, message_id), ""
    except IntegrationError as exc:
        logger.warning(
            "smtp.sent_copy_failed", extra={"account": account.account_key, "reason": exc.message}
        )
        return f"smtp:{message_id}", ""


def _sent_copy(login: MailboxLogin, raw: bytes, message_id: str) -> str:
    with imap_session(login) as client:
        folder = wire.sent_folder(client)
        validity, _ = wire.select(client, folder, readonly=False)
        search = f"HEADER Message-ID {wire.quoted(message_id)}"
        found = wire.uids(client, search)
        if not found:
            wire.check(
                client.append(
                    wire.quoted(folder), r"(\Seen)", imaplib.Time2Internaldate(time.time()), raw
                ),
                "APPEND",
            )
            found = wire.uids(client, search)
    if not found:
        return f"smtp:{message_id}"
    return provider_id(folder, validity, found[-1])


BACKEND = EmailBackend(sync_job=ImapSync, send=send)
