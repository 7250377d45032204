"""Notion: pages shared with the workspace's integration pulled into the knowledge store (as
plain text and Markdown), and pages or database rows written from Clianta.

Every request waits its turn on a pace shared by all workers of the workspace (Notion allows an
average of 3 requests a second per integration); a 429 still honours Retry-After.
https://developers.notion.com/reference/request-limits
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clianta.models import Company, Contact
from integrations import registry
from integrations.errors import ConfigurationError, ProviderError, RateLimited, Transient
from integrations.models import IntegrationCredential
from integrations.sync import Counts

from .models import KnowledgePage, NotionPace

PAGE_SIZE = 100
_EMAILS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
MARKDOWN = {
    "heading_1": "# {}",
    "heading_2": "## {}",
    "heading_3": "### {}",
    "bulleted_list_item": "- {}",
    "numbered_list_item": "1. {}",
    "quote": "> {}",
    "toggle": "- {}",
    "paragraph": "{}",
    "callout": "> {}",
}


class Notion:
    """One workspace's Notion: its integration's client, paced, errors mapped."""

    def __init__(self, workspace_id):
        self.workspace_id = workspace_id
        self.credential = IntegrationCredential.objects.filter(
            workspace_id=workspace_id,
            provider="notion",
            status=IntegrationCredential.Status.ACTIVE,
        ).first()
        if self.credential is None:
            raise ConfigurationError("Connect Notion first (Settings → Integrations).")
        self.client = registry.get("notion").client(self.credential)

    def call(self, request: Callable):
        from notion_client import APIResponseError
        from notion_client.errors import HTTPResponseError, RequestTimeoutError

        wait_turn(self.workspace_id)
        try:
            return request(self.client)
        except APIResponseError as exc:
            code = str(exc.code)
            if exc.status == 429:
                retry_after = exc.headers.get("retry-after", "") if exc.headers else ""
                raise RateLimited(
                    "Notion's rate limit was reached.",
                    provider="notion",
                    status=429,
                    retry_after=float(retry_after) if retry_after.isdigit() else None,
                ) from exc
            error = Transient if exc.status >= 500 else ProviderError
            raise error(
                f"Notion: {exc}", provider="notion", status=exc.status, provider_code=code
            ) from exc
        except (RequestTimeoutError, HTTPResponseError) as exc:
            raise Transient(
                f"Notion did not answer: {type(exc).__name__}", provider="notion"
            ) from exc

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


def _plain(rich_text: list) -> str:
    return "".join(part.get("plain_text", "") for part in rich_text or [])


def _render(notion: Notion, block_id: str, depth: int = 0) -> tuple[list[str], list[str]]:
    """(text lines, Markdown lines) of a block's children, nested children included."""
    text, markdown = [], []
    blocks = notion.every(lambda c, kw: c.blocks.children.list(block_id=block_id, **kw))
    for block in blocks:
        kind = block.get("type", "")
        body = block.get(kind) or {}
        line = _plain(body.get("rich_text"))
        indent = "  " * depth
        if kind == "to_do":
            markdown.append(f"{indent}- [{'x' if body.get('checked') else ' '}] {line}")
        elif kind == "code":
            markdown.append(f"{indent}```{body.get('language', '')}\n{line}\n```")
        elif kind == "divider":
            markdown.append(f"{indent}---")
        elif kind == "child_page":
            line = body.get("title", "")
            markdown.append(f"{indent}[{line}]")
        else:
            markdown.append(indent + MARKDOWN.get(kind, "{}").format(line))
        if line:
            text.append(line)
        if block.get("has_children") and kind != "child_page":
            child_text, child_markdown = _render(notion, block["id"], depth + 1)
            text += child_text
            markdown += child_markdown
    return text, markdown


def _title(page: dict) -> str:
    for prop in (page.get("properties") or {}).values():
        if prop.get("type") == "title":
            return _plain(prop.get("title"))
    return ""


def sync_pages(workspace) -> Counts:
    """Pull the pages shared with the integration. Only pages edited since they were last
    pulled have their blocks fetched again; pages no longer shared are marked gone."""
    notion = Notion(workspace.pk)
    counts = Counts()
    pages = notion.every(
        lambda c, kw: c.search(
            filter={"property": "object", "value": "page"},
            sort={"direction": "descending", "timestamp": "last_edited_time"},
            **kw,
        )
    )
    known = {p.page_id: p for p in KnowledgePage.objects.filter(workspace=workspace)}
    shared = set()
    for page in pages:
        if page.get("archived") or page.get("in_trash"):
            continue
        shared.add(page["id"])
        edited = datetime.fromisoformat(page["last_edited_time"].replace("Z", "+00:00"))
        current = known.get(page["id"])
        if current is not None and current.last_edited_time == edited and not current.gone:
            counts.skip("unchanged since the last sync")
            continue
        text, markdown = _render(notion, page["id"])
        record, created = KnowledgePage.objects.update_or_create(
            workspace=workspace,
            page_id=page["id"],
            defaults={
                "title": _title(page)[:2000],
                "url": page.get("url", "")[:2000],
                "last_edited_time": edited,
                "text": "\n".join(text),
                "markdown": "\n".join(markdown),
                "gone": False,
            },
        )
        _link_mentions(workspace, record)
        counts.created += created
        counts.updated += not created
    counts.deleted += (
        KnowledgePage.objects.filter(workspace=workspace, gone=False)
        .exclude(page_id__in=shared)
        .update(gone=True)
    )
    return counts


def _link_mentions(workspace, page: KnowledgePage) -> None:
    """The contacts whose address, and the companies whose name or domain, the page mentions."""
    body = f"{page.title}\n{page.text}"
    emails = {e.lower() for e in _EMAILS.findall(body)}
    page.contacts.set(Contact.objects.filter(workspace=workspace, email__in=emails))
    lowered = body.lower()
    page.companies.set(
        [
            c
            for c in Company.objects.filter(workspace=workspace)
            if (c.name and c.name.lower() in lowered) or (c.domain and c.domain in lowered)
        ]
    )


def _rich(text: str) -> list[dict]:
    return [{"type": "text", "text": {"content": text[:2000]}}]


def export_meeting_notes(workspace, event, parent_page_id: str) -> dict:
    """A Notion page of meeting notes for a calendar event, under ``parent_page_id``."""
    notion = Notion(workspace.pk)
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
    notion = Notion(workspace.pk)
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
