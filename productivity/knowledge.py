"""The knowledge store's sync: the pages shared with a workspace's Notion integration, as plain
text and Markdown, pulled through the sync runner (one run per workspace at a time, a SyncLog
per run, retries on 429, 5xx and timeouts, needs_reconnect when Notion refuses the token).

There is no cursor. Each run lists every shared page (one search, newest edit first), fetches
the blocks only of pages that may have changed since they were stored, and stores each such page
in a transaction of its own; a run that stopped anywhere is taken up by the next one, which skips
what was stored. Pages no longer shared are marked gone once the whole listing is stored.

Notion rounds ``last_edited_time`` down to the minute
(https://developers.notion.com/changelog/last-edited-time-is-now-rounded-to-the-nearest-minute),
so an edit made in the same minute as our last read leaves the time as it was. A page is skipped
only when its time is unchanged and it was read after that minute was over (with a margin for the
clocks); otherwise it is read again, and written only if its content differs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from clianta.models import Company, Contact
from integrations import credentials, sync
from integrations.models import IntegrationCredential, SyncLog
from integrations.sync import Counts, Page, SyncJob

from .models import KnowledgePage
from .notion import Notion

UNCHANGED = "unchanged since the last sync"
# A page read at least this long after the start of its edit minute has no later edit hidden
# behind the same rounded time: the minute itself, and a minute for the clocks to differ.
SETTLED_AFTER = timedelta(minutes=2)
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


@dataclass
class Pulled:
    """A page edited since it was stored, with its blocks rendered."""

    page: dict
    text: list[str]
    markdown: list[str]
    read_at: datetime


@dataclass
class Listed:
    """The end of the listing: every page shared now, and how many were left as stored."""

    shared: set[str]
    unchanged: int


class KnowledgeSync(SyncJob):
    kind = "knowledge"

    def __init__(self, credential: IntegrationCredential):
        super().__init__(credential)
        self.workspace_id = credential.workspace_id

    @property
    def account_key(self) -> str:
        return f"productivity.knowledge:{self.workspace_id}"

    @property
    def account_name(self) -> str:
        return self.credential.metadata.get("workspace_name") or "Notion"

    def cursor(self):
        return None

    def reset(self) -> None:
        """Forget when each page was last edited, so the next run fetches every page again."""
        KnowledgePage.objects.filter(workspace_id=self.workspace_id).update(last_edited_time=None)

    def pages(self, cursor) -> Iterator[Page]:
        notion = Notion(self.credential)
        listing = notion.every(
            lambda c, kw: c.search(
                filter={"property": "object", "value": "page"},
                sort={"direction": "descending", "timestamp": "last_edited_time"},
                **kw,
            )
        )
        stored = {
            page_id: (edited, read_at)
            for page_id, edited, read_at in KnowledgePage.objects.filter(
                workspace_id=self.workspace_id, gone=False
            ).values_list("page_id", "last_edited_time", "read_at")
        }
        shared, unchanged = set(), 0
        for page in listing:
            if page.get("archived") or page.get("in_trash"):
                continue
            shared.add(page["id"])
            edited, read_at = stored.get(page["id"], (None, None))
            if edited == _edited(page) and read_at and read_at >= edited + SETTLED_AFTER:
                unchanged += 1
                continue
            read_at = timezone.now()
            text, markdown = _render(notion, page["id"])
            yield Page([Pulled(page, text, markdown, read_at)], cursor=None)
        yield Page([Listed(shared, unchanged)], cursor=None)

    def store(self, page: Page) -> Counts:
        counts = Counts()
        for item in page.items:
            if isinstance(item, Listed):
                if item.unchanged:
                    counts.skip(UNCHANGED, item.unchanged)
                counts.deleted += (
                    KnowledgePage.objects.filter(workspace_id=self.workspace_id, gone=False)
                    .exclude(page_id__in=item.shared)
                    .update(gone=True)
                )
            else:
                outcome = self._save(item)
                if outcome == UNCHANGED:
                    counts.skip(UNCHANGED)
                else:
                    setattr(counts, outcome, getattr(counts, outcome) + 1)
        return counts

    def _save(self, pulled: Pulled) -> str:
        """Upsert the page and its mentions: "created", "updated", or UNCHANGED when the page
        was read again and its content is what is stored (only the time it was read moves)."""
        page = pulled.page
        content = {
            "title": _title(page)[:2000],
            "url": page.get("url", "")[:2000],
            "text": "\n".join(pulled.text),
            "markdown": "\n".join(pulled.markdown),
            "gone": False,
        }
        edited = {"last_edited_time": _edited(page), "read_at": pulled.read_at}
        stored = KnowledgePage.objects.filter(
            workspace_id=self.workspace_id, page_id=page["id"]
        ).first()
        if stored is not None and all(getattr(stored, k) == v for k, v in content.items()):
            KnowledgePage.objects.filter(pk=stored.pk).update(**edited)
            return UNCHANGED
        record, created = KnowledgePage.objects.update_or_create(
            workspace_id=self.workspace_id, page_id=page["id"], defaults={**content, **edited}
        )
        _link_mentions(record)
        return "created" if created else "updated"


def sync_pages(workspace_id, **run_options) -> SyncLog | None:
    """Run the workspace's knowledge sync once, in this process; None without a credential."""
    credential = credentials.find(workspace_id, "notion")
    if credential is None:
        return None
    return sync.run(KnowledgeSync(credential), **run_options)


def _edited(page: dict) -> datetime:
    return datetime.fromisoformat(page["last_edited_time"].replace("Z", "+00:00"))


def _plain(rich_text: list) -> str:
    return "".join(part.get("plain_text", "") for part in rich_text or [])


def _title(page: dict) -> str:
    for prop in (page.get("properties") or {}).values():
        if prop.get("type") == "title":
            return _plain(prop.get("title"))
    return ""


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


def _link_mentions(page: KnowledgePage) -> None:
    """The contacts whose address, and the companies whose name or domain, the page mentions."""
    body = f"{page.title}\n{page.text}"
    emails = {e.lower() for e in _EMAILS.findall(body)}
    page.contacts.set(Contact.objects.filter(workspace_id=page.workspace_id, email__in=emails))
    lowered = body.lower()
    page.companies.set(
        [
            c
            for c in Company.objects.filter(workspace_id=page.workspace_id)
            if (c.name and c.name.lower() in lowered) or (c.domain and c.domain in lowered)
        ]
    )
