"""CRM events become Slack posts through the workspace's notification rules.

The ``crm_event`` receiver only writes one queued SlackNotification per matching rule and queues
its task once committed: it runs in the request that caused the event, so it does no rendering
and makes no call to Slack. The task renders the notification (rendering.py) and posts it.
"""

from __future__ import annotations

from django.db import transaction

from clianta import events

from .models import NotificationRule, SlackIntegration, SlackNotification
from .tasks import send_notification


def queue(sender, workspace_id, data, **kwargs) -> list[SlackNotification]:
    """``crm_event`` receiver: one queued notification per enabled rule of the event's type."""
    if not SlackIntegration.objects.filter(workspace_id=workspace_id).exists():
        return []
    rules = NotificationRule.objects.filter(
        workspace_id=workspace_id, event_type=sender, enabled=True
    )
    queued = []
    with transaction.atomic():
        for rule in rules:
            notification = SlackNotification.objects.create(
                workspace_id=workspace_id,
                rule=rule,
                event_type=sender,
                event_data=data,
                channel=rule.channel,
            )
            transaction.on_commit(lambda pk=notification.pk: send_notification.delay(str(pk)))
            queued.append(notification)
    return queued


def connect_receiver() -> None:
    events.crm_event.connect(queue, dispatch_uid="slack.notifications")
