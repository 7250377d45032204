"""The Notion sandbox's API (Notion-Version 2022-06-28) with notion-client: search, pages,
blocks, databases, sharing, auth, rate limits and faults."""

import pytest
import requests
from django.conf import settings
from notion_client import APIResponseError, Client
from notion_client.helpers import collect_paginated_api

from sandbox import faults
from sandbox.notion import store as notion_store

pytestmark = pytest.mark.django_db(transaction=True)


def client(auth):
    return Client(
        auth=auth, base_url=settings.NOTION_API_URL, notion_version="2022-06-28", retry=False
    )


def texts(results):
    return [
        "".join(part["plain_text"] for part in block[block["type"]].get("rich_text", []))
        for block in results
    ]


@pytest.fixture
def token():
    return notion_store.integration_token()


def test_search_paginates_by_last_edited_time(sandbox, token):
    ids = [notion_store.add_page(token, f"Page {n}") for n in range(5)]
    notion_store.edit_page(ids[0], title="Page 0 edited")
    notion = client(token)
    seen, cursor, pages = [], None, 0
    while True:
        answer = notion.search(
            filter={"property": "object", "value": "page"},
            sort={"direction": "descending", "timestamp": "last_edited_time"},
            page_size=2,
            **({"start_cursor": cursor} if cursor else {}),
        )
        assert answer["object"] == "list" and answer["type"] == "page_or_database"
        assert len(answer["results"]) <= 2
        seen += answer["results"]
        pages += 1
        if not answer["has_more"]:
            assert answer["next_cursor"] is None
            break
        cursor = answer["next_cursor"]
    assert pages == 3
    assert [page["id"] for page in seen] == [ids[0], ids[4], ids[3], ids[2], ids[1]]
    first = seen[0]
    assert first["object"] == "page" and first["parent"] == {"type": "workspace", "workspace": True}
    assert first["properties"]["title"]["title"][0]["plain_text"] == "Page 0 edited"
    assert first["last_edited_time"].endswith("Z") and len(first["last_edited_time"]) == 24
    assert first["archived"] is False and first["url"].startswith("https://www.notion.so/")
    assert [p["id"] for p in notion.search(query="page 3")["results"]] == [ids[3]]


def test_search_filters_databases_and_page_size_is_bounded(sandbox, token):
    notion_store.add_page(token, "Deals overview")
    database = notion_store.add_database(token, "Deals")
    notion = client(token)
    found = notion.search(query="deals", filter={"property": "object", "value": "database"})
    assert [r["id"] for r in found["results"]] == [database]
    assert found["results"][0]["object"] == "database"
    with pytest.raises(APIResponseError) as too_big:
        notion.search(page_size=101)
    assert too_big.value.code == "validation_error"


def test_block_children_paginate_and_nest(sandbox, token):
    page = notion_store.add_page(
        token,
        "Notes",
        [
            ("heading_1", "Title"),
            ("paragraph", "text"),
            ("bulleted_list_item", "x", [("paragraph", "inner"), ("to_do", "task", [], True)]),
            ("code", "print(1)"),
            ("divider",),
        ],
    )
    notion = client(token)
    first = notion.blocks.children.list(page, page_size=2)
    assert first["type"] == "block" and first["block"] == {} and first["has_more"]
    rest = notion.blocks.children.list(page, start_cursor=first["next_cursor"])
    assert rest["has_more"] is False and rest["next_cursor"] is None
    blocks = first["results"] + rest["results"]
    assert [b["type"] for b in blocks] == [
        "heading_1",
        "paragraph",
        "bulleted_list_item",
        "code",
        "divider",
    ]
    assert texts(blocks[:4]) == ["Title", "text", "x", "print(1)"]
    assert blocks[2]["has_children"] and not blocks[1]["has_children"]
    assert blocks[3]["code"]["language"] == "plain text"
    assert blocks[0]["parent"] == {"type": "page_id", "page_id": page}
    rich = blocks[1]["paragraph"]["rich_text"][0]
    assert rich["type"] == "text" and rich["text"] == {"content": "text", "link": None}
    assert rich["annotations"]["bold"] is False and rich["href"] is None
    inner = collect_paginated_api(notion.blocks.children.list, block_id=blocks[2]["id"])
    assert texts(inner) == ["inner", "task"]
    assert inner[1]["to_do"]["checked"] is True


def test_create_page_with_children_under_a_page(sandbox, token):
    parent = notion_store.add_page(token, "Parent")
    notion = client(token)
    made = notion.pages.create(
        parent={"page_id": parent},
        properties={"title": {"title": [{"text": {"content": "Child"}}]}},
        children=[
            {
                "object": "block",
                "type": "heading_2",
                "heading_2": {"rich_text": [{"type": "text", "text": {"content": "Summary"}}]},
            },
            {
                "type": "toggle",
                "toggle": {
                    "rich_text": [{"text": {"content": "More"}}],
                    "children": [
                        {
                            "type": "quote",
                            "quote": {
                                "rich_text": [
                                    {"text": {"content": "inside", "link": {"url": "https://x.y"}}}
                                ]
                            },
                        }
                    ],
                },
            },
        ],
    )
    assert made["object"] == "page" and made["parent"] == {"type": "page_id", "page_id": parent}
    assert notion.pages.retrieve(made["id"])["id"] == made["id"]
    assert notion_store.blocks(made["id"]) == [
        ("heading_2", "Summary", []),
        ("toggle", "More", [("quote", "inside", [])]),
    ]
    parent_blocks = notion.blocks.children.list(parent)["results"]
    assert parent_blocks[-1]["type"] == "child_page"
    assert parent_blocks[-1]["child_page"] == {"title": "Child"}
    with pytest.raises(APIResponseError) as bad:
        notion.pages.create(parent={"page_id": parent}, children=[{"type": "nope", "nope": {}}])
    assert bad.value.code == "validation_error"


def test_database_retrieve_query_and_create_row(sandbox, token):
    database = notion_store.add_database(token, "Deals")
    notion_store.add_page(token, "Old deal", parent=database, properties={"Amount": {"number": 5}})
    notion = client(token)
    schema = notion.databases.retrieve(database)
    assert schema["object"] == "database"
    assert schema["title"][0]["plain_text"] == "Deals"
    props = schema["properties"]
    assert props["Name"]["type"] == "title" and props["Name"]["id"] == "title"
    assert {n: p["type"] for n, p in props.items()} == {
        "Name": "title",
        "Stage": "select",
        "Amount": "number",
        "Close": "date",
        "Email": "email",
        "URL": "url",
        "Done": "checkbox",
        "Tags": "multi_select",
        "Notes": "rich_text",
    }
    assert [o["name"] for o in props["Stage"]["select"]["options"]][:2] == ["Lead", "Qualified"]

    row = notion.pages.create(
        parent={"database_id": database},
        properties={
            "Name": {"title": [{"text": {"content": "Big deal"}}]},
            "Stage": {"select": {"name": "Won"}},
            "Amount": {"number": 1200.5},
            "Close": {"date": {"start": "2025-03-01"}},
            "Email": {"email": "a@b.co"},
            "Done": {"checkbox": True},
            "Tags": {"multi_select": [{"name": "vip"}]},
        },
    )
    assert row["parent"] == {"type": "database_id", "database_id": database}
    assert row["properties"]["Stage"]["select"]["name"] == "Won"
    assert row["properties"]["URL"]["url"] is None
    for bad in (
        {"Amount": {"number": "lots"}},
        {"Missing": {"rich_text": []}},
        {"Done": {"checkbox": "yes"}},
        {"Close": {"date": {"start": "tomorrow"}}},
    ):
        with pytest.raises(APIResponseError) as refused:
            notion.pages.create(parent={"database_id": database}, properties=bad)
        assert refused.value.code == "validation_error" and refused.value.status == 400

    def query(**body):
        return notion.request(path=f"databases/{database}/query", method="POST", body=body)

    everything = query(page_size=1)
    assert everything["has_more"] and len(everything["results"]) == 1
    assert len(query(start_cursor=everything["next_cursor"])["results"]) == 1
    won = query(filter={"property": "Stage", "select": {"equals": "Won"}})["results"]
    assert [r["id"] for r in won] == [row["id"]]
    ordered = query(sorts=[{"property": "Amount", "direction": "descending"}])["results"]
    assert [r["properties"]["Amount"]["number"] for r in ordered] == [1200.5, 5]
    assert [r["Name"] for r in notion_store.rows(database)] == ["Old deal", "Big deal"]


def test_unknown_tokens_and_missing_version_are_refused(sandbox, token):
    with pytest.raises(APIResponseError) as unknown:
        client("ntn_not-a-token").search()
    assert unknown.value.code == "unauthorized" and unknown.value.status == 401
    answer = requests.post(
        f"{settings.NOTION_API_URL}/v1/search",
        headers={"Authorization": f"Bearer {token}"},
        json={},
        timeout=10,
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "missing_version"
    assert answer.json()["object"] == "error"


def test_unshared_and_archived_pages_are_invisible(sandbox, token):
    other = notion_store.integration_token()
    mine = notion_store.add_page(token, "Mine", [("paragraph", "secret")])
    theirs = notion_store.add_page(other, "Theirs")
    child = notion_store.add_page(token, "Child", parent=mine)
    notion = client(token)
    assert {p["id"] for p in notion.search()["results"]} == {mine, child}
    with pytest.raises(APIResponseError) as hidden:
        notion.pages.retrieve(theirs)
    assert hidden.value.code == "object_not_found" and hidden.value.status == 404
    with pytest.raises(APIResponseError):
        notion.blocks.children.list(theirs)
    notion_store.archive(child)
    assert [p["id"] for p in notion.search()["results"]] == [mine]
    assert notion.pages.retrieve(child)["archived"] is True
    notion_store.unshare(mine)
    assert notion.search()["results"] == []
    for call in (notion.pages.retrieve, notion.blocks.children.list):
        with pytest.raises(APIResponseError) as gone:
            call(mine)
        assert gone.value.code == "object_not_found"


def test_over_the_rate_answers_429_with_retry_after(sandbox, token):
    notion_store.set_rate_limit(token, per_second=0.5, burst=2)
    notion = client(token)
    notion.search()
    notion.search()
    with pytest.raises(APIResponseError) as limited:
        notion.search()
    assert limited.value.code == "rate_limited" and limited.value.status == 429
    assert limited.value.headers["Retry-After"] == "2"
    unlimited = notion_store.integration_token()
    for _ in range(5):
        client(unlimited).search()


def test_faults_apply_and_calls_are_logged(sandbox, token):
    faults.clear_calls("notion")
    faults.inject("notion", r"/v1/search$", status=503, times=1)
    notion = client(token)
    with pytest.raises(APIResponseError) as failed:
        notion.search()
    assert failed.value.code == "service_unavailable" and failed.value.status == 503
    assert notion.search()["results"] == []
    assert faults.calls("notion", "/v1/search").count() == 2
