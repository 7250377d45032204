"""Throttles and login lockout (issue 15, missing defenses): API rates per user, per token and
stricter per scope for what costs money or reaches people, answered 429 with Retry-After in the
error format; login lockout on both login pages that never tells whether an account exists.

Rates are counted in the shared cache, which outlives a test: each test counts for a user (or
address) of its own."""

import json
import random
import re
import uuid

import pytest
from django.test import Client
from rest_framework.test import APIClient

from clianta.tokens.models import ApiToken
from tests.otp import current_code, device_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_user(make_user):
    """A user whose id no earlier run used, so that no counter of the shared cache has it."""
    return make_user(f"u-{uuid.uuid4().hex[:8]}", id=random.randrange(10**9, 2 * 10**9))


@pytest.fixture
def rates(settings):
    def set_rates(**changes):
        settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, **changes}

    return set_rates


def token_for(user) -> APIClient:
    _, secret = ApiToken.objects.create(user=user, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def assert_throttled(answer):
    assert answer.status_code == 429, answer.content
    assert int(answer["Retry-After"]) > 0
    body = json.loads(answer.content)
    assert body["code"] == "throttled" and body["error"] and body["fields"] == {}


SCOPED_ROUTES = [
    ("email_send", lambda ws: f"/api/email-accounts/{uuid.uuid4()}/send"),
    ("sms_send", lambda ws: f"/api/workspaces/{ws.pk}/sms/send"),
    ("voice_drop", lambda ws: "/api/voice-drops"),
    ("apollo", lambda ws: f"/api/workspaces/{ws.pk}/apollo/enrich"),
    ("apollo", lambda ws: f"/api/workspaces/{ws.pk}/apollo/find-email"),
    ("apollo", lambda ws: f"/api/workspaces/{ws.pk}/apollo/company"),
    ("apollo", lambda ws: f"/api/workspaces/{ws.pk}/apollo/bulk-enrich"),
]


@pytest.mark.parametrize(("scope", "path"), SCOPED_ROUTES)
def test_a_scoped_route_answers_429_past_its_stricter_rate(
    scope, path, fresh_user, make_workspace, rates
):
    workspace = make_workspace(fresh_user)
    rates(**{scope: "2/hour"})
    client = token_for(fresh_user)
    url = path(workspace)
    for _ in range(2):  # refused input still counts: the rate is checked before anything else
        assert client.post(url, {}, format="json").status_code != 429
    assert_throttled(client.post(url, {}, format="json"))
    # The user's other routes are not held back by the scope.
    assert client.get("/api/contacts").status_code == 200


def test_the_scoped_rate_counts_the_user_across_tokens(fresh_user, make_workspace, rates):
    workspace = make_workspace(fresh_user)
    rates(sms_send="2/hour")
    url = f"/api/workspaces/{workspace.pk}/sms/send"
    assert token_for(fresh_user).post(url, {}, format="json").status_code == 400
    assert token_for(fresh_user).post(url, {}, format="json").status_code == 400
    assert_throttled(token_for(fresh_user).post(url, {}, format="json"))


def test_each_token_has_its_own_rate_within_the_users(fresh_user, make_workspace, rates):
    make_workspace(fresh_user)
    rates(token="2/minute", user="4/minute")
    first, second = token_for(fresh_user), token_for(fresh_user)
    assert first.get("/api/contacts").status_code == 200
    assert first.get("/api/contacts").status_code == 200
    assert_throttled(first.get("/api/contacts"))
    # A leaked token used up does not stop its owner's other token...
    assert second.get("/api/contacts").status_code == 200
    # ...but the user's own rate counts every token and session together (the refused request
    # above counted too).
    assert_throttled(second.get("/api/contacts"))


def test_requests_without_credentials_are_counted_per_address_and_x_forwarded_for_is_ignored(
    rates,
):
    rates(anon="2/minute")
    address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
    client = APIClient(REMOTE_ADDR=address)
    schema = "/api/schema/?format=json"
    for n in range(2):
        assert client.get(schema, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code == 200
    assert_throttled(client.get(schema, HTTP_X_FORWARDED_FOR="203.0.113.9"))
    # Health checks are never throttled.
    assert client.get("/api/health").status_code in (200, 503)


# --- Login lockout ----------------------------------------------------------------------------

LOGIN_PAGES = [
    ("/accounts/login/", "registration"),
    ("/admin/login/", "admin"),
]


def attempt(path, username, password, address, **fields):
    client = Client(REMOTE_ADDR=address)
    return client.post(path, {"username": username, "password": password, "next": "/", **fields})


def page_text(answer, username) -> str:
    """The answer as a person sees it, without the per-request CSRF token and CSP nonce and the
    username echoed in the form."""
    html = answer.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'nonce="[^"]+"', "", html)
    return html.replace(username, "<username>")


@pytest.mark.parametrize(("path", "kind"), LOGIN_PAGES)
def test_login_locks_out_after_repeated_failures_and_never_tells_whether_the_account_exists(
    path, kind, settings, django_user_model
):
    settings.AXES_FAILURE_LIMIT = 3
    known = django_user_model.objects.create_superuser(
        f"known-{uuid.uuid4().hex[:6]}", "known@example.com", "right-password-123"
    )
    unknown = f"nobody-{uuid.uuid4().hex[:6]}"
    address = "192.0.2.10"

    for n in range(3):
        wrong = attempt(path, known.username, "wrong-password", address)
        missing = attempt(path, unknown, "wrong-password", address)
        assert wrong.status_code == missing.status_code
        assert page_text(wrong, known.username) == page_text(missing, unknown), n

    # Locked: even the right password is refused, with the same page as for an unknown name.
    locked = attempt(path, known.username, "right-password-123", address)
    locked_unknown = attempt(path, unknown, "right-password-123", address)
    assert locked.status_code == locked_unknown.status_code == 429
    assert page_text(locked, known.username) == page_text(locked_unknown, unknown)
    assert "Too many failed login attempts" in locked.content.decode()
    assert "_auth_user_id" not in locked.client.session

    # The lock holds for that name from that address only: from elsewhere the owner logs in.
    # (The admin asks staff for a TOTP code as well; the members' login page ignores it.)
    code = {"otp_device": device_of(known).persistent_id, "otp_token": current_code(known)}
    elsewhere = attempt(path, known.username, "right-password-123", "192.0.2.20", **code)
    assert elsewhere.status_code == 302
