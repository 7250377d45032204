"""Walking Clianta's billing against the sandbox's Stripe: a checkout through its page, the
webhook deliveries it makes, the renewal controls."""

import re

import requests

from clianta.models import Workspace
from integrations import webhooks
from integrations.models import WebhookDelivery
from tests.conftest import wait_for

PROVIDER = "stripe_billing"


def checkout(api, workspace, plan="pro") -> dict:
    response = api.post(f"/api/workspaces/{workspace.pk}/billing/checkout", {"plan": plan})
    assert response.status_code == 200, response.content
    return response.json()


def pay_on_the_page(url: str, card="4242 4242 4242 4242") -> requests.Response:
    """Open the Checkout page and subscribe with ``card``; the page's answer (not followed)."""
    browser = requests.Session()
    shown = browser.get(url, timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', shown.text).group(1)
    form = {"csrfmiddlewaretoken": token, "email": "alice@example.com", "card": card}
    return browser.post(url, data=form, allow_redirects=False, timeout=10)


def delivered(event_type: str, at_least: int = 1) -> None:
    """Wait until Stripe's deliveries of ``event_type`` reached our webhook."""
    wait_for(
        lambda: (
            WebhookDelivery.objects.filter(provider=PROVIDER, event_type=event_type).count()
            >= at_least
        )
    )


def process() -> None:
    """What the worker does with the deliveries, in this process."""
    webhooks.process_pending(PROVIDER)


def control(sandbox, subscription_id: str, step: str, **body) -> dict:
    answer = requests.post(
        f"{sandbox.url}/stripe/_control/subscriptions/{subscription_id}/{step}",
        json=body,
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def plan_of(workspace) -> str:
    return Workspace.objects.get(pk=workspace.pk).plan
