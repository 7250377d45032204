"""Apollo credits per workspace, a month's worth set by its plan (``apollo_credits``). A credit is
taken in the same statement that checks the limit, so concurrent enrichments can never pass it; a
call that fails or finds nothing gives it back."""

from __future__ import annotations

from datetime import date

from django.db.models import F
from django.utils import timezone

from clianta import plans

from .models import ApolloUsage


class CreditLimitExceeded(plans.PlanLimitReached):
    def __init__(self, usage: ApolloUsage, limit: int, plan: plans.Plan):
        super().__init__("apollo_credits", limit, usage.credits_used, plan)
        self.message = (
            f"The workspace's {limit} Apollo credits of this month are used; they renew on "
            f"{usage.reset_date.isoformat()}, or upgrade the {plan.name} plan for more."
        )
        self.args = (self.message,)
        self.extra = {
            **self.extra,
            "credits_used": usage.credits_used,
            "credits_limit": limit,
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
        defaults={"reset_date": next_reset(today)},
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
    plan = plans.of(workspace_id)
    limit = plan.limits["apollo_credits"]
    taken = ApolloUsage.objects.filter(workspace_id=workspace_id, credits_used__lt=limit).update(
        credits_used=F("credits_used") + 1
    )
    if not taken:
        current.refresh_from_db()
        raise CreditLimitExceeded(current, limit, plan)


def used(workspace_id) -> int:
    """Credits used this month (the plan's ``apollo_credits`` usage)."""
    return usage(workspace_id).credits_used


def give_back(workspace_id) -> None:
    ApolloUsage.objects.filter(workspace_id=workspace_id, credits_used__gt=0).update(
        credits_used=F("credits_used") - 1
    )
