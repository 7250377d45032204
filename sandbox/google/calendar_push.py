"""Google Calendar push notifications: ``events.watch`` opens a channel, ``channels.stop``
closes it, and every change of a watched calendar is announced to the channel's address.

As Google does (developers.google.com/workspace/calendar/api/guides/push): a ``sync``
notification right after the watch, then ``exists`` for each change; no body, only the
``X-Goog-*`` headers; the message number grows with each notification; the channel's token is
echoed when it has one; the expiration is capped (``SANDBOX_CALENDAR_CHANNEL_DAYS``) and an
expired or stopped channel announces nothing. Notifications leave from a thread after the
change commits, so the change's own request is not held up.

The fault switch applies to notifications too: a fault of provider ``google`` whose regex
matches ``/push/calendar/<channel id>`` drops the notification (a status) or holds it back
(``delay_ms``).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from sandbox import faults

from .models import GoogleCalendar, GoogleCalendarChannel


class InvalidChannel(ValueError):
    pass


def watch(cal: GoogleCalendar, body: dict, resource_uri: str) -> GoogleCalendarChannel:
    """Open a channel as ``events.watch`` does; raises InvalidChannel for a body Google refuses."""
    channel_id, address = body.get("id"), body.get("address")
    if body.get("type") not in ("web_hook", "webhook"):
        raise InvalidChannel("Invalid value for type: only web_hook channels exist.")
    if not isinstance(channel_id, str) or not 0 < len(channel_id) <= 64:
        raise InvalidChannel("A channel id of at most 64 characters is required.")
    if not isinstance(address, str) or not address.startswith(("https://", "http://")):
        raise InvalidChannel("An address (an https URL) is required.")
    token = body.get("token") or ""
    if not isinstance(token, str) or len(token) > 256:
        raise InvalidChannel("The token is at most 256 characters.")
    longest = timezone.now() + timedelta(days=settings.SANDBOX_CALENDAR_CHANNEL_DAYS)
    expiration = longest
    if body.get("expiration"):
        try:
            asked = datetime.fromtimestamp(int(body["expiration"]) / 1000, tz=UTC)
        except (TypeError, ValueError) as error:
            raise InvalidChannel("Invalid value for expiration.") from error
        expiration = min(asked, longest)
    if GoogleCalendarChannel.objects.filter(channel_id=channel_id).exists():
        raise InvalidChannel(f"Channel id {channel_id} not unique")
    channel = GoogleCalendarChannel.objects.create(
        calendar=cal,
        channel_id=channel_id,
        resource_id=secrets.token_urlsafe(20),
        address=address,
        token=token,
        expiration=expiration,
    )
    faults.push_later("google", [_notification(channel, "sync")])
    return channel


def channel_json(channel: GoogleCalendarChannel, resource_uri: str) -> dict:
    answer = {
        "kind": "api#channel",
        "id": channel.channel_id,
        "resourceId": channel.resource_id,
        "resourceUri": resource_uri,
        "expiration": str(int(channel.expiration.timestamp() * 1000)),
    }
    if channel.token:
        answer["token"] = channel.token
    return answer


def stop(email: str, body: dict) -> bool:
    """``channels.stop``: only the channel's own user stops it; False when there is none."""
    return bool(
        GoogleCalendarChannel.objects.filter(
            calendar__email=email.lower(),
            channel_id=body.get("id") or "",
            resource_id=body.get("resourceId") or "",
            stopped_at__isnull=True,
        ).update(stopped_at=timezone.now())
    )


def announce(cal: GoogleCalendar) -> None:
    """Call from the transaction that changed ``cal``: its open channels hear of it once the
    change commits."""
    transaction.on_commit(lambda: _announce_now(cal.pk))


def _announce_now(calendar_pk) -> None:
    channels = GoogleCalendarChannel.objects.filter(
        calendar_id=calendar_pk, stopped_at__isnull=True, expiration__gt=timezone.now()
    )
    faults.push_later("google", [_notification(channel, "exists") for channel in channels])


def _notification(channel: GoogleCalendarChannel, state: str) -> faults.Push:
    """The channel's next notification."""
    numbered = GoogleCalendarChannel.objects.filter(pk=channel.pk)
    numbered.update(message_number=F("message_number") + 1)
    number = numbered.values_list("message_number", flat=True).get()
    calendar = channel.calendar.email
    headers = {
        "X-Goog-Channel-ID": channel.channel_id,
        "X-Goog-Message-Number": str(number),
        "X-Goog-Resource-ID": channel.resource_id,
        "X-Goog-Resource-State": state,
        "X-Goog-Resource-URI": (
            f"{settings.GOOGLE_CALENDAR_API_URL.rstrip('/')}/calendars/{calendar}/events"
        ),
        "X-Goog-Channel-Expiration": format_datetime(channel.expiration, usegmt=True),
    }
    if channel.token:
        headers["X-Goog-Channel-Token"] = channel.token
    return faults.Push(
        f"/push/calendar/{channel.channel_id}", channel.address, {"headers": headers}
    )
