"""Google Calendar through google-api-python-client.

First sync: ``events.list`` over a bounded window (recurring events expanded, deleted ones
included), page by page; the last page's ``nextSyncToken`` is where later syncs start. A token
Google no longer honours answers 410: the local copy is wiped and one full sync runs.
https://developers.google.com/workspace/calendar/api/guides/sync
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from integrations.errors import ProviderError
from integrations.providers.google.client import GoogleApi
from integrations.sync import Page, SyncJob

from .. import store
from ..models import CalendarIntegration

logger = logging.getLogger("integrations.google_calendar")
PAGE_SIZE = 250


class SyncTokenExpired(Exception):
    """Google no longer honours the saved sync token."""


def window() -> tuple[str, str]:
    """The span a full sync covers (recurring events expand inside it)."""
    now = timezone.now()
    start = now - timedelta(days=settings.CALENDAR_SYNC_DAYS_BACK)
    end = now + timedelta(days=settings.CALENDAR_SYNC_DAYS_AHEAD)
    return start.isoformat(), end.isoformat()


class GoogleCalendarSync(SyncJob):
    kind = "calendar"

    def __init__(self, integration: CalendarIntegration):
        super().__init__(integration.credential)
        self.integration = integration

    @property
    def account_key(self) -> str:
        return self.integration.account_key

    @property
    def account_name(self) -> str:
        return self.integration.email

    def cursor(self):
        self.integration.refresh_from_db(fields=["sync_cursor"])
        return self.integration.sync_cursor

    def store(self, page: Page):
        counts = store.store(self.integration, page.items)
        CalendarIntegration.objects.filter(pk=self.integration.pk).update(
            sync_cursor=page.cursor, last_sync_at=timezone.now()
        )
        return counts

    def reset(self) -> None:
        CalendarIntegration.objects.filter(pk=self.integration.pk).update(sync_cursor=None)
        self.integration.sync_cursor = None

    def pages(self, cursor) -> Iterator[Page]:
        self.client = GoogleApi("google_calendar", self.credential)
        if cursor and "sync_token" in cursor:
            try:
                yield from self._list(sync_token=cursor["sync_token"])
                return
            except SyncTokenExpired:
                logger.info(
                    "google_calendar.sync_token_expired", extra={"account": self.account_key}
                )
                cursor = {"wipe": True}
        yield from self._list(full=cursor or {})

    def _list(self, *, sync_token: str | None = None, full: dict | None = None) -> Iterator[Page]:
        full = full or {}
        span = full.get("window") or window()
        token = full.get("page_token")
        wipe = bool(full.get("wipe"))
        while True:
            params = {
                "calendarId": self.integration.calendar_id,
                "singleEvents": True,
                "showDeleted": True,
                "maxResults": PAGE_SIZE,
                "pageToken": token,
            }
            if sync_token:
                params["syncToken"] = sync_token
            else:
                params.update(timeMin=span[0], timeMax=span[1])
            try:
                answer = self.client.call(lambda service, p=params: service.events().list(**p))
            except ProviderError as exc:
                if exc.status == 410:
                    raise SyncTokenExpired from exc
                raise
            token = answer.get("nextPageToken")
            items = ([store.WIPE] if wipe else []) + answer.get("items", [])
            wipe = False
            if token:
                cursor = (
                    {"sync_token": sync_token}
                    if sync_token
                    else {"page_token": token, "window": span}
                )
                # Mid-list pages of an incremental sync keep the old token: re-reading is harmless.
            else:
                cursor = {"sync_token": answer["nextSyncToken"]}
            yield Page(items, cursor)
            if not token:
                return


def free_busy(integration: CalendarIntegration, start: datetime, end: datetime) -> list[dict]:
    """Busy blocks of the integration's calendar between ``start`` and ``end``."""
    client = GoogleApi("google_calendar", integration.credential)
    body = {
        "timeMin": start.isoformat(),
        "timeMax": end.isoformat(),
        "items": [{"id": integration.calendar_id}],
    }
    answer = client.call(lambda service: service.freebusy().query(body=body))
    calendar = next(iter(answer.get("calendars", {}).values()), {})
    if calendar.get("errors"):
        reason = calendar["errors"][0].get("reason")
        raise ProviderError(
            f"Google Calendar cannot read {integration.calendar_id}: {reason}",
            provider="google_calendar",
            status=404,
        )
    return calendar.get("busy", [])


@dataclass
class NewEvent:
    title: str
    start: datetime
    end: datetime
    attendees: list[str]
    description: str = ""
    location: str = ""
    add_video_conference: bool = False


def insert(integration: CalendarIntegration, event: NewEvent) -> dict:
    """Create the event, sending invitations; Google's event resource."""
    body = {
        "summary": event.title,
        "description": event.description,
        "location": event.location,
        "start": {"dateTime": event.start.isoformat(), "timeZone": integration.time_zone},
        "end": {"dateTime": event.end.isoformat(), "timeZone": integration.time_zone},
        "attendees": [{"email": email} for email in event.attendees],
    }
    if event.add_video_conference:
        body["conferenceData"] = {
            "createRequest": {
                "requestId": uuid.uuid4().hex,
                "conferenceSolutionKey": {"type": "hangoutsMeet"},
            }
        }
    client = GoogleApi("google_calendar", integration.credential)
    return client.call(
        lambda service: service.events().insert(
            calendarId=integration.calendar_id,
            body=body,
            sendUpdates="all",
            conferenceDataVersion=1 if event.add_video_conference else 0,
        )
    )


def move(integration: CalendarIntegration, event_id: str, start: datetime, end: datetime) -> dict:
    """Move the event to ``start``-``end``, telling its attendees; Google's event resource."""
    body = {
        "start": {"dateTime": start.isoformat(), "timeZone": integration.time_zone},
        "end": {"dateTime": end.isoformat(), "timeZone": integration.time_zone},
    }
    client = GoogleApi("google_calendar", integration.credential)
    return client.call(
        lambda service: service.events().patch(
            calendarId=integration.calendar_id, eventId=event_id, body=body, sendUpdates="all"
        )
    )


def cancel(integration: CalendarIntegration, event_id: str) -> None:
    """Cancel the event, telling its attendees."""
    client = GoogleApi("google_calendar", integration.credential)
    client.call(
        lambda service: service.events().delete(
            calendarId=integration.calendar_id, eventId=event_id, sendUpdates="all"
        )
    )


@dataclass(frozen=True)
class CalendarBackend:
    """A calendar provider's backend: its sync job, free/busy, and creating, moving and
    cancelling events."""

    sync_job: Callable[[CalendarIntegration], SyncJob]
    free_busy: Callable[[CalendarIntegration, datetime, datetime], list[dict]]
    insert: Callable[[CalendarIntegration, NewEvent], dict]
    move: Callable[[CalendarIntegration, str, datetime, datetime], dict]
    cancel: Callable[[CalendarIntegration, str], None]


BACKEND = CalendarBackend(
    sync_job=GoogleCalendarSync, free_busy=free_busy, insert=insert, move=move, cancel=cancel
)
