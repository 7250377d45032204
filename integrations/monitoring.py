"""What the framework adds to the health report (``clianta.health``) and to ``manage.py
doctor``: accounts whose syncs are late or that need reconnecting, the webhook backlog, providers
missing their settings, secrets under an old key, and the URLs to register with each provider."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone

from clianta.health import Problem, ago
from clianta.schedules import intervals_of

from . import crypto, push, registry
from .fields import encrypted_fields, stored_ciphertext
from .models import IntegrationCredential, PushChannel, WebhookDelivery
from .oauth.views import redirect_uri

#: An account is late when its last success is older than this many intervals of its schedule.
LATE_AFTER_INTERVALS = 3
Status = IntegrationCredential.Status


def late_syncs() -> list[Problem]:
    """Per provider, the accounts (active, syncs on) whose last success, or connection if they
    never succeeded, is older than three intervals of the provider's sync schedule."""
    providers = [p for p in registry.PROVIDERS.values() if p.sync_schedule]
    intervals = intervals_of({p.sync_schedule for p in providers})
    providers = [p for p in providers if p.sync_schedule in intervals]
    now = timezone.now()
    late = {}  # one count per provider, all in one query
    for provider in providers:
        cutoff = now - LATE_AFTER_INTERVALS * intervals[provider.sync_schedule]
        before = Q(last_success_at__lt=cutoff) | Q(
            last_success_at__isnull=True, created_at__lt=cutoff
        )
        late[f"late_{provider.slug}"] = Count("pk", filter=Q(provider=provider.slug) & before)
    active = IntegrationCredential.objects.filter(status=Status.ACTIVE, sync_enabled=True)
    counts = active.aggregate(**late)
    problems = []
    for provider in providers:
        count = counts[f"late_{provider.slug}"]
        if count:
            minutes = int(intervals[provider.sync_schedule].total_seconds() // 60)
            problems.append(
                Problem(
                    "sync_late",
                    f"{count} {provider.name} account(s) without a successful sync for over "
                    f"{LATE_AFTER_INTERVALS * minutes} minutes ({LATE_AFTER_INTERVALS} runs of "
                    f"{provider.sync_schedule}, every {minutes} minutes).",
                    provider=provider.slug,
                    count=count,
                )
            )
    return problems


def push_channels() -> list[Problem]:
    """Per provider, the push channels that failed to renew or went quiet: their accounts poll
    at the usual pace again, so changes arrive minutes late instead of seconds."""
    if not settings.PUSH_NOTIFICATIONS:
        return []
    rows = (
        PushChannel.objects.filter(~push.healthy())
        .values("kind")
        .annotate(count=Count("pk"))
        .order_by("kind")
    )
    return [
        Problem(
            "push_degraded",
            f"{row['count']} {_name(row['kind'])} push channel(s) failed to renew or heard "
            f"nothing for {settings.PUSH_QUIET_HOURS} hours: those accounts are polled instead.",
            provider=row["kind"],
            count=row["count"],
        )
        for row in rows
    ]


def needs_reconnect() -> list[Problem]:
    rows = (
        IntegrationCredential.objects.filter(status=Status.NEEDS_RECONNECT)
        .values("provider")
        .annotate(count=Count("pk"))
        .order_by("provider")
    )
    return [
        Problem(
            "needs_reconnect",
            f"{row['count']} {_name(row['provider'])} account(s) refused by the provider: their "
            "owners must reconnect them.",
            provider=row["provider"],
            count=row["count"],
        )
        for row in rows
    ]


def webhook_backlog() -> list[Problem]:
    """Per provider, recorded deliveries due for longer than HEALTH_WEBHOOK_BACKLOG_MINUTES."""
    minutes = settings.HEALTH_WEBHOOK_BACKLOG_MINUTES
    rows = (
        WebhookDelivery.objects.filter(
            processed_at__isnull=True,
            next_attempt_at__lte=timezone.now() - timedelta(minutes=minutes),
        )
        .values("provider")
        .annotate(count=Count("pk"), oldest=Min("next_attempt_at"))
        .order_by("provider")
    )
    return [
        Problem(
            "webhook_backlog",
            f"{row['count']} {_name(row['provider'])} webhook delivery(ies) due for over "
            f"{minutes} minutes; the oldest became due {ago(row['oldest'])}.",
            provider=row["provider"],
            count=row["count"],
        )
        for row in rows
    ]


def missing_settings() -> list[Problem]:
    problems = []
    for provider in registry.PROVIDERS.values():
        missing = [name for name in provider.required_settings if not getattr(settings, name, "")]
        if missing:
            problems.append(
                Problem(
                    "setting_missing",
                    f"{provider.name} cannot connect: {', '.join(missing)} not set.",
                    provider=provider.slug,
                )
            )
    return problems


def keys_not_rotated() -> list[Problem]:
    """Stored secrets under another key than the first of ENCRYPTION_KEYS (or in the original
    service's format): the old key cannot be removed until they are rewritten."""
    current = f"{crypto.VERSION}${crypto.keyring().primary_id}$"
    count = 0
    for model, names in encrypted_fields():
        rows = model._default_manager.annotate(**stored_ciphertext(names))
        old = Q()
        for name in names:
            old |= Q(**{f"raw_{name}__isnull": False}) & ~Q(**{f"raw_{name}__startswith": current})
        count += rows.filter(old).count()
    if not count:
        return []
    return [
        Problem(
            "keys_not_rotated",
            f"{count} row(s) hold secrets under an older encryption key: run "
            "`manage.py rotate_encryption_keys`, then remove the old key from ENCRYPTION_KEYS.",
            count=count,
        )
    ]


def console_urls() -> Iterator[tuple[str, str, str]]:
    """(provider name, where it goes, URL) of every route to register in the providers' consoles
    for the current PUBLIC_URL: OAuth redirect URIs and webhook URLs."""
    for provider in registry.PROVIDERS.values():
        if provider.oauth is not None:
            yield provider.name, "OAuth redirect URI", redirect_uri(provider)
        for purpose, name in provider.console_urls:
            yield provider.name, purpose, settings.PUBLIC_URL + reverse(name)


def _name(slug: str) -> str:
    provider = registry.PROVIDERS.get(slug)
    return provider.name if provider else slug
