"""On a real worker: a slow endpoint holds one drain, never the others' deliveries."""

import pytest

from clianta import events
from outbound_webhooks.models import Delivery
from tests.conftest import wait_for

from .receiver import Answer

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_slow_endpoint_never_delays_another_endpoints_deliveries(
    celery_worker, workspace_a, receiver, endpoint_for
):
    slow = endpoint_for(receiver.url("/slow"))
    healthy = endpoint_for(receiver.url("/healthy"))
    receiver.answers["/slow"] = Answer(delay=4)
    for n in range(20):
        events.emit(events.DEAL_WON, workspace_a.pk, deal_id=f"d{n}")
    wait_for(lambda: len(receiver.at("/healthy")) == 20, timeout=20)
    # Meanwhile the slow endpoint has had one request in flight, its first, still unanswered.
    assert len(receiver.at("/slow")) == 1
    assert not healthy.deliveries.exclude(status="succeeded").exists()
    assert not slow.deliveries.filter(status="succeeded").exists()
    # Once it answers quickly again, its deliveries all go through, in order.
    receiver.answers["/slow"] = Answer()
    wait_for(lambda: not slow.deliveries.exclude(status="succeeded").exists(), timeout=30)
    sent = [r.headers["webhook-id"] for r in receiver.at("/slow")]
    order = Delivery.objects.filter(endpoint=slow).order_by("created_at")
    assert sent == [d.message_id for d in order]
