"""Gmail through google-api-python-client.

First sync: ``messages.list`` pages, each page's messages fetched in batches (``format=raw``);
the mailbox's historyId taken before the first page is where later syncs start. Later syncs:
``history.list`` from the saved historyId, so a sync with nothing new costs one call. A history id
Gmail no longer keeps answers 404: the cursor is dropped and one full sync runs.
https://developers.google.com/workspace/gmail/api/guides/sync
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from django.conf import settings

from integrations.errors import ProviderError
from integrations.providers.google.client import GoogleApi, batch_request, mapped_error
from integrations.sync import Page

from ..store import Deleted, Fetched, Relabeled
from .base import EmailBackend, MailboxSync

logger = logging.getLogger("integrations.gmail")
PAGE_SIZE = 100
# Google allows up to 100 calls per batch and advises against more than 50.
BATCH_SIZE = 50
# Only what the sync stores: less for Gmail to send and for us to decode.
RAW_FIELDS = "id,threadId,labelIds,internalDate,raw"
# Quota units per call (developers.google.com/workspace/gmail/api/reference/quota).
UNITS = {"profile": 1, "list": 5, "get": 5, "history": 2, "send": 100}


class QuotaBudget:
    """Gmail's per-user quota as a token bucket: spending more than the rate allows waits."""

    def __init__(self, units_per_second: float, clock=time.monotonic, sleep=time.sleep):
        self.rate = units_per_second
        self.clock, self.sleep = clock, sleep
        self.available = units_per_second
        self.checked = clock()

    def spend(self, units: float) -> float:
        """Take ``units``, waiting as long as the bucket needs to refill them; returns the wait.
        A rate of 0 means no limit."""
        if self.rate <= 0:
            return 0.0
        now = self.clock()
        self.available = min(self.rate, self.available + (now - self.checked) * self.rate)
        self.checked = now
        self.available -= units
        if self.available >= 0:
            return 0.0
        wait = -self.available / self.rate  # the debt is refilled while we wait
        self.sleep(wait)
        return wait


class HistoryExpired(Exception):
    """Gmail no longer keeps the saved history id."""


class GmailClient(GoogleApi):
    """One mailbox's Gmail API, within Gmail's per-user quota."""

    def __init__(self, credential):
        super().__init__("gmail", credential)
        self.quota = QuotaBudget(settings.GMAIL_USER_QUOTA_UNITS_PER_SECOND)

    def connect(self) -> None:
        service = self.service
        super().connect()
        if self.service is not service:
            # Built once per service: each discovery resource builds all of its methods (about
            # a millisecond for users().messages()).
            self.users_api = self.service.users()
            self.messages_api = self.users_api.messages()

    def users(self, units: int, request: Callable):
        """Call ``request(users)`` (the service's ``users()`` resource) after spending its quota
        units."""
        self.quota.spend(units)
        return self.call(lambda _service: request(self.users_api))

    def fetch_raw(self, ids: list[str]) -> list[Fetched]:
        """The messages' raw bytes, in batches; ids deleted meanwhile (404) are left out."""
        fetched = []
        for start in range(0, len(ids), BATCH_SIZE):
            chunk = ids[start : start + BATCH_SIZE]
            self.quota.spend(UNITS["get"] * len(chunk))
            self.connect()
            for attempt in (1, 2):
                answers, failures = {}, {}

                def collect(request_id, response, exception, answers=answers, failures=failures):
                    (failures if exception else answers)[request_id] = exception or response

                batch = batch_request(collect, settings.GMAIL_API_URL + "batch/gmail/v1")
                for message_id in chunk:
                    get = self.messages_api.get(
                        userId="me", id=message_id, format="raw", fields=RAW_FIELDS
                    )
                    batch.add(get, request_id=message_id)
                try:
                    batch.execute()
                except Exception as exc:
                    raise mapped_error(exc, "gmail") from exc
                if attempt == 1 and any(_status(e) == 401 for e in failures.values()):
                    self.reconnect()
                    continue
                for exc in failures.values():
                    if _status(exc) != 404:
                        raise mapped_error(exc, "gmail") from exc
                break
            fetched += [_fetched(answers[i]) for i in chunk if i in answers]
        return fetched


def _status(exc) -> int | None:
    return getattr(getattr(exc, "resp", None), "status", None)


def _fetched(message: dict) -> Fetched:
    received = datetime.fromtimestamp(int(message.get("internalDate", 0)) / 1000, tz=UTC)
    return Fetched(
        provider_id=message["id"],
        provider_thread_id=message.get("threadId", ""),
        labels=message.get("labelIds", []),
        raw=base64.urlsafe_b64decode(message["raw"] + "=" * (-len(message["raw"]) % 4)),
        received_at=received,
    )


class GmailSync(MailboxSync):
    def pages(self, cursor) -> Iterator[Page]:
        self.client = GmailClient(self.credential)
        if cursor and "history_id" in cursor:
            try:
                yield from self._incremental(cursor["history_id"])
                return
            except HistoryExpired:
                logger.info("gmail.history_expired", extra={"account": self.account_key})
                self.reset()
                cursor = None
        yield from self._full(cursor or {})

    def _full(self, cursor: dict) -> Iterator[Page]:
        start = cursor.get("start_history")
        if not start:
            profile = self.client.users(
                UNITS["profile"], lambda users: users.getProfile(userId="me")
            )
            start = profile["historyId"]
        token = cursor.get("page_token")
        while True:
            # Each call checks the token first: a long first sync outlives a token's expiry.
            listing = self.client.users(
                UNITS["list"],
                lambda users, token=token: users.messages().list(
                    userId="me", maxResults=PAGE_SIZE, pageToken=token, includeSpamTrash=False
                ),
            )
            items = self.client.fetch_raw([m["id"] for m in listing.get("messages", [])])
            token = listing.get("nextPageToken")
            yield Page(
                items,
                {"page_token": token, "start_history": start} if token else {"history_id": start},
            )
            if not token:
                return

    def _incremental(self, history_id: str) -> Iterator[Page]:
        token = None
        while True:
            try:
                answer = self.client.users(
                    UNITS["history"],
                    lambda users, token=token: users.history().list(
                        userId="me", startHistoryId=history_id, pageToken=token, maxResults=500
                    ),
                )
            except ProviderError as exc:
                if exc.status == 404:
                    raise HistoryExpired from exc
                raise
            added, deleted, relabeled = {}, set(), {}
            for record in answer.get("history", []):
                for entry in record.get("messagesAdded", []):
                    added[entry["message"]["id"]] = True
                for entry in record.get("messagesDeleted", []):
                    deleted.add(entry["message"]["id"])
                    added.pop(entry["message"]["id"], None)
                for kind in ("labelsAdded", "labelsRemoved"):
                    for entry in record.get(kind, []):
                        relabeled[entry["message"]["id"]] = entry["message"].get("labelIds", [])
            items = [Deleted(i) for i in deleted]
            items += [Relabeled(i, labels) for i, labels in relabeled.items() if i not in deleted]
            items += self.client.fetch_raw(list(added))
            token = answer.get("nextPageToken")
            # Mid-history pages keep the starting id: a resumed sync re-reads them, harmlessly.
            yield Page(items, {"history_id": history_id if token else answer["historyId"]})
            if not token:
                return


def send(account, raw: bytes, thread_id: str | None) -> tuple[str, str]:
    """Send through Gmail; (message id, thread id) as Gmail assigned them."""
    client = GmailClient(account.credential)
    body = {"raw": base64.urlsafe_b64encode(raw).decode()}
    if thread_id:
        body["threadId"] = thread_id
    sent = client.users(UNITS["send"], lambda users: users.messages().send(userId="me", body=body))
    return sent["id"], sent.get("threadId", "")


BACKEND = EmailBackend(sync_job=GmailSync, send=send)
