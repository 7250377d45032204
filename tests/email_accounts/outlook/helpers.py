"""Outlook helpers for the tests: connecting through the browser flow, reading the stored grant."""

import json

from tests.integrations.oauth_helpers import finish, start
from tests.sandbox.consent import submit_consent

EMAIL = "me@outlook.example"


def connect(browser, workspace, email=EMAIL):
    """Our connect view, the sandbox's sign-in page (Accept), our callback; the response."""
    answer = submit_consent(start(browser, workspace, slug="outlook"), "Accept", email=email)
    assert answer.status_code == 302, answer.text[:2000]
    return finish(browser, answer.headers["Location"])


def cached_refresh_token(credential) -> str:
    """The refresh token inside the msal token cache the credential stores."""
    cache = json.loads(credential.refresh_token)
    (entry,) = cache["RefreshToken"].values()
    return entry["secret"]
