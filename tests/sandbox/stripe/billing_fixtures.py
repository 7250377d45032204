"""Fixtures of the billing tests: a new sandbox account, its SDK client, and a catalogue of two
monthly plans (Pro at 29.00, Business at 99.00) and a one-time price."""

from types import SimpleNamespace

import pytest
import requests

from sandbox.stripe import store

from .test_stripe_api import client_for

__all__ = ["account", "client", "control", "plans"]


@pytest.fixture
def account(sandbox):
    return store.create_account()


@pytest.fixture
def client(sandbox, account):
    return client_for(sandbox, account.secret_key)


@pytest.fixture
def plans(client):
    pro = client.v1.products.create({"name": "Clianta Pro"})
    business = client.v1.products.create({"name": "Clianta Business"})
    monthly = {"interval": "month"}
    return SimpleNamespace(
        pro=client.v1.prices.create(
            {"product": pro.id, "currency": "usd", "unit_amount": 2900, "recurring": monthly}
        ),
        business=client.v1.prices.create(
            {"product": business.id, "currency": "usd", "unit_amount": 9900, "recurring": monthly}
        ),
        setup_fee=client.v1.prices.create(
            {"product": pro.id, "currency": "usd", "unit_amount": 5000}
        ),
    )


@pytest.fixture
def control(sandbox):
    """POST to the sandbox Stripe's lifecycle controls: ``control(path, json)``."""

    def post(path, body=None):
        return requests.post(f"{sandbox.url}/stripe/_control/{path}", json=body or {}, timeout=10)

    return post


def event_types(client, limit=30):
    """The account's event types, oldest first."""
    return [event.type for event in client.v1.events.list({"limit": limit}).data][::-1]
