"""The sandbox's Microsoft identity platform: the OpenID configuration over https, the token
endpoint's PKCE check, single-use codes, rotation and its errors."""

import base64
import hashlib
import json

import pytest
import requests
from django.conf import settings

from sandbox.microsoft.models import MicrosoftAuthCode, MicrosoftGrant
from sandbox.microsoft.tokens import create_grant

pytestmark = pytest.mark.django_db(transaction=True)
REDIRECT = "http://127.0.0.1:9/callback"


def token_url():
    return settings.MICROSOFT_AUTHORITY + "/oauth2/v2.0/token"


def post_token(**form):
    form.setdefault("client_id", settings.MICROSOFT_CLIENT_ID)
    form.setdefault("client_secret", settings.MICROSOFT_CLIENT_SECRET)
    return requests.post(token_url(), data=form, verify=settings.MICROSOFT_CA_BUNDLE, timeout=10)


def make_code(verifier="v" * 43, nonce="n0nce"):
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return MicrosoftAuthCode.objects.create(
        code="M.code",
        client_id=settings.MICROSOFT_CLIENT_ID,
        redirect_uri=REDIRECT,
        scopes="Mail.Read openid",
        email="me@outlook.example",
        code_challenge=challenge.rstrip(b"=").decode(),
        code_challenge_method="S256",
        nonce=nonce,
    )


def claims(id_token):
    payload = id_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_the_openid_configuration_is_served_over_https_with_https_endpoints(microsoft):
    url = settings.MICROSOFT_AUTHORITY + "/v2.0/.well-known/openid-configuration"
    config = requests.get(url, verify=settings.MICROSOFT_CA_BUNDLE, timeout=10).json()
    assert config["token_endpoint"] == token_url()
    assert config["issuer"].startswith("https://") and config["issuer"].endswith("/v2.0")
    assert config["authorization_endpoint"].startswith(settings.SANDBOX_URL)
    with pytest.raises(requests.exceptions.SSLError):  # the generated CA is not trusted by default
        requests.get(url, verify=True, timeout=10)


def test_a_code_with_its_pkce_verifier_gives_tokens_and_an_id_token_echoing_the_nonce(microsoft):
    make_code()
    answer = post_token(
        grant_type="authorization_code",
        code="M.code",
        redirect_uri=REDIRECT,
        code_verifier="v" * 43,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "Bearer" and body["refresh_token"] and body["client_info"]
    assert claims(body["id_token"])["nonce"] == "n0nce"
    assert claims(body["id_token"])["aud"] == settings.MICROSOFT_CLIENT_ID
    again = post_token(
        grant_type="authorization_code",
        code="M.code",
        redirect_uri=REDIRECT,
        code_verifier="v" * 43,
    )
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")


@pytest.mark.parametrize(
    "changes",
    [{"code_verifier": "w" * 43}, {"code_verifier": ""}, {"redirect_uri": "http://evil.example/"}],
)
def test_a_wrong_verifier_or_redirect_uri_is_invalid_grant(microsoft, changes):
    make_code()
    form = {"grant_type": "authorization_code", "code": "M.code", "redirect_uri": REDIRECT}
    answer = post_token(**{"code_verifier": "v" * 43, **form, **changes})
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid_grant")
    assert answer.json()["error_codes"] == [70000]


def test_a_refresh_rotates_and_the_old_refresh_token_is_dead(microsoft):
    grant = create_grant("me@outlook.example")
    first = post_token(grant_type="refresh_token", refresh_token=grant.refresh_token)
    assert first.status_code == 200
    assert first.json()["refresh_token"] != grant.refresh_token
    replay = post_token(grant_type="refresh_token", refresh_token=grant.refresh_token)
    assert (replay.status_code, replay.json()["error"]) == (400, "invalid_grant")
    MicrosoftGrant.objects.update(revoked=True)
    revoked = post_token(grant_type="refresh_token", refresh_token=first.json()["refresh_token"])
    assert revoked.json()["error"] == "invalid_grant"


def test_a_wrong_client_secret_is_invalid_client(microsoft):
    grant = create_grant("me@outlook.example")
    answer = post_token(
        grant_type="refresh_token", refresh_token=grant.refresh_token, client_secret="nope"
    )
    assert (answer.status_code, answer.json()["error"]) == (401, "invalid_client")


def test_the_consent_page_can_be_declined(microsoft):
    from tests.sandbox.consent import redirect_params, submit_consent

    url = (
        f"{settings.SANDBOX_URL}/microsoft/common/oauth2/v2.0/authorize?client_id="
        f"{settings.MICROSOFT_CLIENT_ID}&response_type=code&redirect_uri={REDIRECT}&state=s1"
    )
    params = redirect_params(submit_consent(url, "Cancel"))
    assert (params["error"], params["state"]) == ("access_denied", "s1")
    assert not MicrosoftAuthCode.objects.exists()
