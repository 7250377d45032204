"""The sandbox_seed_mailbox command: realistic mail, threads and all, quickly."""

from io import StringIO

import pytest
from django.core.management import call_command

from sandbox.google import gmail_mailbox as gm
from sandbox.google.oauth import DEFAULT_EMAIL

from .gmail_client import gmail, header, unb64

SEEDED = "seeded@example.com"


def seed(**options):
    out = StringIO()
    call_command("sandbox_seed_mailbox", stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_seeding_creates_threads_sent_mail_attachments_and_history():
    output = seed(email=SEEDED, messages=120, seed=7)
    assert f"Seeded {SEEDED} with 120 messages" in output
    rows = list(gm.messages(SEEDED))
    assert len(rows) == 120
    by_message_id = {row.message_id_header: row for row in rows}
    threads = {}
    for row in rows:
        threads.setdefault(row.thread_id, []).append(row)
    conversations = [t for t in threads.values() if len(t) > 1]
    assert conversations and all(2 <= len(t) <= 4 for t in conversations)
    for thread in conversations:
        for reply in thread:
            parsed = gm.parse(bytes(reply.raw))
            if parsed["In-Reply-To"]:
                assert by_message_id[parsed["In-Reply-To"]].thread_id == reply.thread_id
                assert reply.subject.startswith("Re: ")
    labels = [label for row in rows for label in row.label_ids]
    assert {"INBOX", "SENT", "UNREAD", "CATEGORY_PERSONAL"} <= set(labels)
    assert any(row.has_attachment for row in rows)
    assert any("noreply" in row.sender or "no-reply" in row.sender for row in rows)
    assert len({row.sender.rpartition("@")[2] for row in rows}) >= 5
    assert sum(b"charset=iso-8859-1" in bytes(row.raw) for row in rows) == 1
    assert sum(b"text/html" in bytes(row.raw) for row in rows) >= 5
    box = gm.mailbox(SEEDED)
    assert box.history.count() == 120
    assert sorted(row.history_id for row in rows)[-1] == box.history_id
    assert seed(email=SEEDED, messages=5, clear=True).startswith(
        f"Cleared 120 messages of {SEEDED}"
    )
    assert gm.messages(SEEDED).count() == 5
    assert gm.mailbox(SEEDED).history_kept_from > 0


@pytest.mark.django_db
def test_the_default_mailbox_is_the_consent_pages():
    seed(messages=3)
    assert gm.messages(DEFAULT_EMAIL).count() == 3


@pytest.mark.django_db(transaction=True)
def test_seeded_mail_reads_through_the_api(sandbox):
    seed(email=SEEDED, messages=30, seed=1)
    messages = gmail(SEEDED).users().messages()
    listed = messages.list(userId="me", maxResults=500).execute()
    assert listed["resultSizeEstimate"] == len(listed["messages"]) == 30
    latin1 = gm.messages(SEEDED).get(subject__startswith="Réunion")
    full = messages.get(userId="me", id=latin1.gmail_id).execute()
    assert header(full["payload"], "Subject") == "Réunion à Paris : ordre du jour"
    text = unb64(full["payload"]["body"]["data"]).decode("iso-8859-1")
    assert "réunion de jeudi" in text
