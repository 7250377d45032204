"""Google Calendar push: an ``events.watch`` channel per synced calendar, and the route Google
calls when the calendar changes (developers.google.com/workspace/calendar/api/guides/push).

A notification has no body, only ``X-Goog-*`` headers. It is ours when its channel id is one of
our open channels and it echoes that channel's secret token (and resource id): anything else
answers 403 and triggers nothing. The first notification of a channel (state ``sync``) can
arrive before the watch has answered, so before we know the channel: it is acknowledged and
triggers nothing, as it announces no change.
"""

from __future__ import annotations

import hmac

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations import push
from integrations.models import PushChannel
from integrations.providers.google.client import GoogleApi
from integrations.tasks import syncing_accounts

from .models import CalendarIntegration
from .tasks import sync_account

SLUG = "google_calendar"


def _watch(integration: CalendarIntegration, scope, channel_id: str, token: str, address: str):
    body = {"id": channel_id, "type": "web_hook", "address": address, "token": token}
    answer = GoogleApi(SLUG, integration.credential).call(
        lambda service: service.events().watch(calendarId=integration.calendar_id, body=body)
    )
    return push.Opened.expiring_at_epoch_ms(answer["resourceId"], answer["expiration"])


def _stop(channel: PushChannel) -> None:
    body = {"id": channel.channel_id, "resourceId": channel.resource_id}
    GoogleApi(SLUG, channel.credential).call(lambda service: service.channels().stop(body=body))


KIND = push.PushKind(
    slug=SLUG,
    accounts=lambda: syncing_accounts(CalendarIntegration).filter(provider=SLUG),
    watch=_watch,
    stop=_stop,
    sync=sync_account,
    url_name="calendar-push",
)


@csrf_exempt
@require_POST
def notification(request: HttpRequest) -> HttpResponse:
    """Google's notification of a change of a watched calendar: its incremental sync runs."""
    headers = request.headers
    if headers.get("X-Goog-Resource-State") == "sync":
        return HttpResponse(status=200)
    channel = (
        PushChannel.objects.select_related("credential")
        .filter(kind=SLUG, channel_id=headers.get("X-Goog-Channel-ID", "")[:64])
        .first()
    )
    if channel is None or not (
        hmac.compare_digest(
            channel.token.encode(), headers.get("X-Goog-Channel-Token", "").encode()
        )
        and headers.get("X-Goog-Resource-ID") == channel.resource_id
    ):
        return HttpResponse(status=403)
    push.notify(channel)
    return HttpResponse(status=200)
