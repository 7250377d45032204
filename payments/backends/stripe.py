"""A workspace's Stripe account, synced through the stripe SDK.

First the backfill: each kind of object listed in full, page by page (``starting_after``), the
position saved with each page. Before it starts, the newest event's id is kept: afterwards the
Events API gives every change since, oldest first (``ending_before`` pages forward in time), and
each later sync goes on from the last event seen. Events are kept 30 days: a cursor older than
that (Stripe answers 404) starts a full backfill again. Connect webhooks only ask for a sync.
https://docs.stripe.com/api/pagination, https://docs.stripe.com/api/events/list
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone

from integrations import health
from integrations.errors import RECONNECT_MESSAGE, AuthExpired, ProviderError
from integrations.providers.stripe.client import client, provider_errors
from integrations.sync import Counts, Page, SyncJob

from ..models import PaymentsAccount
from ..store import Store

logger = logging.getLogger("integrations.stripe")
PAGE_SIZE = 100
#: The backfill's lists, in order: customers first, so what follows links to them.
KINDS = ("customers", "payment_intents", "invoices", "subscriptions", "refunds")
BACKFILL, EVENTS = "backfill", "events"


@contextmanager
def calls(credential) -> Iterator[None]:
    """Stripe's errors mapped into the error tree; a refused key or an account that
    disconnected Clianta marks the credential to reconnect."""
    try:
        with provider_errors():
            yield
    except AuthExpired:
        health.mark_needs_reconnect(credential, RECONNECT_MESSAGE)
        raise


class EventsExpired(Exception):
    """Stripe no longer has the event the cursor names."""


class StripePaymentsSync(SyncJob):
    kind = "payments"

    def __init__(self, account: PaymentsAccount):
        super().__init__(account.credential)
        self.account = account

    @property
    def account_key(self) -> str:
        return self.account.account_key

    def cursor(self):
        self.account.refresh_from_db(fields=["sync_cursor"])
        return self.account.sync_cursor

    def reset(self) -> None:
        PaymentsAccount.objects.filter(pk=self.account.pk).update(sync_cursor=None)
        self.account.sync_cursor = None

    def store(self, page: Page) -> Counts:
        phase, objects = page.items
        store = Store(self.account, announce=phase == EVENTS)
        counts = Counts()
        if phase == BACKFILL:
            store.put_page([obj for obj, _ in objects])
            counts.updated += len(objects)
        else:
            for obj, deleted in objects:
                if deleted:
                    store.deleted(obj)
                    counts.deleted += 1
                else:
                    store.put(obj)
                    counts.updated += 1
            store.announce_overdue()
        PaymentsAccount.objects.filter(pk=self.account.pk).update(
            sync_cursor=page.cursor, last_sync_at=timezone.now()
        )
        return counts

    def pages(self, cursor) -> Iterator[Page]:
        self.stripe = client(self.credential).v1
        try:
            yield from self._from(cursor or self._start())
        except EventsExpired:
            logger.info("stripe.events_expired", extra={"account": self.account_key})
            yield from self._from(self._start())

    def _start(self) -> dict:
        return {"events_after": self._newest_event(), "backfill": list(KINDS), "after": None}

    def _from(self, cursor: dict) -> Iterator[Page]:
        while cursor["backfill"]:
            page = self._backfill_page(cursor)
            yield page
            cursor = page.cursor
        yield from self._events(cursor)

    # The backfill ------------------------------------------------------------------------------

    def _backfill_page(self, cursor: dict) -> Page:
        kind = cursor["backfill"][0]
        params = {"limit": PAGE_SIZE}
        if cursor["after"]:
            params["starting_after"] = cursor["after"]
        if kind == "subscriptions":
            params["status"] = "all"
        with calls(self.credential):
            found = getattr(self.stripe, kind).list(params)
        objects = [(item.to_dict(), False) for item in found.data]
        more = found.has_more and objects
        following = {
            "events_after": cursor["events_after"],
            "backfill": cursor["backfill"] if more else cursor["backfill"][1:],
            "after": objects[-1][0]["id"] if more else None,
        }
        return Page(items=(BACKFILL, objects), cursor=following)

    # Events ----------------------------------------------------------------------------------

    def _newest_event(self) -> str:
        with calls(self.credential):
            newest = self.stripe.events.list({"limit": 1}).data
        return newest[0].id if newest else ""

    def _events(self, cursor: dict) -> Iterator[Page]:
        after = cursor["events_after"]
        while True:
            found, more = self._events_after(after)
            if not found:
                return
            after = found[-1]["id"]
            objects = [
                (event["data"]["object"], event["type"].endswith(".deleted")) for event in found
            ]
            yield Page(
                items=(EVENTS, objects),
                cursor={"events_after": after, "backfill": [], "after": None},
            )
            if not more:
                return

    def _events_after(self, after: str) -> tuple[list[dict], bool]:
        """The events after ``after``, oldest first, at most a page of them (all of them when
        ``after`` is empty: the account had none when the sync began)."""
        params = {"limit": PAGE_SIZE}
        try:
            with calls(self.credential):
                if after:
                    found = self.stripe.events.list({**params, "ending_before": after})
                    return [e.to_dict() for e in reversed(found.data)], found.has_more
                listed = []
                for event in self.stripe.events.list(params).auto_paging_iter():
                    listed.append(event.to_dict())
                return list(reversed(listed)), False
        except ProviderError as exc:
            if exc.provider_code == "resource_missing":
                raise EventsExpired from exc
            raise
