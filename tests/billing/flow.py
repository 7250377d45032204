"""Walking Clianta's billing against the sandbox's Stripe: a checkout through its page and the
renewal controls; the worker takes Stripe's webhooks from there."""

import re

import requests

from billing.models import BillingAccount
from clianta.models import Workspace


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


def billing_of(workspace) -> BillingAccount:
    return BillingAccount.objects.get(workspace=workspace)
