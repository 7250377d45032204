"""Notion through notion-client against the sandbox: connect, page sync, exports, limits."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from calendars.models import CalendarEvent, Meeting
from clianta.models import Company, Contact
from integrations.errors import RateLimited
from integrations.models import IntegrationCredential, SyncLog
from productivity import knowledge, notion, tasks
from productivity.models import KnowledgePage
from sandbox import faults
from sandbox.notion import store as notion_store
from sandbox.notion.models import NotionObject
from tests.conftest import wait_for
from tests.integrations.oauth_helpers import query, start

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def token(sandbox, api_a):
    secret = notion_store.integration_token("Acme wiki")
    response = api_a.post("/api/integrations/notion/connect", {"token": secret}, format="json")
    assert response.status_code == 201, response.content
    return secret


def page_calls() -> int:
    return faults.calls("notion", "/blocks/").count()


def test_a_refused_token_is_a_clear_400(sandbox, api_a):
    response = api_a.post("/api/integrations/notion/connect", {"token": "ntn_wrong"}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"token": ["Notion refused this token."]}
    assert not IntegrationCredential.objects.exists()


def test_connecting_through_oauth(sandbox, client, alice, workspace_a, api_a):
    assert (
        api_a.post("/api/integrations/notion/connect")
        .json()["authorization_url"]
        .endswith(f"/api/integrations/notion/connect?workspace={workspace_a.pk}")
    )
    browser = Client()
    browser.force_login(alice)
    consent_url = start(browser, workspace_a, "notion")
    import requests

    answer = requests.post(
        consent_url,
        data={"workspace": "Acme wiki", "decision": "allow"},
        allow_redirects=False,
        timeout=10,
    )
    if answer.status_code != 302:  # the consent form posts to its own URL with its fields
        page = requests.get(consent_url, timeout=10).text
        raise AssertionError(page[:500])
    callback = answer.headers["Location"]
    from urllib.parse import urlsplit

    finish = browser.get(urlsplit(callback).path, query(callback))
    assert finish["Location"] == "/settings/integrations?provider=notion&success=true"
    credential = IntegrationCredential.objects.get(provider="notion")
    assert credential.access_token and credential.metadata["workspace_name"] == "Acme wiki"


def test_sync_turns_nested_blocks_into_text_and_markdown(token, workspace_a):
    Contact.objects.create(workspace=workspace_a, email="ann@acme.example")
    Company.objects.create(workspace=workspace_a, name="Widgets", domain="widgets.example")
    notion_store.add_page(
        token,
        "Account plan",
        [
            ("heading_1", "Goals"),
            ("paragraph", "Talk to ann@acme.example about Widgets."),
            ("bulleted_list_item", "Renewal", [("bulleted_list_item", "Q3 pricing")]),
            ("to_do", "Send deck", [], True),
        ],
    )
    run = knowledge.sync_pages(workspace_a.pk)
    page = KnowledgePage.objects.get()
    assert (run.status, run.created, page.title) == ("success", 1, "Account plan")
    assert page.markdown.splitlines() == [
        "# Goals",
        "Talk to ann@acme.example about Widgets.",
        "- Renewal",
        "  - Q3 pricing",
        "- [x] Send deck",
    ]
    assert "Q3 pricing" in page.text
    assert [c.email for c in page.contacts.all()] == ["ann@acme.example"]
    assert [c.name for c in page.companies.all()] == ["Widgets"]


def test_block_pagination_and_many_pages(token, workspace_a):
    notion_store.add_page(token, "Long", [("paragraph", f"line {i}") for i in range(130)])
    for i in range(3):
        notion_store.add_page(token, f"Note {i}", [("paragraph", "x")])
    knowledge.sync_pages(workspace_a.pk)
    long = KnowledgePage.objects.get(title="Long")
    assert long.text.splitlines()[-1] == "line 129" and len(long.text.splitlines()) == 130
    assert KnowledgePage.objects.count() == 4


def edited_minutes_ago(*page_ids, minutes=10):
    """Pages last edited a while ago, so a read now is past their (rounded) edit minute."""
    NotionObject.objects.filter(object_id__in=page_ids).update(
        last_edited_time=timezone.now() - timedelta(minutes=minutes)
    )


def early_in_a_minute():
    """Wait, if need be, until the clock is early in a minute, so that what the test does next
    shares one minute (Notion's edit times are rounded down to the minute)."""
    second = timezone.now().second
    if second > 40:
        time.sleep(61 - second)


def test_an_incremental_sync_fetches_only_the_edited_page_and_marks_unshared_ones(
    token, workspace_a
):
    kept = notion_store.add_page(token, "Kept", [("paragraph", "a")])
    edited = notion_store.add_page(token, "Edited", [("paragraph", "b")])
    dropped = notion_store.add_page(token, "Dropped", [("paragraph", "c")])
    edited_minutes_ago(kept, edited, dropped)
    knowledge.sync_pages(workspace_a.pk)
    notion_store.edit_page(edited, blocks=[("paragraph", "b, revised")])
    notion_store.unshare(dropped)
    faults.clear_calls()

    run = knowledge.sync_pages(workspace_a.pk)

    assert (run.updated, run.deleted, run.skipped) == (1, 1, 1)
    assert run.skip_reasons == {"unchanged since the last sync": 1}
    assert page_calls() == 1  # only the edited page's blocks were fetched
    assert KnowledgePage.objects.get(page_id=edited).text == "b, revised"
    assert KnowledgePage.objects.get(page_id=dropped).gone
    assert not KnowledgePage.objects.get(page_id=kept).gone


def test_a_page_edited_twice_within_one_minute_is_read_again(token, workspace_a):
    early_in_a_minute()
    page = notion_store.add_page(token, "Plan", [("paragraph", "first draft")])
    assert knowledge.sync_pages(workspace_a.pk).created == 1
    notion_store.edit_page(page, blocks=[("paragraph", "second draft")])
    listed = notion_store.object_json(NotionObject.objects.get(object_id=page))
    assert listed["last_edited_time"].endswith(":00.000Z")  # the same rounded time as before

    run = knowledge.sync_pages(workspace_a.pk)

    assert (run.status, run.updated) == ("success", 1)
    assert KnowledgePage.objects.get(page_id=page).text == "second draft"


def test_a_page_read_again_with_the_same_content_is_not_written(token, workspace_a):
    early_in_a_minute()
    page = notion_store.add_page(token, "Plan", [("paragraph", "draft")])
    knowledge.sync_pages(workspace_a.pk)
    before = KnowledgePage.objects.get(page_id=page)
    faults.clear_calls()

    run = knowledge.sync_pages(workspace_a.pk)

    assert page_calls() == 1  # inside its edit minute the page is read again…
    assert (run.updated, run.skip_reasons) == (0, {"unchanged since the last sync": 1})
    after = KnowledgePage.objects.get(page_id=page)
    assert after.updated_at == before.updated_at  # …and left as it was
    assert after.read_at > before.read_at


def test_429_is_rate_limited_with_retry_after(token, workspace_a, settings):
    notion_store.add_page(token, "One", [("paragraph", "x")])
    faults.inject("notion", "/search", status=429, retry_after=2, times=None)
    with pytest.raises(RateLimited) as raised:
        knowledge.sync_pages(workspace_a.pk)
    assert raised.value.retry_after == 2


@pytest.mark.postgres
def test_workers_share_one_pace(token, workspace_a, settings):
    """Four workers asking at once get four slots 0.2 s apart (5 requests a second)."""
    from django.utils import timezone

    from productivity.models import NotionPace
    from tests.conftest import in_parallel

    settings.NOTION_REQUESTS_PER_SECOND = 5
    before = timezone.now()
    in_parallel(lambda: notion.wait_turn(workspace_a.pk), 4)
    next_free = NotionPace.objects.get(pk=workspace_a.pk).next_at
    assert next_free >= before + timedelta(seconds=0.8)


def test_search_the_knowledge_store(token, workspace_a, api_a):
    notion_store.add_page(token, "Pricing", [("paragraph", "Our enterprise discount policy")])
    notion_store.add_page(token, "Onboarding", [("paragraph", "Welcome aboard")])
    knowledge.sync_pages(workspace_a.pk)
    found = api_a.get("/api/knowledge", {"q": "discount"}).json()["results"]
    assert [p["title"] for p in found] == ["Pricing"]
    assert len(api_a.get("/api/knowledge").json()["results"]) == 2


def test_sync_through_the_api_runs_in_the_worker(celery_worker, token, api_a):
    """The queued run is the one the worker fills (S10)."""
    notion_store.add_page(token, "Queued", [("paragraph", "x")])
    response = api_a.post("/api/integrations/notion/sync")
    assert response.status_code == 202
    run = SyncLog.objects.get(pk=response.json()["sync_id"])
    assert (run.status, run.kind, run.provider) == ("queued", "knowledge", "notion")
    wait_for(lambda: SyncLog.objects.filter(pk=run.pk, status="success").exists())
    assert SyncLog.objects.get(pk=run.pk).created == 1
    assert KnowledgePage.objects.filter(title="Queued").exists()


def test_export_meeting_notes_and_a_report_into_a_database(token, workspace_a, api_a):
    parent = notion_store.add_page(token, "Meetings", [])
    database = notion_store.add_database(token, "Contacts", properties=None)
    meeting = Meeting.objects.create(workspace=workspace_a, ical_uid="m@x", title="Review")
    start = datetime(2026, 12, 1, 10, tzinfo=UTC)
    event = CalendarEvent.objects.create(
        workspace=workspace_a,
        meeting=meeting,
        provider_event_id="e1",
        title="Quarterly review",
        description="Discussed renewal.",
        start=start,
        end=start + timedelta(hours=1),
        attendees=[{"email": "ann@acme.example"}],
    )
    notes = api_a.post(
        "/api/integrations/notion/export",
        {"kind": "meeting_notes", "event": str(event.pk), "parent_page": parent},
        format="json",
    )
    assert notes.status_code == 201, notes.content
    texts = [text for _, text, _ in notion_store.blocks(notes.json()["id"])]
    assert "Attendees" in texts and "ann@acme.example" in texts and "Discussed renewal." in texts

    Contact.objects.create(workspace=workspace_a, email="ann@acme.example", first_name="Ann")
    rows = api_a.post(
        "/api/integrations/notion/export",
        {"kind": "report", "report": "contacts", "database": database},
        format="json",
    )
    assert rows.status_code == 201, rows.content
    assert rows.json() == {"rows": 1}
    stored = notion_store.rows(database)
    assert stored[0]["Name"] == "ann@acme.example"
    assert stored[0]["Email"] == "ann@acme.example"
    missing = api_a.post("/api/integrations/notion/export", {"kind": "report"}, format="json")
    assert set(missing.json()["fields"]) == {"report", "database"}


def test_a_token_that_cannot_travel_in_a_header_is_refused(sandbox, api_a):
    response = api_a.post("/api/integrations/notion/connect", {"token": "ntn_Ж"}, format="json")
    assert response.status_code == 400 and "token" in response.json()["fields"]


def test_the_hourly_fan_out_skips_workspaces_whose_notion_syncs_stopped(
    workspace_a, workspace_b, make_workspace, alice
):
    """S8, O6: a credential needing reconnection, or with syncs disabled after repeated auth
    failures, queues no sync; the others queue one per workspace."""
    stopped = make_workspace(alice, "Stopped")
    IntegrationCredential.objects.create(workspace=workspace_a, provider="notion", api_key="k1")
    IntegrationCredential.objects.create(
        workspace=workspace_b, provider="notion", api_key="k2", status="needs_reconnect"
    )
    IntegrationCredential.objects.create(
        workspace=stopped, provider="notion", api_key="k3", sync_enabled=False
    )
    assert tasks.sync_notion_all() == 1
