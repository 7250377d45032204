"""Credits: taken in the statement that checks the limit, given back, reset monthly."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from enrichment import credits
from enrichment.credits import CreditLimitExceeded
from enrichment.models import ApolloUsage
from tests.conftest import in_parallel

pytestmark = pytest.mark.django_db


def test_credits_are_taken_until_the_limit(workspace_a, plan_limits):
    plan_limits(apollo_credits=2)
    credits.take(workspace_a.pk)
    credits.take(workspace_a.pk)
    with pytest.raises(CreditLimitExceeded) as raised:
        credits.take(workspace_a.pk)
    assert raised.value.extra["credits_used"] == 2
    assert raised.value.extra["credits_limit"] == 2
    credits.give_back(workspace_a.pk)
    credits.take(workspace_a.pk)


def test_usage_resets_on_the_first_of_the_month(workspace_a):
    usage = credits.usage(workspace_a.pk)
    today = timezone.localdate()
    assert usage.reset_date == credits.next_reset(today) and usage.reset_date.day == 1
    ApolloUsage.objects.filter(pk=workspace_a.pk).update(
        credits_used=usage.credits_limit, reset_date=today - timedelta(days=1)
    )
    credits.take(workspace_a.pk)  # the period is over: usage starts again
    usage.refresh_from_db()
    assert (usage.credits_used, usage.reset_date) == (1, credits.next_reset(today))


def test_next_reset_crosses_the_year():
    assert credits.next_reset(date(2026, 12, 31)) == date(2027, 1, 1)
    assert credits.next_reset(date(2027, 1, 1)) == date(2027, 2, 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_takes_never_pass_the_limit(workspace_a, plan_limits):
    plan_limits(apollo_credits=10)
    credits.usage(workspace_a.pk)

    def take():
        try:
            credits.take(workspace_a.pk)
            return True
        except CreditLimitExceeded:
            return False

    results = in_parallel(take, 30)
    assert results.count(True) == 10
    assert ApolloUsage.objects.get(pk=workspace_a.pk).credits_used == 10
