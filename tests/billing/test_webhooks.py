"""Stripe's webhook at /api/webhooks/stripe: the SDK verifies ``Stripe-Signature`` against each
configured secret (several during a rotation) within 5 minutes; a forged, stale or unsigned
event answers 403 and stores nothing; an event is recorded once however often it comes."""

import json
import time

import pytest

from integrations.models import WebhookDelivery
from sandbox.stripe.store import signature

pytestmark = pytest.mark.django_db

URL = "/api/webhooks/stripe"
EVENT = {
    "id": "evt_1Rotation",
    "object": "event",
    "type": "customer.subscription.updated",
    "created": 1764900000,
    "data": {"object": {"id": "sub_1", "object": "subscription", "customer": "cus_nobody"}},
}


def post(client, event: dict, header: str | None = None, secret: str = "", at=None):
    payload = json.dumps(event)
    headers = {}
    if header is not None or secret:
        headers["HTTP_STRIPE_SIGNATURE"] = header or signature(secret, payload, at)
    return client.post(URL, payload, content_type="application/json", **headers)


@pytest.fixture
def secret(settings):
    settings.STRIPE_WEBHOOK_SECRETS = ["whsec_current"]
    return "whsec_current"


def test_a_signed_event_is_recorded_once_however_often_it_comes(client, secret):
    first = post(client, EVENT, secret=secret)
    again = post(client, EVENT, secret=secret)

    assert (first.status_code, again.status_code) == (200, 200)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.provider, delivery.delivery_id) == ("stripe_billing", "evt_1Rotation")
    assert (delivery.event_type, delivery.redeliveries) == ("customer.subscription.updated", 1)


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda secret: {"secret": "whsec_someone_else"}, id="another secret"),
        pytest.param(lambda secret: {"secret": secret, "at": time.time() - 301}, id="stale"),
        pytest.param(lambda secret: {"secret": secret, "at": time.time() + 301}, id="future"),
        pytest.param(lambda secret: {"header": "t=1,v1=00"}, id="made up"),
        pytest.param(lambda secret: {}, id="unsigned"),
    ],
)
def test_a_forged_stale_or_unsigned_event_answers_403_and_stores_nothing(client, secret, forge):
    response = post(client, EVENT, **forge(secret))

    assert response.status_code == 403
    assert response.json()["code"] == "invalid_signature"
    assert not WebhookDelivery.objects.exists()


def test_a_body_changed_after_signing_is_refused(client, secret):
    header = signature(secret, json.dumps(EVENT))
    changed = {**EVENT, "type": "invoice.paid"}

    assert post(client, changed, header=header).status_code == 403
    assert not WebhookDelivery.objects.exists()


def test_during_a_rotation_both_secrets_verify(client, settings):
    settings.STRIPE_WEBHOOK_SECRETS = ["whsec_new", "whsec_old"]

    assert post(client, EVENT, secret="whsec_old").status_code == 200
    assert post(client, {**EVENT, "id": "evt_2"}, secret="whsec_new").status_code == 200
    assert WebhookDelivery.objects.count() == 2


def test_without_a_configured_secret_nothing_is_accepted(client, settings):
    settings.STRIPE_WEBHOOK_SECRETS = []

    assert post(client, EVENT, secret="whsec_anything").status_code == 403
    assert not WebhookDelivery.objects.exists()


def test_a_signed_body_that_is_not_an_event_answers_400(client, secret):
    response = post(client, {"object": "customer", "id": "cus_1"}, secret=secret)

    assert (response.status_code, response.json()["code"]) == (400, "invalid_payload")
