"""Gmail push (developers.google.com/workspace/gmail/api/guides/push): ``users.watch`` makes a
mailbox publish its changes to a Cloud Pub/Sub topic, ``users.stop`` ends it.

As Gmail does: the topic name must be ``projects/<project>/topics/<topic>``; the watch answers
``{historyId, expiration}`` (epoch milliseconds, as a string; 7 days ahead) and publishes one
notification at once; each change of a message carrying a watched label (``labelIds`` with
``labelFilterBehavior`` include, the default, or exclude) publishes
``{"emailAddress", "historyId"}``; an expired or stopped watch publishes nothing. Watching again
replaces the watch.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from . import pubsub
from .models import GmailMailbox, GmailWatch

TOPIC = re.compile(r"^projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/topics/[A-Za-z][\w.~+%-]{2,254}$")
LIFETIME = timedelta(days=7)
BEHAVIOURS = ("include", "exclude")


class InvalidWatch(ValueError):
    pass


def watch(box: GmailMailbox, body: dict) -> dict:
    topic = body.get("topicName")
    if not isinstance(topic, str) or not TOPIC.match(topic):
        raise InvalidWatch("Invalid topicName does not match projects/*/topics/*")
    labels = body.get("labelIds") or []
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise InvalidWatch("Invalid labelIds")
    behaviour = body.get("labelFilterBehavior") or body.get("labelFilterAction") or "include"
    behaviour = behaviour.lower()
    if behaviour not in BEHAVIOURS:
        raise InvalidWatch(f"Invalid labelFilterBehavior: {behaviour}")
    expiration = timezone.now() + LIFETIME
    GmailWatch.objects.update_or_create(
        mailbox=box,
        defaults={
            "topic_name": topic,
            "label_ids": " " + " ".join(labels) + " ",
            "label_filter": behaviour,
            "expiration": expiration,
            "stopped_at": None,
        },
    )
    box.refresh_from_db(fields=["history_id"])
    transaction.on_commit(
        lambda: pubsub.publish(topic, {"emailAddress": box.email, "historyId": box.history_id})
    )
    return {"historyId": str(box.history_id), "expiration": str(int(expiration.timestamp() * 1000))}


def stop(box: GmailMailbox) -> None:
    GmailWatch.objects.filter(mailbox=box).update(stopped_at=timezone.now())


def announce(mailbox_id: int, labels: set[str]) -> None:
    """Call from the transaction that changed the mailbox (messages carrying ``labels``): the
    watch publishes once it commits."""
    transaction.on_commit(lambda: _publish(mailbox_id, labels))


def _publish(mailbox_id: int, labels: set[str]) -> None:
    found = (
        GmailWatch.objects.select_related("mailbox")
        .filter(mailbox_id=mailbox_id, stopped_at__isnull=True, expiration__gt=timezone.now())
        .first()
    )
    if found is None:
        return
    watched = set(found.label_ids.split())
    if watched:
        matches = bool(labels & watched)
        if matches != (found.label_filter == "include"):
            return
    box = found.mailbox
    pubsub.publish(found.topic_name, {"emailAddress": box.email, "historyId": box.history_id})
