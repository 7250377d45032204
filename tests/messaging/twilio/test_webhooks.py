"""Twilio's webhook signatures (RequestValidator), redeliveries and the answer before the work.
Check ids: W3, W4, W5, W6 of RELIABILITY.md."""

import pytest
import requests
from django.core.cache import cache

from integrations import webhooks
from integrations.models import WebhookDelivery
from messaging.twilio.models import SmsMessage
from tests.conftest import wait_for

from .conftest import OUR_NUMBER, PUBLIC_URL, post_form, post_signed, sign

SMS_PATH = "/api/webhooks/twilio/sms"
STATUS_PATH = "/api/webhooks/twilio/status"


def inbound_params(account_sid, sid="SM" + "a" * 32, body="Hello"):
    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": account_sid,
        "From": "+14155552671",
        "To": OUR_NUMBER,
        "Body": body,
        "NumMedia": "0",
    }


def status_params(account_sid, sid="SM" + "b" * 32, status="delivered"):
    return {"MessageSid": sid, "AccountSid": account_sid, "MessageStatus": status}


@pytest.mark.django_db
def test_a_good_signature_is_accepted_and_answered_with_empty_twiml(client, public_url, credential):
    response = post_signed(client, SMS_PATH, inbound_params(credential.account), credential.api_key)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.decode().endswith("<Response />")
    delivery = WebhookDelivery.objects.get(provider="twilio")
    assert (delivery.delivery_id, delivery.event_type) == ("SM" + "a" * 32, "sms.inbound")
    assert delivery.payload["Body"] == "Hello"


@pytest.mark.django_db
def test_the_settings_token_verifies_an_account_no_workspace_connected(
    client, public_url, settings
):
    params = inbound_params(settings.TWILIO_ACCOUNT_SID)
    response = post_signed(client, SMS_PATH, params, settings.TWILIO_AUTH_TOKEN)
    assert response.status_code == 200
    assert WebhookDelivery.objects.filter(provider="twilio").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("tamper", ["wrong token", "changed param", "missing header"])
def test_w3_a_request_that_does_not_verify_is_refused_and_nothing_is_stored(
    client, public_url, credential, tamper
):
    params = inbound_params(credential.account)
    token = "not-the-auth-token" if tamper == "wrong token" else credential.api_key
    signature = sign(PUBLIC_URL + SMS_PATH, params, token)
    sent = {**params, "Body": "Hello!"} if tamper == "changed param" else params
    response = post_form(client, SMS_PATH, sent, None if tamper == "missing header" else signature)
    assert response.status_code == 403
    assert response.json()["code"] == "invalid_signature"
    reason = "missing X-Twilio-Signature" if tamper == "missing header" else "bad signature"
    assert reason in response.json()["error"]
    assert not WebhookDelivery.objects.exists()
    assert not SmsMessage.objects.exists()


@pytest.mark.django_db
def test_w3_without_any_auth_token_the_check_is_not_skipped(client, public_url, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    params = inbound_params("AC" + "0" * 32)
    response = post_signed(client, SMS_PATH, params, "")
    assert response.status_code == 403
    assert "no secret configured" in response.json()["error"]
    assert not WebhookDelivery.objects.exists()


REDELIVERED = {
    "message status": (STATUS_PATH, {"MessageSid": "SM" + "b" * 32, "MessageStatus": "sent"}),
    "call status": (
        "/api/webhooks/twilio/calls/status",
        {"CallSid": "CA" + "b" * 32, "CallStatus": "completed", "AnsweredBy": "human"},
    ),
    "recording": (
        "/api/webhooks/twilio/recording",
        {"RecordingSid": "RE" + "b" * 32, "CallSid": "CA" + "b" * 32, "RecordingDuration": "9"},
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", REDELIVERED)
def test_w4_a_callback_twilio_sends_twice_is_one_record_and_one_processing(
    client, public_url, credential, kind
):
    """W4: Twilio retrying a callback (same MessageSid and status, CallSid and status, or
    RecordingSid): both 200, one delivery with redeliveries 1, processing requested once."""
    path, params = REDELIVERED[kind]
    params = {**params, "AccountSid": credential.account}
    first = post_signed(client, path, params, credential.api_key)
    assert cache.get(webhooks.requested_key("twilio"))
    cache.delete(webhooks.requested_key("twilio"))
    again = post_signed(client, path, params, credential.api_key)
    assert (first.status_code, again.status_code) == (200, 200)
    assert cache.get(webhooks.requested_key("twilio")) is None
    delivery = WebhookDelivery.objects.get()
    assert delivery.redeliveries == 1
    assert delivery.workspace_id == credential.workspace_id


@pytest.mark.django_db
def test_w4_the_next_status_of_a_message_is_a_delivery_of_its_own(client, public_url, credential):
    for status in ("sent", "delivered"):
        params = status_params(credential.account, status=status)
        assert post_signed(client, STATUS_PATH, params, credential.api_key).status_code == 200
    assert sorted(WebhookDelivery.objects.values_list("delivery_id", flat=True)) == [
        "SM" + "b" * 32 + ":delivered",
        "SM" + "b" * 32 + ":sent",
    ]


@pytest.mark.django_db
def test_w5_behind_a_trusted_proxy_that_terminated_tls_the_public_url_verifies(
    client, public_url, credential
):
    """W5: Twilio signed https://crm.example.com/...?...; the request reaches us over http
    from the proxy, with X-Forwarded-Proto/Host: the configured public URL plus the raw path
    and query verify."""
    path = SMS_PATH + "?source=number%201"
    response = post_signed(
        client,
        path,
        inbound_params(credential.account),
        credential.api_key,
        url=PUBLIC_URL + path,
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_HOST="crm.example.com",
    )
    assert response.status_code == 200
    assert WebhookDelivery.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("remote_addr", ["10.0.0.2", "203.0.113.9"])
def test_w5_a_forged_forwarded_host_fails(client, public_url, credential, remote_addr):
    """W5: a request Twilio signed for another host (another app on the same account), replayed
    with X-Forwarded-Host naming that host, does not verify, whoever forwards it."""
    response = post_signed(
        client,
        SMS_PATH,
        inbound_params(credential.account),
        credential.api_key,
        url="https://evil.example" + SMS_PATH,
        REMOTE_ADDR=remote_addr,
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_HOST="evil.example",
    )
    assert response.status_code == 403
    assert not WebhookDelivery.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_w6_slow_processing_runs_in_celery_after_the_answer(
    live_server, settings, celery_worker, credential, workspace_a
):
    """W6: a status callback for a message not stored yet (Twilio can call back before the
    send has stored it) cannot be processed for a while: the webhook answers 200 at once with
    the delivery unprocessed; the worker retries and applies it once the message exists."""
    settings.PUBLIC_URL = live_server.url
    sid = "SM" + "c" * 32
    params = status_params(credential.account, sid=sid, status="sent")
    url = live_server.url + STATUS_PATH
    headers = {"X-Twilio-Signature": sign(url, params, credential.api_key)}
    response = requests.post(url, data=params, headers=headers, timeout=5)
    assert response.status_code == 200
    delivery = WebhookDelivery.objects.get(provider="twilio", delivery_id=f"{sid}:sent")
    assert delivery.processed_at is None

    wait_for(lambda: WebhookDelivery.objects.get(pk=delivery.pk).attempts >= 1)
    assert WebhookDelivery.objects.get(pk=delivery.pk).processed_at is None
    SmsMessage.objects.create(
        workspace=workspace_a,
        direction="outbound",
        sid=sid,
        from_number=OUR_NUMBER,
        to_number="+14155552671",
        status="queued",
    )
    wait_for(lambda: WebhookDelivery.objects.get(pk=delivery.pk).processed_at)
    assert SmsMessage.objects.get(sid=sid).status == "sent"
