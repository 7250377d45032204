"""Slack's Celery tasks: thin, taking ids; the work is in services and rendering. Events API
deliveries are processed by the framework's task (channel_messages.process, registered in
apps.py)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from clianta import scrub
from integrations.errors import IntegrationError, Transient, retry_delay

from . import rendering, services
from .models import SlackNotification

logger = logging.getLogger("integrations.slack")
Status = SlackNotification.Status
#: Retries of a post that failed transiently (429 after slack-sdk's own waits, 5xx, timeouts).
NOTIFICATION_RETRIES = 4
BACKOFF_SECONDS = (5, 30, 120, 600)


@shared_task(name="slack.send_notification", bind=True, acks_late=True, max_retries=None)
def send_notification(self, notification_id: str) -> str:
    """Post one queued notification; every attempt counts in ``attempts``, its error stays."""
    notification = SlackNotification.objects.filter(pk=notification_id).select_related("rule")
    notification = notification.first()
    if notification is None or notification.status in (Status.SENT, Status.FAILED):
        return "skipped"
    rows = SlackNotification.objects.filter(pk=notification.pk)
    rows.update(attempts=F("attempts") + 1)
    log = {"notification": notification_id, "attempt": self.request.retries + 1}
    try:
        integration = services.integration_of(notification.workspace_id)
        if not notification.text:
            fields = rendering.context(notification.workspace_id, notification.event_data)
            template = notification.rule.template if notification.rule else ""
            notification.text = rendering.render(template, fields)
            rows.update(text=notification.text)
        posted = services.post_message(integration, notification.channel, notification.text)
    except Transient as exc:
        retrying = self.request.retries < NOTIFICATION_RETRIES
        rows.update(status=Status.RETRYING if retrying else Status.FAILED, error=_text(exc))
        if not retrying:
            logger.error("slack.notification_failed", extra={**log, "error": exc.code})
            return Status.FAILED
        delay = BACKOFF_SECONDS[min(self.request.retries, len(BACKOFF_SECONDS) - 1)]
        delay = retry_delay(exc, delay)
        logger.warning("slack.notification_retrying", extra={**log, "error": exc.code})
        raise self.retry(countdown=delay) from exc
    except IntegrationError as exc:
        rows.update(status=Status.FAILED, error=_text(exc))
        logger.error("slack.notification_failed", extra={**log, "error": exc.code})
        return Status.FAILED
    rows.update(status=Status.SENT, ts=posted.get("ts", ""), error="", sent_at=timezone.now())
    logger.info("slack.notification_sent", extra=log)
    return Status.SENT


def _text(exc: IntegrationError) -> str:
    return scrub.scrub_text(exc.message)[:2000]
