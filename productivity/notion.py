"""Notion: the client every Notion call goes through, and pages or database rows written from
Clianta (the knowledge store's sync is in knowledge.py).

Every request waits its turn on a pace shared by all workers of the workspace (Notion allows an
average of 3 requests a second per integration); a 429 still honours Retry-After. A token Notion
refuses (401) marks the credential needs_reconnect.
https://developers.notion.com/reference/request-limits
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from integrations import health, registry
from integrations.errors import (
    RECONNECT_MESSAGE,
    AuthExpired,
    ConfigurationError,
    ProviderError,
    RateLimited,
    Transient,
    retry_after_seconds,
)
from integrations.models import IntegrationCredential

from .models import NotionPace

PAGE_SIZE = 100


def credential_of(workspace_id) -> IntegrationCredential | None:
    """The workspace's Notion credential (an active one first); None when it has none."""
    credentials = IntegrationCredential.objects.filter(workspace_id=workspace_id, provider="notion")
    return credentials.filter(status=IntegrationCredential.Status.ACTIVE).first() or (
        credentials.first()
    )


class Notion:
    """One credential's Notion: its integration's client, paced, errors mapped."""

    def __init__(self, credential: IntegrationCredential):
        self.credential = credential
        self.workspace_id = credential.workspace_id
        self.client = registry.get("notion").client(credential)

    @classmethod
    def of(cls, workspace_id) -> Notion:
        """The workspace's Notion; ConfigurationError when it is not connected."""
        credential = credential_of(workspace_id)
        if credential is None or credential.status != IntegrationCredential.Status.ACTIVE:
            raise ConfigurationError("Connect Notion first (Settings → Integrations).")
        return cls(credential)

    def call(self, request: Callable):
        import httpx
        from notion_client import APIResponseError
        from notion_client.errors import HTTPResponseError, RequestTimeoutError

        wait_turn(self.workspace_id)
        try:
            return request(self.client)
        except APIResponseError as exc:
            code = str(exc.code)
            if exc.status == 429:
                raise RateLimited(
                    "Notion's rate limit was reached.",
                    provider="notion",
                    status=429,
                    retry_after=retry_after_seconds(
                        exc.headers.get("retry-after") if exc.headers else None
                    ),
                ) from exc
            if exc.status == 401:
                # The token no longer works: the integration was removed from the Notion
                # workspace (https://developers.notion.com/reference/status-codes).
                self._needs_reconnect()
                raise AuthExpired(
                    RECONNECT_MESSAGE, provider="notion", status=401, provider_code=code
                ) from exc
            error = Transient if exc.status >= 500 else ProviderError
            raise error(
                f"Notion: {exc}", provider="notion", status=exc.status, provider_code=code
            ) from exc
        except (RequestTimeoutError, HTTPResponseError, httpx.TransportError) as exc:
            raise Transient(
                f"Notion did not answer: {type(exc).__name__}", provider="notion"
            ) from exc
        except json.JSONDecodeError as exc:  # a body cut short: the connection dropped
            raise Transient("Notion's answer was cut short.", provider="notion") from exc

    def _needs_reconnect(self) -> None:
        health.mark_needs_reconnect(self.credential, RECONNECT_MESSAGE)

    def every(self, request: Callable[[object, dict], dict]) -> list:
        """All results of a paginated endpoint (``request(client, cursor_kwargs)``)."""
        results, cursor = [], None
        while True:
            kwargs = {"page_size": PAGE_SIZE, **({"start_cursor": cursor} if cursor else {})}
            answer = self.call(lambda client, kwargs=kwargs: request(client, kwargs))
            results += answer.get("results", [])
            if not answer.get("has_more"):
                return results
            cursor = answer.get("next_cursor")


def token_works(token: str) -> bool:
    """Whether Notion accepts an internal integration token (a one-result search)."""
    from notion_client import APIResponseError

    try:
        registry.get("notion").client(IntegrationCredential(api_key=token)).search(page_size=1)
    except APIResponseError as exc:
        if exc.status in (401, 403):
            return False
        raise
    return True


def wait_turn(workspace_id) -> None:
    """Take the workspace's next request slot (a row lock orders the workers), then wait for it."""
    spacing = timedelta(seconds=1 / settings.NOTION_REQUESTS_PER_SECOND)
    with transaction.atomic():
        now = timezone.now()
        pace, _ = NotionPace.objects.select_for_update().get_or_create(
            workspace_id=workspace_id, defaults={"next_at": now}
        )
        slot = max(pace.next_at, now)
        pace.next_at = slot + spacing
        pace.save(update_fields=["next_at"])
    delay = (slot - timezone.now()).total_seconds()
    if delay > 0:
        time.sleep(delay)


def _rich(text: str) -> list[dict]:
    return [{"type": "text", "text": {"content": text[:2000]}}]


def export_meeting_notes(workspace, event, parent_page_id: str) -> dict:
    """A Notion page of meeting notes for a calendar event, under ``parent_page_id``."""
    notion = Notion.of(workspace.pk)
    when = f"{event.start:%Y-%m-%d %H:%M} to {event.end:%H:%M} {event.start:%Z}"
    children = [
        {"type": "paragraph", "paragraph": {"rich_text": _rich(when)}},
        {"type": "heading_2", "heading_2": {"rich_text": _rich("Attendees")}},
        *[
            {"type": "bulleted_list_item", "bulleted_list_item": {"rich_text": _rich(a["email"])}}
            for a in event.attendees
        ],
        {"type": "heading_2", "heading_2": {"rich_text": _rich("Notes")}},
        {"type": "paragraph", "paragraph": {"rich_text": _rich(event.description or "")}},
    ]
    page = notion.call(
        lambda c: c.pages.create(
            parent={"page_id": parent_page_id},
            properties={"title": {"title": _rich(event.title or "Meeting notes")}},
            children=children,
        )
    )
    return {"id": page["id"], "url": page.get("url", "")}


def property_value(kind: str, value):
    """A cell as the Notion property of type ``kind`` takes it (None: leave it out)."""
    if value in (None, ""):
        return None
    converters = {
        "title": lambda v: {"title": _rich(str(v))},
        "rich_text": lambda v: {"rich_text": _rich(str(v))},
        "number": lambda v: {"number": float(v)},
        "select": lambda v: {"select": {"name": str(v)[:100]}},
        "multi_select": lambda v: {
            "multi_select": [
                {"name": str(x)[:100]} for x in (v if isinstance(v, list) else str(v).split(","))
            ]
        },
        "date": lambda v: {"date": {"start": v.isoformat() if hasattr(v, "isoformat") else str(v)}},
        "email": lambda v: {"email": str(v)},
        "url": lambda v: {"url": str(v)},
        "phone_number": lambda v: {"phone_number": str(v)},
        "checkbox": lambda v: {"checkbox": bool(v) and str(v).lower() not in ("false", "0", "no")},
    }
    converter = converters.get(kind)
    return converter(value) if converter else None


def export_rows(workspace, database_id: str, rows: list[list]) -> int:
    """Add a report (a header row, then data) to a Notion database: columns go to the
    properties of the same name, converted to each property's type; the first column fills
    the title when no property has its name."""
    notion = Notion.of(workspace.pk)
    database = notion.call(lambda c: c.databases.retrieve(database_id=database_id))
    properties = {name.lower(): (name, p["type"]) for name, p in database["properties"].items()}
    title = next(name for name, p in database["properties"].items() if p["type"] == "title")
    header, data = rows[0], rows[1:]
    columns = [properties.get(str(h).lower()) for h in header]
    titled = any(c and c[1] == "title" for c in columns)
    for row in data:
        first = property_value("title", row[0] if row else "")
        values = {title: first} if first and not titled else {}
        for column, cell in zip(columns, row, strict=False):
            converted = property_value(column[1], cell) if column else None
            if converted is not None:
                values[column[0]] = converted
        notion.call(
            lambda c, values=values: c.pages.create(
                parent={"database_id": database_id}, properties=values
            )
        )
    return len(data)
