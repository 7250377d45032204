"""Outlook push: Microsoft Graph change notifications (learn.microsoft.com/graph/change-
notifications-delivery-webhooks) on each synced mailbox's Inbox and Sent Items messages
(created, updated, deleted), one subscription each.

- Graph checks both our URLs when a subscription is made: a POST with ``validationToken`` in the
  query, answered at once with the token as plain text.
- A notification is ours when its subscription is one of ours and it carries that
  subscription's ``clientState`` (our secret); anything else answers 403 and triggers nothing.
  It names no data we store: the mailbox's incremental (delta) sync runs. Graph wants 202 within
  3 seconds, so nothing slow happens before the answer.
- Lifecycle events: ``reauthorizationRequired`` replaces the subscription, ``subscriptionRemoved``
  makes a new one and resyncs (changes may have been missed), ``missed`` resyncs; the replacing
  runs in a task (Graph validates the new subscription by calling us back).
"""

from __future__ import annotations

import hmac
import json
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations import push
from integrations.models import PushChannel
from integrations.providers.microsoft.client import GraphClient
from integrations.tasks import replace_push_channel, syncing_accounts

from .models import EmailAccount
from .tasks import sync_account

SLUG = "outlook"
# Well under the longest life Graph gives a subscription on Outlook messages.
LIFETIME = timedelta(minutes=4200)
MAX_VALIDATION_TOKEN = 1024


def _watch(account: EmailAccount, scope: str, channel_id: str, token: str, address: str):
    expires = timezone.now() + LIFETIME
    body = {
        "changeType": "created,updated,deleted",
        "notificationUrl": address,
        "lifecycleNotificationUrl": settings.PUBLIC_URL + reverse("outlook-push-lifecycle"),
        "resource": f"me/mailFolders('{scope}')/messages",
        "expirationDateTime": expires.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "clientState": token[:128],
    }
    answer = GraphClient(account.credential).post("subscriptions", json=body).json()
    expires_at = datetime.fromisoformat(answer["expirationDateTime"].replace("Z", "+00:00"))
    return push.Opened(resource_id=answer["id"], expires_at=expires_at)


def _stop(channel: PushChannel) -> None:
    GraphClient(channel.credential).request("DELETE", f"subscriptions/{channel.resource_id}")


KIND = push.PushKind(
    slug=SLUG,
    accounts=lambda: syncing_accounts(EmailAccount).filter(provider=SLUG),
    watch=_watch,
    stop=_stop,
    sync=sync_account,
    url_name="outlook-push",
    scopes=("inbox", "sentitems"),
)


def _validation(request: HttpRequest) -> HttpResponse | None:
    """Graph's check of the URL: the token back, as plain text."""
    token = request.GET.get("validationToken")
    if token is None:
        return None
    if len(token) > MAX_VALIDATION_TOKEN:
        return HttpResponse(status=400)
    return HttpResponse(token, content_type="text/plain; charset=utf-8")


def _ours(request: HttpRequest) -> list[tuple[PushChannel, dict]] | None:
    """Each notification of the body with the channel it is for; None when the body is not
    Graph's or any notification is not for one of ours with its secret."""
    try:
        items = json.loads(request.body)["value"]
        ids = [str(item["subscriptionId"]) for item in items]
    except (ValueError, KeyError, TypeError):
        return None
    channels = {
        c.resource_id: c for c in PushChannel.objects.filter(kind=SLUG, resource_id__in=ids)
    }
    found = []
    for subscription_id, item in zip(ids, items, strict=True):
        channel = channels.get(subscription_id)
        state = item.get("clientState")
        if channel is None or not isinstance(state, str):
            return None
        if not hmac.compare_digest(channel.token[:128].encode(), state.encode()):
            return None
        found.append((channel, item))
    return found or None


@csrf_exempt
@require_POST
def notification(request: HttpRequest) -> HttpResponse:
    """Graph's notifications of changes: each mailbox named runs its delta sync (coalesced)."""
    if (answer := _validation(request)) is not None:
        return answer
    found = _ours(request)
    if found is None:
        return HttpResponse(status=403)
    for channel in {channel.pk: channel for channel, _ in found}.values():
        push.notify(channel)
    return HttpResponse(status=202)


@csrf_exempt
@require_POST
def lifecycle(request: HttpRequest) -> HttpResponse:
    """Graph's lifecycle events about our subscriptions."""
    if (answer := _validation(request)) is not None:
        return answer
    found = _ours(request)
    if found is None:
        return HttpResponse(status=403)
    for channel, item in found:
        event = item.get("lifecycleEvent")
        if event == "reauthorizationRequired":
            replace_push_channel.delay(str(channel.pk))
        elif event == "subscriptionRemoved":
            replace_push_channel.delay(str(channel.pk), gone=True)
        elif event == "missed":
            push.notify(channel)
    return HttpResponse(status=202)
