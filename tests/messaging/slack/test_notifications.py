"""CRM events become Slack posts through the workspace's rules, posted by the Celery worker."""

import pytest
import requests

from clianta import events
from clianta.models import Contact, Deal
from messaging.slack import rendering, rules
from messaging.slack.models import NotificationRule, SlackNotification
from messaging.slack.tasks import send_notification
from sandbox import faults
from tests.conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)
POST_PATH = r"/slack/api/chat\.postMessage$"
Status = SlackNotification.Status


def channel_texts(sandbox, channel):
    answer = requests.get(f"{sandbox.url}/slack/_messages", {"channel": channel}, timeout=10)
    return [m["text"] for m in answer.json()["messages"]]


def settled(status=Status.SENT):
    return lambda: SlackNotification.objects.filter(status=status).first()


def test_a_deal_won_lands_in_the_configured_channel(installed, api_a, sandbox, celery_worker):
    deal = api_a.post("/api/deals", {"name": "Acme renewal", "amount": "1200.00"}, format="json")
    assert deal.status_code == 201
    response = api_a.patch(f"/api/deals/{deal.json()['id']}", {"stage": "won"}, format="json")
    assert response.status_code == 200
    notification = wait_for(settled())
    assert (notification.event_type, notification.channel) == ("deal.won", "#celebrations")
    assert notification.attempts == 1 and notification.ts
    assert channel_texts(sandbox, "celebrations") == ["Deal won: Acme renewal (1,200.00 USD)"]


def test_a_new_contact_posts_the_new_lead_rule_and_edited_rules_apply(
    installed, api_a, sandbox, celery_worker
):
    rule = NotificationRule.objects.get(name="New lead captured")
    answer = api_a.patch(
        f"/api/slack/rules/{rule.pk}",
        {"template": "Lead: {contact_name} <{contact_email}> {unknown}", "channel": "#support"},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    contact = {"first_name": "Ann", "last_name": "Lee", "email": "ann@acme.example"}
    assert api_a.post("/api/contacts", contact, format="json").status_code == 201
    wait_for(settled())
    assert channel_texts(sandbox, "support") == ["Lead: Ann Lee <ann@acme.example> {unknown}"]
    assert channel_texts(sandbox, "sales") == []


def test_rules_are_workspace_scoped_and_validated(installed, api_a, api_b):
    created = api_a.post(
        "/api/slack/rules",
        {
            "name": "Stage moves",
            "event_type": "deal.stage_changed",
            "channel": "#sales",
            "template": "{deal_name}: {deal_stage}",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert api_b.get(f"/api/slack/rules/{created.json()['id']}").status_code == 404
    bad = api_a.post(
        "/api/slack/rules",
        {"name": "X", "event_type": "nope", "channel": "#sales", "template": "t"},
        format="json",
    )
    assert bad.status_code == 400 and "event_type" in bad.json()["fields"]


def test_without_slack_no_notification_is_queued(sandbox, api_a, workspace_a):
    NotificationRule.objects.create(
        workspace=workspace_a,
        name="r",
        event_type=events.CONTACT_CREATED,
        channel="#s",
        template="t",
    )
    assert (
        api_a.post("/api/contacts", {"email": "x@acme.example"}, format="json").status_code == 201
    )
    assert not SlackNotification.objects.exists()


def test_a_failed_post_is_retried_and_every_attempt_counted(installed, workspace_a):
    """The first attempt meets a 500; the task's retry posts it. Run eagerly, so the retry is
    the task run again, as the worker would after the countdown."""
    faults.inject("slack", POST_PATH, status=500, times=1)
    contact = Contact.objects.create(workspace=workspace_a, first_name="Bo")
    [queued] = rules.queue(events.CONTACT_CREATED, workspace_a.pk, {"contact_id": str(contact.pk)})
    from celery.exceptions import Retry

    with pytest.raises(Retry):
        send_notification.apply(args=[str(queued.pk)], throw=True)
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == (Status.RETRYING, 1)
    assert "fatal_error" in queued.error
    send_notification.apply(args=[str(queued.pk)], throw=True)
    queued.refresh_from_db()
    assert (queued.status, queued.attempts, queued.error) == (Status.SENT, 2, "")


def test_a_post_slack_refuses_fails_once_with_its_reason(installed, workspace_a):
    rule = NotificationRule.objects.get(name="Deal won")
    rule.channel = "#nowhere"
    rule.save()
    deal = Deal.objects.create(workspace=workspace_a, name="D", stage="won")
    [queued] = rules.queue(events.DEAL_WON, workspace_a.pk, {"deal_id": str(deal.pk)})
    assert send_notification.apply(args=[str(queued.pk)]).get() == "failed"
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == (Status.FAILED, 1)
    assert "no channel #nowhere" in queued.error


def test_render_leaves_unknown_names_and_never_evaluates():
    assert rendering.render("{a} {b.__class__} {c}", {"a": "1", "c": "{a}"}) == (
        "1 {b.__class__} {a}"
    )
