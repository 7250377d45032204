"""Storing provider mail: idempotent upserts, threads, noise, contacts, constant queries."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clianta import contacts
from clianta.models import Contact
from email_accounts.models import BlockedSender, EmailMessage, EmailSettings, EmailThread
from email_accounts.store import Deleted, Fetched, Relabeled, store
from tests.conftest import in_parallel
from tests.email_accounts.mail import raw

pytestmark = pytest.mark.django_db
ME = "me@clianta.example"
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def fetched(provider_id, thread="t1", labels=("INBOX",), **mail):
    return Fetched(provider_id, thread, list(labels), raw(**mail))


def test_the_same_page_stored_twice_leaves_the_same_rows(account):
    """S1."""
    page = [fetched("m1", message_id="<1@x>"), fetched("m2", message_id="<2@x>", subject="B")]
    first = store(account, page)
    second = store(account, page)
    assert (first.created, second.created, second.updated) == (2, 0, 0)
    assert EmailMessage.objects.filter(account=account).count() == 2


def test_deletions_and_label_changes(account):
    store(account, [fetched("m1", message_id="<1@x>"), fetched("m2", message_id="<2@x>")])
    counts = store(account, [Deleted("m1"), Relabeled("m2", ["INBOX", "IMPORTANT"])])
    assert (counts.deleted, counts.updated) == (1, 1)
    assert list(EmailMessage.objects.values_list("provider_message_id", "labels")) == [
        ("m2", ["INBOX", "IMPORTANT"])
    ]


def test_threads_by_provider_thread_id_and_by_references_across_mailboxes(account, make_account):
    store(account, [fetched("m1", thread="ta", message_id="<a1@x>", date=T0)])
    store(account, [fetched("m2", thread="ta", message_id="<a2@x>", date=T0 + timedelta(hours=1))])
    other = make_account("sales@clianta.example", provider="outlook")
    reply = fetched(
        "o1",
        thread="conversation-9",
        message_id="<a3@x>",
        in_reply_to="<a2@x>",
        references=("<a1@x>", "<a2@x>"),
        date=T0 + timedelta(hours=2),
    )
    store(other, [reply])
    store(account, [fetched("m9", thread="tb", message_id="<b1@x>", subject="Other")])
    threads = {m.provider_message_id: m.thread_id for m in EmailMessage.objects.all()}
    assert threads["m1"] == threads["m2"] == threads["o1"] != threads["m9"]
    thread = EmailThread.objects.get(pk=threads["m1"])
    assert thread.last_message_at == T0 + timedelta(hours=2)


def test_replies_within_one_page_join_their_thread_in_date_order(account):
    later = fetched("r", thread="", message_id="<r@x>", in_reply_to="<o@x>", date=T0 + timedelta(1))
    earlier = fetched("o", thread="", message_id="<o@x>", date=T0)
    store(account, [later, earlier])
    assert EmailThread.objects.count() == 1


def test_blocked_senders_are_skipped_and_counted(account, workspace_a):
    BlockedSender.objects.create(workspace=workspace_a, pattern="news.example")
    BlockedSender.objects.create(workspace=workspace_a, pattern="spam@acme.example")
    counts = store(
        account,
        [
            fetched("1", sender="noreply@shop.example", message_id="<1@x>"),
            fetched("2", sender="promo@mail.news.example", message_id="<2@x>"),
            fetched("3", sender="spam@acme.example", message_id="<3@x>"),
            fetched("4", sender="ann@acme.example", message_id="<4@x>"),
        ],
    )
    assert (counts.created, counts.skipped) == (1, 3)
    assert counts.skip_reasons == {"blocked sender": 3}


def test_by_default_contacts_are_people_written_to(account, workspace_a):
    store(account, [fetched("in1", sender="stranger@acme.example", message_id="<1@x>")])
    assert not Contact.objects.exists()
    store(
        account,
        [
            fetched(
                "out1", sender=ME, to=("Bob@Acme.example",), labels=("SENT",), message_id="<2@x>"
            )
        ],
    )
    bob = Contact.objects.get(workspace=workspace_a)
    assert bob.email == "bob@acme.example"
    store(account, [fetched("in2", sender="bob@acme.example", message_id="<3@x>")])
    assert list(EmailMessage.objects.get(provider_message_id="in2").contacts.all()) == [bob]
    outbound = EmailMessage.objects.get(provider_message_id="out1")
    assert outbound.direction == "outbound"


@pytest.mark.parametrize(("policy", "created"), [("everyone", 2), ("none", 0)])
def test_the_contact_policy_decides_who_becomes_a_contact(account, workspace_a, policy, created):
    EmailSettings.objects.create(workspace=workspace_a, contact_policy=policy)
    store(account, [fetched("1", sender="Ann Lee <ann@acme.example>", cc=("cy@acme.example",))])
    assert Contact.objects.count() == created
    if policy == "everyone":
        assert Contact.objects.get(email="ann@acme.example").first_name == "Ann"


def test_queries_per_page_do_not_grow_with_the_page(account):
    """No N+1: a page of 40 costs what a page of 10 costs."""

    def page(start, count):
        return [
            fetched(
                f"q{i}",
                thread=f"t{i % 7}",
                sender=f"p{i}@acme.example" if i % 2 else ME,
                to=(f"r{i}@acme.example",),
                labels=("SENT",) if i % 2 == 0 else ("INBOX",),
                message_id=f"<q{i}@x>",
                in_reply_to=f"<q{i - 1}@x>",
            )
            for i in range(start, start + count)
        ]

    with CaptureQueriesContext(connection) as small:
        store(account, page(0, 10))
    with CaptureQueriesContext(connection) as large:
        store(account, page(100, 40))
    assert len(large) == len(small)


def test_nul_characters_in_mail_are_stored(account):
    message = raw(body="before\x00after", subject="zero\x00byte", message_id="<z@x>")
    store(account, [Fetched("z", "t", ["INBOX"], message)])
    stored = EmailMessage.objects.get()
    assert "\x00" not in stored.body_text and "before" in stored.body_text


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_writers_creating_one_contact_at_once_make_one(workspace_a):
    """Email and calendar meeting the same new address at the same moment: one contact."""
    results = in_parallel(lambda: contacts.ensure(workspace_a.pk, {"New@Acme.example": "New"}), 4)
    assert Contact.objects.filter(workspace=workspace_a).count() == 1
    assert len({r["new@acme.example"].pk for r in results}) == 1


def test_the_blocklist_and_contact_policy_through_the_api(api_a, workspace_a, account):
    created = api_a.post("/api/email-blocklist", {"pattern": " News.Example "}, format="json")
    assert created.status_code == 201 and created.json()["pattern"] == "news.example"
    again = api_a.post("/api/email-blocklist", {"pattern": "news.example"}, format="json")
    assert again.json()["fields"]["pattern"] == ["This sender is already blocked."]
    for bad in ("not a domain", "@", "localhost"):
        assert (
            api_a.post("/api/email-blocklist", {"pattern": bad}, format="json").status_code == 400
        )
    settings = api_a.get("/api/email-settings").json()
    assert settings["contact_policy"] == "sent"
    assert "noreply@*" in settings["default_blocked_senders"]
    assert (
        api_a.patch(
            "/api/email-settings", {"contact_policy": "everyone"}, format="json"
        ).status_code
        == 200
    )
    assert (
        api_a.patch("/api/email-settings", {"contact_policy": "all"}, format="json").status_code
        == 400
    )
    counts = store(
        account,
        [
            fetched("1", sender="promo@news.example", message_id="<1@x>"),
            fetched("2", sender="Ann <ann@acme.example>", message_id="<2@x>"),
        ],
    )
    assert counts.skip_reasons == {"blocked sender": 1}
    assert list(Contact.objects.values_list("email", flat=True)) == ["ann@acme.example"]
