"""Outlook through Microsoft Graph (requests).

Every sync, the first one included, runs each mail folder's delta query: ``@odata.nextLink``
pages until one carries ``@odata.deltaLink``, which the next sync starts from. The cursor holds
each folder's last link (next or delta), saved with the page it follows, so a stopped sync
resumes mid-round. A delta token Exchange no longer keeps answers 410: that folder's link is
dropped and the folder is read again from the start, once.
https://learn.microsoft.com/graph/delta-query-messages

New messages are fetched as MIME (``/messages/{id}/$value``) for the one parser every provider
shares; messages already stored only have their labels updated.
"""

from __future__ import annotations

import base64
import email
import email.policy
import logging
import time
from collections.abc import Iterator
from datetime import datetime

from integrations.errors import ProviderError
from integrations.providers.microsoft.client import GraphClient
from integrations.sync import Page

from ..models import EmailMessage
from ..store import Deleted, Fetched, Relabeled
from .base import EmailBackend, MailboxSync

logger = logging.getLogger("integrations.outlook")
# Well-known folder names, and the label their messages carry here.
FOLDERS = (("inbox", "INBOX"), ("sentitems", "SENT"))
PAGE_SIZE = 50
# Properties the sync reads; the query options go on the first call only (the links keep them).
SELECT = "id,conversationId,internetMessageId,isRead,receivedDateTime"
# Exchange files the sent copy a moment after sendMail answers: how often and how long to look.
SENT_LOOKUPS, SENT_LOOKUP_WAIT = 5, 1.0


class OutlookSync(MailboxSync):
    def pages(self, cursor) -> Iterator[Page]:
        self.client = GraphClient(self.credential)
        links = dict((cursor or {}).get("folders", {}))
        for folder, label in FOLDERS:
            yield from self._folder(folder, label, links)

    def _folder(self, folder: str, label: str, links: dict) -> Iterator[Page]:
        url, resynced = links.get(folder), False
        while True:
            try:
                answer = self._delta(folder, url)
            except ProviderError as exc:
                if exc.status != 410 or resynced:
                    raise
                logger.info("outlook.delta_expired", extra={"account": self.account_key})
                url, resynced = None, True
                continue
            next_link = answer.get("@odata.nextLink")
            url = links[folder] = next_link or answer["@odata.deltaLink"]
            yield Page(self._items(answer.get("value", []), label), {"folders": dict(links)})
            if not next_link:
                return

    def _delta(self, folder: str, url: str | None) -> dict:
        headers = {"Prefer": f"odata.maxpagesize={PAGE_SIZE}"}
        if url:
            return self.client.get_json(url, headers=headers)
        path = f"me/mailFolders/{folder}/messages/delta"
        return self.client.get_json(path, params={"$select": SELECT}, headers=headers)

    def _items(self, value: list[dict], label: str) -> list:
        removed = [entry["id"] for entry in value if "@removed" in entry]
        present = {entry["id"]: entry for entry in value if "@removed" not in entry}
        known = set(
            EmailMessage.objects.filter(
                account=self.account, provider_message_id__in=present
            ).values_list("provider_message_id", flat=True)
        )
        items: list = [Deleted(graph_id) for graph_id in removed]
        for graph_id, entry in present.items():
            labels = [label] if entry.get("isRead", True) else [label, "UNREAD"]
            if graph_id in known:
                items.append(Relabeled(graph_id, labels))
                continue
            raw = self._mime(graph_id)
            if raw is not None:
                received = entry.get("receivedDateTime")
                items.append(
                    Fetched(
                        provider_id=graph_id,
                        provider_thread_id=entry.get("conversationId", ""),
                        labels=labels,
                        raw=raw,
                        received_at=datetime.fromisoformat(received) if received else None,
                    )
                )
        return items

    def _mime(self, graph_id: str) -> bytes | None:
        """The message's MIME content; None when it was deleted meanwhile."""
        try:
            return self.client.get(f"me/messages/{graph_id}/$value").content
        except ProviderError as exc:
            if exc.status == 404:
                return None
            raise


def send(account, raw: bytes, thread_id: str | None) -> tuple[str, str]:
    """Send the MIME message with ``/me/sendMail``; Exchange threads a reply by its
    In-Reply-To and References. sendMail answers 202 without an id, so the sent copy is looked
    up in Sent Items by its Internet message id: (its Graph id, its conversationId).
    https://learn.microsoft.com/graph/api/user-sendmail"""
    client = GraphClient(account.credential)
    client.post("me/sendMail", data=base64.b64encode(raw), headers={"Content-Type": "text/plain"})
    message_id = str(email.message_from_bytes(raw, policy=email.policy.compat32)["Message-ID"])
    quoted = message_id.strip().replace("'", "''")
    for attempt in range(SENT_LOOKUPS):
        found = client.get_json(
            "me/mailFolders/sentitems/messages",
            params={"$filter": f"internetMessageId eq '{quoted}'", "$select": "id,conversationId"},
        ).get("value", [])
        if found:
            return found[0]["id"], found[0].get("conversationId", "")
        if attempt + 1 < SENT_LOOKUPS:
            time.sleep(SENT_LOOKUP_WAIT)
    # Not filed yet: keyed by its Message-ID until then (the next sync stores the copy).
    logger.warning("outlook.sent_copy_not_found", extra={"account": account.account_key})
    return message_id, thread_id or ""


BACKEND = EmailBackend(sync_job=OutlookSync, send=send)
