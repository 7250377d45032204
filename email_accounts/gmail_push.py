"""Gmail push (developers.google.com/workspace/gmail/api/guides/push): ``users.watch`` on each
synced Gmail mailbox (labels INBOX and SENT) publishes its changes to the Cloud Pub/Sub topic
``GMAIL_PUBSUB_TOPIC``, whose push subscription calls :func:`notification`.

A push is ours only with a valid OIDC token in ``Authorization: Bearer`` (cloud.google.com/
pubsub/docs/authenticate-push-subscriptions): signed by one of Google's keys
(``GOOGLE_OIDC_CERTS_URL``), for our audience, issued by Google, for the service account we
configured (``GMAIL_PUSH_SERVICE_ACCOUNT``) with its email verified. Anything else answers 403
and triggers nothing. The message's data (base64) names the mailbox (``emailAddress``); the
mailbox's incremental sync (history) then runs. A watch lives 7 days and is renewed daily;
watching again replaces it, so only a disconnect calls ``users.stop``.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from datetime import timedelta

import google.auth.exceptions
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from google.auth.transport.requests import Request
from google.oauth2 import id_token

from integrations import push
from integrations.models import PushChannel
from integrations.providers.google.client import GoogleApi
from integrations.tasks import syncing_accounts

from .models import EmailAccount
from .tasks import sync_account

logger = logging.getLogger("integrations.gmail")
SLUG = "gmail"
WATCHED_LABELS = ["INBOX", "SENT"]
ISSUERS = ("https://accounts.google.com", "accounts.google.com")


def _accounts():
    if not settings.GMAIL_PUBSUB_TOPIC:
        return EmailAccount.objects.none()
    return syncing_accounts(EmailAccount).filter(provider=SLUG)


def _watch(account: EmailAccount, scope, channel_id: str, token: str, address: str):
    body = {
        "topicName": settings.GMAIL_PUBSUB_TOPIC,
        "labelIds": WATCHED_LABELS,
        "labelFilterBehavior": "include",
    }
    answer = GoogleApi(SLUG, account.credential).call(
        lambda service: service.users().watch(userId="me", body=body)
    )
    return push.Opened.expiring_at_epoch_ms(account.email, answer["expiration"])


def _stop(channel: PushChannel) -> None:
    # A renewal's new watch replaced this one at Gmail: stopping would end the new one too.
    if PushChannel.objects.filter(account_id=channel.account_id).exclude(pk=channel.pk).exists():
        return
    GoogleApi(SLUG, channel.credential).call(lambda service: service.users().stop(userId="me"))


KIND = push.PushKind(
    slug=SLUG,
    accounts=_accounts,
    watch=_watch,
    stop=_stop,
    sync=sync_account,
    url_name="gmail-push",
    # Google asks for a new watch every day; one lives 7 days.
    renew_before=timedelta(days=6),
)


class Refused(Exception):
    pass


def _audience() -> str:
    return settings.GMAIL_PUSH_AUDIENCE or settings.PUBLIC_URL + reverse("gmail-push")


def verify(request: HttpRequest) -> dict:
    """The claims of the push's OIDC token; raises Refused when it is not Google's, for us.
    google.auth.exceptions.TransportError when Google's certificates cannot be fetched."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Refused("no bearer token")
    try:
        claims = id_token.verify_token(
            token.strip(), Request(), audience=_audience(), certs_url=settings.GOOGLE_OIDC_CERTS_URL
        )
    except (ValueError, google.auth.exceptions.MalformedError) as error:
        raise Refused(str(error)) from error
    if claims.get("iss") not in ISSUERS:
        raise Refused("not issued by Google")
    if not settings.GMAIL_PUSH_SERVICE_ACCOUNT or (
        claims.get("email") != settings.GMAIL_PUSH_SERVICE_ACCOUNT
        or claims.get("email_verified") is not True
    ):
        raise Refused("not our push subscription's service account")
    return claims


def mailbox_of(body: bytes) -> str | None:
    """``emailAddress`` from the message's data (base64 or base64url, padding optional)."""
    try:
        data = json.loads(body)["message"]["data"]
        text = data + "=" * (-len(data) % 4)
        decoded = base64.b64decode(text.replace("-", "+").replace("_", "/"), validate=True)
        address = json.loads(decoded)["emailAddress"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        return None
    return address.strip().lower() if isinstance(address, str) else None


@csrf_exempt
@require_POST
def notification(request: HttpRequest) -> HttpResponse:
    """Pub/Sub's push of a Gmail change: the mailbox's incremental sync runs."""
    try:
        verify(request)
    except Refused as error:
        logger.info("gmail.push_refused", extra={"reason": str(error)})
        return HttpResponse(status=403)
    except google.auth.exceptions.TransportError:
        return HttpResponse(status=503)  # Pub/Sub retries it
    address = mailbox_of(request.body)
    if address is None:
        # Google's, yet unreadable: acknowledged, or Pub/Sub would retry it forever.
        logger.warning("gmail.push_unreadable")
        return HttpResponse(status=204)
    accounts = EmailAccount.objects.filter(provider=SLUG, email__iexact=address).values("pk")
    for channel in PushChannel.objects.filter(
        kind=SLUG, status=PushChannel.Status.ACTIVE, account_id__in=accounts
    ):
        push.notify(channel)
    return HttpResponse(status=204)
