from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clianta.models import Company, Contact
from tests.timeline.items import KINDS, add_item

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


@pytest.fixture
def contact(workspace_a):
    return Contact.objects.create(workspace=workspace_a, first_name="Ada", email="ada@x.example")


def timeline(api, contact, **params):
    answer = api.get(f"/api/contacts/{contact.pk}/timeline", params)
    assert answer.status_code == 200, answer.content
    return answer.json()


def walk(api, url):
    """Every item of every page from ``url``, following ``next``."""
    items = []
    while url:
        body = api.get(url).json()
        items += body["results"]
        url = body["next"]
    return items


def test_every_kind_newest_first_with_its_summary_url_and_integration(api_a, contact):
    for hours, kind in enumerate(KINDS):
        add_item(kind, contact, NOW - timedelta(hours=hours))

    items = timeline(api_a, contact)["results"]

    assert [item["kind"] for item in items] == list(KINDS)
    by_kind = {item["kind"]: item for item in items}
    assert by_kind["email"]["direction"] == "inbound"
    assert by_kind["email"]["summary"] == "Proposal 0 · Here are the figures"
    assert by_kind["email"]["integration"] == "gmail"
    assert by_kind["email"]["url"].endswith(f"/api/email-messages/{by_kind['email']['id']}")
    assert by_kind["sms"]["status"] == "delivered"
    assert by_kind["sms"]["summary"] == "Hello 0 · delivered"
    assert by_kind["voice_drop"]["summary"] == "Voice drop to +15550002222 · voicemail"
    assert by_kind["voice_drop"]["direction"] == "outbound"
    assert by_kind["call_recording"]["summary"] == "Call recording · 42 s · completed"
    assert by_kind["meeting"]["summary"] == "Demo 0"
    assert by_kind["meeting"]["integration"] == "google_calendar"
    assert by_kind["slack"]["summary"] == "Ada · Can we talk 0?"
    assert by_kind["notion"]["summary"] == "Account plan 0"
    assert by_kind["note"]["summary"] == "Call back 0"
    assert by_kind["crm"]["summary"] == "deal.stage_changed · proposal"
    assert by_kind["crm"]["direction"] is None
    assert by_kind["crm"]["url"].endswith(f"/api/contacts/{contact.pk}")
    for item in items:
        assert api_a.get(item["url"]).status_code == 200, item


def test_the_crm_events_of_the_api_are_on_the_timeline(api_a):
    created = api_a.post("/api/contacts", {"first_name": "Bo"}, format="json").json()
    deal = api_a.post("/api/deals", {"name": "Big", "contact": created["id"]}, format="json").json()
    api_a.patch(f"/api/deals/{deal['id']}", {"stage": "won"}, format="json")

    items = api_a.get(f"/api/contacts/{created['id']}/timeline").json()["results"]

    assert [item["summary"] for item in items] == [
        "deal.won · won",
        "deal.stage_changed · won",
        "contact.created",
    ]


def test_a_company_timeline_merges_its_contacts_and_only_theirs(api_a, workspace_a, contact):
    company = Company.objects.create(workspace=workspace_a, name="Acme")
    other = Contact.objects.create(workspace=workspace_a, email="bo@x.example", company=company)
    contact.company = company
    contact.save()
    outsider = Contact.objects.create(workspace=workspace_a, email="cy@x.example")
    add_item("sms", contact, NOW - timedelta(minutes=2))
    add_item("email", other, NOW - timedelta(minutes=1))
    add_item("sms", outsider, NOW, n=1)
    message = add_item("email", contact, NOW - timedelta(minutes=3), n=1)
    message.contacts.add(other)  # one email naming both: listed once

    answer = api_a.get(f"/api/companies/{company.pk}/timeline").json()

    assert [item["kind"] for item in answer["results"]] == ["email", "sms", "email"]
    assert answer["next"] is None


def test_pages_follow_each_other_while_new_items_arrive(api_a, contact):
    for minutes in range(7):
        add_item(KINDS[minutes % len(KINDS)], contact, NOW - timedelta(minutes=minutes), n=minutes)
    # Items at the same moment are ordered by id: none is lost or repeated across pages.
    for n in range(3):
        add_item("sms", contact, NOW - timedelta(minutes=3), n=100 + n)

    first = timeline(api_a, contact, page_size=4)
    for n in range(3):
        add_item(KINDS[n], contact, NOW + timedelta(minutes=1 + n), n=200 + n)
    rest = walk(api_a, first["next"])

    seen = [item["id"] for item in first["results"] + rest]
    assert len(seen) == len(set(seen)) == 10
    times = [item["occurred_at"] for item in first["results"] + rest]
    assert times == sorted(times, reverse=True)
    assert len(walk(api_a, f"/api/contacts/{contact.pk}/timeline?page_size=3")) == 13


def test_the_number_of_queries_does_not_grow_with_page_size_kinds_or_history(api_a, contact):
    def queries(page_size):
        with CaptureQueriesContext(connection) as captured:
            timeline(api_a, contact, page_size=page_size)
        return len(captured)

    add_item("sms", contact, NOW)
    queries(2)  # the token's first use
    few = queries(2)
    for n in range(30):
        add_item(KINDS[n % len(KINDS)], contact, NOW - timedelta(minutes=n + 1), n=n)

    assert queries(2) == queries(50) == few
    with CaptureQueriesContext(connection) as captured:
        timeline(api_a, contact, page_size=50)
    unions = [q["sql"] for q in captured if "UNION ALL" in q["sql"]]
    assert len(unions) == 1


def test_filters_by_kinds_and_dates(api_a, contact):
    for hours, kind in enumerate(KINDS):
        add_item(kind, contact, NOW - timedelta(hours=hours))
    url = f"/api/contacts/{contact.pk}/timeline"

    chosen = api_a.get(f"{url}?kind=sms&kind=email").json()["results"]
    assert [item["kind"] for item in chosen] == ["email", "sms"]
    between = api_a.get(
        url,
        {
            "after": (NOW - timedelta(hours=3)).isoformat(),
            "before": (NOW - timedelta(hours=1)).isoformat(),
        },
    ).json()["results"]
    assert [item["kind"] for item in between] == ["email", "sms"]


def test_upcoming_meetings_come_first_and_say_so(api_a, contact):
    add_item("sms", contact, NOW)
    add_item("meeting", contact, NOW + timedelta(days=2))

    items = timeline(api_a, contact)["results"]

    assert [(item["kind"], item["status"]) for item in items] == [
        ("meeting", "upcoming"),
        ("sms", "delivered"),
    ]


@pytest.mark.parametrize(
    "query, field",
    [
        ("kind=sms&kind=fax", "kind"),
        ("after=yesterday", "after"),
        ("before=2026-13-45", "before"),
        ("before=2026-01-01T00:00:00", "before"),
        ("cursor=not-a-cursor", "cursor"),
        ("page_size=0", "page_size"),
        ("page_size=lots", "page_size"),
    ],
)
def test_bad_parameters_are_refused_by_name(api_a, contact, query, field):
    answer = api_a.get(f"/api/contacts/{contact.pk}/timeline?{query}")

    assert answer.status_code == 400
    assert field in answer.content.decode()


def test_a_tampered_cursor_is_refused(api_a, contact):
    for n in range(3):
        add_item("sms", contact, NOW - timedelta(minutes=n), n=n)
    next_url = timeline(api_a, contact, page_size=1)["next"]
    cursor = parse_qs(urlparse(next_url).query)["cursor"][0]
    payload, signature = cursor.rsplit(":", 1)
    tampered = f"{payload[:-2]}xx:{signature}"

    answer = api_a.get(f"/api/contacts/{contact.pk}/timeline", {"cursor": tampered})

    assert answer.status_code == 400
    assert "cursor" in answer.content.decode()


def test_another_workspace_sees_nothing(api_a, api_b, workspace_a, workspace_b, contact):
    company = Company.objects.create(workspace=workspace_a, name="Acme")
    add_item("sms", contact, NOW)
    assert api_b.get(f"/api/contacts/{contact.pk}/timeline").status_code == 404
    assert api_b.get(f"/api/companies/{company.pk}/timeline").status_code == 404

    # Rows of workspace B that name A's contact (a guessed id) never show in A's timeline.
    theirs = Contact.objects.create(workspace=workspace_b, email="ada@x.example")
    for kind in KINDS:
        item = add_item(kind, theirs, NOW + timedelta(minutes=1), n=9)
        if kind == "email":
            item.contacts.set([contact])
        elif kind == "meeting":
            item.copies.get().contacts.set([contact])
        elif kind == "notion":
            item.contacts.set([contact])
        else:
            type(item).objects.filter(pk=item.pk).update(contact=contact)

    items = timeline(api_a, contact)["results"]
    assert len(items) == 1
    assert items[0]["kind"] == "sms"
    assert api_b.get(items[0]["url"]).status_code == 404
    page = add_item("notion", contact, NOW)
    assert api_b.get(f"/api/knowledge/{page.pk}").status_code == 404
    assert api_a.get(f"/api/knowledge/{page.pk}").json()["title"] == "Account plan 0"


def test_members_write_notes_on_their_workspace_contacts_only(api_a, api_b, workspace_b, contact):
    theirs = Contact.objects.create(workspace=workspace_b, email="bo@x.example")
    refused = api_a.post("/api/notes", {"contact": str(theirs.pk), "body": "Hi"}, format="json")
    assert refused.status_code == 400
    assert "contact" in refused.json()["fields"]

    note = api_a.post(
        "/api/notes", {"contact": str(contact.pk), "body": "Wants a demo"}, format="json"
    ).json()

    assert note["author"] == "alice"
    assert [n["id"] for n in api_a.get(f"/api/notes?contact={contact.pk}").json()["results"]] == [
        note["id"]
    ]
    assert api_b.get(f"/api/notes/{note['id']}").status_code == 404
    assert api_b.get("/api/notes").json()["results"] == []
    item = timeline(api_a, contact, kind="note")["results"][0]
    assert (item["summary"], item["id"]) == ("Wants a demo", note["id"])
    assert api_a.patch(f"/api/notes/{note['id']}", {"body": "x"}, format="json").status_code == 405
