"""Gmail batches in the sandbox, sent by googleapiclient's BatchHttpRequest, and the optional
per-user quota."""

import json

import pytest
import requests
from django.conf import settings
from googleapiclient.errors import HttpError

from sandbox import faults
from sandbox.google import gmail_mailbox as gm

from .gmail_client import OWNER, batch, gmail, status, token

pytestmark = pytest.mark.django_db(transaction=True)


def deliver(count):
    return [
        gm.deliver(OWNER, sender="ann@acme.example", subject=f"Note {n}", body=f"Body {n}")
        for n in range(count)
    ]


def test_a_batch_of_gets_reports_each_message_and_each_error_to_its_callback(sandbox):
    delivered = deliver(29)
    messages = gmail().users().messages()
    faults.clear_calls()
    answers, errors = {}, {}

    def collect(request_id, response, exception):
        if exception is None:
            answers[request_id] = response
        else:
            errors[request_id] = exception

    request = batch()
    for message in delivered:
        request.add(
            messages.get(userId="me", id=message.gmail_id, format="full"),
            collect,
            request_id=message.gmail_id,
        )
    request.add(messages.get(userId="me", id="18c0ffee00000000"), collect, request_id="gone")
    request.execute()

    assert set(answers) == {message.gmail_id for message in delivered}
    for message in delivered:
        assert answers[message.gmail_id]["id"] == message.gmail_id
        assert answers[message.gmail_id]["payload"]["mimeType"] == "text/plain"
    assert list(errors) == ["gone"]
    assert status(errors["gone"]) == 404
    assert json.loads(errors["gone"].content)["error"]["status"] == "NOT_FOUND"
    # One HTTP request; thirty billed calls, each in the call log.
    assert faults.calls("google", "/batch/gmail/v1").count() == 1
    inner = faults.calls("google", "/gmail/v1/users/me/messages/")
    assert inner.count() == 30
    assert sorted(call.status for call in inner)[-1] == 404


def test_modify_and_delete_in_a_batch(sandbox):
    first, second = deliver(2)
    messages = gmail(scopes=["https://mail.google.com/"]).users().messages()
    results = {}
    request = batch(lambda request_id, response, error: results.update({request_id: response}))
    body = {"removeLabelIds": ["UNREAD"]}
    request.add(messages.modify(userId="me", id=first.gmail_id, body=body), request_id="modify")
    request.add(messages.delete(userId="me", id=second.gmail_id), request_id="delete")
    request.execute()
    assert results == {
        "modify": {"id": first.gmail_id, "threadId": first.thread_id, "labelIds": ["INBOX"]},
        "delete": "",
    }
    assert [m.gmail_id for m in gm.messages(OWNER)] == [first.gmail_id]


def test_more_than_100_calls_are_refused(sandbox):
    messages = gmail().users().messages()
    request = batch()
    for _ in range(101):
        request.add(messages.get(userId="me", id="18c0ffee00000000"))
    with pytest.raises(HttpError) as refused:
        request.execute()
    assert status(refused.value) == 400


def test_parts_without_authorization_use_the_outer_one_and_gmail_paths_work(sandbox):
    (message,) = deliver(1)
    boundary = "batch_abc"
    minimal = f"/sandbox/google/gmail/v1/users/me/messages/{message.gmail_id}?format=minimal"
    requests_lines = {
        # Real Gmail's inner paths start at /gmail/v1; the client sends its URL's whole path.
        "p1": "GET /gmail/v1/users/me/profile HTTP/1.1",
        "p2": f"GET {minimal} HTTP/1.1",
        "p3": "GET /sandbox/google/token HTTP/1.1",  # not a Gmail method
    }
    head = "Content-Type: application/http\r\nContent-ID: <{}>\r\n\r\n"
    parts = [
        f"--{boundary}\r\n{head.format(cid)}{line}\r\n\r\n" for cid, line in requests_lines.items()
    ]
    body = "".join(parts) + f"--{boundary}--\r\n"
    answer = requests.post(
        settings.GMAIL_API_URL + "batch/gmail/v1",
        data=body.encode(),
        headers={
            "Content-Type": f"multipart/mixed; boundary={boundary}",
            "Authorization": f"Bearer {token()}",
        },
        timeout=10,
    )
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("multipart/mixed; boundary=")
    text = answer.text
    assert text.count("Content-Type: application/http") == 3
    for cid in ("p1", "p2", "p3"):
        assert f"Content-ID: <response-{cid}>" in text
    assert '"emailAddress": "owner@example.com"' in text
    assert f'"id": "{message.gmail_id}"' in text
    assert "HTTP/1.1 404 Not Found" in text
    assert text.count("HTTP/1.1 200 OK") == 2


def test_quota_answers_429_with_retry_after_when_enabled(sandbox, settings):
    deliver(1)
    messages = gmail().users().messages()
    settings.SANDBOX_GMAIL_USER_QUOTA_UNITS_PER_SECOND = 10
    with pytest.raises(HttpError) as limited:  # 100 units never fit in 10 a second (burst: 20)
        messages.send(userId="me", body={"raw": "VG86IGFAYi5jCgpoaQ"}).execute()
    assert status(limited.value) == 429
    assert limited.value.resp["retry-after"] == "1"
    error = json.loads(limited.value.content)["error"]
    assert (error["code"], error["message"], error["status"]) == (
        429,
        "User-rate limit exceeded.",
        "RESOURCE_EXHAUSTED",
    )
    assert error["errors"][0]["reason"] == "rateLimitExceeded"

    # Each call of a batch is billed: of eight lists (5 units each) four fit the 2-second burst.
    statuses = []
    request = batch(lambda _id, _response, error: statuses.append(status(error) if error else 200))
    for _ in range(8):
        request.add(messages.list(userId="me"))
    request.execute()
    assert statuses.count(429) >= 4
    assert statuses[0] == 200

    settings.SANDBOX_GMAIL_USER_QUOTA_UNITS_PER_SECOND = 0
    assert messages.list(userId="me").execute()["resultSizeEstimate"] == 1


def test_faults_apply_to_single_calls_inside_a_batch(sandbox):
    first, second = deliver(2)
    faults.inject("google", f"/messages/{second.gmail_id}$", status=429, retry_after=7)
    messages = gmail().users().messages()
    results = {}
    request = batch(lambda request_id, response, error: results.update({request_id: error}))
    request.add(messages.get(userId="me", id=first.gmail_id), request_id="ok")
    request.add(messages.get(userId="me", id=second.gmail_id), request_id="limited")
    request.execute()
    assert results["ok"] is None
    assert status(results["limited"]) == 429
    assert results["limited"].resp["retry-after"] == "7"
