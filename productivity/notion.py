"""Notion: the client every Notion call goes through, and pages or database rows written from
Clianta (the knowledge store's sync is in knowledge.py).

Every request waits its turn on a pace shared by all workers of the workspace (Notion allows an
average of 3 requests a second per integration); a 429 still honours Retry-After. A token Notion
refuses (401) marks the credential needs_reconnect.
https://developers.notion.com/reference/request-limits
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from integrations import credentials, health, registry
from integrations.errors import RECONNECT_MESSAGE, AuthExpired
from integrations.models import IntegrationCredential
from integrations.providers.notion.client import api_errors

from .models import NotionPace

PAGE_SIZE = 100


class Notion:
    """One credential's Notion: its integration's client, paced, errors mapped; a token Notion
    refuses marks the credential needs_reconnect."""

    def __init__(self, credential: IntegrationCredential):
        self.credential = credential
        self.workspace_id = credential.workspace_id
        self.client = registry.get("notion").client(credential)

    @classmethod
    def of(cls, workspace_id) -> Notion:
        """The workspace's Notion (the credential rule of ``integrations.credentials``)."""
        return cls(credentials.use(workspace_id, "notion"))

    def call(self, request: Callable):
        wait_turn(self.workspace_id)
        try:
            with api_errors():
                return request(self.client)
        except AuthExpired:
            health.mark_needs_reconnect(self.credential, RECONNECT_MESSAGE)
            raise

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
