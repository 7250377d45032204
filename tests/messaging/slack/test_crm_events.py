"""Where CRM events are raised (the API's contacts and deals, mail from a contact), and how any
event, an SMS received included, becomes a rule's message."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clianta import events
from clianta.models import Contact
from email_accounts.models import EmailAccount
from email_accounts.store import Fetched, store
from integrations.models import IntegrationCredential
from messaging.slack import rendering
from messaging.slack.models import NotificationRule
from tests.email_accounts.mail import raw

pytestmark = pytest.mark.django_db


@pytest.fixture
def raised():
    """The (event type, data) of every CRM event sent, in order (sent on commit: run the code
    inside ``django_capture_on_commit_callbacks(execute=True)``)."""
    seen = []

    def receiver(sender, workspace_id, data, **kwargs):
        seen.append((sender, data))

    events.crm_event.connect(receiver, dispatch_uid="test-crm-events")
    yield seen
    events.crm_event.disconnect(dispatch_uid="test-crm-events")


@pytest.fixture
def committing(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_contact_created_through_the_api_is_an_event(api_a, raised, committing):
    with committing():
        contact = api_a.post("/api/contacts", {"email": "ann@acme.example"}, format="json").json()
    assert raised == [
        (
            events.CONTACT_CREATED,
            {"contact_id": contact["id"], "email": "ann@acme.example", "name": ""},
        )
    ]


def test_deal_stage_changes_and_wins_are_events(api_a, raised, committing):
    with committing():
        deal = api_a.post("/api/deals", {"name": "D"}, format="json").json()
    for change in ({"name": "D2"}, {"stage": "qualified"}, {"stage": "won"}):
        with committing():
            api_a.patch(f"/api/deals/{deal['id']}", change, format="json")
    with committing():
        won = api_a.post("/api/deals", {"name": "W", "stage": "won"}, format="json").json()
    assert [(kind, data.get("previous_stage"), data["deal_id"]) for kind, data in raised] == [
        (events.DEAL_STAGE_CHANGED, "lead", deal["id"]),
        (events.DEAL_STAGE_CHANGED, "qualified", deal["id"]),
        (events.DEAL_WON, "qualified", deal["id"]),
        (events.DEAL_WON, "", won["id"]),
    ]


def test_recent_mail_to_or_from_a_contact_is_an_event_and_old_mail_is_not(
    workspace_a, raised, committing
):
    contact = Contact.objects.create(workspace=workspace_a, email="ann@acme.example")
    credential = IntegrationCredential.objects.create(
        workspace=workspace_a, provider="gmail", account="me@clianta.example"
    )
    account = EmailAccount.objects.create(
        workspace=workspace_a, provider="gmail", email="me@clianta.example", credential=credential
    )
    now = timezone.now()
    mine = "me@clianta.example"
    with committing():
        store(
            account,
            [
                Fetched("m1", "t1", ["INBOX"], raw(subject="Old", date=now - timedelta(days=30))),
                Fetched("m2", "t2", ["INBOX"], raw(subject="Pricing?", date=now)),
                Fetched("m3", "t3", ["SENT"], raw(mine, ("ann@acme.example",), "Out", date=now)),
            ],
        )
    stored = dict(account.messages.values_list("provider_message_id", "pk"))
    assert raised == [
        (
            events.EMAIL_RECEIVED,
            {
                "contact_id": str(contact.pk),
                "from_address": "ann@acme.example",
                "message_id": str(stored["m2"]),
                "subject": "Pricing?",
            },
        ),
        (
            events.EMAIL_SENT,
            {
                "contact_id": str(contact.pk),
                "to": ["ann@acme.example"],
                "message_id": str(stored["m3"]),
                "subject": "Out",
            },
        ),
    ]


def test_an_sms_received_renders_the_rules_template(workspace_a):
    contact = Contact.objects.create(workspace=workspace_a, first_name="Ann", last_name="Lee")
    rule = NotificationRule(
        workspace=workspace_a,
        event_type=events.SMS_RECEIVED,
        template="{contact_name} ({phone}): {body}",
    )
    data = {"contact_id": str(contact.pk), "phone": "+15005550006", "body": "Call me"}
    fields = rendering.context(workspace_a.pk, data)
    assert rendering.render(rule.template, fields) == "Ann Lee (+15005550006): Call me"
