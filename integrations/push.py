"""Push notifications: the provider calls us when a synced account changes, and the account's
incremental sync runs within seconds instead of at its next poll.

An app declares a :class:`PushKind` per provider it can watch (Google Calendar's
``events.watch``, say) and registers it in its ``AppConfig.ready``. The framework then:

- opens a channel for each account that syncs, renews it before it expires (a new channel
  first, then the old one stopped), and stops it on disconnect (:func:`maintain`,
  :func:`close_all`);
- turns a verified notification into a sync (:func:`notify`): a notification never carries the
  data we store, it only says "look". Bursts coalesce: while a pushed sync of the account is
  queued or running, further notifications mark it to run once more (:func:`request_sync`,
  :func:`finished`), never in parallel;
- keeps polling as the safety net: while an account's channel is healthy its polls come
  ``PUSH_POLL_MINUTES`` apart (:func:`poll_less`); a channel that failed to renew is not
  healthy, and polling returns to its usual pace.

Push is on only where providers can reach us (``PUSH_NOTIFICATIONS``; see settings).
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from .errors import IntegrationError
from .models import IntegrationCredential, PushChannel, PushedSync

logger = logging.getLogger("integrations.push")

#: The ``trigger`` of a sync a push asked for (SyncLog.trigger).
TRIGGER = "push"
#: A pushed sync that found another sync of the account running tries again this much later.
BUSY_RETRY_SECONDS = 2


@dataclass(frozen=True)
class Opened:
    """What the provider answered to a watch."""

    resource_id: str
    expires_at: datetime

    @classmethod
    def expiring_at_epoch_ms(cls, resource_id: str, expiration) -> Opened:
        """Google's way: the expiration in milliseconds since the epoch (a string)."""
        return cls(resource_id, datetime.fromtimestamp(int(expiration) / 1000, tz=UTC))


@dataclass(frozen=True)
class PushKind:
    """How an app watches one provider's accounts.

    - ``slug``: the provider slug of the accounts' credentials (``google_calendar``).
    - ``accounts()``: the app's accounts that sync (rows with ``pk`` and ``credential``).
    - ``watch(account, scope, channel_id, token, address)``: open a channel at the provider.
    - ``stop(channel)``: close it at the provider.
    - ``sync``: the app's ``sync_account`` Celery task.
    - ``url_name``: the route the provider calls (``PUBLIC_URL`` + its path is the address).
    - ``renew_before``: renew a channel expiring within this long (default
      ``PUSH_RENEW_BEFORE_HOURS``).
    """

    slug: str
    accounts: Callable[[], QuerySet]
    watch: Callable[..., Opened]
    stop: Callable[[PushChannel], None]
    sync: object
    url_name: str
    renew_before: timedelta | None = None
    #: What of an account needs a channel each (Outlook: its Inbox and its Sent Items); one
    #: channel for the whole account by default.
    scopes: tuple[str, ...] = ("",)


KINDS: dict[str, PushKind] = {}


def register(kind: PushKind) -> None:
    KINDS[kind.slug] = kind


def address(kind: PushKind) -> str:
    return settings.PUBLIC_URL + reverse(kind.url_name)


# Channels ----------------------------------------------------------------------------------------


def open_channel(kind: PushKind, account, scope: str = "") -> PushChannel:
    """Watch ``account`` (its ``scope``) at the provider; raises IntegrationError when it
    refuses."""
    channel_id, token = uuid.uuid4().hex, secrets.token_urlsafe(32)
    opened = kind.watch(account, scope, channel_id, token, address(kind))
    channel = PushChannel.objects.create(
        credential_id=account.credential_id,
        kind=kind.slug,
        account_id=account.pk,
        scope=scope,
        channel_id=channel_id,
        resource_id=opened.resource_id,
        token=token,
        expires_at=opened.expires_at,
    )
    logger.info(
        "push.channel_opened",
        extra={"provider": kind.slug, "account": str(account.pk), "expires": opened.expires_at},
    )
    return channel


def ensure(account) -> list[str]:
    """Watch a newly connected account now rather than at the next :func:`maintain`; a refusal
    is logged and left to it. What was done for each scope the kind watches."""
    kind = KINDS.get(account.credential.provider)
    if not settings.PUSH_NOTIFICATIONS or kind is None:
        return []
    channels = list(PushChannel.objects.filter(account_id=account.pk))
    renew_by = _renew_by(kind)
    return [
        _keep_watched(kind, account, scope, [c for c in channels if c.scope == scope], renew_by)
        for scope in kind.scopes
    ]


def close(channel: PushChannel) -> None:
    """Stop the channel at the provider (a refusal is logged: it expires anyway) and forget it."""
    try:
        KINDS[channel.kind].stop(channel)
    except IntegrationError as exc:
        logger.warning("push.stop_failed", extra={"provider": channel.kind, "reason": exc.message})
    channel.delete()


def close_all(credential: IntegrationCredential) -> int:
    """Stop every channel of the credential (before it is disconnected); returns how many."""
    channels = list(PushChannel.objects.filter(credential=credential))
    for channel in channels:
        close(channel)
    return len(channels)


def _renew_by(kind: PushKind) -> datetime:
    return timezone.now() + (kind.renew_before or timedelta(hours=settings.PUSH_RENEW_BEFORE_HOURS))


def maintain() -> dict[str, int]:
    """Every account that syncs has one healthy channel: open the missing ones, renew those
    about to expire (the new one first: the provider allows both at once), forget expired
    ones. A refused watch marks the account's channels failed, with the reason, and polling
    returns to its usual pace."""
    done = {"opened": 0, "renewed": 0, "failed": 0, "expired": 0}
    if not settings.PUSH_NOTIFICATIONS:
        return done
    done["expired"] = PushChannel.objects.filter(expires_at__lte=timezone.now()).delete()[0]
    for kind in KINDS.values():
        channels: dict[tuple[uuid.UUID, str], list[PushChannel]] = {}
        for channel in PushChannel.objects.filter(kind=kind.slug):
            channels.setdefault((channel.account_id, channel.scope), []).append(channel)
        renew_by = _renew_by(kind)
        for account in kind.accounts().select_related("credential"):
            for scope in kind.scopes:
                current = channels.get((account.pk, scope), [])
                outcome = _keep_watched(kind, account, scope, current, renew_by)
                if outcome:
                    done[outcome] += 1
    return done


def _keep_watched(
    kind: PushKind, account, scope: str, current: list[PushChannel], renew_by: datetime
) -> str:
    """Open the channel of ``account``'s ``scope``, or renew it when it expires before
    ``renew_by``; what was done ("" for nothing)."""
    if any(c.status == PushChannel.Status.ACTIVE and c.expires_at > renew_by for c in current):
        return ""
    return _reopen(kind, account, scope, current)


def _reopen(kind: PushKind, account, scope: str, current: list[PushChannel]) -> str:
    """A new channel, then the ``current`` ones stopped (the provider allows both at once)."""
    try:
        open_channel(kind, account, scope)
    except IntegrationError as exc:
        _failed(kind, account, current, exc)
        return "failed"
    for old in current:
        close(old)
    return "renewed" if current else "opened"


def replace(channel_pk, *, gone: bool = False) -> str:
    """Replace a channel now (the provider asked us to reauthorize it, or removed it:
    ``gone``, so there is nothing to stop and changes may have been missed). What was done."""
    channel = PushChannel.objects.filter(pk=channel_pk).first()
    if channel is None:
        return ""
    kind = KINDS[channel.kind]
    account = kind.accounts().filter(pk=channel.account_id).select_related("credential").first()
    if gone:
        channel.delete()
    if account is None:
        if not gone:
            close(channel)
        return ""
    done = _reopen(kind, account, channel.scope, [] if gone else [channel])
    if gone:
        request_sync(kind, account.pk)
    return done


def _failed(kind: PushKind, account, current: list[PushChannel], exc: IntegrationError) -> None:
    logger.warning(
        "push.watch_failed",
        extra={"provider": kind.slug, "account": str(account.pk), "reason": exc.message},
    )
    PushChannel.objects.filter(pk__in=[c.pk for c in current]).update(
        status=PushChannel.Status.FAILED, last_error=exc.message
    )


def healthy() -> Q:
    """Channels that work: active, unexpired, and heard from (or opened) within
    ``PUSH_QUIET_HOURS``; a provider that stopped pushing without saying so is caught by the
    usual polls again."""
    now = timezone.now()
    quiet = now - timedelta(hours=settings.PUSH_QUIET_HOURS)
    heard = Q(last_notification_at__gt=quiet) | Q(
        last_notification_at__isnull=True, created_at__gt=quiet
    )
    return Q(status=PushChannel.Status.ACTIVE, expires_at__gt=now) & heard


def poll_less(accounts: QuerySet) -> QuerySet:
    """``accounts`` without those a healthy channel watches and that synced within
    ``PUSH_POLL_MINUTES``: their polls come that far apart."""
    if not settings.PUSH_NOTIFICATIONS:
        return accounts
    now = timezone.now()
    watched = PushChannel.objects.filter(healthy()).values("account_id")
    recent = now - timedelta(minutes=settings.PUSH_POLL_MINUTES)
    return accounts.exclude(Q(pk__in=watched) & Q(credential__last_success_at__gt=recent))


def state_of(account_id) -> dict:
    """The account's push state for people: ``off`` (push is off, or no channel yet),
    ``active`` (with its first expiry and last notification) or ``failed`` (with the reason,
    when any of its channels failed)."""
    channels = list(PushChannel.objects.filter(account_id=account_id))
    if not settings.PUSH_NOTIFICATIONS or not channels:
        return {"state": "off", "expires_at": None, "last_notification_at": None, "reason": ""}
    failed = [c for c in channels if c.status == PushChannel.Status.FAILED]
    heard = [c.last_notification_at for c in channels if c.last_notification_at]
    return {
        "state": PushChannel.Status.FAILED if failed else PushChannel.Status.ACTIVE,
        "expires_at": min(c.expires_at for c in channels),
        "last_notification_at": max(heard, default=None),
        "reason": failed[0].last_error if failed else "",
    }


# Notifications -----------------------------------------------------------------------------------


def notify(channel: PushChannel) -> bool:
    """A verified notification of ``channel``: its account syncs (coalesced)."""
    PushChannel.objects.filter(pk=channel.pk).update(
        notifications=F("notifications") + 1, last_notification_at=timezone.now()
    )
    return request_sync(KINDS[channel.kind], channel.account_id)


def request_sync(kind: PushKind, account_id) -> bool:
    """Queue the account's sync, or, while one is queued or running, have it run once more
    when it ends. True when a sync was queued now."""
    key = str(account_id)
    stale = timezone.now() - timedelta(seconds=settings.SYNC_LOCK_TTL)
    # A pushed sync whose task was lost (its worker died unacknowledged) does not hold later
    # pushes back for longer than a sync lock would.
    PushedSync.objects.filter(key=key, queued_at__lt=stale).delete()
    while True:
        try:
            with transaction.atomic():
                PushedSync.objects.create(key=key)
        except IntegrityError:
            # Queued or running: run once more afterwards. The row may have just been deleted
            # by the run ending; then it is created again on the next turn.
            if PushedSync.objects.filter(key=key).update(again=True):
                return False
            continue
        transaction.on_commit(lambda: kind.sync.delay(key, trigger=TRIGGER))
        return True


def finished(account_id, rerun: Callable[[int], None], *, busy: bool = False) -> bool:
    """A pushed sync of the account ended: ``rerun(countdown)`` it once more when pushes came
    meanwhile, or when it could not run because another sync held the account (``busy``),
    which may have read the provider before the change. True when it runs again."""
    with transaction.atomic():
        row = PushedSync.objects.select_for_update().filter(key=str(account_id)).first()
        if row is None:
            return False
        if not (busy or row.again):
            row.delete()
            return False
        row.again = False
        row.queued_at = timezone.now()
        row.save()
        countdown = BUSY_RETRY_SECONDS if busy else 0
        transaction.on_commit(lambda: rerun(countdown))
        return True
