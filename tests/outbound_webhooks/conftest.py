import pytest

from outbound_webhooks import services

from .receiver import Receiver


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.close()


@pytest.fixture
def endpoint_for(workspace_a, alice):
    """An endpoint of workspace A at ``url`` for ``event_types`` (all by default)."""

    def make(url, event_types=("*",), workspace=None):
        return services.create(workspace or workspace_a, alice, url=url, event_types=event_types)

    return make
