"""The sandbox Notion's answers against Notion's published description, for the Notion-Version
the app pins (2022-06-28): developers.notion.com/reference (intro: pagination and the list
object; page, database, block, user, parent, rich-text objects; post-search,
post-database-query, get-block-children, patch-block-children, get-self; status-codes for the
error object) and the response types of makenotion/notion-sdk-js, src/api-endpoints.ts
(PageObjectResponse, DatabaseObjectResponse, BlockObjectResponse, PartialUserObjectResponse,
BotUserObjectResponse, the list responses). Timestamps are rounded down to the minute
(developers.notion.com/changelog: last_edited_time rounded to the minute); ids are UUIDs.

The schemas below restate those facts in our words: required properties, types, the id and
timestamp patterns and the enums; objects are closed where the description lists all their
properties. Answers come through notion-client (the app's SDK), errors through requests."""

import jsonschema
import pytest
import requests
from django.conf import settings

from sandbox.notion import store as notion_store
from tests.sandbox.notion.test_notion_api import client, token  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

UUID = {
    "type": "string",
    "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
}
TIMESTAMP = {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$"}
NULL = {"type": "null"}
COLORS = ["default", "gray", "brown", "orange", "yellow", "green", "blue", "purple", "pink", "red"]
TEXT_COLORS = COLORS + [f"{color}_background" for color in COLORS[1:]]
REQUEST_ID = {"type": "string"}


def closed(required=None, **properties) -> dict:
    """An object with exactly these properties, all required unless ``required`` says."""
    return {
        "type": "object",
        "required": list(properties) if required is None else list(required),
        "properties": properties,
        "additionalProperties": False,
    }


def one_of_types(types: dict[str, dict], **common) -> dict:
    """An object tagged by ``type``: the value under the key the type names."""
    return {
        "oneOf": [
            closed(type={"const": kind}, **{kind: value}, **common) for kind, value in types.items()
        ]
    }


PARTIAL_USER = closed(object={"const": "user"}, id=UUID)
PARENT = one_of_types(
    {"database_id": UUID, "page_id": UUID, "block_id": UUID, "workspace": {"const": True}}
)
ANNOTATIONS = closed(
    bold={"type": "boolean"},
    italic={"type": "boolean"},
    strikethrough={"type": "boolean"},
    underline={"type": "boolean"},
    code={"type": "boolean"},
    color={"enum": TEXT_COLORS},
)
RICH_TEXT = {
    "type": "array",
    "items": closed(
        type={"const": "text"},
        text=closed(
            content={"type": "string"},
            link={"anyOf": [NULL, closed(url={"type": "string"})]},
        ),
        annotations=ANNOTATIONS,
        plain_text={"type": "string"},
        href={"type": ["string", "null"]},
    ),
}
OPTION = closed(id={"type": "string"}, name={"type": "string"}, color={"enum": COLORS})
PROPERTY_VALUE = one_of_types(
    {
        "title": RICH_TEXT,
        "rich_text": RICH_TEXT,
        "number": {"type": ["number", "null"]},
        "select": {"anyOf": [NULL, OPTION]},
        "multi_select": {"type": "array", "items": OPTION},
        "date": {
            "anyOf": [
                NULL,
                closed(
                    ["start"],
                    start={"type": "string"},
                    end={"type": ["string", "null"]},
                    time_zone={"type": ["string", "null"]},
                ),
            ]
        },
        "email": {"type": ["string", "null"]},
        "url": {"type": ["string", "null"]},
        "checkbox": {"type": "boolean"},
    },
    id={"type": "string"},
)
FILE_OR_EMOJI = {"anyOf": [NULL, {"type": "object", "required": ["type"]}]}
COMMON = {
    "id": UUID,
    "created_time": TIMESTAMP,
    "last_edited_time": TIMESTAMP,
    "created_by": PARTIAL_USER,
    "last_edited_by": PARTIAL_USER,
    "cover": FILE_OR_EMOJI,
    "icon": FILE_OR_EMOJI,
    "parent": PARENT,
    "archived": {"type": "boolean"},
    "in_trash": {"type": "boolean"},
    "is_locked": {"type": "boolean"},
    "url": {"type": "string", "pattern": "^https://www\\.notion\\.so/"},
    "public_url": {"type": ["string", "null"]},
}
REQUIRED = [name for name in COMMON if name not in ("in_trash", "is_locked", "public_url")]
PAGE = closed(
    [*REQUIRED, "object", "properties"],
    object={"const": "page"},
    properties={"type": "object", "additionalProperties": PROPERTY_VALUE},
    **COMMON,
)
DATABASE_PROPERTY = {
    "type": "object",
    "required": ["id", "name", "type"],
    "properties": {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "type": {"type": "string"},
    },
    # the configuration sits under the key the type names
    "allOf": [
        {"if": {"properties": {"type": {"const": kind}}}, "then": {"required": [kind]}}
        for kind in ("title", "rich_text", "number", "select", "multi_select", "date", "checkbox")
    ],
}
DATABASE = closed(
    [*REQUIRED, "object", "title", "description", "is_inline", "properties"],
    object={"const": "database"},
    title=RICH_TEXT,
    description=RICH_TEXT,
    is_inline={"type": "boolean"},
    properties={"type": "object", "additionalProperties": DATABASE_PROPERTY},
    **COMMON,
)
TEXT_BLOCK = closed(rich_text=RICH_TEXT, color={"enum": TEXT_COLORS})
HEADING = closed(
    rich_text=RICH_TEXT, color={"enum": TEXT_COLORS}, is_toggleable={"type": "boolean"}
)
BLOCK_TYPES = {
    "paragraph": TEXT_BLOCK,
    "heading_1": HEADING,
    "heading_2": HEADING,
    "heading_3": HEADING,
    "bulleted_list_item": TEXT_BLOCK,
    "numbered_list_item": TEXT_BLOCK,
    "to_do": closed(rich_text=RICH_TEXT, color={"enum": TEXT_COLORS}, checked={"type": "boolean"}),
    "toggle": TEXT_BLOCK,
    "quote": TEXT_BLOCK,
    "code": closed(rich_text=RICH_TEXT, caption=RICH_TEXT, language={"type": "string"}),
    "divider": closed(),
    "child_page": closed(title={"type": "string"}),
    "child_database": closed(title={"type": "string"}),
}
BLOCK = {
    **closed(
        [
            *("object", "id", "parent", "type", "created_time", "created_by"),
            *("last_edited_time", "last_edited_by", "has_children", "archived"),
        ],
        object={"const": "block"},
        type={"enum": list(BLOCK_TYPES)},
        has_children={"type": "boolean"},
        **{
            name: COMMON[name]
            for name in ("id", "created_time", "last_edited_time", "created_by", "archived")
        },
        last_edited_by=PARTIAL_USER,
        in_trash={"type": "boolean"},
        parent={"oneOf": PARENT["oneOf"][1:3]},  # a page or a block
        **BLOCK_TYPES,
    ),
    "allOf": [
        {"if": {"properties": {"type": {"const": kind}}}, "then": {"required": [kind]}}
        for kind in BLOCK_TYPES
    ],
}


def listing(kind: str, item: dict) -> dict:
    """Notion's list object of ``kind`` results: the type names an (empty) object of its own."""
    return closed(
        ["object", "results", "next_cursor", "has_more", "type", kind],
        object={"const": "list"},
        results={"type": "array", "items": item},
        next_cursor={"anyOf": [NULL, UUID]},
        has_more={"type": "boolean"},
        type={"const": kind},
        **{kind: closed()},
        request_id=REQUEST_ID,
    )


BOT_USER = closed(
    ["object", "id", "type", "bot"],
    object={"const": "user"},
    id=UUID,
    type={"const": "bot"},
    name={"type": ["string", "null"]},
    avatar_url={"type": ["string", "null"]},
    bot=closed(
        ["owner"],
        owner={
            "oneOf": [
                closed(type={"const": "workspace"}, workspace={"const": True}),
                closed(type={"const": "user"}, user={"type": "object"}),
            ]
        },
        workspace_name={"type": ["string", "null"]},
    ),
    request_id=REQUEST_ID,
)
ERROR = closed(
    ["object", "status", "code", "message"],
    object={"const": "error"},
    status={"type": "integer"},
    code={
        "enum": [
            "invalid_json",
            "invalid_request_url",
            "invalid_request",
            "invalid_grant",
            "validation_error",
            "missing_version",
            "unauthorized",
            "restricted_resource",
            "object_not_found",
            "conflict_error",
            "rate_limited",
            "internal_server_error",
            "bad_gateway",
            "service_unavailable",
            "database_connection_unavailable",
            "gateway_timeout",
        ]
    },
    message={"type": "string"},
    request_id=REQUEST_ID,
    additional_data={"type": "object"},
)


def test_pages_meet_the_page_description(sandbox, token):  # noqa: F811
    notion = client(token)
    parent = notion_store.add_page(token, "Accounts")
    database = notion_store.add_database(token, "Deals")
    row = notion.pages.create(
        parent={"database_id": database},
        properties={
            "Name": {"title": [{"text": {"content": "Acme renewal"}}]},
            "Stage": {"select": {"name": "Qualified"}},
            "Amount": {"number": 1200},
            "Close": {"date": {"start": "2031-04-02"}},
            "Email": {"email": "ann@acme.example"},
            "Done": {"checkbox": False},
            "Tags": {"multi_select": [{"name": "renewal"}]},
            "Notes": {"rich_text": [{"text": {"content": "Call back"}}]},
        },
    )
    answers = [
        row,
        notion.pages.retrieve(page_id=row["id"]),
        notion.pages.update(page_id=row["id"], properties={"Amount": {"number": 1300}}),
        notion.pages.create(
            parent={"page_id": parent},
            properties={"title": {"title": [{"text": {"content": "Notes"}}]}},
        ),
        notion.pages.retrieve(page_id=parent),
    ]
    for answer in answers:
        jsonschema.validate(answer, PAGE)


def test_databases_meet_the_database_description(sandbox, token):  # noqa: F811
    database = notion_store.add_database(token, "Deals")
    jsonschema.validate(client(token).databases.retrieve(database_id=database), DATABASE)


def test_database_queries_meet_the_list_description(sandbox, token):  # noqa: F811
    database = notion_store.add_database(token, "Deals")
    for n in range(3):
        notion_store.add_page(
            token, f"Deal {n}", parent=database, properties={"Amount": {"number": n}}
        )
    notion = client(token)

    def query(**body):  # the SDK's own call of the endpoint (its databases.query is gone)
        return notion.request(path=f"databases/{database}/query", method="POST", body=body)

    first = query(page_size=2)
    last = query(start_cursor=first["next_cursor"])
    filtered = query(filter={"property": "Amount", "number": {"greater_than": 0}})
    for answer in (first, last, filtered):
        jsonschema.validate(answer, listing("page_or_database", PAGE))
    assert (first["has_more"], last["has_more"], last["next_cursor"]) == (True, False, None)


def test_block_children_meet_the_list_description(sandbox, token):  # noqa: F811
    page = notion_store.add_page(
        token,
        "Notes",
        [
            ("heading_1", "Plan"),
            ("bulleted_list_item", "First", [("paragraph", "nested")]),
            ("to_do", "Call Ann", [], True),
            ("divider",),
            ("code", "print(1)"),
        ],
    )
    notion_store.add_page(token, "Sub-page", parent=page)
    notion = client(token)
    listed = notion.blocks.children.list(block_id=page, page_size=3)
    rest = notion.blocks.children.list(block_id=page, start_cursor=listed["next_cursor"])
    nested = notion.blocks.children.list(block_id=listed["results"][1]["id"])
    appended = notion.blocks.children.append(
        block_id=page,
        children=[{"paragraph": {"rich_text": [{"text": {"content": "Added"}}]}}],
    )
    for answer in (listed, rest, nested, appended):
        jsonschema.validate(answer, listing("block", BLOCK))
    jsonschema.validate(notion.blocks.retrieve(block_id=listed["results"][0]["id"]), BLOCK)


def test_search_meets_the_list_description(sandbox, token):  # noqa: F811
    notion_store.add_page(token, "Deals overview")
    notion_store.add_database(token, "Deals")
    notion = client(token)
    found = notion.search(query="deals", page_size=1)
    answers = [found, notion.search(query="deals", start_cursor=found["next_cursor"])]
    answers.append(notion.search(filter={"property": "object", "value": "database"}))
    for answer in answers:
        jsonschema.validate(answer, listing("page_or_database", {"oneOf": [PAGE, DATABASE]}))
    assert {answer["results"][0]["object"] for answer in answers} == {"page", "database"}


def test_the_bot_user_meets_the_user_description(sandbox, token):  # noqa: F811
    jsonschema.validate(client(token).users.me(), BOT_USER)


def test_errors_meet_the_error_description(sandbox, token):  # noqa: F811
    base = f"{settings.NOTION_API_URL}/v1"
    headers = {"Authorization": f"Bearer {token}", "Notion-Version": "2022-06-28"}
    unshared = notion_store.add_page("Elsewhere", "Not shared")
    notion_store.set_rate_limit(token, per_second=0.01, burst=5)

    def call(method, path, **kwargs):
        return requests.request(method, f"{base}/{path}", timeout=10, **kwargs)

    answers = [
        call("GET", "users/me", headers={**headers, "Authorization": "Bearer ntn_unknown"}),
        call("GET", "users/me", headers={"Authorization": headers["Authorization"]}),
        call("GET", f"pages/{unshared}", headers=headers),
        call("GET", "pages/not-an-id", headers=headers),
        call("POST", "search", headers=headers, json={"page_size": 101}),
        call("POST", "search", headers={**headers, "Content-Type": "application/json"}, data="{"),
        call("GET", "search", headers=headers),
    ]
    answers += [call("GET", "users/me", headers=headers) for _ in range(2)]
    statuses = [answer.status_code for answer in answers]
    assert statuses == [401, 400, 404, 400, 400, 400, 400, 200, 429], statuses
    for answer in answers:
        if answer.status_code != 200:
            jsonschema.validate(answer.json(), ERROR)
            assert answer.json()["status"] == answer.status_code
