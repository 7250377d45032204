"""Driving the Gmail sandbox with google-api-python-client, built as our app builds it."""

import base64

from django.conf import settings
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.http import BatchHttpRequest

from sandbox.google.tokens import create_grant, issue

MAIL = "https://mail.google.com/"
MODIFY = "https://www.googleapis.com/auth/gmail.modify"
READONLY = "https://www.googleapis.com/auth/gmail.readonly"
METADATA = "https://www.googleapis.com/auth/gmail.metadata"
OWNER = "owner@example.com"


def token(email=OWNER, scopes=(MODIFY,)) -> str:
    return issue(create_grant(email, list(scopes)))["access_token"]


def gmail(email=OWNER, scopes=(MODIFY,), access_token=None):
    """A Gmail service on the sandbox for a fresh token of ``email`` (or the one given)."""
    credentials = Credentials(access_token or token(email, scopes))
    return build(
        "gmail",
        "v1",
        credentials=credentials,
        client_options={"api_endpoint": settings.GMAIL_API_URL},
        cache_discovery=False,
    )


def batch(callback=None) -> BatchHttpRequest:
    """new_batch_http_request() ignores api_endpoint, so the batch URI is given."""
    return BatchHttpRequest(callback=callback, batch_uri=settings.GMAIL_API_URL + "batch/gmail/v1")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def header(part: dict, name: str) -> str | None:
    return next((h["value"] for h in part["headers"] if h["name"].lower() == name.lower()), None)


def status(error) -> int:
    """The HTTP status of a googleapiclient HttpError."""
    return error.resp.status
