"""The Google consent page: what it shows, where Allow and Deny send the user, and its errors."""

from urllib.parse import urlencode

import pytest
import requests
from django.conf import settings

from sandbox.google.models import GoogleAuthCode
from sandbox.google.tokens import USERINFO_EMAIL
from tests.sandbox.consent import read_form, redirect_params, submit_consent

from .google_flow import GMAIL, REDIRECT_URI, SCOPES, authorize, connect, make_flow, post_token

pytestmark = pytest.mark.django_db(transaction=True)


def test_consent_page_shows_client_scopes_and_email(sandbox):
    url, _ = make_flow().authorization_url()
    page = requests.get(url, timeout=10)
    assert page.status_code == 200
    assert "Clianta provider sandbox" in page.text
    assert settings.GOOGLE_CLIENT_ID in page.text
    assert GMAIL in page.text
    form = read_form(page)
    assert form.fields["email"] == "sandbox.user@example.com"
    assert set(form.buttons) == {"Allow", "Deny"}


def test_login_hint_fills_the_email(sandbox):
    url, _ = make_flow().authorization_url(login_hint="carol@example.com")
    assert read_form(requests.get(url, timeout=10)).fields["email"] == "carol@example.com"


def test_no_refresh_token_without_offline_access(sandbox):
    token = connect(access_type="online")
    assert "refresh_token" not in token


def test_refresh_token_only_on_first_consent_unless_prompt_consent(sandbox):
    assert "refresh_token" in connect()
    assert "refresh_token" not in connect()
    assert "refresh_token" in connect(prompt="consent")


def test_short_scope_names_come_back_as_urls(sandbox):
    query = {
        "client_id": settings.GOOGLE_CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": "openid email",
    }
    params = redirect_params(submit_consent(f"{settings.GOOGLE_AUTH_URI}?{urlencode(query)}"))
    assert params["scope"] == f"openid {USERINFO_EMAIL}"
    answer = post_token(
        grant_type="authorization_code", code=params["code"], redirect_uri=REDIRECT_URI
    )
    assert answer.json()["scope"] == f"openid {USERINFO_EMAIL}"


def test_include_granted_scopes_adds_earlier_grants(sandbox):
    connect()
    flow = make_flow(["openid", "https://www.googleapis.com/auth/calendar"])
    params = authorize(flow, include_granted_scopes="true")
    assert set(params["scope"].split()) == {*SCOPES, "https://www.googleapis.com/auth/calendar"}


def test_deny_redirects_with_access_denied(sandbox):
    flow = make_flow()
    url, state = flow.authorization_url()
    params = redirect_params(submit_consent(url, "Deny"))
    assert params == {"error": "access_denied", "state": state}
    assert not GoogleAuthCode.objects.exists()


def test_invalid_email_shows_the_page_again(sandbox):
    url, _ = make_flow().authorization_url()
    answer = submit_consent(url, email="not-an-email")
    assert answer.status_code == 400
    assert "Enter a valid email address." in answer.text


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"client_id": "someone-else"}, "invalid_client"),
        ({"redirect_uri": None}, "Missing required parameter: redirect_uri"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": None}, "Missing required parameter: scope"),
        ({"code_challenge_method": "S512"}, "Invalid code_challenge_method"),
    ],
)
def test_bad_authorization_requests_get_an_error_page(sandbox, change, error):
    query = {
        "client_id": settings.GOOGLE_CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": GMAIL,
        "code_challenge": "abc",
    }
    query.update(change)
    query = {name: value for name, value in query.items() if value is not None}
    page = requests.get(
        f"{settings.GOOGLE_AUTH_URI}?{urlencode(query)}", allow_redirects=False, timeout=10
    )
    assert page.status_code == 400
    assert "Location" not in page.headers
    assert error in page.text
    assert "Clianta provider sandbox" in page.text
