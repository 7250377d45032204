"""messages.send in the Gmail sandbox: new threads, replies that join theirs, Gmail's checks."""

from email.message import EmailMessage

import pytest
from googleapiclient.errors import HttpError

from sandbox.google import gmail_mailbox as gm

from .gmail_client import OWNER, READONLY, b64, gmail, header, status, token, unb64

pytestmark = pytest.mark.django_db(transaction=True)


def mime(subject, *, to="ann@acme.example", in_reply_to=None, message_id=None, body="Hi Ann"):
    message = EmailMessage()
    message["To"] = to
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message.set_content(body)
    return b64(message.as_bytes())


def test_a_new_message_gets_an_id_a_thread_the_sent_label_and_a_message_id(sandbox):
    users = gmail().users()
    start = users.getProfile(userId="me").execute()["historyId"]
    sent = users.messages().send(userId="me", body={"raw": mime("Proposal")}).execute()
    assert set(sent) == {"id", "threadId", "labelIds"}
    assert sent["labelIds"] == ["SENT"]
    assert sent["threadId"] == sent["id"]
    assert len(sent["id"]) == 16 and int(sent["id"], 16)
    stored = gm.get(OWNER, sent["id"])
    assert stored.message_id_header.endswith("@mail.gmail.com>")
    full = users.messages().get(userId="me", id=sent["id"]).execute()
    assert header(full["payload"], "From") == OWNER  # Gmail fills in the sender
    assert header(full["payload"], "Message-ID") == stored.message_id_header
    assert unb64(full["payload"]["body"]["data"]) == b"Hi Ann\n"
    history = users.history().list(userId="me", startHistoryId=start).execute()
    assert history["history"] == [
        {
            "id": full["historyId"],
            "messages": [{"id": sent["id"], "threadId": sent["threadId"]}],
            "messagesAdded": [{"message": sent}],
        }
    ]


def test_a_reply_joins_the_thread(sandbox):
    incoming = gm.deliver(OWNER, sender="ann@acme.example", subject="Pricing", body="Numbers?")
    messages = gmail().users().messages()
    reply = mime("Re: Pricing", in_reply_to=incoming.message_id_header)
    body = {"raw": reply, "threadId": incoming.thread_id}
    sent = messages.send(userId="me", body=body).execute()
    assert sent["threadId"] == incoming.thread_id
    # Without the threadId, the headers alone place it too.
    again = messages.send(userId="me", body={"raw": reply}).execute()
    assert again["threadId"] == incoming.thread_id
    # Gmail's rule: a threadId needs References/In-Reply-To into the thread and the subject.
    other_subject = {"raw": mime("Something else", in_reply_to=incoming.message_id_header)}
    other_subject["threadId"] = incoming.thread_id
    assert (
        messages.send(userId="me", body=other_subject).execute()["threadId"] != incoming.thread_id
    )
    no_headers = {"raw": mime("Re: Pricing"), "threadId": incoming.thread_id}
    assert messages.send(userId="me", body=no_headers).execute()["threadId"] != incoming.thread_id
    unknown = {"raw": mime("Hello"), "threadId": "18c0ffee00000000"}
    new = messages.send(userId="me", body=unknown).execute()
    assert new["threadId"] == new["id"]
    thread = gm.messages(OWNER).filter(thread_id=incoming.thread_id)
    assert thread.count() == 3


def test_a_message_id_of_the_client_is_kept(sandbox):
    raw = mime("Hello", message_id="<mine-123@clianta.example>")
    sent = gmail().users().messages().send(userId="me", body={"raw": raw}).execute()
    assert gm.get(OWNER, sent["id"]).message_id_header == "<mine-123@clianta.example>"


def test_gmail_refuses_bad_sends(sandbox):
    messages = gmail().users().messages()
    for body in ({}, {"raw": "!!!not base64!!!"}, {"raw": mime("No one", to="")}):
        with pytest.raises(HttpError) as refused:
            messages.send(userId="me", body=body).execute()
        assert status(refused.value) == 400
    readonly = gmail(access_token=token(OWNER, [READONLY])).users().messages()
    with pytest.raises(HttpError) as forbidden:
        readonly.send(userId="me", body={"raw": mime("Hi")}).execute()
    assert status(forbidden.value) == 403
    assert not gm.messages(OWNER).exists()
