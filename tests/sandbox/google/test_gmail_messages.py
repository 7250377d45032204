"""The Gmail sandbox's profile, messages.list and messages.get, through google-api-python-client."""

from datetime import UTC, datetime

import pytest
import requests
from django.conf import settings
from googleapiclient.errors import HttpError

from sandbox.google import gmail_mailbox as gm

from .gmail_client import METADATA, OWNER, gmail, header, status, token, unb64

pytestmark = pytest.mark.django_db(transaction=True)

ANN = "Ann Example <ann@acme.example>"


def day(number: int) -> datetime:
    """Noon Pacific on 2024-03-<number> (search dates are Pacific midnights)."""
    return datetime(2024, 3, number, 20, 0, tzinfo=UTC)


def test_profile_counts_messages_threads_and_history(sandbox):
    first = gm.deliver(OWNER, sender=ANN, subject="Pricing", body="Numbers attached.")
    gm.deliver(
        OWNER,
        sender=ANN,
        subject="Re: Pricing",
        body="And more.",
        in_reply_to=first.message_id_header,
    )
    gm.deliver(OWNER, sender=ANN, subject="Lunch?", body="Friday?")
    users = gmail().users()
    profile = users.getProfile(userId="me").execute()
    assert profile == {
        "emailAddress": OWNER,
        "messagesTotal": 3,
        "threadsTotal": 2,
        "historyId": str(gm.mailbox(OWNER).history_id),
    }
    assert users.getProfile(userId=OWNER).execute()["emailAddress"] == OWNER
    with pytest.raises(HttpError) as denied:
        users.getProfile(userId="someone.else@example.com").execute()
    assert status(denied.value) == 403
    assert "Delegation denied" in str(denied.value)
    anonymous = requests.get(settings.GMAIL_API_URL + "gmail/v1/users/me/profile", timeout=10)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["status"] == "UNAUTHENTICATED"


def test_an_empty_mailbox_lists_only_an_estimate(sandbox):
    assert gmail().users().messages().list(userId="me").execute() == {"resultSizeEstimate": 0}


def test_list_pages_newest_first(sandbox):
    delivered = [
        gm.deliver(OWNER, sender=ANN, subject=f"Note {n}", body=".", date=day(n))
        for n in range(1, 8)
    ]
    messages = gmail().users().messages()
    request = messages.list(userId="me", maxResults=3)
    pages = []
    while request is not None:
        page = request.execute()
        pages.append(page)
        request = messages.list_next(request, page)
    assert [len(page["messages"]) for page in pages] == [3, 3, 1]
    assert all(page["resultSizeEstimate"] == 7 for page in pages)
    assert "nextPageToken" not in pages[-1]
    listed = [m for page in pages for m in page["messages"]]
    newest_first = [{"id": m.gmail_id, "threadId": m.thread_id} for m in reversed(delivered)]
    assert listed == newest_first
    with pytest.raises(HttpError) as invalid:
        messages.list(userId="me", pageToken="not-a-token").execute()
    assert status(invalid.value) == 400


def test_list_filters_by_labels_and_query(sandbox):
    old = gm.deliver(OWNER, sender=ANN, subject="Old", body=".", date=day(1))
    starred = gm.deliver(
        OWNER,
        sender="bob@globex.example",
        subject="Star",
        body=".",
        labels=["INBOX", "STARRED"],
        date=day(3),
    )
    sent = gm.deliver(
        OWNER,
        sender=OWNER,
        to="bob@globex.example",
        subject="Out",
        body=".",
        labels=["SENT"],
        date=day(4),
    )
    spam = gm.deliver(
        OWNER, sender="win@prize.example", subject="Win", body=".", labels=["SPAM"], date=day(5)
    )
    trashed = gm.deliver(
        OWNER, sender=ANN, subject="Bin", body=".", labels=["INBOX", "TRASH"], date=day(6)
    )
    messages = gmail().users().messages()

    def ids(**params):
        answer = messages.list(userId="me", **params).execute()
        return {m["id"] for m in answer.get("messages", [])}

    assert ids() == {old.gmail_id, starred.gmail_id, sent.gmail_id}
    assert ids(includeSpamTrash=True) == {
        old.gmail_id,
        starred.gmail_id,
        sent.gmail_id,
        spam.gmail_id,
        trashed.gmail_id,
    }
    assert ids(labelIds=["INBOX"]) == {old.gmail_id, starred.gmail_id}
    assert ids(labelIds=["INBOX", "STARRED"]) == {starred.gmail_id}
    assert ids(labelIds=["TRASH"]) == {trashed.gmail_id}
    assert ids(q="in:inbox") == {old.gmail_id, starred.gmail_id}
    assert ids(q="in:sent") == {sent.gmail_id}
    assert ids(q="from:globex.example") == {starred.gmail_id}
    assert ids(q="from:ann@acme.example in:inbox") == {old.gmail_id}
    assert ids(q="after:2024/03/02 before:2024/03/04") == {starred.gmail_id}
    assert ids(q="after:2024/03/02 in:anywhere") == {
        starred.gmail_id,
        sent.gmail_id,
        spam.gmail_id,
        trashed.gmail_id,
    }
    assert ids(q="-in:sent is:starred") == {starred.gmail_id}
    assert ids(q="in:inbox frobnicate:yes") == {old.gmail_id, starred.gmail_id}  # ignored term
    with pytest.raises(HttpError) as invalid:
        messages.list(userId="me", maxResults=0).execute()
    assert status(invalid.value) == 400


def test_get_in_every_format(sandbox):
    message = gm.deliver(
        OWNER,
        sender=ANN,
        subject="Proposal",
        body="See the numbers attached.",
        html="<p>See the <b>numbers</b> attached.</p>",
        attachments=[("pipeline.csv", b"company,amount\nAcme,12000\n", "text/csv")],
        date=day(9),
    )
    messages = gmail().users().messages()
    full = messages.get(userId="me", id=message.gmail_id).execute()
    assert full["id"] == full["threadId"] == message.gmail_id
    assert full["labelIds"] == ["INBOX", "UNREAD"]
    assert full["snippet"] == "See the numbers attached."
    assert full["internalDate"] == str(int(day(9).timestamp() * 1000))
    assert full["historyId"] == str(message.history_id)
    assert full["sizeEstimate"] == len(bytes(message.raw))
    payload = full["payload"]
    assert (payload["partId"], payload["mimeType"], payload["filename"]) == (
        "",
        "multipart/mixed",
        "",
    )
    assert header(payload, "Subject") == "Proposal"
    alternative, attachment = payload["parts"]
    assert [p["partId"] for p in alternative["parts"]] == ["0.0", "0.1"]
    plain, html = alternative["parts"]
    assert unb64(plain["body"]["data"]).decode() == "See the numbers attached.\r\n"
    assert plain["body"]["size"] == len(unb64(plain["body"]["data"]))
    assert html["mimeType"] == "text/html"
    assert (attachment["partId"], attachment["filename"]) == ("1", "pipeline.csv")
    assert "data" not in attachment["body"]
    assert attachment["body"]["size"] == 26
    fetched = (
        messages.attachments()
        .get(userId="me", messageId=message.gmail_id, id=attachment["body"]["attachmentId"])
        .execute()
    )
    assert unb64(fetched["data"]) == b"company,amount\nAcme,12000\n"

    minimal = messages.get(userId="me", id=message.gmail_id, format="minimal").execute()
    assert set(minimal) == {
        "id",
        "threadId",
        "labelIds",
        "snippet",
        "sizeEstimate",
        "historyId",
        "internalDate",
    }
    raw = messages.get(userId="me", id=message.gmail_id, format="raw").execute()
    assert "payload" not in raw
    assert unb64(raw["raw"]) == bytes(message.raw)
    metadata = messages.get(
        userId="me", id=message.gmail_id, format="metadata", metadataHeaders=["Subject", "from"]
    ).execute()
    assert metadata["payload"]["headers"] == [
        {"name": "From", "value": ANN},
        {"name": "Subject", "value": "Proposal"},
    ]
    assert "parts" not in metadata["payload"]

    with pytest.raises(HttpError) as missing:
        messages.get(userId="me", id="18c0ffee00000000").execute()
    assert status(missing.value) == 404
    assert missing.value.error_details[0]["reason"] == "notFound"
    with pytest.raises(HttpError) as invalid:
        messages.get(userId="me", id="not-an-id").execute()
    assert status(invalid.value) == 400


LATIN1 = (
    "From: =?iso-8859-1?q?Fran=E7ois_Dupr=E9?= <francois@exemple.fr>\r\n"
    "To: owner@example.com\r\n"
    "Subject: =?iso-8859-1?q?R=E9union_=E0_Paris?=\r\n"
    "Date: Tue, 05 Mar 2024 10:00:00 +0100\r\n"
    "Message-ID: <latin1@exemple.fr>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=ISO-8859-1\r\n"
    "Content-Transfer-Encoding: 8bit\r\n"
    "\r\n"
    "Voilà l'ordre du jour : résumé, budget, étapes.\r\n"
).encode("iso-8859-1")


def test_iso_8859_1_is_decoded_correctly_in_full_format(sandbox):
    message = gm.deliver(OWNER, raw=LATIN1)
    full = gmail().users().messages().get(userId="me", id=message.gmail_id).execute()
    payload = full["payload"]
    assert header(payload, "Subject") == "Réunion à Paris"
    assert header(payload, "From") == "François Dupré <francois@exemple.fr>"
    # The body keeps its charset, which the Content-Type header names.
    assert "ISO-8859-1" in header(payload, "Content-Type")
    text = unb64(payload["body"]["data"]).decode("iso-8859-1")
    assert text == "Voilà l'ordre du jour : résumé, budget, étapes.\r\n"
    assert full["snippet"] == "Voilà l&#39;ordre du jour : résumé, budget, étapes."


def test_the_metadata_scope_gets_headers_but_not_bodies(sandbox):
    message = gm.deliver(OWNER, sender=ANN, subject="Private", body="Secret body.")
    messages = gmail(access_token=token(OWNER, [METADATA])).users().messages()
    answer = messages.get(userId="me", id=message.gmail_id, format="metadata").execute()
    assert header(answer["payload"], "Subject") == "Private"
    for fmt in ("full", "raw"):
        with pytest.raises(HttpError) as refused:
            messages.get(userId="me", id=message.gmail_id, format=fmt).execute()
        assert status(refused.value) == 403
    with pytest.raises(HttpError) as no_query:
        messages.list(userId="me", q="from:ann").execute()
    assert status(no_query.value) == 403
