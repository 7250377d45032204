"""Hostile input that used to crash the server answers 400 in the error format: CR/LF in the
headers of a message to send, JSON nested thousands deep, searches of thousands of words, and
lists of hundreds of empty or malformed values."""

import json

import pytest

from email_accounts.models import EmailAccount, EmailMessage, EmailThread
from integrations.models import IntegrationCredential
from tests.conftest import sandbox_tokens
from tests.email_accounts.gmail_helpers import EMAIL, SCOPES

pytestmark = pytest.mark.django_db

NUMBER = "+14155552671"


def refused(response, field: str | None = None) -> dict:
    assert response.status_code == 400, (response.status_code, response.content[:500])
    body = response.json()
    assert set(body) >= {"error", "code", "fields"} and isinstance(body["error"], str)
    if field is not None:
        assert field in body["fields"], body
    return body


@pytest.fixture
def mailbox(workspace_a, alice):
    """A mailbox alice connected, so that she may send from it."""
    credential = IntegrationCredential.objects.create(
        workspace=workspace_a, provider="gmail", account="me@clianta.example", connected_by=alice
    )
    return EmailAccount.objects.create(
        workspace=workspace_a, provider="gmail", email="me@clianta.example", credential=credential
    )


# CR/LF and other control characters in what becomes a mail header -------------------------------


@pytest.mark.parametrize(
    "field, value",
    [
        ("subject", "Hello\r\nBcc: everyone@victim.example"),
        ("subject", "Hello\nX-Injected: 1"),
        ("subject", "Hello\rthere"),
        ("subject", "Null\x00byte"),
        ("subject", "Bell\x07"),
        ("subject", "Line\u2028separator"),
        ("to", ["ann@acme.example\r\nBcc: x@victim.example"]),
        ("cc", ["ann@acme.example\nBcc: x@victim.example"]),
        ("bcc", ["ann\r\n@acme.example"]),
    ],
)
def test_control_characters_in_header_fields_are_refused(api_a, mailbox, field, value):
    body = {"to": ["ann@acme.example"], "subject": "Hi", "body": "Hello", field: value}
    response = api_a.post(f"/api/email-accounts/{mailbox.pk}/send", body, format="json")
    refused(response, field)
    assert not EmailMessage.objects.exists()


def test_a_reply_to_a_stored_subject_holding_line_breaks_is_sent_on_one_line(
    api_a, workspace_a, alice, sandbox
):
    """A stored subject or Message-ID can hold CR/LF (an encoded word decodes to any text):
    the reply's headers derived from them stay one line each."""
    credential = IntegrationCredential.objects.create(
        workspace=workspace_a,
        provider="gmail",
        account=EMAIL,
        connected_by=alice,
        **sandbox_tokens(EMAIL, SCOPES),
    )
    account = EmailAccount.objects.create(
        workspace=workspace_a, provider="gmail", email=EMAIL, credential=credential
    )
    parent = EmailMessage.objects.create(
        workspace=workspace_a,
        account=account,
        thread=EmailThread.objects.create(workspace=workspace_a, subject="Quote"),
        provider_message_id="p1",
        message_id="<p1@acme.example>\r\n",
        subject="Quote\r\nBcc: everyone@victim.example",
    )
    response = api_a.post(
        f"/api/email-accounts/{account.pk}/send",
        {"to": ["ann@acme.example"], "body": "Thanks", "reply_to_message": str(parent.pk)},
        format="json",
    )
    assert response.status_code == 201, response.content
    sent = EmailMessage.objects.get(pk=response.json()["id"])
    assert sent.subject == "Re: Quote Bcc: everyone@victim.example"
    assert sent.in_reply_to == "<p1@acme.example>"
    assert sent.bcc == []


# Nesting -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [100, 5_000, 100_000])
@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_deeply_nested_json_answers_400(api_a, depth, opening):
    closing = "]" if opening == "[" else "}"
    body = '{"first_name": ' + opening * depth + "1" + closing * depth + "}"
    response = api_a.generic("POST", "/api/contacts", body, content_type="application/json")
    refused(response)


def test_json_nested_within_the_limit_still_reaches_validation(api_a):
    body = json.dumps({"first_name": [[[["Ada"]]]]})
    response = api_a.generic("POST", "/api/contacts", body, content_type="application/json")
    refused(response, "first_name")


# Searches ----------------------------------------------------------------------------------------


WORDS = " ".join(f"word{n}" for n in range(1_500))


@pytest.mark.parametrize(
    "path",
    [
        "/api/contacts?search=",
        "/api/companies?search=",
        "/api/deals?search=",
        "/api/knowledge?q=",
    ],
)
def test_a_search_of_1500_words_answers_400(api_a, path):
    body = refused(api_a.get(path + WORDS))
    assert body["fields"]


@pytest.mark.parametrize(
    "path", ["/api/contacts?search=", "/api/knowledge?q=", "/api/deals?search="]
)
def test_a_search_of_one_very_long_word_answers_400(api_a, path):
    refused(api_a.get(path + "x" * 5_000))


@pytest.mark.parametrize("path", ["/api/contacts?search=", "/api/knowledge?q="])
def test_an_ordinary_search_still_works(api_a, path):
    assert api_a.get(path + "ada lovelace").status_code == 200


# Lists -------------------------------------------------------------------------------------------


def test_a_multipart_voice_drop_with_hundreds_of_bad_numbers_answers_400(api_a):
    numbers = ["", "x", "+1", "12", NUMBER, "\x00", "+999999999999999999999"] * 200
    response = api_a.post(
        "/api/voice-drops",
        {"audio_url": "https://cdn.example.com/hello.mp3", "numbers": numbers},
        format="multipart",
    )
    refused(response)


def test_a_list_longer_than_its_bound_is_refused_before_its_items_are_read(api_a):
    response = api_a.post(
        "/api/voice-drops",
        {"audio_url": "https://cdn.example.com/hello.mp3", "numbers": ["x"] * 1_001},
        format="json",
    )
    errors = refused(response, "numbers")["fields"]["numbers"]
    assert errors == ["Ensure this field has no more than 1000 elements."]


def test_hundreds_of_bad_numbers_within_the_bound_are_refused_item_by_item(api_a):
    numbers = ["", "x", "+1", "12", NUMBER, "\x00", "+999999999999999999999"] * 100
    response = api_a.post(
        "/api/voice-drops",
        {"audio_url": "https://cdn.example.com/hello.mp3", "numbers": numbers},
        format="multipart",
    )
    errors = refused(response, "numbers")["fields"]["numbers"]
    assert len(errors) == 600 and str(4) not in errors


def test_each_bad_number_is_named_by_its_position(api_a):
    response = api_a.post(
        "/api/voice-drops",
        {"audio_url": "https://cdn.example.com/hello.mp3", "numbers": [NUMBER, "", "call me"]},
        format="multipart",
    )
    errors = refused(response, "numbers")["fields"]["numbers"]
    assert set(errors) == {"1", "2"}, errors


def test_a_multipart_voice_drop_with_good_numbers_is_accepted(api_a):
    response = api_a.post(
        "/api/voice-drops",
        {"audio_url": "https://cdn.example.com/hello.mp3", "numbers": [NUMBER, "+442071838750"]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
