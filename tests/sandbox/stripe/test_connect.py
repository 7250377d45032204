"""Stripe Connect in the sandbox: the OAuth consent page, the stripe SDK's OAuth calls (token,
refresh, deauthorize) and their errors, the Stripe-Account header, and Connect webhook
deliveries signed as Stripe signs them and retried after a failure."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import stripe

from sandbox.stripe import deliveries, store
from sandbox.stripe.models import StripeConnection
from tests.conftest import wait_for
from tests.outbound_webhooks.receiver import Answer, Receiver

pytestmark = pytest.mark.django_db(transaction=True)
REDIRECT = "https://app.example.com/stripe/callback"


@pytest.fixture
def platform(sandbox, stripe_platform, settings):
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        client_id=settings.STRIPE_CONNECT_CLIENT_ID,
        base_addresses={
            "api": f"{sandbox.url}/stripe",
            "connect": f"{sandbox.url}/stripe/connect",
        },
        max_network_retries=0,
    )


def api_client(sandbox, key):
    return stripe.StripeClient(
        key, base_addresses={"api": f"{sandbox.url}/stripe"}, max_network_retries=0
    )


def consent(platform, decision="allow", account="", **params):
    url = platform.oauth.authorize_url(
        {"scope": "read_write", "state": "s-1", "redirect_uri": REDIRECT, **params}
    )
    page = requests.get(url, timeout=10)
    assert page.status_code == 200 and "Connect your Stripe account" in page.text
    answer = requests.post(
        url, data={"decision": decision, "account": account}, allow_redirects=False, timeout=10
    )
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT + "?")
    return {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}


def connected(platform):
    code = consent(platform)["code"]
    return platform.oauth.token({"grant_type": "authorization_code", "code": code})


def test_the_consent_page_gives_a_code_the_sdk_exchanges_for_tokens(sandbox, platform):
    back = consent(platform)
    assert back["state"] == "s-1" and back["code"].startswith("ac_")

    answer = platform.oauth.token({"grant_type": "authorization_code", "code": back["code"]})
    assert answer["stripe_user_id"].startswith("acct_")
    assert answer["access_token"].startswith("sk_test_")
    assert answer["stripe_publishable_key"].startswith("pk_test_")
    assert (answer["scope"], answer["token_type"], answer["livemode"]) == (
        "read_write",
        "bearer",
        False,
    )
    connected_client = api_client(sandbox, answer["access_token"])
    customer = connected_client.v1.customers.create({"email": "ada@acme.example"})
    # The platform acting on the connected account sees the same objects.
    on_behalf = platform.v1.customers.list(options={"stripe_account": answer["stripe_user_id"]})
    assert [c.id for c in on_behalf.data] == [customer.id]
    assert platform.v1.customers.list().data == []

    with pytest.raises(stripe.oauth_error.InvalidGrantError) as reused:
        platform.oauth.token({"grant_type": "authorization_code", "code": back["code"]})
    assert reused.value.http_status == 400
    with pytest.raises(stripe.oauth_error.UnsupportedGrantTypeError):
        platform.oauth.token({"grant_type": "password"})

    refreshed = platform.oauth.token(
        {"grant_type": "refresh_token", "refresh_token": answer["refresh_token"]}
    )
    assert refreshed["stripe_user_id"] == answer["stripe_user_id"]
    assert refreshed["access_token"] != answer["access_token"]
    with pytest.raises(stripe.AuthenticationError):  # the rolled token
        connected_client.v1.customers.list()
    assert api_client(sandbox, refreshed["access_token"]).v1.customers.list().data
    with pytest.raises(stripe.oauth_error.InvalidGrantError):
        platform.oauth.token({"grant_type": "refresh_token", "refresh_token": "rt_nope"})


def test_a_denial_an_unknown_client_and_another_key_are_refused(sandbox, platform, settings):
    back = consent(platform, decision="deny")
    assert (back["error"], back["state"]) == ("access_denied", "s-1")
    wrong = platform.oauth.authorize_url(
        {"client_id": "ca_other", "redirect_uri": REDIRECT, "scope": "read_write"}
    )
    assert requests.get(wrong, timeout=10).status_code == 400
    other = stripe.StripeClient(
        store.create_account().secret_key,
        base_addresses={"connect": f"{sandbox.url}/stripe/connect"},
    )
    code = consent(platform)["code"]
    with pytest.raises(stripe.oauth_error.InvalidClientError):
        other.oauth.token({"grant_type": "authorization_code", "code": code})
    with pytest.raises(stripe.PermissionError) as stranger:
        platform.v1.customers.list(options={"stripe_account": "acct_stranger"})
    assert stranger.value.http_status == 403
    assert stranger.value.json_body["error"]["code"] == "account_invalid"


def test_an_existing_account_can_be_connected(sandbox, platform):
    account = store.create_account()
    code = consent(platform, account=account.account_id)["code"]
    answer = platform.oauth.token({"grant_type": "authorization_code", "code": code})
    assert answer["stripe_user_id"] == account.account_id


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.close()


def test_connected_accounts_events_go_signed_to_the_platforms_connect_endpoints(
    sandbox, platform, receiver, monkeypatch
):
    monkeypatch.setattr(deliveries, "RETRY_DELAYS", (0.2, 0.2))
    endpoint = platform.v1.webhook_endpoints.create(
        {"url": receiver.url("/connect"), "enabled_events": ["*"], "connect": True}
    )
    assert "connect" not in endpoint
    answer = connected(platform)
    user = answer["stripe_user_id"]
    receiver.answers["/connect"] = Answer(status=500)  # the first delivery fails

    intent = platform.v1.payment_intents.create(
        {"amount": 1200, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True},
        {"stripe_account": user},
    )
    assert platform.v1.payment_intents.list().data == []  # not the platform's own payment
    wait_for(lambda: len(receiver.at("/connect")) >= 3)
    receiver.answers["/connect"] = Answer(status=200)
    wait_for(lambda: len(receiver.at("/connect")) >= 6, timeout=10)

    events = [
        stripe.Webhook.construct_event(
            delivery.body, delivery.headers["Stripe-Signature"], endpoint.secret
        )
        for delivery in receiver.at("/connect")
    ]
    assert {event.account for event in events} == {user}
    kinds = {event.type for event in events}
    assert kinds == {"payment_intent.created", "charge.succeeded", "payment_intent.succeeded"}
    succeeded = next(e for e in events if e.type == "payment_intent.succeeded")
    assert succeeded.data.object.id == intent.id
    listed = platform.v1.events.list(options={"stripe_account": user}).data
    assert listed[0].account == user


def test_deauthorizing_revokes_the_tokens_and_tells_the_platform(
    sandbox, platform, receiver, settings
):
    answer = connected(platform)
    user = answer["stripe_user_id"]
    endpoint = platform.v1.webhook_endpoints.create(
        {"url": receiver.url("/connect"), "enabled_events": ["*"], "connect": "true"}
    )

    gone = platform.oauth.deauthorize({"stripe_user_id": user})
    assert gone.to_dict() == {"stripe_user_id": user}

    with pytest.raises(stripe.AuthenticationError):
        api_client(sandbox, answer["access_token"]).v1.customers.list()
    with pytest.raises(stripe.PermissionError):
        platform.v1.customers.list(options={"stripe_account": user})
    with pytest.raises(stripe.oauth_error.InvalidGrantError):
        platform.oauth.token(
            {"grant_type": "refresh_token", "refresh_token": answer["refresh_token"]}
        )
    with pytest.raises(stripe.oauth_error.InvalidClientError):
        platform.oauth.deauthorize({"stripe_user_id": user})
    wait_for(lambda: receiver.at("/connect"))
    [delivery] = receiver.at("/connect")
    event = stripe.Webhook.construct_event(
        delivery.body, delivery.headers["Stripe-Signature"], endpoint.secret
    )
    assert (event.type, event.account) == ("account.application.deauthorized", user)
    assert event.data.object.id == settings.STRIPE_CONNECT_CLIENT_ID
    assert not StripeConnection.objects.filter(deauthorized_at=None).exists()


def test_the_platform_has_a_connect_endpoint_signed_with_the_connect_secret(
    sandbox, platform, settings, monkeypatch
):
    platform.v1.customers.list()  # makes the platform account
    sent = []
    monkeypatch.setattr(deliveries, "deliver", lambda endpoints, payload: sent.extend(endpoints))
    answer = connected(platform)
    api_client(sandbox, answer["access_token"]).v1.customers.create({"name": "Ada"})
    wait_for(lambda: sent)
    assert [(e["url"], e["secret"]) for e in sent] == [
        (
            settings.PUBLIC_URL + "/api/webhooks/stripe/connect",
            settings.STRIPE_CONNECT_WEBHOOK_SECRETS[0],
        )
    ]
