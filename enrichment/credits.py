"""Apollo credits per workspace. A credit is taken in the same statement that checks the limit,
so concurrent enrichments can never pass it; a call that fails or finds nothing gives it back."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from integrations.errors import IntegrationError

from .models import ApolloUsage


class CreditLimitExceeded(IntegrationError):
    status_code = 402
    code = "credit_limit_exceeded"

    def __init__(self, usage: ApolloUsage):
        super().__init__("Apollo credit limit exceeded", provider="apollo")
        self.extra = {
            "credits_used": usage.credits_used,
            "credits_limit": usage.credits_limit,
            "reset_date": usage.reset_date.isoformat(),
        }


def next_reset(today: date) -> date:
    """The first day of next month."""
    return date(today.year + today.month // 12, today.month % 12 + 1, 1)


def usage(workspace_id) -> ApolloUsage:
    """The workspace's usage, created on first use and reset when its period is over."""
    today = timezone.localdate()
    current, _ = ApolloUsage.objects.get_or_create(
        workspace_id=workspace_id,
        defaults={
            "credits_limit": settings.APOLLO_MONTHLY_CREDITS,
            "reset_date": next_reset(today),
        },
    )
    if current.reset_date <= today:
        # Conditional, so two workers crossing the reset date reset it once.
        ApolloUsage.objects.filter(workspace_id=workspace_id, reset_date__lte=today).update(
            credits_used=0, reset_date=next_reset(today)
        )
        current.refresh_from_db()
    return current


def note_daily_requests(workspace_id, figures: dict[str, int]) -> None:
    """Keep what Apollo's last answer said of the key's daily requests (limit, used, left)."""
    usage(workspace_id)
    ApolloUsage.objects.filter(workspace_id=workspace_id).update(
        **figures, daily_requests_seen_at=timezone.now()
    )


def take(workspace_id) -> None:
    """Take one credit, or raise CreditLimitExceeded (and nothing is asked of Apollo)."""
    current = usage(workspace_id)
    taken = ApolloUsage.objects.filter(
        workspace_id=workspace_id, credits_used__lt=F("credits_limit")
    ).update(credits_used=F("credits_used") + 1)
    if not taken:
        current.refresh_from_db()
        raise CreditLimitExceeded(current)


def give_back(workspace_id) -> None:
    ApolloUsage.objects.filter(workspace_id=workspace_id, credits_used__gt=0).update(
        credits_used=F("credits_used") - 1
    )
