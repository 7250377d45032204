"""Clianta's plans (``settings.BILLING_PLANS``) and their limits.

A workspace's plan is ``Workspace.plan``, kept by the billing app from Stripe's subscription
state (Free when there is none). What is used of each limit is counted by the app that owns the
resource, declared on its AppConfig as functions of the workspace id::

    plan_usage = {"mailboxes": "email_accounts.services.mailboxes_used"}

The app calls :func:`enforce` where the resource is created: over the limit, the request answers
402 ``plan_limit``. A resource already over the limit (after a downgrade) is kept but paused: an
app syncs only the first :func:`limit` of them, so they resume on upgrade.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils.module_loading import import_string

from .errors import ApiError
from .models import Workspace

FREE = "free"
#: The limits every plan states, in the order they are shown.
LIMITS = ("members", "mailboxes", "apollo_credits", "sms")


@dataclass(frozen=True)
class Plan:
    slug: str
    name: str
    #: A Stripe Price: its id (``price_…``) or its lookup key; empty for Free.
    price: str
    limits: dict[str, int]

    def matches(self, price: dict) -> bool:
        """Whether a Stripe Price object is this plan's."""
        return bool(self.price) and self.price in (price.get("id"), price.get("lookup_key"))


class PlanLimitReached(ApiError):
    status_code = 402
    code = "plan_limit"

    def __init__(self, name: str, limit: int, used: int, plan: Plan):
        super().__init__(
            f"The {plan.name} plan allows {limit} {name.replace('_', ' ')}; "
            f"{used} are in use. Upgrade the workspace's plan to add more."
        )
        self.extra = {"limit": limit, "used": used, "plan": plan.slug, "resource": name}


def all_plans() -> dict[str, Plan]:
    return {
        slug: Plan(slug, spec["name"], spec.get("price", ""), dict(spec["limits"]))
        for slug, spec in settings.BILLING_PLANS.items()
    }


def get(slug: str) -> Plan:
    """The plan of a slug; Free for one no longer in the settings."""
    found = all_plans()
    return found.get(slug) or found[FREE]


def of(workspace_id) -> Plan:
    return get(Workspace.objects.filter(pk=workspace_id).values_list("plan", flat=True).first())


def limit(workspace_id, name: str) -> int:
    return of(workspace_id).limits[name]


@cache
def _counters() -> dict[str, Callable[[object], int]]:
    found = {}
    for config in apps.get_app_configs():
        for name, path in getattr(config, "plan_usage", {}).items():
            found[name] = import_string(path)
    return found


def used(workspace_id, name: str) -> int:
    return _counters()[name](workspace_id)


def usage(workspace_id) -> dict[str, dict[str, int]]:
    """Each limit of the workspace's plan and what is used of it."""
    plan = of(workspace_id)
    return {name: {"limit": plan.limits[name], "used": used(workspace_id, name)} for name in LIMITS}


def enforce(workspace_id, name: str, adding: int = 1) -> None:
    """Raise PlanLimitReached unless ``adding`` more of ``name`` fit the workspace's plan.
    Inside a transaction the workspace's row is locked first, so concurrent creations are
    counted one after the other."""
    if connection.in_atomic_block:
        Workspace.objects.select_for_update().filter(pk=workspace_id).exists()
    plan = of(workspace_id)
    count = used(workspace_id, name)
    if count + adding > plan.limits[name]:
        raise PlanLimitReached(name, plan.limits[name], count, plan)
