"""The sandbox's Notion state (Notion-Version 2022-06-28: databases hold pages), its JSON shapes,
and the helpers tests use to shape it.

- Workspaces hold pages, databases and blocks; bots (integrations) see only what is shared with
  them and everything under it. :func:`integration_token` makes an internal integration;
  OAuth (``oauth``) makes public ones sharing the pages chosen on the consent page.
- :func:`add_page`, :func:`add_database`, :func:`edit_page`, :func:`share`, :func:`unshare`,
  :func:`archive`, :func:`rows`, :func:`blocks` shape and read the content.
- Rate limit: a token bucket per bot, off by default; :func:`set_rate_limit`.
- :func:`reset` forgets everything.
"""

from __future__ import annotations

import math
import re
import secrets
import string
import time
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import NotionBlock, NotionBot, NotionObject, NotionShare, NotionWorkspace

DEFAULT_WORKSPACE = "Sandbox"
TEXT_BLOCKS = (
    "paragraph",
    "heading_1",
    "heading_2",
    "heading_3",
    "bulleted_list_item",
    "numbered_list_item",
    "to_do",
    "toggle",
    "quote",
    "code",
)
BLOCK_TYPES = (*TEXT_BLOCKS, "divider", "child_page")
DEFAULT_ANNOTATIONS = {
    "bold": False,
    "italic": False,
    "strikethrough": False,
    "underline": False,
    "code": False,
    "color": "default",
}
# The database add_database makes when no schema is given: one property of each common type.
DEFAULT_SCHEMA: dict[str, dict] = {
    "Name": {"type": "title"},
    "Stage": {
        "type": "select",
        "options": [
            {"name": "Lead", "color": "gray"},
            {"name": "Qualified", "color": "blue"},
            {"name": "Won", "color": "green"},
            {"name": "Lost", "color": "red"},
        ],
    },
    "Amount": {"type": "number", "format": "dollar"},
    "Close": {"type": "date"},
    "Email": {"type": "email"},
    "URL": {"type": "url"},
    "Done": {"type": "checkbox"},
    "Tags": {"type": "multi_select", "options": []},
    "Notes": {"type": "rich_text"},
}
OPTION_COLORS = ("default", "gray", "brown", "orange", "yellow", "green", "blue", "purple")
OPTION_COLORS += ("pink", "red")
_ALPHABET = string.ascii_letters + string.digits


class NotionError(Exception):
    """An answer Notion gives with this status, code and message."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def validation(message: str) -> NotionError:
    return NotionError(400, "validation_error", message)


def not_found(object_id: Any, kind: str = "block") -> NotionError:
    return NotionError(
        404,
        "object_not_found",
        f"Could not find {kind} with ID: {object_id}. Make sure the relevant pages and databases "
        "are shared with your integration.",
    )


def new_secret(prefix: str) -> str:
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(46))


def iso(moment: datetime) -> str:
    """Notion's timestamps: UTC, ``Z``, rounded down to the minute (``…T19:10:00.000Z``), as
    Notion gives every ``created_time`` and ``last_edited_time``
    (developers.notion.com/changelog/last-edited-time-is-now-rounded-to-the-nearest-minute)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:00.000Z")


def parse_id(value: Any) -> uuid.UUID | None:
    """A Notion id, with or without dashes (or the end of a page URL); None when it is not."""
    text = str(value or "").strip()
    match = re.search(r"([0-9a-fA-F]{32}|[0-9a-fA-F-]{36})$", text)
    try:
        return uuid.UUID(match.group(1)) if match else None
    except ValueError:
        return None


# --- Workspaces, bots, sharing ---------------------------------------------------------------


def workspace(name: str = DEFAULT_WORKSPACE) -> NotionWorkspace:
    found, _ = NotionWorkspace.objects.get_or_create(
        name=name, defaults={"workspace_id": uuid.uuid4()}
    )
    return found


def default_owner(name: str = "Sandbox User", email: str = "sandbox.user@example.com") -> dict:
    return {
        "type": "user",
        "user": {
            "object": "user",
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"notion-user:{email}")),
            "name": name,
            "avatar_url": None,
            "type": "person",
            "person": {"email": email},
        },
    }


def integration_token(workspace: str = DEFAULT_WORKSPACE, *, prefix: str = "ntn_") -> str:
    """A new internal integration of ``workspace`` (made if need be); its token. Nothing is
    shared with it yet except the pages later added with this token."""
    bot = NotionBot.objects.create(
        bot_id=uuid.uuid4(),
        workspace=globals()["workspace"](workspace),
        token=new_secret(prefix),
        owner={"type": "workspace", "workspace": True},
    )
    return bot.token


def bot_for(token: str) -> NotionBot | None:
    if not token:
        return None
    return NotionBot.objects.select_related("workspace").filter(token=token).first()


def _bot(token: str) -> NotionBot:
    bot = bot_for(token)
    if bot is None:
        raise ValueError(f"unknown Notion token {token[:8]}…")
    return bot


def _object(object_id: Any) -> NotionObject:
    return NotionObject.objects.get(object_id=parse_id(object_id))


def share(object_id: Any, token: str) -> None:
    """Share a page or database (and everything under it) with the token's bot."""
    NotionShare.objects.get_or_create(bot=_bot(token), target=_object(object_id))


def unshare(object_id: Any, token: str | None = None) -> int:
    """Stop sharing a page or database with the token's bot (None: with every bot)."""
    shares = NotionShare.objects.filter(target=_object(object_id))
    if token is not None:
        shares = shares.filter(bot=_bot(token))
    return shares.delete()[0]


def revoke(token: str) -> None:
    """The integration is removed from its workspace: its token answers 401 ``unauthorized``
    from now on, and its refresh token is refused."""
    NotionBot.objects.filter(pk=_bot(token).pk).update(token=new_secret("ntn_"), refresh_token=None)


def archive(object_id: Any, archived: bool = True) -> None:
    """Move a page or database to the trash (or back); its last_edited_time moves on."""
    NotionObject.objects.filter(object_id=parse_id(object_id)).update(
        archived=archived, last_edited_time=timezone.now()
    )


def ancestors(obj: NotionObject) -> list[NotionObject]:
    """``obj`` and the pages and databases above it, nearest first."""
    chain, seen = [obj], {obj.object_id}
    while chain[-1].parent_type in ("page_id", "database_id") and chain[-1].parent_id:
        parent = NotionObject.objects.filter(object_id=chain[-1].parent_id).first()
        if parent is None or parent.object_id in seen:
            break
        chain.append(parent)
        seen.add(parent.object_id)
    return chain


def shared_ids(bot: NotionBot) -> set[uuid.UUID]:
    return set(bot.shares.values_list("target__object_id", flat=True))


def visible(bot: NotionBot, obj: NotionObject, shared: set[uuid.UUID] | None = None) -> bool:
    if obj.workspace_id != bot.workspace_id:
        return False
    shared = shared_ids(bot) if shared is None else shared
    return any(each.object_id in shared for each in ancestors(obj))


def set_rate_limit(token: str, per_second: float | None = 3, burst: int = 10) -> None:
    """Limit the token's bot to ``per_second`` requests on average with bursts of ``burst``
    (None: no limit, the default). The bucket starts full."""
    NotionBot.objects.filter(token=token).update(
        per_second=per_second, burst=burst, bucket=burst, bucket_at=time.time()
    )
    if not NotionBot.objects.filter(token=token).exists():
        raise ValueError("unknown Notion token")


def take(bot: NotionBot) -> int | None:
    """Take one request from the bot's bucket; None when allowed, else the seconds to wait."""
    if bot.per_second is None:
        return None
    with transaction.atomic():
        locked = NotionBot.objects.select_for_update().get(pk=bot.pk)
        if locked.per_second is None:
            return None
        now = time.time()
        level = min(
            float(locked.burst), locked.bucket + (now - locked.bucket_at) * locked.per_second
        )
        if level >= 1:
            NotionBot.objects.filter(pk=bot.pk).update(bucket=level - 1, bucket_at=now)
            return None
        NotionBot.objects.filter(pk=bot.pk).update(bucket=level, bucket_at=now)
        if locked.per_second <= 0:
            return 60
        return max(1, math.ceil((1 - level) / locked.per_second))


def reset() -> None:
    NotionWorkspace.objects.all().delete()


# --- Rich text and blocks --------------------------------------------------------------------


def rich_text(value: Any, where: str = "rich_text") -> list[dict]:
    """Notion's full rich text objects from a string or a request's rich text array."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [{"type": "text", "text": {"content": value}}] if value else []
    if not isinstance(value, list):
        raise validation(
            f"body failed validation: {where} should be an array, instead was `{_short(value)}`."
        )
    result = []
    for index, item in enumerate(value):
        text = item.get("text") if isinstance(item, dict) else None
        if not isinstance(text, dict) or not isinstance(text.get("content"), str):
            raise validation(
                f"body failed validation: {where}[{index}].text.content should be defined, "
                f"instead was `undefined`."
            )
        if len(text["content"]) > 2000:
            raise validation(
                f"body failed validation: {where}[{index}].text.content.length should be ≤ "
                f"`2000`, instead was `{len(text['content'])}`."
            )
        link = text.get("link")
        url = link.get("url") if isinstance(link, dict) else None
        annotations = {**DEFAULT_ANNOTATIONS, **(item.get("annotations") or {})}
        result.append(
            {
                "type": "text",
                "text": {"content": text["content"], "link": {"url": url} if url else None},
                "annotations": annotations,
                "plain_text": text["content"],
                "href": url,
            }
        )
    return result


def plain(rich: list[dict]) -> str:
    return "".join(item.get("plain_text", "") for item in rich or [])


def _short(value: Any) -> str:
    import json

    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _spec_to_block(spec: Any) -> dict:
    """A request-shaped block from a helper spec ``(type, text[, children])`` or a dict."""
    if isinstance(spec, dict):
        return spec
    kind, *rest = spec
    text = rest[0] if rest else ""
    children = rest[1] if len(rest) > 1 else []
    body: dict[str, Any] = {}
    if kind in TEXT_BLOCKS:
        body["rich_text"] = [{"type": "text", "text": {"content": text}}] if text else []
    if kind == "to_do":
        body["checked"] = bool(rest[2]) if len(rest) > 2 else False
    if kind == "code":
        body["language"] = "plain text"
    if children:
        body["children"] = [_spec_to_block(child) for child in children]
    return {"object": "block", "type": kind, kind: body}


def add_blocks(
    ws: NotionWorkspace, parent_id: uuid.UUID, specs: Iterable[Any], *, where="children", depth=0
) -> list[NotionBlock]:
    """Append blocks (request shapes or helper specs) under a page or block."""
    now = timezone.now()
    last = NotionBlock.objects.filter(parent_id=parent_id).order_by("-position").first()
    position = last.position + 1 if last else 0
    made = []
    for index, spec in enumerate(specs):
        block = _spec_to_block(spec)
        here = f"{where}[{index}]"
        kind = block.get("type") if isinstance(block, dict) else None
        if kind is None and isinstance(block, dict):
            kind = next((key for key in block if key in BLOCK_TYPES), None)
        if kind not in BLOCK_TYPES or kind == "child_page":
            raise validation(
                f"body failed validation: {here}.type should be one of the supported block "
                f"types, instead was `{_short(kind)}`."
            )
        body = block.get(kind)
        if body is None:
            body = {}
        if not isinstance(body, dict):
            raise validation(f"body failed validation: {here}.{kind} should be an object.")
        data: dict[str, Any] = {}
        if kind in TEXT_BLOCKS:
            if "rich_text" not in body:
                raise validation(
                    f"body failed validation: {here}.{kind}.rich_text should be defined, "
                    "instead was `undefined`."
                )
            data["rich_text"] = rich_text(body["rich_text"], f"{here}.{kind}.rich_text")
            if kind != "code":  # a code block has a language and a caption, no color
                data["color"] = body.get("color", "default")
        if kind == "to_do":
            data["checked"] = bool(body.get("checked", False))
        if kind == "code":
            data["language"] = body.get("language") or "plain text"
            data["caption"] = rich_text(body.get("caption") or [], f"{here}.code.caption")
        if kind in ("heading_1", "heading_2", "heading_3"):
            data["is_toggleable"] = bool(body.get("is_toggleable", False))
        row = NotionBlock.objects.create(
            block_id=uuid.uuid4(),
            workspace=ws,
            parent_id=parent_id,
            position=position,
            type=kind,
            data=data,
            created_time=now,
            last_edited_time=now,
        )
        position += 1
        made.append(row)
        children = body.get("children") or []
        if children:
            if depth >= 2:
                raise validation(
                    f"body failed validation: {here}.{kind}.children should be not present, "
                    "instead was an array (at most two levels of nesting per request)."
                )
            add_blocks(ws, row.block_id, children, where=f"{here}.{kind}.children", depth=depth + 1)
    return made


def block_json(block: NotionBlock, parent: dict, has_children: bool) -> dict:
    data = dict(block.data)
    if block.type in ("child_page", "child_database"):
        page = NotionObject.objects.filter(object_id=block.block_id).first()
        data = {"title": plain(page_title(page)) if page else ""}
    return {
        "object": "block",
        "id": str(block.block_id),
        "parent": parent,
        "created_time": iso(block.created_time),
        "last_edited_time": iso(block.last_edited_time),
        "created_by": {"object": "user", "id": str(uuid.UUID(int=0))},
        "last_edited_by": {"object": "user", "id": str(uuid.UUID(int=0))},
        "has_children": has_children,
        "archived": block.archived,
        "in_trash": block.archived,
        "type": block.type,
        block.type: data,
    }


def blocks(parent_id: Any) -> list[dict]:
    """The blocks under a page or block as helper specs ``(type, text, [children])``."""
    result = []
    for block in NotionBlock.objects.filter(parent_id=parse_id(parent_id), archived=False):
        text = plain(block.data.get("rich_text", []))
        result.append((block.type, text, blocks(block.block_id)))
    return result


# --- Pages and databases ---------------------------------------------------------------------


def page_title(page: NotionObject | None) -> list[dict]:
    if page is None:
        return []
    if page.kind == "database":
        return page.title
    for value in page.properties.values():
        if value.get("type") == "title":
            return value.get("title", [])
    return []


def page_url(obj: NotionObject) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", plain(page_title(obj))).strip("-")
    return f"https://www.notion.so/{slug + '-' if slug else ''}{obj.object_id.hex}"


def parent_json(obj: NotionObject) -> dict:
    if obj.parent_type == "workspace":
        return {"type": "workspace", "workspace": True}
    return {"type": obj.parent_type, obj.parent_type: str(obj.parent_id)}


def _common(obj: NotionObject) -> dict:
    return {
        "object": obj.kind,
        "id": str(obj.object_id),
        "created_time": iso(obj.created_time),
        "last_edited_time": iso(obj.last_edited_time),
        "created_by": {"object": "user", "id": str(uuid.UUID(int=0))},
        "last_edited_by": {"object": "user", "id": str(uuid.UUID(int=0))},
        "cover": None,
        "icon": None,
        "parent": parent_json(obj),
        "archived": obj.archived,
        "in_trash": obj.archived,
        "url": page_url(obj),
        "public_url": None,
    }


def object_json(obj: NotionObject) -> dict:
    if obj.kind == "database":
        properties = {
            name: {"id": prop["id"], "name": name, "type": prop["type"], **_config(prop)}
            for name, prop in obj.properties.items()
        }
        return {
            **_common(obj),
            "title": obj.title,
            "description": [],
            "is_inline": False,
            "properties": properties,
        }
    return {**_common(obj), "properties": obj.properties}


def _config(prop: dict) -> dict:
    kind = prop["type"]
    if kind in ("select", "multi_select"):
        return {kind: {"options": prop.get("options", [])}}
    if kind == "number":
        return {"number": {"format": prop.get("format", "number")}}
    return {kind: {}}


def _property_id(name: str, kind: str, taken: set[str]) -> str:
    if kind == "title":
        return "title"
    while True:
        candidate = "".join(secrets.choice(_ALPHABET + "%;=") for _ in range(4))
        if candidate not in taken:
            return candidate


def _options(options: Iterable[Any]) -> list[dict]:
    result = []
    for index, option in enumerate(options):
        option = {"name": option} if isinstance(option, str) else dict(option)
        result.append(
            {
                "id": option.get("id") or str(uuid.uuid4()),
                "name": option["name"],
                "color": option.get("color") or OPTION_COLORS[index % len(OPTION_COLORS)],
                "description": None,
            }
        )
    return result


def _new_object(ws, kind, parent, *, now=None, **fields) -> NotionObject:
    now = now or timezone.now()
    parent_type, parent_id = "workspace", None
    if parent is not None:
        parent_obj = parent if isinstance(parent, NotionObject) else _object(parent)
        parent_type = "database_id" if parent_obj.kind == "database" else "page_id"
        parent_id = parent_obj.object_id
    obj = NotionObject.objects.create(
        object_id=uuid.uuid4(),
        workspace=ws,
        kind=kind,
        parent_type=parent_type,
        parent_id=parent_id,
        created_time=now,
        last_edited_time=now,
        **fields,
    )
    if parent_type == "page_id":
        # A page or database under a page is also a block of that page.
        last = NotionBlock.objects.filter(parent_id=parent_id).order_by("-position").first()
        NotionBlock.objects.create(
            block_id=obj.object_id,
            workspace=ws,
            parent_id=parent_id,
            position=last.position + 1 if last else 0,
            type="child_page" if kind == "page" else "child_database",
            data={},
            created_time=now,
            last_edited_time=now,
        )
    return obj


def _owner_of(token_or_workspace: str) -> tuple[NotionWorkspace, NotionBot | None]:
    bot = bot_for(token_or_workspace)
    if bot is not None:
        return bot.workspace, bot
    return workspace(token_or_workspace), None


def add_page(
    token_or_workspace: str = DEFAULT_WORKSPACE,
    title: str = "Untitled",
    blocks: Iterable[Any] = (),
    parent: Any = None,
    properties: dict | None = None,
) -> str:
    """A new page (at the workspace's top level, or under ``parent``, a page or database id)
    with ``blocks`` (specs like ``("heading_1", "Title")``, ``("bulleted_list_item", "x",
    [children])``, ``("to_do", "task", [], True)`` or request-shaped dicts). Given a token, the
    page is in its workspace and shared with its bot. ``properties``: a database row's other
    values, in request shape. Returns the page id."""
    ws, bot = _owner_of(token_or_workspace)
    parent_obj = _object(parent) if parent is not None else None
    values = {"title": [{"text": {"content": title}}]}
    if parent_obj is not None and parent_obj.kind == "database":
        title_name = next(n for n, p in parent_obj.properties.items() if p["type"] == "title")
        values = {title_name: {"title": [{"text": {"content": title}}]}, **(properties or {})}
        props = database_values(parent_obj, values)
    else:
        props = page_values({"title": values})
    with transaction.atomic():
        page = _new_object(ws, "page", parent_obj, properties=props)
        add_blocks(ws, page.object_id, blocks)
        if bot is not None and parent_obj is None:
            NotionShare.objects.create(bot=bot, target=page)
    return str(page.object_id)


def add_database(
    token_or_workspace: str = DEFAULT_WORKSPACE,
    title: str = "Deals",
    properties: dict[str, dict] | None = None,
    parent: Any = None,
) -> str:
    """A new database (default schema: :data:`DEFAULT_SCHEMA`; a schema is ``{name: {"type":
    ..., "options": [...]}}`` with exactly one title property). Returns its id."""
    ws, bot = _owner_of(token_or_workspace)
    schema: dict[str, dict] = {}
    for name, prop in (properties or DEFAULT_SCHEMA).items():
        entry = {"id": _property_id(name, prop["type"], {p["id"] for p in schema.values()})}
        entry["type"] = prop["type"]
        if prop["type"] in ("select", "multi_select"):
            entry["options"] = _options(prop.get("options", []))
        if prop["type"] == "number":
            entry["format"] = prop.get("format", "number")
        schema[name] = entry
    if sum(1 for p in schema.values() if p["type"] == "title") != 1:
        raise ValueError("a database needs exactly one title property")
    with transaction.atomic():
        database = _new_object(
            ws,
            "database",
            parent,
            title=rich_text(title),
            properties=schema,
        )
        if bot is not None and parent is None:
            NotionShare.objects.create(bot=bot, target=database)
    return str(database.object_id)


def edit_page(
    page_id: Any,
    title: str | None = None,
    blocks: Iterable[Any] | None = None,
    properties: dict | None = None,
) -> None:
    """Change a page: a new title, its blocks replaced, database values (request shape)
    changed; its last_edited_time moves on in any case."""
    page = _object(page_id)
    props = dict(page.properties)
    if properties:
        parent = _object(page.parent_id) if page.parent_type == "database_id" else None
        if parent is not None:
            props.update(database_values(parent, properties, partial=True))
    if title is not None:
        name = next(n for n, v in props.items() if v.get("type") == "title")
        props[name] = {**props[name], "title": rich_text(title)}
    with transaction.atomic():
        if blocks is not None:
            NotionBlock.objects.filter(parent_id=page.object_id).exclude(
                type__in=("child_page", "child_database")
            ).delete()
            add_blocks(page.workspace, page.object_id, blocks)
        NotionObject.objects.filter(pk=page.pk).update(
            properties=props, last_edited_time=timezone.now()
        )


def rows(database_id: Any) -> list[dict]:
    """The database's pages (not archived), oldest first, as ``{name: plain value}``."""
    result = []
    found = NotionObject.objects.filter(parent_id=parse_id(database_id), kind="page")
    for page in found.filter(archived=False).order_by("created_time", "id"):
        values = {"id": str(page.object_id)}
        for name, value in page.properties.items():
            values[name] = plain_value(value)
        result.append(values)
    return result


def plain_value(value: dict) -> Any:
    kind = value["type"]
    data = value.get(kind)
    if kind in ("title", "rich_text"):
        return plain(data)
    if kind == "select":
        return data["name"] if data else None
    if kind == "multi_select":
        return [option["name"] for option in data]
    if kind == "date":
        return data["start"] if data else None
    return data


# --- Property values -------------------------------------------------------------------------


def page_values(given: Any) -> dict:
    """A page's properties (a page under a page or the workspace has only its title)."""
    if not isinstance(given, dict):
        raise validation("body failed validation: body.properties should be an object.")
    for name in given:
        if name != "title":
            raise validation(f"{name} is not a property that exists.")
    value = given.get("title", {"title": []})
    items = value.get("title") if isinstance(value, dict) else value
    return {"title": {"id": "title", "type": "title", "title": rich_text(items, "title")}}


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$")


def database_values(database: NotionObject, given: Any, *, partial: bool = False) -> dict:
    """Validate request property values against the database's schema; the stored values
    (every property, defaults for the missing ones unless ``partial``)."""
    if not isinstance(given, dict):
        raise validation("body failed validation: body.properties should be an object.")
    schema = database.properties
    by_id = {prop["id"]: name for name, prop in schema.items()}
    values: dict[str, dict] = {}
    for key, value in given.items():
        name = key if key in schema else by_id.get(key)
        if name is None:
            raise validation(f"{key} is not a property that exists.")
        prop = schema[name]
        values[name] = {"id": prop["id"], "type": prop["type"], prop["type"]: None}
        values[name][prop["type"]] = _value(database, name, prop, value)
    if not partial:
        for name, prop in schema.items():
            if name not in values:
                values[name] = {"id": prop["id"], "type": prop["type"], **_empty(prop["type"])}
    return values


def _empty(kind: str) -> dict:
    if kind in ("title", "rich_text", "multi_select"):
        return {kind: []}
    if kind == "checkbox":
        return {kind: False}
    return {kind: None}


def _value(database: NotionObject, name: str, prop: dict, value: Any) -> Any:
    kind = prop["type"]
    where = f"body.properties.{name}.{kind}"
    if not isinstance(value, dict) or kind not in value:
        other = next((k for k in (value or {}) if k not in ("id", "type")), None)
        other = other if isinstance(value, dict) else None
        raise validation(
            f"{name} is expected to be {kind}."
            if other
            else f"body failed validation: {where} should be defined, instead was `undefined`."
        )
    data = value[kind]

    def wrong(expected: str) -> NotionError:
        return validation(
            f"body failed validation: {where} should be {expected}, instead was `{_short(data)}`."
        )

    if kind in ("title", "rich_text"):
        return rich_text(data, where)
    if kind == "number":
        if data is not None and (isinstance(data, bool) or not isinstance(data, (int, float))):
            raise wrong("a number or `null`")
        return data
    if kind == "checkbox":
        if not isinstance(data, bool):
            raise wrong("a boolean")
        return data
    if kind in ("email", "url"):
        if data is not None and not isinstance(data, str):
            raise wrong("a string or `null`")
        if kind == "email" and data and "@" not in data:
            raise validation(f"Invalid email address: {data}")
        return data or None
    if kind == "date":
        if data is None:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("start"), str):
            raise wrong("an object with a `start` string")
        for part in ("start", "end"):
            if data.get(part) is not None and not _DATE.match(str(data[part])):
                raise validation(
                    f"body failed validation: {where}.{part} should be a valid ISO 8601 date "
                    f"string, instead was `{_short(data[part])}`."
                )
        return {"start": data["start"], "end": data.get("end"), "time_zone": None}
    if kind == "select":
        if data is None:
            return None
        if not isinstance(data, dict) or not (data.get("name") or data.get("id")):
            raise wrong("an object with a `name` or `id`")
        return _option(database, name, data)
    if kind == "multi_select":
        if not isinstance(data, list):
            raise wrong("an array")
        return [_option(database, name, item) for item in data]
    raise validation(f"{name} cannot be written by the sandbox (type {kind}).")


def _option(database: NotionObject, name: str, given: Any) -> dict:
    """The select option named (or with the id) given; a new name adds an option, as Notion
    does for a caller that can edit the database."""
    if not isinstance(given, dict):
        raise validation(f"body failed validation: body.properties.{name} options are objects.")
    options = database.properties[name].setdefault("options", [])
    for option in options:
        if option["id"] == given.get("id") or option["name"] == given.get("name"):
            return {key: option[key] for key in ("id", "name", "color")}
    if not given.get("name"):
        raise validation(f"Invalid select option id for property {name}: {given.get('id')}")
    if "," in given["name"]:
        raise validation(f"Invalid select option, commas not allowed: {given['name']}")
    (option,) = _options([{"name": given["name"], "color": given.get("color")}])
    option["color"] = option["color"] if given.get("color") else OPTION_COLORS[len(options) % 10]
    options.append(option)
    NotionObject.objects.filter(pk=database.pk).update(properties=database.properties)
    return {key: option[key] for key in ("id", "name", "color")}
