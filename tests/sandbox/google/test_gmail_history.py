"""Changes to a sandbox mailbox and the history.list records they leave, as Gmail's sync guide
describes: modify, trash, delete, paging, and 404 once history has expired."""

import json

import pytest
from googleapiclient.errors import HttpError

from sandbox.google import gmail_mailbox as gm

from .gmail_client import MAIL, MODIFY, OWNER, gmail, status

pytestmark = pytest.mark.django_db(transaction=True)


def ref(message):
    return {"id": message.gmail_id, "threadId": message.thread_id}


def test_modify_trash_and_delete_leave_history_records(sandbox):
    users = gmail(scopes=[MAIL, MODIFY]).users()
    message = gm.deliver(OWNER, sender="ann@acme.example", subject="Hello", body="Hi")
    start = users.getProfile(userId="me").execute()["historyId"]

    body = {"addLabelIds": ["STARRED"], "removeLabelIds": ["UNREAD"]}
    modified = users.messages().modify(userId="me", id=message.gmail_id, body=body).execute()
    assert modified == {**ref(message), "labelIds": ["INBOX", "STARRED"]}
    trashed = users.messages().trash(userId="me", id=message.gmail_id).execute()
    assert trashed["labelIds"] == ["INBOX", "STARRED", "TRASH"]
    got = users.messages().get(userId="me", id=message.gmail_id, format="minimal").execute()
    assert int(got["historyId"]) > int(start)
    assert users.messages().delete(userId="me", id=message.gmail_id).execute() == ""
    assert not gm.messages(OWNER).exists()

    answer = users.history().list(userId="me", startHistoryId=start).execute()
    assert answer["historyId"] == str(gm.mailbox(OWNER).history_id)
    records = answer["history"]
    ids = [int(record["id"]) for record in records]
    assert ids == sorted(ids) and ids[0] > int(start)
    assert all(record["messages"] == [ref(message)] for record in records)
    starred = {**ref(message), "labelIds": ["INBOX", "STARRED"]}
    assert records[0]["labelsAdded"] == [{"message": starred, "labelIds": ["STARRED"]}]
    assert records[0]["labelsRemoved"] == [{"message": starred, "labelIds": ["UNREAD"]}]
    assert records[1]["labelsAdded"] == [
        {
            "message": {**ref(message), "labelIds": ["INBOX", "STARRED", "TRASH"]},
            "labelIds": ["TRASH"],
        }
    ]
    assert records[2]["messagesDeleted"] == [{"message": ref(message)}]
    assert "messagesAdded" not in records[0]

    only_deletes = (
        users.history()
        .list(userId="me", startHistoryId=start, historyTypes=["messageDeleted"])
        .execute()
    )
    assert [list(record) for record in only_deletes["history"]] == [
        ["id", "messages", "messagesDeleted"]
    ]
    # labelId: the records of messages that had the label (the deletion too: it was in the trash).
    trash = users.history().list(userId="me", startHistoryId=start, labelId="TRASH").execute()
    assert [record["id"] for record in trash["history"]] == [records[1]["id"], records[2]["id"]]
    starred = users.history().list(userId="me", startHistoryId=start, labelId="UNREAD").execute()
    assert [record["id"] for record in starred["history"]] == [records[0]["id"]]


def test_changes_made_in_gmail_itself_show_in_history(sandbox):
    users = gmail().users()
    start = users.getProfile(userId="me").execute()["historyId"]
    message = gm.deliver(OWNER, sender="ann@acme.example", subject="Hello", body="Hi")
    gm.relabel(OWNER, message.gmail_id, add=["IMPORTANT"], remove=["UNREAD"])
    gm.relabel(OWNER, message.gmail_id, add=["IMPORTANT"])  # no change, no record
    records = users.history().list(userId="me", startHistoryId=start).execute()["history"]
    assert [sorted(set(record) - {"id", "messages"}) for record in records] == [
        ["messagesAdded"],
        ["labelsAdded", "labelsRemoved"],
    ]
    assert records[0]["messagesAdded"][0]["message"]["labelIds"] == ["INBOX", "UNREAD"]


def test_history_pages(sandbox):
    users = gmail().users()
    start = users.getProfile(userId="me").execute()["historyId"]
    for number in range(7):
        gm.deliver(OWNER, sender="ann@acme.example", subject=f"Note {number}", body=".")
    history = users.history()
    request = history.list(userId="me", startHistoryId=start, maxResults=3)
    pages = []
    while request is not None:
        page = request.execute()
        pages.append(page)
        request = history.list_next(request, page)
    assert [len(page["history"]) for page in pages] == [3, 3, 1]
    assert {page["historyId"] for page in pages} == {str(gm.mailbox(OWNER).history_id)}
    added = [r["messagesAdded"][0]["message"]["id"] for page in pages for r in page["history"]]
    assert added == [m.gmail_id for m in reversed(gm.messages(OWNER))]


def test_nothing_new_answers_only_the_history_id(sandbox):
    gm.deliver(OWNER, sender="ann@acme.example", subject="Hello", body="Hi")
    users = gmail().users()
    current = users.getProfile(userId="me").execute()["historyId"]
    assert users.history().list(userId="me", startHistoryId=current).execute() == {
        "historyId": current
    }


def test_expired_history_answers_404_and_bad_requests_400(sandbox):
    gm.deliver(OWNER, sender="ann@acme.example", subject="Hello", body="Hi")
    history = gmail().users().history()
    old = gm.mailbox(OWNER).history_id - 1
    kept_from = gm.expire_history(OWNER)
    with pytest.raises(HttpError) as expired:
        history.list(userId="me", startHistoryId=old).execute()
    assert status(expired.value) == 404
    error = json.loads(expired.value.content)["error"]
    assert (error["code"], error["message"], error["status"]) == (
        404,
        "Requested entity was not found.",
        "NOT_FOUND",
    )
    assert history.list(userId="me", startHistoryId=kept_from).execute() == {
        "historyId": str(kept_from)
    }
    for params in ({}, {"startHistoryId": "abc"}):  # the client itself checks historyTypes
        with pytest.raises(HttpError) as invalid:
            history.list(userId="me", **params).execute()
        assert status(invalid.value) == 400


def test_modify_checks_labels_ids_and_scopes(sandbox):
    message = gm.deliver(OWNER, sender="ann@acme.example", subject="Hello", body="Hi")
    messages = gmail().users().messages()
    for labels in (["NOT_A_LABEL"], ["SENT"]):
        with pytest.raises(HttpError) as invalid:
            body = {"addLabelIds": labels}
            messages.modify(userId="me", id=message.gmail_id, body=body).execute()
        assert status(invalid.value) == 400
    with pytest.raises(HttpError) as missing:
        messages.trash(userId="me", id="18c0ffee00000000").execute()
    assert status(missing.value) == 404
    with pytest.raises(HttpError) as forbidden:  # delete needs https://mail.google.com/
        messages.delete(userId="me", id=message.gmail_id).execute()
    assert status(forbidden.value) == 403
    untrashed = messages.untrash(userId="me", id=message.gmail_id).execute()
    assert untrashed["labelIds"] == ["INBOX", "UNREAD"]
    assert gm.get(OWNER, message.gmail_id).history_id == message.history_id  # nothing changed
