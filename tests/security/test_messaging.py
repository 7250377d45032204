"""Tenant trust in messaging: who owns a Twilio number (inbound texts, STOP, callbacks), who owns a
Slack team, and CRM data that must reach Slack as text, never as markup."""

# The Slack and Twilio fixtures are imported from their test packages; arguments naming them
# are what pytest injects, not redefinitions.
# ruff: noqa: F811

import json

import pytest
import requests
from django.db import IntegrityError, transaction

from clianta import audit
from clianta.models import AuditEvent, Company, Contact, Membership
from integrations import webhooks
from integrations.models import IntegrationCredential
from messaging.slack import rules
from messaging.slack.models import NotificationRule, SlackIntegration
from messaging.slack.tasks import send_notification
from messaging.twilio.models import (
    SmsMessage,
    SmsOptOut,
    TwilioNumber,
    UnroutedSms,
    VoiceDrop,
)
from sandbox.twilio import store as twilio_store
from tests.integrations.oauth_helpers import finish, start
from tests.messaging.slack.conftest import browser, consent, install, installed  # noqa: F401
from tests.messaging.twilio.conftest import (  # noqa: F401
    OUR_NUMBER,
    credential,
    post_signed,
    public_url,
    twilio_account,
)
from tests.otp import log_in_staff

SMS_PATH = "/api/webhooks/twilio/sms"
STATUS_PATH = "/api/webhooks/twilio/status"
ADA = "+14155552671"
A_NUMBER, B_NUMBER = "+15005550006", "+15005550007"


def inbound(account_sid, to, body, sid="SM" + "a" * 32, sender=ADA):
    return {"MessageSid": sid, "AccountSid": account_sid, "From": sender, "To": to, "Body": body}


def deliver(client, settings, params, path=SMS_PATH, token=None):
    """Post a callback signed with the shared account's token (or ``token``), then process
    what was recorded, as the worker does."""
    response = post_signed(client, path, params, token or settings.TWILIO_AUTH_TOKEN)
    assert response.status_code == 200, response.content
    assert response.content.decode().endswith("<Response />")
    webhooks.process_pending("twilio")
    return response


# SMS routing --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_texting_someone_does_not_take_over_the_replies_to_another_workspaces_number(
    sandbox, settings, api_b, workspace_a, workspace_b
):
    """B texts Ada from its own number of the shared account; Ada's STOP to A's number is A's:
    A's opt-out, nothing stored for B, and B still reaches Ada."""
    TwilioNumber.objects.create(workspace=workspace_a, phone_number=A_NUMBER)
    TwilioNumber.objects.create(workspace=workspace_b, phone_number=B_NUMBER)
    sent = api_b.post(
        f"/api/workspaces/{workspace_b.pk}/sms/send", {"to": ADA, "body": "Hi"}, format="json"
    )
    assert (sent.status_code, sent.json()["from_number"]) == (201, B_NUMBER)

    stop = requests.post(
        f"{sandbox.url}/twilio/_inbound_sms",
        json={"from": ADA, "to": A_NUMBER, "body": "STOP"},
        timeout=10,
    ).json()
    assert stop["status"] == 200
    webhooks.process_pending("twilio")
    reply = SmsMessage.objects.get(sid=stop["sid"])
    assert reply.workspace_id == workspace_a.pk
    assert SmsOptOut.objects.filter(workspace=workspace_a, phone=ADA).exists()
    assert not SmsOptOut.objects.filter(workspace=workspace_b).exists()
    again = api_b.post(
        f"/api/workspaces/{workspace_b.pk}/sms/send", {"to": ADA, "body": "Hi"}, format="json"
    )
    assert again.status_code == 201
    sent_by_b = AuditEvent.objects.filter(action=audit.MESSAGE_SENT, workspace=workspace_b)
    assert [e.details for e in sent_by_b] == [{"channel": "sms", "to": ADA}] * 2


@pytest.mark.django_db
def test_a_text_to_a_number_no_workspace_owns_is_kept_unrouted_not_guessed(
    client, settings, public_url, workspace_b, make_user
):
    """B texted Ada from the shared number before; Ada's answer to that number (assigned to no
    one) goes to no workspace: it is kept for staff, and Twilio gets 200 with empty TwiML."""
    SmsMessage.objects.create(
        workspace=workspace_b,
        direction="outbound",
        sid="SM" + "0" * 32,
        from_number=A_NUMBER,
        to_number=ADA,
        status="delivered",
    )
    deliver(client, settings, inbound(settings.TWILIO_ACCOUNT_SID, A_NUMBER, "STOP"))
    assert not SmsMessage.objects.filter(direction="inbound").exists()
    assert not SmsOptOut.objects.exists()
    kept = UnroutedSms.objects.get()
    assert (kept.from_number, kept.to_number, kept.body) == (ADA, A_NUMBER, "STOP")
    assert kept.reason == "no workspace owns the number"

    log_in_staff(client, make_user("staff", is_staff=True, is_superuser=True))
    listing = client.get("/admin/twilio/unroutedsms/").content.decode()
    assert ADA in listing and A_NUMBER in listing and "STOP" in listing


@pytest.mark.django_db
def test_a_number_two_connections_claim_is_unrouted(
    client, settings, public_url, twilio_account, credential, workspace_b
):
    IntegrationCredential.objects.create(
        workspace=workspace_b,
        provider="twilio",
        account=twilio_account.sid,
        api_key=twilio_account.auth_token,
        metadata={"phone_number": "(500) 555-0006"},
    )
    params = inbound(twilio_account.sid, OUR_NUMBER, "Hello")
    deliver(client, settings, params, token=twilio_account.auth_token)
    assert not SmsMessage.objects.exists()
    assert UnroutedSms.objects.get().reason == "several workspaces own the number"


@pytest.mark.django_db
def test_a_status_callback_of_another_account_does_not_touch_a_message(
    client, settings, public_url, workspace_a, workspace_b
):
    """B's own Twilio account signs a status callback naming A's message: ignored."""
    TwilioNumber.objects.create(workspace=workspace_a, phone_number=A_NUMBER)
    message = SmsMessage.objects.create(
        workspace=workspace_a,
        direction="outbound",
        sid="SM" + "1" * 32,
        from_number=A_NUMBER,
        to_number=ADA,
        status="queued",
    )
    theirs = twilio_store.create_account()
    IntegrationCredential.objects.create(
        workspace=workspace_b,
        provider="twilio",
        account=theirs.sid,
        api_key=theirs.auth_token,
        metadata={"phone_number": A_NUMBER},
    )
    forged = {"MessageSid": message.sid, "AccountSid": theirs.sid, "MessageStatus": "failed"}
    deliver(client, settings, forged, path=STATUS_PATH, token=theirs.auth_token)
    message.refresh_from_db()
    assert message.status == "queued"
    shared = {**forged, "AccountSid": settings.TWILIO_ACCOUNT_SID, "MessageStatus": "sent"}
    deliver(client, settings, shared, path=STATUS_PATH)
    message.refresh_from_db()
    assert message.status == "sent"


@pytest.mark.django_db
def test_a_voice_drops_audio_is_not_served_to_another_accounts_call(
    client, public_url, credential, workspace_a, workspace_b
):
    """B's own account signs the TwiML request of A's drop: 404, the audio is not given."""
    drop = VoiceDrop.objects.create(workspace=workspace_a, audio_url="https://cdn.example/a.mp3")
    theirs = twilio_store.create_account()
    IntegrationCredential.objects.create(
        workspace=workspace_b,
        provider="twilio",
        account=theirs.sid,
        api_key=theirs.auth_token,
        metadata={"phone_number": B_NUMBER},
    )
    path = f"/api/webhooks/twilio/voice-drops/{drop.pk}/twiml"
    call = {"CallSid": "CA" + "1" * 32, "AnsweredBy": "machine_end_beep"}
    forged = {**call, "AccountSid": theirs.sid, "From": B_NUMBER}
    refused = post_signed(client, path, forged, theirs.auth_token)
    assert refused.status_code == 404
    assert "a.mp3" not in refused.content.decode()
    own = {**call, "AccountSid": credential.account, "From": OUR_NUMBER}
    served = post_signed(client, path, own, credential.api_key)
    assert served.status_code == 200
    assert "a.mp3" in served.content.decode()


@pytest.mark.django_db
def test_a_number_cannot_be_assigned_to_a_second_workspace(
    client, make_user, workspace_a, workspace_b
):
    staff = make_user("staff", is_staff=True, is_superuser=True)
    log_in_staff(client, staff)
    added = client.post(
        "/admin/twilio/twilionumber/add/",
        {"workspace": str(workspace_a.pk), "phone_number": "(500) 555-0006"},
    )
    assert added.status_code == 302
    number = TwilioNumber.objects.get()
    assert (number.phone_number, number.workspace_id, number.assigned_by) == (
        A_NUMBER,
        workspace_a.pk,
        staff,
    )
    again = client.post(
        "/admin/twilio/twilionumber/add/",
        {"workspace": str(workspace_b.pk), "phone_number": A_NUMBER},
    )
    assert again.status_code == 200
    assert "already exists" in again.content.decode()
    assert list(TwilioNumber.objects.values_list("workspace_id", flat=True)) == [workspace_a.pk]
    with pytest.raises(IntegrityError), transaction.atomic():
        TwilioNumber.objects.create(workspace=workspace_b, phone_number=A_NUMBER)


@pytest.mark.django_db
def test_without_an_assigned_number_the_shared_account_does_not_send(api_b, workspace_b):
    response = api_b.post(
        f"/api/workspaces/{workspace_b.pk}/sms/send", {"to": ADA, "body": "Hi"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "no_phone_number"
    assert "assigned" in response.json()["error"]
    assert not SmsMessage.objects.exists()


@pytest.mark.django_db
def test_a_voice_drop_started_through_the_api_is_audited(api_a, alice, workspace_a):
    response = api_a.post(
        "/api/voice-drops",
        {"audio_url": "https://cdn.example/a.mp3", "numbers": [ADA, "+14155550104"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    event = AuditEvent.objects.get(action=audit.MESSAGE_SENT)
    assert (event.workspace_id, event.actor, event.target_id) == (
        workspace_a.pk,
        alice,
        response.json()["id"],
    )
    assert event.details == {"channel": "voice_drop", "calls": 2}


# Slack team ownership -----------------------------------------------------------------------


def connect_b(bob, workspace_b):
    from django.test import Client

    browser_b = Client()
    browser_b.force_login(bob)
    return browser_b, finish(browser_b, consent(start(browser_b, workspace_b, "slack")))


@pytest.mark.django_db(transaction=True)
def test_a_slack_team_of_another_workspace_is_refused_until_its_admins_release_it(
    installed, alice, bob, workspace_a, workspace_b, api_a, api_b, client_for, make_user
):
    browser_b, refused = connect_b(bob, workspace_b)
    assert refused["Location"] == "/settings/integrations?provider=slack&error=account_taken"
    page = browser_b.get(refused["Location"]).content.decode()
    assert "already connected to another Clianta workspace" in page
    assert SlackIntegration.objects.get().workspace_id == workspace_a.pk
    assert not IntegrationCredential.objects.filter(workspace=workspace_b).exists()

    assert api_a.post(f"/api/workspaces/{workspace_a.pk}/slack/test").status_code == 200
    tested = AuditEvent.objects.get(action=audit.MESSAGE_SENT, workspace=workspace_a)
    assert tested.details == {"channel": "slack", "slack_channel": "C0GENERAL1", "test": True}

    release = f"/api/slack/integrations/{installed.pk}/release"
    assert api_b.post(release).status_code == 404
    member = make_user("member")
    Membership.objects.create(workspace=workspace_a, user=member, role=Membership.Role.MEMBER)
    assert client_for(member).post(release).status_code == 403
    assert SlackIntegration.objects.filter(workspace=workspace_a).exists()

    assert api_a.post(release).status_code == 204
    assert not SlackIntegration.objects.exists()
    event = AuditEvent.objects.get(action=audit.INTEGRATION_DISCONNECTED)
    assert (event.workspace_id, event.actor, event.details["account"]) == (
        workspace_a.pk,
        alice,
        "T0SANDBOX",
    )
    assert AuditEvent.objects.filter(action=audit.INTEGRATION_REVOKED, actor=alice).exists()

    _, connected = connect_b(bob, workspace_b)
    assert connected["Location"] == "/settings/integrations?provider=slack&success=true"
    assert SlackIntegration.objects.get().workspace_id == workspace_b.pk


# Escaping -----------------------------------------------------------------------------------

HOSTILE = {"first_name": "<!channel>", "last_name": "& co"}
LINK = "<https://evil.example|Reset your password>"


def channel_texts(sandbox, channel):
    answer = requests.get(f"{sandbox.url}/slack/_messages", {"channel": channel}, timeout=10)
    return [m["text"] for m in answer.json()["messages"]]


@pytest.mark.django_db(transaction=True)
def test_crm_data_in_a_rule_message_is_text_not_slack_markup(installed, sandbox, workspace_a):
    """The template's own markup stays; the values in it are escaped."""
    company = Company.objects.create(workspace=workspace_a, name=LINK)
    contact = Contact.objects.create(workspace=workspace_a, company=company, **HOSTILE)
    rule = NotificationRule.objects.get(name="New lead captured")
    rule.template = "<!here> Lead: {contact_name} of {company_name}"
    rule.save()
    [queued] = rules.queue("contact.created", workspace_a.pk, {"contact_id": str(contact.pk)})
    assert send_notification.apply(args=[str(queued.pk)]).get() == "sent"
    assert channel_texts(sandbox, "sales") == [
        "<!here> Lead: &lt;!channel&gt; &amp; co of "
        "&lt;https://evil.example|Reset your password&gt;"
    ]


@pytest.mark.django_db(transaction=True)
def test_crm_data_and_the_query_in_a_slash_command_answer_are_escaped(
    installed, sandbox, workspace_a
):
    company = Company.objects.create(workspace=workspace_a, name=LINK)
    Contact.objects.create(
        workspace=workspace_a, company=company, title="<@U0BOSS>", email="a&b@x.example", **HOSTILE
    )

    def run(text):
        answer = requests.post(f"{sandbox.url}/slack/_commands", json={"text": text}, timeout=30)
        return json.loads(answer.json()["body"])

    found = run("find contact channel")
    section = [b["text"]["text"] for b in found["blocks"] if b["type"] == "section"]
    assert section == [
        "*&lt;!channel&gt; &amp; co*\n&lt;@U0BOSS&gt; · "
        "&lt;https://evil.example|Reset your password&gt;\na&amp;b@x.example"
    ]
    missing = run("find contact <!here> & <https://evil.example|x>")
    expected = "No contact matches “&lt;!here&gt; &amp; &lt;https://evil.example|x&gt;”."
    assert missing["text"] == expected
    assert "<!" not in json.dumps(found) + json.dumps(missing)
