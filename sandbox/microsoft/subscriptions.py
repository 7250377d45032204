"""Microsoft Graph change notifications on Outlook messages, under
``/sandbox/microsoft/graph/v1.0/subscriptions`` (learn.microsoft.com/graph/change-notifications-
delivery-webhooks, .../api/resources/subscription).

As Graph does:
- Creating a subscription first validates each URL: a POST to ``<url>?validationToken=<token>``
  that must answer 200 with the token as plain text within 10 seconds; otherwise 400 and no
  subscription. ``changeType`` is a comma-separated subset of created, updated, deleted;
  ``resource`` a mailbox's messages (``me/messages``) or one folder's
  (``me/mailFolders('Inbox')/messages``); ``expirationDateTime`` at most 10,080 minutes ahead
  (a time under 45 minutes ahead is raised to 45); ``clientState`` at most 128 characters.
- PATCH changes ``expirationDateTime`` (the same limits); DELETE answers 204.
- Each change of a watched message posts ``{"value": [{subscriptionId,
  subscriptionExpirationDateTime, changeType, resource, resourceData, clientState, tenantId}]}``
  to the notification URL, from a thread after the change commits; an expired or deleted
  subscription posts nothing. :func:`lifecycle` posts a lifecycle event
  (``reauthorizationRequired``, ``subscriptionRemoved``, ``missed``) to the lifecycle URL.

The fault switch drops or holds back a notification whose ``/push/graph/<subscription id>``
matches a fault of provider ``microsoft``.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import requests
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from sandbox import faults

from .models import OutlookMailbox, OutlookSubscription
from .tokens import authenticate, graph_error, object_id

LONGEST = timedelta(minutes=10080)
SHORTEST = timedelta(minutes=45)
VALIDATION_TIMEOUT = 10
CHANGE_TYPES = {"created", "updated", "deleted"}
RESOURCE = re.compile(r"^/?(?:me|users/[^/]+)/(?:mailFolders\('?(\w+)'?\)/)?messages$", re.I)
TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad"


class Invalid(ValueError):
    pass


def _expiration(value) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as error:
        raise Invalid("expirationDateTime is not a valid date and time.") from error
    if moment.tzinfo is None:
        raise Invalid("expirationDateTime must be in UTC.")
    now = timezone.now()
    if moment <= now:
        raise Invalid("Subscription expiration must be in the future.")
    if moment > now + LONGEST:
        raise Invalid(
            f"Subscription expiration can only be {int(LONGEST.total_seconds() // 60)} "
            "minutes in the future."
        )
    return max(moment, now + SHORTEST)


def _validated(url: str) -> bool:
    token = uuid.uuid4().hex + " Validation: Testing client application reachability"
    try:
        answer = requests.post(
            url,
            params={"validationToken": token},
            headers={"Content-Type": "text/plain; charset=utf-8"},
            timeout=VALIDATION_TIMEOUT,
        )
    except requests.RequestException:
        return False
    return answer.status_code == 200 and answer.text == token


def create(box: OutlookMailbox, body: dict, client_id: str) -> OutlookSubscription:
    changes = str(body.get("changeType") or "")
    if not changes or not set(changes.split(",")) <= CHANGE_TYPES:
        raise Invalid("changeType must be created, updated and/or deleted, comma-separated.")
    match = RESOURCE.match(str(body.get("resource") or ""))
    if not match:
        raise Invalid("Resource is not supported for change notifications.")
    state = body.get("clientState") or ""
    if not isinstance(state, str) or len(state) > 128:
        raise Invalid("clientState is at most 128 characters.")
    notification_url = body.get("notificationUrl")
    lifecycle_url = body.get("lifecycleNotificationUrl") or ""
    if not isinstance(notification_url, str) or not notification_url.startswith("http"):
        raise Invalid("notificationUrl is required.")
    expiration = _expiration(body.get("expirationDateTime"))
    for url in filter(None, (notification_url, lifecycle_url)):
        if not _validated(url):
            raise Invalid(
                "Subscription validation request failed. Notification endpoint must respond "
                "with 200 OK to validation request."
            )
    return OutlookSubscription.objects.create(
        subscription_id=str(uuid.uuid4()),
        mailbox=box,
        resource=body["resource"],
        folder=(match.group(1) or "").lower(),
        change_types=changes,
        notification_url=notification_url,
        lifecycle_url=lifecycle_url,
        client_state=state,
        client_id=client_id,
        expiration=expiration,
    )


def resource_json(request: HttpRequest, sub: OutlookSubscription) -> dict:
    return {
        "@odata.context": request.build_absolute_uri("/").rstrip("/")
        + "/sandbox/microsoft/graph/v1.0/$metadata#subscriptions/$entity",
        "id": sub.subscription_id,
        "resource": sub.resource,
        "applicationId": sub.client_id,
        "changeType": sub.change_types,
        "clientState": sub.client_state or None,
        "notificationUrl": sub.notification_url,
        "notificationQueryOptions": None,
        "lifecycleNotificationUrl": sub.lifecycle_url or None,
        "expirationDateTime": _iso(sub.expiration),
        "creatorId": object_id(sub.mailbox.email),
        "includeResourceData": False,
        "latestSupportedTlsVersion": "v1_2",
        "encryptionCertificate": None,
        "encryptionCertificateId": None,
        "notificationUrlAppId": None,
    }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def subscriptions_view(request: HttpRequest, box: OutlookMailbox) -> HttpResponse:
    if request.method != "POST":
        return graph_error(405, "Request_BadRequest", "Method not allowed.")
    try:
        body = json.loads(request.body or b"{}")
        if not isinstance(body, dict):
            raise ValueError
        sub = create(box, body, authenticate(request).client_id)
    except ValueError as error:
        message = str(error) if isinstance(error, Invalid) else "Invalid JSON."
        return graph_error(400, "ValidationError", message)
    return JsonResponse(resource_json(request, sub), status=201)


def subscription_view(request, box: OutlookMailbox, subscription_id: str) -> HttpResponse:
    sub = OutlookSubscription.objects.filter(
        mailbox=box, subscription_id=subscription_id, expiration__gt=timezone.now()
    ).first()
    if sub is None:
        return graph_error(404, "ResourceNotFound", "The object was not found.")
    if request.method == "DELETE":
        sub.delete()
        return HttpResponse(status=204)
    if request.method == "PATCH":
        try:
            body = json.loads(request.body or b"{}")
            sub.expiration = _expiration(body.get("expirationDateTime"))
        except (ValueError, AttributeError) as error:
            message = str(error) if isinstance(error, Invalid) else "Invalid JSON."
            return graph_error(400, "ValidationError", message)
        sub.save(update_fields=["expiration"])
    elif request.method != "GET":
        return graph_error(405, "Request_BadRequest", "Method not allowed.")
    return JsonResponse(resource_json(request, sub))


# Notifications -----------------------------------------------------------------------------------


def announce(box: OutlookMailbox, folder: str, change: str, graph_id: str) -> None:
    """Call from the transaction that changed a message of ``box`` in ``folder``."""
    transaction.on_commit(lambda: _announce_now(box.pk, box.email, folder, change, graph_id))


def _announce_now(box_pk, email: str, folder: str, change: str, graph_id: str) -> None:
    subs = OutlookSubscription.objects.filter(mailbox_id=box_pk, expiration__gt=timezone.now())
    user = object_id(email)
    posts = []
    for sub in subs:
        if change not in sub.change_types.split(",") or sub.folder not in ("", folder):
            continue
        path = f"Users/{user}/Messages/{graph_id}"
        item = {
            "subscriptionId": sub.subscription_id,
            "subscriptionExpirationDateTime": _iso(sub.expiration),
            "changeType": change,
            "resource": path,
            "resourceData": {
                "@odata.type": "#Microsoft.Graph.Message",
                "@odata.id": path,
                "@odata.etag": f'W/"{uuid.uuid4().hex}"',
                "id": graph_id,
            },
            "clientState": sub.client_state or None,
            "tenantId": TENANT_ID,
        }
        posts.append(_push(sub.subscription_id, sub.notification_url, item))
    faults.push_later("microsoft", posts)


def lifecycle(subscription_id: str, event: str) -> None:
    """Post a lifecycle event (reauthorizationRequired, subscriptionRemoved, missed) for the
    subscription, as Graph does; a removed subscription is gone afterwards."""
    sub = OutlookSubscription.objects.get(subscription_id=subscription_id)
    item = {
        "subscriptionId": sub.subscription_id,
        "subscriptionExpirationDateTime": _iso(sub.expiration),
        "tenantId": TENANT_ID,
        "clientState": sub.client_state or None,
        "lifecycleEvent": event,
    }
    if event == "subscriptionRemoved":
        sub.delete()
    faults.push_later("microsoft", [_push(sub.subscription_id, sub.lifecycle_url, item)])


def _push(subscription_id: str, url: str, item: dict) -> faults.Push:
    return faults.Push(f"/push/graph/{subscription_id}", url, {"json": {"value": [item]}})
