"""Driving the Google OAuth sandbox with the real libraries: google-auth-oauthlib's Flow for the
authorization, google-auth's Credentials for refreshes, and plain requests for the rest."""

import google.auth.transport.requests
import requests
from django.conf import settings
from google.oauth2.credentials import Credentials
from google_auth_oauthlib.flow import Flow

from sandbox.google.tokens import USERINFO_EMAIL
from tests.sandbox.consent import redirect_params, submit_consent

REDIRECT_URI = "http://127.0.0.1:9/oauth/callback"
GMAIL = "https://www.googleapis.com/auth/gmail.readonly"
SCOPES = ["openid", USERINFO_EMAIL, GMAIL]


def make_flow(scopes=SCOPES):
    """A Flow as our app builds one, pointed at the sandbox by the settings."""
    config = {
        "web": {
            "client_id": settings.GOOGLE_CLIENT_ID,
            "client_secret": settings.GOOGLE_CLIENT_SECRET,
            "auth_uri": settings.GOOGLE_AUTH_URI,
            "token_uri": settings.GOOGLE_TOKEN_URI,
        }
    }
    return Flow.from_client_config(config, scopes=scopes, redirect_uri=REDIRECT_URI)


def authorize(flow, **auth_params):
    """Open the flow's authorization URL and click Allow; returns the redirect's parameters."""
    url, state = flow.authorization_url(**auth_params)
    params = redirect_params(submit_consent(url))
    assert params["state"] == state
    return params


def connect(flow=None, **auth_params):
    """The whole flow; returns the token answer."""
    flow = flow or make_flow()
    params = authorize(flow, **auth_params)
    return flow.fetch_token(code=params["code"])


def credentials(refresh_token):
    """Credentials built directly: from_authorized_user_info() would reset token_uri to Google's."""
    return Credentials(
        None,
        refresh_token=refresh_token,
        token_uri=settings.GOOGLE_TOKEN_URI,
        client_id=settings.GOOGLE_CLIENT_ID,
        client_secret=settings.GOOGLE_CLIENT_SECRET,
    )


def refresh(creds):
    creds.refresh(google.auth.transport.requests.Request())
    return creds


def post_token(**form):
    """A raw token request with the client in the body (as google-auth sends it)."""
    form.setdefault("client_id", settings.GOOGLE_CLIENT_ID)
    form.setdefault("client_secret", settings.GOOGLE_CLIENT_SECRET)
    return requests.post(settings.GOOGLE_TOKEN_URI, data=form, timeout=10)
