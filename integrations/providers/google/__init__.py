"""Google: Gmail, Google Calendar and Google Sheets, one OAuth 2.0 grant per API.

``oauth``: the consent, code exchange and refresh (google-auth-oauthlib, google-auth);
``client``: each API through google-api-python-client, errors mapped into the error tree.
"""

from integrations.base import AuthKind, Provider

from .client import api_client
from .oauth import GoogleOAuth

IDENTITY_SCOPES = ("openid", "https://www.googleapis.com/auth/userinfo.email")
OAUTH_ENDPOINTS = ("GOOGLE_AUTH_URI", "GOOGLE_TOKEN_URI", "GOOGLE_REVOKE_URI")
CLIENT_SETTINGS = ("GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET")


OAUTH = GoogleOAuth()

GMAIL_PROVIDER = Provider(
    slug="gmail",
    name="Gmail",
    category="email",
    auth=AuthKind.OAUTH2,
    endpoints=(*OAUTH_ENDPOINTS, "GMAIL_API_URL", "GOOGLE_OIDC_CERTS_URL"),
    scopes=(*IDENTITY_SCOPES, "https://www.googleapis.com/auth/gmail.modify"),
    oauth=OAUTH,
    required_settings=CLIENT_SETTINGS,
    console_urls=(("the Pub/Sub push subscription's endpoint (Gmail push)", "gmail-push"),),
    client=api_client("gmail", "v1", "GMAIL_API_URL"),
    sync_task="email_accounts.sync_credential",
    sync_schedule="email_accounts.sync_all",
    description="Read, send and thread email through a Google account.",
)
GOOGLE_CALENDAR_PROVIDER = Provider(
    slug="google_calendar",
    name="Google Calendar",
    category="calendar",
    auth=AuthKind.OAUTH2,
    endpoints=(*OAUTH_ENDPOINTS, "GOOGLE_CALENDAR_API_URL"),
    scopes=(*IDENTITY_SCOPES, "https://www.googleapis.com/auth/calendar"),
    oauth=OAUTH,
    required_settings=CLIENT_SETTINGS,
    client=api_client("calendar", "v3", "GOOGLE_CALENDAR_API_URL"),
    sync_task="calendars.sync_credential",
    sync_schedule="calendars.sync_all",
    description="Sync events, check availability and book meetings.",
)
GOOGLE_SHEETS_PROVIDER = Provider(
    slug="google_sheets",
    name="Google Sheets",
    category="productivity",
    auth=AuthKind.OAUTH2,
    endpoints=(*OAUTH_ENDPOINTS, "GOOGLE_SHEETS_API_URL"),
    scopes=(*IDENTITY_SCOPES, "https://www.googleapis.com/auth/spreadsheets"),
    oauth=OAUTH,
    required_settings=CLIENT_SETTINGS,
    client=api_client("sheets", "v4", "GOOGLE_SHEETS_API_URL"),
    description="Import contacts from sheets and export reports to them.",
)
