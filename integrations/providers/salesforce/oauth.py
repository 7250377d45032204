"""Salesforce's OAuth 2.0 web server flow with PKCE, over requests (simple-salesforce has no
authorization-code helper).

The person chooses the org's login host on the connect page: production (login.salesforce.com),
a sandbox org (test.salesforce.com) or the org's My Domain. The host is kept with the grant, and
refreshes and the revocation go to it. Salesforce does not rotate refresh tokens: a refresh
answers a new access token only. Access tokens carry no lifetime; one is used until the org
answers ``INVALID_SESSION_ID``.
https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from urllib.parse import urlencode, urlsplit

import requests
from django import forms
from django.conf import settings

from integrations.errors import AuthExpired, ProviderError, Transient
from integrations.oauth.base import TokenSet

from .client import Session

SLUG = "salesforce"
PRODUCTION, SANDBOX, MY_DOMAIN = "production", "sandbox", "my_domain"
# An org's My Domain: <name>.my.salesforce.com, or a sandbox's <name>--<box>.sandbox.my…
MY_DOMAIN_HOST = re.compile(
    r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?(?:\.(?:sandbox|develop|scratch|demo|patch|trailblaze))?"
    r"\.my\.salesforce\.com$"
)


class LoginForm(forms.Form):
    """Where the org logs in. A My Domain host is accepted only under .my.salesforce.com: the
    code, and the client secret with it, are never sent anywhere else."""

    login = forms.ChoiceField(
        label="Salesforce login",
        choices=[
            (PRODUCTION, "Production or Developer Edition (login.salesforce.com)"),
            (SANDBOX, "Sandbox org (test.salesforce.com)"),
            (MY_DOMAIN, "My Domain"),
        ],
        initial=PRODUCTION,
    )
    my_domain = forms.CharField(
        label="My Domain",
        required=False,
        max_length=253,
        help_text="For My Domain: yourcompany.my.salesforce.com",
    )

    def clean(self):
        data = super().clean()
        if data.get("login") != MY_DOMAIN:
            data["my_domain"] = ""
            return data
        host = urlsplit("//" + data.get("my_domain", "").strip().lower().removeprefix("https://"))
        name = host.hostname or ""
        if host.path.strip("/") or host.port or not MY_DOMAIN_HOST.match(name):
            self.add_error("my_domain", "Enter the org's My Domain, like acme.my.salesforce.com.")
        data["my_domain"] = name
        return data


def login_url(login: str = PRODUCTION, my_domain: str = "") -> str:
    if login == MY_DOMAIN:
        return f"https://{my_domain}"
    return settings.SALESFORCE_TEST_LOGIN_URL if login == SANDBOX else settings.SALESFORCE_LOGIN_URL


def _post(url: str, form: dict) -> requests.Response:
    try:
        return Session().post(url, data=form)
    except requests.RequestException as exc:
        raise Transient(f"Salesforce did not answer: {type(exc).__name__}", provider=SLUG) from exc


def _answer(response: requests.Response) -> dict:
    """The JSON of an OAuth answer; its errors in the error tree (``invalid_grant``: the grant
    is gone)."""
    if response.status_code >= 500:
        raise Transient("Salesforce's login service failed.", provider=SLUG, status=500)
    try:
        body = response.json()
    except ValueError as exc:
        raise Transient("Salesforce's answer was cut short.", provider=SLUG) from exc
    if response.status_code >= 400 or not isinstance(body, dict):
        code = body.get("error", "") if isinstance(body, dict) else ""
        error = AuthExpired if code == "invalid_grant" else ProviderError
        raise error(
            f"Salesforce refused: {code or response.status_code}",
            provider=SLUG,
            status=response.status_code,
            provider_code=code,
        )
    return body


def _checked(answer: dict) -> dict:
    """Salesforce signs ``id`` + ``issued_at`` with the client secret: an answer whose signature
    does not match did not come from the org's login service."""
    expected = hmac.new(
        settings.SALESFORCE_CLIENT_SECRET.encode(),
        f"{answer.get('id', '')}{answer.get('issued_at', '')}".encode(),
        hashlib.sha256,
    ).digest()
    given = answer.get("signature", "")
    if not hmac.compare_digest(base64.b64encode(expected).decode(), given):
        raise ProviderError("Salesforce's token answer has a wrong signature.", provider=SLUG)
    return answer


def _client_form(**fields) -> dict:
    return {
        "client_id": settings.SALESFORCE_CLIENT_ID,
        "client_secret": settings.SALESFORCE_CLIENT_SECRET,
        **fields,
    }


class SalesforceOAuth:
    pkce = True
    options_form = LoginForm

    def authorization_url(self, provider, state, redirect_uri, login=PRODUCTION, my_domain=""):
        verifier = secrets.token_urlsafe(64)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        query = urlencode(
            {
                "response_type": "code",
                "client_id": settings.SALESFORCE_CLIENT_ID,
                "redirect_uri": redirect_uri,
                "scope": " ".join(provider.scopes),
                "state": state,
                "code_challenge": challenge.decode().rstrip("="),
                "code_challenge_method": "S256",
            }
        )
        return f"{login_url(login, my_domain)}/services/oauth2/authorize?{query}", verifier

    def exchange(self, provider, code, redirect_uri, code_verifier, login=PRODUCTION, my_domain=""):
        host = login_url(login, my_domain)
        form = _client_form(
            grant_type="authorization_code",
            code=code,
            redirect_uri=redirect_uri,
            code_verifier=code_verifier or "",
        )
        answer = _checked(_answer(_post(f"{host}/services/oauth2/token", form)))
        # id: https://login.salesforce.com/id/<org id>/<user id>
        org_id, user_id = ["", "", *urlsplit(answer["id"]).path.rstrip("/").split("/")][-2:]
        return TokenSet(
            access_token=answer["access_token"],
            refresh_token=answer.get("refresh_token"),
            scopes=answer.get("scope", "").split(),
            account=org_id,
            metadata={
                "login_url": host,
                "instance_url": answer["instance_url"],
                "org_id": org_id,
                "user_id": user_id,
                "username": _username(host, answer["access_token"]),
            },
        )

    def refresh(self, provider, refresh_token, credential):
        host = credential.metadata.get("login_url") or settings.SALESFORCE_LOGIN_URL
        form = _client_form(grant_type="refresh_token", refresh_token=refresh_token)
        answer = _checked(_answer(_post(f"{host}/services/oauth2/token", form)))
        return TokenSet(access_token=answer["access_token"], refresh_token=None)

    def revoke(self, provider, token, credential):
        """Revoking the refresh token ends its access tokens too. An unknown token
        (``invalid_token``) was already revoked at Salesforce."""
        host = credential.metadata.get("login_url") or settings.SALESFORCE_LOGIN_URL
        response = _post(f"{host}/services/oauth2/revoke", {"token": token})
        if response.status_code == 200:
            return True
        try:
            _answer(response)
        except ProviderError as exc:
            if exc.provider_code != "invalid_token":
                raise
        return False


def _username(host: str, access_token: str) -> str:
    """The connecting user's username, from the userinfo endpoint ("" if it fails: it is only
    shown on the settings page)."""
    try:
        response = Session().get(
            f"{host}/services/oauth2/userinfo",
            headers={"Authorization": f"Bearer {access_token}"},
        )
        return str(response.json().get("preferred_username", ""))[:255]
    except (requests.RequestException, ValueError, AttributeError):
        return ""
