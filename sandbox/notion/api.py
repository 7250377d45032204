"""The Notion API (Notion-Version 2022-06-28) under ``/sandbox/notion/v1/`` (NOTION_API_URL is
``<SANDBOX_URL>/notion``; notion-client appends ``/v1/``).

Shapes and errors follow https://developers.notion.com/reference (search, page, block, database,
errors, request-limits). Every request needs ``Authorization: Bearer <token>`` (an internal
integration's or an OAuth access token) and a ``Notion-Version`` header; a token sees only the
pages and databases shared with its bot and what is under them, anything else is
``object_not_found``. A bot with a rate limit (``store.set_rate_limit``) answers 429
``rate_limited`` with ``Retry-After`` once its bucket is empty. State lives in ``store``.
"""

from __future__ import annotations

import functools
import json
import uuid
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from sandbox.faults import sandbox_endpoint

from . import store
from .models import NotionBlock, NotionBot, NotionObject
from .store import NotionError, validation

CODES = {
    400: "invalid_request",
    401: "unauthorized",
    403: "restricted_resource",
    404: "object_not_found",
    409: "conflict_error",
    429: "rate_limited",
    500: "internal_server_error",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
}
RATE_LIMITED = "You have been rate limited. Please try again in a few minutes."
MAX_PAGE_SIZE = 100


def error_body(status: int, code: str | None = None, message: str | None = None) -> dict:
    """Notion's error object; for injected faults, the usual code of the status."""
    if message is None:
        try:
            message = HTTPStatus(status).phrase
        except ValueError:
            message = f"Error {status}"
        if status == 429:
            message = RATE_LIMITED
    return {
        "object": "error",
        "status": status,
        "code": code or CODES.get(status, "internal_server_error"),
        "message": message,
        "request_id": str(uuid.uuid4()),
    }


def error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(error_body(status, code, message), status=status)


def _json_body(request: HttpRequest) -> dict:
    if not request.body.strip():
        return {}
    try:
        body = json.loads(request.body)
    except ValueError as exc:
        raise NotionError(400, "invalid_json", "Error parsing JSON body.") from exc
    if not isinstance(body, dict):
        raise validation("body failed validation: body should be an object.")
    return body


def api(*methods: str):
    """A Notion API view ``handler(request, bot, body, **kwargs)``: logged and faulted, then the
    method, the bearer token, the Notion-Version header and the bot's rate limit."""

    def decorate(handler):
        @sandbox_endpoint("notion", error_body)
        @functools.wraps(handler)
        def view(request: HttpRequest, **kwargs) -> HttpResponse:
            if request.method not in methods:
                return error(
                    400, "invalid_request_url", f"Invalid request URL: {request.method} method."
                )
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            bot = store.bot_for(token.strip()) if scheme.lower() == "bearer" else None
            if bot is None:
                return error(401, "unauthorized", "API token is invalid.")
            if not request.headers.get("Notion-Version", "").strip():
                return error(
                    400,
                    "missing_version",
                    "Notion-Version header failed validation: Notion-Version header should be "
                    "defined, instead was `undefined`.",
                )
            wait = store.take(bot)
            if wait is not None:
                response = error(429, "rate_limited", RATE_LIMITED)
                response["Retry-After"] = str(wait)
                return response
            try:
                body = _json_body(request) if request.method in ("POST", "PATCH") else {}
                return JsonResponse(handler(request, bot, body, **kwargs))
            except NotionError as exc:
                return error(exc.status, exc.code, exc.message)

        return view

    return decorate


# --- Lookups ---------------------------------------------------------------------------------


def _id(value: str, kind: str = "block") -> uuid.UUID:
    parsed = store.parse_id(value)
    if parsed is None:
        raise validation(
            f"path failed validation: path.{kind}_id should be a valid uuid, instead was "
            f'`"{value}"`.'
        )
    return parsed


def _visible_object(bot: NotionBot, object_id: uuid.UUID, kind: str | None) -> NotionObject:
    """The page or database if the bot may see it; object_not_found otherwise."""
    obj = NotionObject.objects.filter(object_id=object_id).first()
    if obj is None or (kind and obj.kind != kind) or not store.visible(bot, obj):
        raise store.not_found(object_id, kind or "block")
    return obj


def _container(bot: NotionBot, block_id: uuid.UUID) -> tuple[str, Any]:
    """What ``block_id`` is, for a token that may see it: ("object", page) or ("block", block)."""
    obj = NotionObject.objects.filter(object_id=block_id).first()
    if obj is not None:
        if not store.visible(bot, obj):
            raise store.not_found(block_id)
        return "object", obj
    block = NotionBlock.objects.filter(block_id=block_id, workspace=bot.workspace).first()
    if block is None:
        raise store.not_found(block_id)
    top, seen = block, set()
    while top is not None and top.parent_id not in seen:
        seen.add(top.parent_id)
        page = NotionObject.objects.filter(object_id=top.parent_id).first()
        if page is not None:
            if not store.visible(bot, page):
                raise store.not_found(block_id)
            return "block", block
        top = NotionBlock.objects.filter(block_id=top.parent_id).first()
    raise store.not_found(block_id)


def _page_size(value: Any, where: str) -> int:
    if value is None or value == "":
        return MAX_PAGE_SIZE
    try:
        size = int(value)
        if isinstance(value, (bool, float)):
            raise ValueError
    except (TypeError, ValueError):
        raise validation(
            f"{where} failed validation: {where}.page_size should be a number, instead was "
            f"`{json.dumps(value)}`."
        ) from None
    if size < 1 or size > MAX_PAGE_SIZE:
        bound = "≥ `1`" if size < 1 else f"≤ `{MAX_PAGE_SIZE}`"
        raise validation(
            f"{where} failed validation: {where}.page_size should be {bound}, instead was `{size}`."
        )
    return size


def _paginate(items: list, ids: list[str], start_cursor: Any, page_size: int, extra: dict):
    """Notion's list object; the cursor is the id of the first item of the next page."""
    start = 0
    if start_cursor:
        if str(start_cursor) not in ids:
            raise validation(f"start_cursor provided is invalid: {start_cursor}")
        start = ids.index(str(start_cursor))
    chunk = items[start : start + page_size]
    more = start + page_size < len(items)
    return {
        "object": "list",
        "results": chunk,
        "next_cursor": ids[start + page_size] if more else None,
        "has_more": more,
        **extra,
        "request_id": str(uuid.uuid4()),
    }


# --- Search ----------------------------------------------------------------------------------


@api("POST")
def search(request, bot, body):
    """``POST /v1/search``: the shared pages and databases whose title contains the query."""
    query = str(body.get("query") or "").strip().lower()
    wanted = None
    if body.get("filter") is not None:
        given = body["filter"]
        if (
            not isinstance(given, dict)
            or given.get("property") != "object"
            or given.get("value") not in ("page", "database")
        ):
            raise validation(
                'body failed validation: body.filter.value should be `"page"` or '
                f'`"database"`, instead was `{json.dumps(given)}`.'
            )
        wanted = given["value"]
    descending = True
    if body.get("sort") is not None:
        sort = body["sort"]
        if (
            not isinstance(sort, dict)
            or sort.get("timestamp") != "last_edited_time"
            or sort.get("direction") not in ("ascending", "descending")
        ):
            raise validation(
                "body failed validation: body.sort should be an object with timestamp "
                f'`"last_edited_time"` and a direction, instead was `{json.dumps(sort)}`.'
            )
        descending = sort["direction"] == "descending"
    size = _page_size(body.get("page_size"), "body")
    shared = store.shared_ids(bot)
    found = NotionObject.objects.filter(workspace=bot.workspace, archived=False)
    if wanted:
        found = found.filter(kind=wanted)
    matches = [
        obj
        for obj in found
        if store.visible(bot, obj, shared) and query in store.plain(store.page_title(obj)).lower()
    ]
    matches.sort(key=lambda obj: (obj.last_edited_time, obj.object_id.hex), reverse=descending)
    results = [store.object_json(obj) for obj in matches]
    ids = [str(obj.object_id) for obj in matches]
    extra = {"type": "page_or_database", "page_or_database": {}}
    return _paginate(results, ids, body.get("start_cursor"), size, extra)


# --- Pages -----------------------------------------------------------------------------------


def _create_page(bot: NotionBot, body: dict) -> dict:
    parent = body.get("parent")
    if not isinstance(parent, dict) or not ({"page_id", "database_id"} & set(parent)):
        raise validation(
            "body failed validation: body.parent.page_id should be defined, instead was "
            "`undefined`. body.parent.database_id should be defined, instead was `undefined`."
        )
    kind = "database" if "database_id" in parent else "page"
    parent_obj = _visible_object(bot, _id(parent[f"{kind}_id"], kind), kind)
    if parent_obj.archived:
        raise validation("Can't edit block that is archived. You must unarchive the block first.")
    properties = body.get("properties", {})
    if kind == "database":
        values = store.database_values(parent_obj, properties)
    else:
        values = store.page_values(properties)
    children = body.get("children") or []
    if not isinstance(children, list) or len(children) > 100:
        raise validation("body failed validation: body.children should be an array of ≤ 100.")
    with transaction.atomic():
        page = store._new_object(bot.workspace, "page", parent_obj, properties=values)
        store.add_blocks(bot.workspace, page.object_id, children, where="body.children")
    return store.object_json(page)


@api("POST")
def pages(request, bot, body):
    """``POST /v1/pages``: a page under a page or a database row, with its first blocks."""
    return _create_page(bot, body)


@api("GET", "PATCH")
def page(request, bot, body, page_id):
    """``GET /v1/pages/{id}``; ``PATCH``: change property values, archive or restore."""
    obj = _visible_object(bot, _id(page_id, "page"), "page")
    if request.method == "GET":
        return store.object_json(obj)
    archived = body.get("archived", body.get("in_trash"))
    if obj.archived and archived is not False:
        raise validation("Can't edit block that is archived. You must unarchive the block first.")
    if "properties" in body:
        if obj.parent_type == "database_id":
            database = NotionObject.objects.get(object_id=obj.parent_id)
            changed = store.database_values(database, body["properties"], partial=True)
        else:
            changed = store.page_values(body["properties"]) if body["properties"] else {}
        obj.properties = {**obj.properties, **changed}
    if archived is not None:
        obj.archived = bool(archived)
    obj.last_edited_time = timezone.now()
    obj.save(update_fields=["properties", "archived", "last_edited_time"])
    return store.object_json(obj)


# --- Blocks ----------------------------------------------------------------------------------


def _blocks_json(parent_kind: str, parent_id: uuid.UUID, found: list[NotionBlock]) -> list:
    with_children = set(
        NotionBlock.objects.filter(
            parent_id__in=[block.block_id for block in found], archived=False
        ).values_list("parent_id", flat=True)
    )
    parent = {"type": f"{parent_kind}_id", f"{parent_kind}_id": str(parent_id)}
    return [store.block_json(block, parent, block.block_id in with_children) for block in found]


@api("GET", "PATCH")
def block_children(request, bot, body, block_id):
    """``GET /v1/blocks/{id}/children`` (a page's id is its block's): one level, paginated;
    ``PATCH``: append ``children`` at the end."""
    parent_id = _id(block_id)
    kind, container = _container(bot, parent_id)
    parent_kind = "page" if kind == "object" and container.kind == "page" else "block"
    if kind == "object" and container.kind == "database":
        raise validation("A database's rows are queried with POST /v1/databases/{id}/query.")
    if request.method == "PATCH":
        if container.archived:
            raise validation("Can't edit block that is archived. You must unarchive it first.")
        children = body.get("children")
        if not isinstance(children, list) or not 0 < len(children) <= 100:
            raise validation(
                "body failed validation: body.children should be an array of 1 to 100 blocks."
            )
        if body.get("after"):
            raise validation("The sandbox does not support `after`: blocks go at the end.")
        made = store.add_blocks(bot.workspace, parent_id, children, where="body.children")
        if kind == "object":
            NotionObject.objects.filter(pk=container.pk).update(last_edited_time=timezone.now())
        results = _blocks_json(parent_kind, parent_id, made)
        return {
            "object": "list",
            "results": results,
            "next_cursor": None,
            "has_more": False,
            "type": "block",
            "block": {},
            "request_id": str(uuid.uuid4()),
        }
    size = _page_size(request.GET.get("page_size"), "query")
    found = list(NotionBlock.objects.filter(parent_id=parent_id, archived=False))
    results = _blocks_json(parent_kind, parent_id, found)
    ids = [str(block.block_id) for block in found]
    return _paginate(
        results, ids, request.GET.get("start_cursor"), size, {"type": "block", "block": {}}
    )


@api("GET")
def block(request, bot, body, block_id):
    """``GET /v1/blocks/{id}``: one block (a page's id gives its child_page block)."""
    block_uuid = _id(block_id)
    _container(bot, block_uuid)
    found = NotionBlock.objects.filter(block_id=block_uuid).first()
    if found is None:
        raise store.not_found(block_uuid)
    page = NotionObject.objects.filter(object_id=found.parent_id).first()
    kind = "page" if page is not None and page.kind == "page" else "block"
    return _blocks_json(kind, found.parent_id, [found])[0]


# --- Databases -------------------------------------------------------------------------------


@api("GET")
def database(request, bot, body, database_id):
    """``GET /v1/databases/{id}``: the database and its property schema."""
    return store.object_json(_visible_object(bot, _id(database_id, "database"), "database"))


@api("POST")
def database_query(request, bot, body, database_id):
    """``POST /v1/databases/{id}/query``: its pages (not archived), optionally filtered and
    sorted (a subset of Notion's filters: see ``_matches``)."""
    db = _visible_object(bot, _id(database_id, "database"), "database")
    size = _page_size(body.get("page_size"), "body")
    found = NotionObject.objects.filter(parent_id=db.object_id, kind="page", archived=False)
    rule = body.get("filter")
    rows = [row for row in found.order_by("created_time", "id") if _matches(db, row, rule)]
    for key, reverse in reversed(_sort_keys(db, body.get("sorts"))):
        rows.sort(key=key, reverse=reverse)
    results = [store.object_json(row) for row in rows]
    ids = [str(row.object_id) for row in rows]
    extra = {"type": "page_or_database", "page_or_database": {}}
    return _paginate(results, ids, body.get("start_cursor"), size, extra)


def _moment(value: Any):
    """A datetime from an ISO date or date-time (a date is its midnight UTC); None if absent."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise validation(f"Invalid date in filter or value: {value}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _matches(db: NotionObject, row: NotionObject, rule: Any) -> bool:
    """Notion's database filters, as far as the sandbox goes: ``and``/``or``, property filters
    of the common types and the created_time / last_edited_time timestamp filters."""
    if rule is None:
        return True
    if not isinstance(rule, dict):
        raise validation("body failed validation: body.filter should be an object.")
    if "and" in rule:
        return all(_matches(db, row, part) for part in rule["and"])
    if "or" in rule:
        return any(_matches(db, row, part) for part in rule["or"])
    if rule.get("timestamp") in ("created_time", "last_edited_time"):
        kind = rule["timestamp"]
        value: Any = getattr(row, kind)
        condition = rule.get(kind) or {}
    else:
        name = rule.get("property")
        schema = db.properties
        by_id = {prop["id"]: prop_name for prop_name, prop in schema.items()}
        name = name if name in schema else by_id.get(name)
        if name is None:
            raise validation(f"Could not find property with name or id: {rule.get('property')}")
        kind = schema[name]["type"]
        condition = rule.get(kind)
        if condition is None:
            raise validation(f"body failed validation: body.filter.{kind} should be defined.")
        value = store.plain_value(row.properties.get(name, {"type": kind, kind: None}))
        if kind == "date":
            value = _moment(value)
    if not isinstance(condition, dict) or len(condition) != 1:
        raise validation("body failed validation: a filter has exactly one condition.")
    ((operator, operand),) = condition.items()
    empty = value in (None, "", [], False) if kind != "checkbox" else False
    if operator == "is_empty":
        return empty
    if operator == "is_not_empty":
        return not empty
    if kind in ("date", "created_time", "last_edited_time"):
        operand = _moment(operand)
        tests = {
            "equals": lambda: value == operand,
            "before": lambda: value is not None and value < operand,
            "after": lambda: value is not None and value > operand,
            "on_or_before": lambda: value is not None and value <= operand,
            "on_or_after": lambda: value is not None and value >= operand,
        }
    elif kind == "multi_select":
        tests = {
            "contains": lambda: operand in value,
            "does_not_contain": lambda: operand not in value,
        }
    elif kind in ("number",):
        tests = {
            "equals": lambda: value == operand,
            "does_not_equal": lambda: value != operand,
            "greater_than": lambda: value is not None and value > operand,
            "less_than": lambda: value is not None and value < operand,
            "greater_than_or_equal_to": lambda: value is not None and value >= operand,
            "less_than_or_equal_to": lambda: value is not None and value <= operand,
        }
    else:
        text = "" if value is None else str(value)
        other = "" if operand is None else str(operand)
        if kind == "checkbox":
            text, other = str(bool(value)), str(bool(operand))
        if kind in ("title", "rich_text", "email", "url"):
            text, other = text.lower(), other.lower()
        tests = {
            "equals": lambda: text == other,
            "does_not_equal": lambda: text != other,
            "contains": lambda: other in text,
            "does_not_contain": lambda: other not in text,
            "starts_with": lambda: text.startswith(other),
            "ends_with": lambda: text.endswith(other),
        }
    if operator not in tests:
        raise validation(f"The sandbox does not support the {operator} condition for {kind}.")
    return tests[operator]()


def _sort_keys(db: NotionObject, sorts: Any) -> list:
    """(key, reverse) for each sort; empty values go last either way."""
    if not sorts:
        return []
    if not isinstance(sorts, list):
        raise validation("body failed validation: body.sorts should be an array.")
    keys = []
    for sort in sorts:
        reverse = (sort or {}).get("direction") == "descending"
        if sort.get("timestamp") in ("created_time", "last_edited_time"):
            field = sort["timestamp"]
            keys.append((lambda row, field=field: (getattr(row, field),), reverse))
            continue
        name = sort.get("property")
        if name not in db.properties:
            raise validation(f"Could not find sort property with name or id: {name}")

        def key(row, name=name, reverse=reverse):
            value = store.plain_value(row.properties.get(name, {"type": "x", "x": None}))
            missing = value in (None, "", [])
            value = json.dumps(value, default=str) if isinstance(value, list) else value
            return (missing != reverse, value if not missing else 0)

        keys.append((key, reverse))
    return keys


# --- Users -----------------------------------------------------------------------------------


@api("GET")
def me(request, bot, body):
    """``GET /v1/users/me``: the bot user of the token."""
    return {
        "object": "user",
        "id": str(bot.bot_id),
        "name": "Sandbox integration",
        "avatar_url": None,
        "type": "bot",
        "bot": {
            "owner": bot.owner,
            "workspace_name": bot.workspace.name,
        },
        "request_id": str(uuid.uuid4()),
    }
