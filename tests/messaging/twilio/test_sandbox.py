"""The sandbox Twilio as the twilio SDK sees it: Basic auth, Twilio's error body, resources;
and how Twilio's errors reach our API."""

import logging
import re

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from messaging.twilio.models import SmsOptOut
from sandbox import faults
from tests.conftest import wait_for

from .conftest import OUR_NUMBER


def sdk(sandbox, sid, token):
    client = Client(sid, token)
    client.api.base_url = sandbox.url + "/twilio"
    return client


@pytest.mark.django_db(transaction=True)
def test_a_wrong_auth_token_is_refused_with_twilios_error_body(sandbox, twilio_account):
    with pytest.raises(TwilioRestException) as raised:
        sdk(sandbox, twilio_account.sid, "wrong").messages.create(
            to="+14155552671", from_=OUR_NUMBER, body="Hi"
        )
    assert (raised.value.status, raised.value.code) == (401, 20003)
    url = f"{sandbox.url}/twilio/2010-04-01/Accounts/{twilio_account.sid}/Messages.json"
    body = requests.post(url, data={"To": "+14155552671"}, timeout=5).json()
    assert set(body) == {"code", "message", "more_info", "status"}
    assert body["more_info"] == "https://www.twilio.com/docs/errors/20003"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("sid", ["sandbox-twilio-account-sid", "AC123", "AC" + "g" * 32])
def test_a_malformed_account_sid_is_refused_as_twilio_does(sandbox, settings, sid):
    settings.TWILIO_ACCOUNT_SID = sid  # even the configured account's SID must be of Twilio's form
    with pytest.raises(TwilioRestException) as raised:
        sdk(sandbox, sid, settings.TWILIO_AUTH_TOKEN).messages.create(
            to="+14155552671", from_=OUR_NUMBER, body="Hi"
        )
    assert (raised.value.status, raised.value.code) == (401, 20003)


def test_the_configured_sandbox_account_sid_has_twilios_form(settings):
    assert re.fullmatch(r"AC[0-9a-f]{32}", settings.TWILIO_ACCOUNT_SID)


@pytest.mark.django_db(transaction=True)
def test_another_accounts_resources_are_not_found(sandbox, twilio_account):
    other = sdk(sandbox, twilio_account.sid, twilio_account.auth_token)
    with pytest.raises(TwilioRestException) as raised:
        other.api.v2010.accounts("AC" + "9" * 32).messages.create(
            to="+14155552671", from_=OUR_NUMBER, body="Hi"
        )
    assert (raised.value.status, raised.value.code) == (404, 20404)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("to", "code"),
    [("+15005550001", 21211), ("+15005550002", 21612), ("+15005550004", 21610), ("12", 21211)],
)
def test_twilios_test_numbers_fail_at_create(sandbox, twilio_account, to, code):
    client = sdk(sandbox, twilio_account.sid, twilio_account.auth_token)
    with pytest.raises(TwilioRestException) as raised:
        client.messages.create(to=to, from_=OUR_NUMBER, body="Hi")
    assert (raised.value.status, raised.value.code) == (400, code)


@pytest.mark.django_db(transaction=True)
def test_messages_and_calls_are_created_and_fetched(sandbox, twilio_account):
    """Created resources answer 201 with Twilio's fields; fetched later, the message has gone
    on to delivered (no status callback asked for) and the call has completed."""
    client = sdk(sandbox, twilio_account.sid, twilio_account.auth_token)
    message = client.messages.create(to="+14155552671", from_=OUR_NUMBER, body="Hi")
    assert (message.status, message.direction, message.body) == ("queued", "outbound-api", "Hi")
    assert message.sid.startswith("SM") and message.account_sid == twilio_account.sid
    wait_for(lambda: client.messages(message.sid).fetch().status == "delivered")

    call = client.calls.create(to="+14155550104", from_=OUR_NUMBER, twiml="<Response/>")
    assert (call.status, call.sid[:2]) == ("queued", "CA")
    done = wait_for(lambda: (c := client.calls(call.sid).fetch()).status == "completed" and c)
    assert done.to == "+14155550104"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("status", "code"), [(503, "provider_unavailable"), (429, "rate_limited")])
def test_twilio_failing_answers_our_api_with_the_error_tree(
    sandbox, api_a, workspace_a, credential, status, code
):
    faults.inject("twilio", r"/Messages\.json$", status=status, retry_after=7)
    response = api_a.post(
        f"/api/workspaces/{workspace_a.pk}/sms/send",
        {"to": "+14155552671", "body": "Hi"},
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (status, code)


@pytest.mark.django_db(transaction=True)
def test_a_credential_twilio_refuses_asks_for_a_reconnect(sandbox, api_a, workspace_a, credential):
    credential.api_key = "revoked-token"
    credential.save()
    response = api_a.post(
        f"/api/workspaces/{workspace_a.pk}/sms/send",
        {"to": "+14155552671", "body": "Hi"},
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (401, "reconnect_required")
    assert "revoked-token" not in response.content.decode()
    credential.refresh_from_db()
    assert credential.status == "needs_reconnect"

    calls_before = faults.calls("twilio").count()
    again = api_a.post(
        f"/api/workspaces/{workspace_a.pk}/sms/send",
        {"to": "+14155552671", "body": "Hi"},
        format="json",
    )
    assert (again.status_code, again.json()["code"]) == (401, "reconnect_required")
    assert faults.calls("twilio").count() == calls_before


@pytest.mark.django_db(transaction=True)
def test_a_stop_we_missed_is_learnt_from_twilios_refusal(
    sandbox, api_a, workspace_a, twilio_account, credential
):
    """The recipient texted STOP and Twilio blocks it (21610) though our webhook's task has not
    run (no worker here): sending answers 409 and the opt-out is stored from Twilio's answer."""
    stop = requests.post(
        f"{sandbox.url}/twilio/_inbound_sms",
        json={
            "from": "+14155552671",
            "to": OUR_NUMBER,
            "body": "STOP",
            "account_sid": twilio_account.sid,
        },
        timeout=10,
    )
    assert stop.status_code == 200
    assert not SmsOptOut.objects.exists()
    response = api_a.post(
        f"/api/workspaces/{workspace_a.pk}/sms/send",
        {"to": "+14155552671", "body": "Hi"},
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (409, "recipient_opted_out")
    assert SmsOptOut.objects.filter(workspace=workspace_a, phone="+14155552671").exists()


@pytest.mark.django_db(transaction=True)
def test_e7_the_auth_token_appears_in_no_answer_or_log(
    sandbox, caplog, api_a, workspace_a, credential, twilio_account
):
    """E7: sending (the SDK logs its requests), a refused webhook and Twilio's errors."""
    caplog.set_level(logging.DEBUG)
    sent = api_a.post(
        f"/api/workspaces/{workspace_a.pk}/sms/send",
        {"to": "+14155552671", "body": "Hi"},
        format="json",
    )
    refused = api_a.post(
        f"/api/workspaces/{workspace_a.pk}/sms/send",
        {"to": "+15005550002", "body": "Hi"},
        format="json",
    )
    forged = requests.post(
        sandbox.url.removesuffix("/sandbox") + "/api/webhooks/twilio/sms",
        data={"AccountSid": twilio_account.sid, "MessageSid": "SM" + "5" * 32},
        headers={"X-Twilio-Signature": "forged"},
        timeout=5,
    )
    assert (sent.status_code, refused.status_code, forged.status_code) == (201, 502, 403)
    for text in (sent.content.decode(), refused.content.decode(), forged.text, caplog.text):
        assert twilio_account.auth_token not in text


@pytest.mark.django_db(transaction=True)
def test_texts_over_the_plans_monthly_limit_answer_402_and_reach_no_one(
    sandbox, api_a, workspace_a, credential, plan_limits
):
    plan_limits(sms=1)
    url = f"/api/workspaces/{workspace_a.pk}/sms/send"
    first = api_a.post(url, {"to": "+14155552671", "body": "Hi"}, format="json")
    assert first.status_code == 201, first.content
    sent = faults.calls("twilio").count()

    second = api_a.post(url, {"to": "+14155552671", "body": "Again"}, format="json")

    body = second.json()
    assert (second.status_code, body["code"], body["resource"]) == (402, "plan_limit", "sms")
    assert (body["limit"], body["used"], body["plan"]) == (1, 1, "free")
    assert faults.calls("twilio").count() == sent
