"""The sandbox's Graph mail calls, over HTTP with a sandbox-issued token."""

import pytest
import requests
from django.conf import settings

from sandbox.microsoft import mail as mailbox
from sandbox.microsoft.models import OutlookMessage
from sandbox.microsoft.tokens import create_grant, expire_access_tokens

pytestmark = pytest.mark.django_db(transaction=True)
EMAIL = "me@outlook.example"


@pytest.fixture
def graph(microsoft):
    token = create_grant(EMAIL).access_token
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"

    def call(method, path, **kwargs):
        url = path if path.startswith("http") else f"{settings.MICROSOFT_GRAPH_URL}/{path}"
        return session.request(method, url, timeout=10, **kwargs)

    return call


def test_delta_pages_honour_the_preferred_page_size_and_end_with_a_delta_link(graph):
    for i in range(5):
        mailbox.deliver(EMAIL, subject=f"S{i}")
    prefer = {"Prefer": "odata.maxpagesize=2"}
    first = graph("GET", "me/mailFolders/Inbox/messages/delta", headers=prefer)
    assert first.headers["Preference-Applied"] == "odata.maxpagesize=2"
    pages, link = [first.json()], first.json().get("@odata.nextLink")
    while link:
        pages.append(graph("GET", link, headers=prefer).json())
        link = pages[-1].get("@odata.nextLink")
    assert [len(p["value"]) for p in pages] == [2, 2, 1]
    assert all("@odata.deltaLink" not in p for p in pages[:-1])
    assert "@odata.nextLink" not in pages[-1] and "@odata.deltaLink" in pages[-1]
    assert graph("GET", "me/mailFolders/inbox/messages/delta").json()["value"][0]["subject"] == "S0"


def test_delta_reports_changes_and_removals_and_410_for_unknown_tokens(graph):
    kept, gone = mailbox.deliver(EMAIL, subject="a"), mailbox.deliver(EMAIL, subject="b")
    link = graph("GET", "me/mailFolders/inbox/messages/delta").json()["@odata.deltaLink"]
    mailbox.mark_read(EMAIL, kept.graph_id)
    mailbox.delete(EMAIL, gone.graph_id)
    changes = graph("GET", link).json()["value"]
    assert changes[0]["id"] == kept.graph_id and changes[0]["isRead"] is True
    assert changes[1] == {
        "@odata.type": "#microsoft.graph.message",
        "id": gone.graph_id,
        "@removed": {"reason": "deleted"},
    }
    url = f"{settings.MICROSOFT_GRAPH_URL}/me/mailFolders/inbox/messages/delta"
    assert graph("GET", url + "?$deltatoken=bogus").status_code == 410
    mailbox.expire_delta_tokens(EMAIL)
    expired = graph("GET", link)
    assert expired.status_code == 410
    assert expired.json()["error"]["code"] == "SyncStateNotFound"


def test_messages_as_json_and_mime(graph):
    message = mailbox.deliver(EMAIL, sender="ann@acme.example", subject="Hi", body="Body text")
    resource = graph("GET", f"me/messages/{message.graph_id}").json()
    assert resource["from"]["emailAddress"]["address"] == "ann@acme.example"
    assert resource["conversationId"] == message.conversation_id
    mime = graph("GET", f"me/messages/{message.graph_id}/$value")
    assert b"Subject: Hi" in mime.content and b"Body text" in mime.content
    missing = graph("GET", "me/messages/nope")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "ErrorItemNotFound")


def test_send_mail_as_json_is_filed_in_sent_items(graph):
    answer = graph(
        "POST",
        "me/sendMail",
        json={
            "message": {
                "subject": "Lunch",
                "body": {"contentType": "Text", "content": "Noon?"},
                "toRecipients": [{"emailAddress": {"address": "bo@acme.example"}}],
            },
        },
    )
    assert answer.status_code == 202 and answer.content == b""
    sent = OutlookMessage.objects.get(folder="sentitems")
    assert (sent.subject, sent.to, sent.is_read) == ("Lunch", ["bo@acme.example"], True)
    assert sent.internet_message_id
    found = graph(
        "GET",
        "me/mailFolders/SentItems/messages",
        params={"$filter": f"internetMessageId eq '{sent.internet_message_id}'"},
    ).json()["value"]
    assert [m["id"] for m in found] == [sent.graph_id]
    no_recipient = graph("POST", "me/sendMail", json={"message": {"subject": "x"}})
    assert no_recipient.json()["error"]["code"] == "ErrorInvalidRecipients"


def test_graph_refuses_expired_and_missing_tokens(graph):
    assert graph("GET", "me").json()["mail"] == EMAIL
    expire_access_tokens(EMAIL)
    expired = graph("GET", "me")
    assert (expired.status_code, expired.json()["error"]["code"]) == (
        401,
        "InvalidAuthenticationToken",
    )
    assert requests.get(f"{settings.MICROSOFT_GRAPH_URL}/me", timeout=10).status_code == 401
