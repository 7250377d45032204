"""The plan in force follows the subscription's state: the price's plan while active, the same
for a grace period while past_due (with a banner), then Free; canceled or unpaid is Free, and
nothing is deleted on the way down."""

from datetime import timedelta

import pytest
from django.utils import timezone

from billing import services
from billing.models import BillingAccount
from clianta.models import Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(workspace_a):
    return BillingAccount.objects.create(
        workspace=workspace_a,
        customer_id="cus_A",
        subscription_id="sub_A",
        price_id="price_pro",
        price_lookup_key="clianta_pro_monthly",
        status="active",
    )


def plan_of(workspace) -> tuple[str, object]:
    workspace = Workspace.objects.get(pk=workspace.pk)
    return workspace.plan, workspace.plan_grace_until


@pytest.mark.parametrize(
    ("status", "plan"),
    [
        ("active", "pro"),
        ("trialing", "pro"),
        ("canceled", "free"),
        ("unpaid", "free"),
        ("incomplete", "free"),
        ("incomplete_expired", "free"),
        ("", "free"),
    ],
)
def test_the_plan_follows_the_subscriptions_status(held, workspace_a, status, plan):
    held.status = status
    services.apply_plan(held)
    assert plan_of(workspace_a) == (plan, None)


def test_a_price_no_plan_names_is_free(held, workspace_a):
    held.price_id, held.price_lookup_key = "price_other", "someone_elses"
    services.apply_plan(held)
    assert plan_of(workspace_a)[0] == "free"


def test_past_due_keeps_the_plan_for_the_grace_period_with_a_banner(held, workspace_a, settings):
    settings.BILLING_GRACE_DAYS = 7
    held.status, held.past_due_since = "past_due", timezone.now() - timedelta(days=6)
    held.save()
    services.apply_plan(held)

    plan, grace_until = plan_of(workspace_a)
    assert plan == "pro" and grace_until == held.past_due_since + timedelta(days=7)
    (banner,) = services.notices(Workspace.objects.get(pk=workspace_a.pk))
    assert "payment for the Pro plan failed" in banner and "before" in banner

    BillingAccount.objects.filter(pk=held.pk).update(
        past_due_since=timezone.now() - timedelta(days=7, minutes=1)
    )
    assert services.end_grace_periods() == 1
    assert plan_of(workspace_a)[0] == "free"
    (banner,) = services.notices(Workspace.objects.get(pk=workspace_a.pk))
    assert "on the Free plan since" in banner and "Nothing was deleted" in banner
    assert services.end_grace_periods() == 0  # once


def test_paying_again_ends_the_grace_period_and_its_banner(held, workspace_a):
    held.status, held.past_due_since = "past_due", timezone.now()
    services.apply_plan(held)
    held.status, held.past_due_since = "active", None
    services.apply_plan(held)
    assert plan_of(workspace_a) == ("pro", None)
    assert services.notices(Workspace.objects.get(pk=workspace_a.pk)) == []
