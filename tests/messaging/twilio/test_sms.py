"""SMS through the twilio SDK against the sandbox: out with status callbacks, in, opt-outs."""

import pytest
import requests

from clianta import events
from clianta.models import CrmEvent
from integrations.models import WebhookDelivery
from messaging.twilio import services
from messaging.twilio.models import SmsMessage, SmsOptOut
from sandbox import faults
from sandbox.twilio.models import TwilioMessage
from tests.conftest import wait_for

from .conftest import OUR_NUMBER

ADA = "+14155552671"


def send(api, workspace, **data):
    return api.post(f"/api/workspaces/{workspace.pk}/sms/send", data, format="json")


def stored(sid, **fields):
    return SmsMessage.objects.filter(sid=sid, **fields).first()


@pytest.mark.django_db(transaction=True)
def test_an_sms_sent_through_the_sdk_reaches_delivered_through_status_callbacks(
    sandbox, celery_worker, api_a, workspace_a, credential, contact
):
    """The message goes out through the twilio SDK to the sandbox (number normalised to E.164,
    a status callback URL set); the signed callbacks move it queued -> sent -> delivered. It is
    linked to the contact with that number and listed under the contact."""
    response = send(api_a, workspace_a, to="415 555 2671", body="Hello Ada")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["to_number"], body["from_number"], body["status"]) == (ADA, OUR_NUMBER, "queued")
    assert body["contact"] == str(contact.pk)

    at_twilio = TwilioMessage.objects.get(sid=body["sid"])
    assert (at_twilio.to, at_twilio.body, at_twilio.account.sid) == (
        ADA,
        "Hello Ada",
        credential.account,
    )
    assert at_twilio.status_callback == sandbox_url_of(sandbox, "/api/webhooks/twilio/status")
    wait_for(lambda: stored(body["sid"], status="delivered"))
    statuses = WebhookDelivery.objects.filter(provider="twilio", event_type="sms.status")
    assert sorted(statuses.values_list("delivery_id", flat=True)) == sorted(
        f"{body['sid']}:{status}" for status in ("queued", "sent", "delivered")
    )

    listed = api_a.get(f"/api/sms?contact={contact.pk}").json()["results"]
    assert [m["sid"] for m in listed] == [body["sid"]]
    assert listed[0]["status"] == "delivered"


def sandbox_url_of(sandbox, path):
    return sandbox.url.removesuffix("/sandbox") + path


@pytest.mark.django_db(transaction=True)
def test_an_undelivered_message_keeps_twilios_error_code(
    sandbox, celery_worker, api_a, workspace_a, credential
):
    response = send(api_a, workspace_a, to="+15005550101", body="Hi")
    assert response.status_code == 201
    message = wait_for(lambda: stored(response.json()["sid"], status="undelivered"))
    assert message.error_code == "30003"


@pytest.mark.django_db(transaction=True)
def test_a_number_that_is_not_one_is_refused_before_twilio_is_called(
    sandbox, api_a, workspace_a, credential
):
    faults.clear_calls("twilio")
    response = send(api_a, workspace_a, to="12", body="Hi")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "to" in response.json()["fields"]
    assert faults.calls("twilio").count() == 0
    assert not SmsMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_twilios_invalid_number_error_answers_a_clear_400(sandbox, api_a, workspace_a, credential):
    """Twilio's test number +15005550001 is refused at create with error 21211."""
    response = send(api_a, workspace_a, to="+15005550001", body="Hi")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_phone_number"
    assert "not a valid phone number" in response.json()["error"]
    assert not SmsMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_without_a_twilio_account_sending_answers_409(sandbox, settings, api_a, workspace_a):
    settings.TWILIO_ACCOUNT_SID = settings.TWILIO_AUTH_TOKEN = ""
    response = send(api_a, workspace_a, to=ADA, body="Hi")
    assert (response.status_code, response.json()["code"]) == (409, "not_configured")


def inbound(sandbox, twilio_account, sender, body):
    answer = requests.post(
        f"{sandbox.url}/twilio/_inbound_sms",
        json={"from": sender, "to": OUR_NUMBER, "body": body, "account_sid": twilio_account.sid},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.mark.django_db(transaction=True)
def test_an_inbound_sms_is_stored_and_linked_to_the_contact_by_phone(
    sandbox, celery_worker, api_a, workspace_a, twilio_account, credential, contact
):
    """The sandbox posts a signed inbound message to our webhook, which answers empty TwiML;
    the worker stores it, linked to the contact whose phone is the sender's in E.164."""
    result = inbound(sandbox, twilio_account, ADA, "Is the offer still open?")
    assert result["status"] == 200
    assert "<Response />" in result["body"]
    message = wait_for(lambda: stored(result["sid"]))
    assert (message.direction, message.from_number, message.to_number) == (
        "inbound",
        ADA,
        OUR_NUMBER,
    )
    assert (message.workspace_id, message.contact_id) == (workspace_a.pk, contact.pk)
    assert message.body == "Is the offer still open?"
    listed = api_a.get(f"/api/sms?contact={contact.pk}&direction=inbound").json()["results"]
    assert [m["sid"] for m in listed] == [result["sid"]]


@pytest.mark.django_db(transaction=True)
def test_stop_opts_the_number_out_and_start_opts_it_back_in(
    sandbox, celery_worker, api_a, workspace_a, twilio_account, credential, contact
):
    """STOP (any case): sending is refused with 409 recipient_opted_out and nothing reaches
    Twilio; START: sending works again."""
    stop = inbound(sandbox, twilio_account, ADA, " stop ")
    wait_for(lambda: stored(stop["sid"]))
    assert SmsOptOut.objects.filter(workspace=workspace_a, phone=ADA).exists()
    sent_before = TwilioMessage.objects.filter(direction="outbound-api").count()

    refused = send(api_a, workspace_a, contact=str(contact.pk), body="Last chance!")
    assert refused.status_code == 409
    assert refused.json()["code"] == "recipient_opted_out"
    assert "START" in refused.json()["error"]
    assert TwilioMessage.objects.filter(direction="outbound-api").count() == sent_before

    start = inbound(sandbox, twilio_account, ADA, "START")
    wait_for(lambda: stored(start["sid"]))
    assert not SmsOptOut.objects.filter(workspace=workspace_a, phone=ADA).exists()
    assert send(api_a, workspace_a, contact=str(contact.pk), body="Welcome back").status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("word", "opted_out"),
    [
        ("STOPALL", True),
        ("unsubscribe", True),
        ("Cancel", True),
        ("END", True),
        ("quit", True),
        ("OPTOUT", True),
        ("REVOKE", True),
        ("stop please", False),
        ("HELP", False),
    ],
)
def test_twilios_other_opt_out_keywords_opt_out_and_other_texts_do_not(
    workspace_a, credential, word, opted_out
):
    """Twilio's standard opt-out words, alone in the message, in any case."""
    params = {
        "MessageSid": "SM" + "2" * 32,
        "AccountSid": credential.account,
        "From": ADA,
        "To": OUR_NUMBER,
        "Body": word,
    }
    assert services.receive_sms(params).workspace_id == workspace_a.pk
    assert SmsOptOut.objects.filter(workspace=workspace_a, phone=ADA).exists() is opted_out


@pytest.mark.django_db
def test_a_status_never_moves_a_message_backwards(workspace_a, credential):
    """Callbacks arriving out of order: delivered, then a late "sent", stays delivered."""
    message = SmsMessage.objects.create(
        workspace=workspace_a,
        direction="outbound",
        sid="SM" + "1" * 32,
        from_number=OUR_NUMBER,
        to_number=ADA,
        status="queued",
    )
    callback = {"MessageSid": message.sid, "AccountSid": credential.account}
    assert services.apply_status({**callback, "MessageStatus": "delivered"})
    assert not services.apply_status({**callback, "MessageStatus": "sent"})
    message.refresh_from_db()
    assert message.status == "delivered"
    failed = {**callback, "MessageStatus": "failed", "ErrorCode": "30008"}
    assert not services.apply_status(failed)
    changes = CrmEvent.objects.filter(type="sms.status_changed")
    assert [(e.data["previous_status"], e.data["status"]) for e in changes] == [
        ("queued", "delivered")
    ]


@pytest.mark.django_db
def test_an_inbound_sms_announces_sms_received(
    workspace_a, credential, contact, django_capture_on_commit_callbacks
):
    """The CRM event Slack notifications listen to, after the commit."""
    seen = []

    def receiver(sender, workspace_id, data, **kwargs):
        seen.append((sender, workspace_id, data))

    events.crm_event.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.receive_sms(
                {
                    "MessageSid": "SM" + "3" * 32,
                    "AccountSid": credential.account,
                    "From": "+1 415-555-2671",
                    "To": OUR_NUMBER,
                    "Body": "Call me",
                }
            )
    finally:
        events.crm_event.disconnect(receiver)
    data = {"contact_id": str(contact.pk), "phone": ADA, "body": "Call me"}
    assert seen == [(events.SMS_RECEIVED, workspace_a.pk, data)]


@pytest.mark.django_db
def test_another_workspaces_messages_and_contacts_are_out_of_reach(
    api_b, workspace_a, workspace_b, contact
):
    """T1: B lists none of A's messages, cannot read one, and cannot text A's contact."""
    message = SmsMessage.objects.create(
        workspace=workspace_a,
        direction="inbound",
        sid="SM" + "4" * 32,
        from_number=ADA,
        to_number=OUR_NUMBER,
        status="received",
    )
    assert api_b.get("/api/sms").json()["results"] == []
    assert api_b.get(f"/api/sms/{message.pk}").status_code == 404
    assert send(api_b, workspace_a, to=ADA, body="Hi").status_code == 404
    refused = send(api_b, workspace_b, contact=str(contact.pk), body="Hi")
    assert (refused.status_code, list(refused.json()["fields"])) == (400, ["contact"])
