"""Driving the Google Calendar sandbox with google-api-python-client, built as our app builds it."""

import json

from django.conf import settings
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build

from sandbox.google.tokens import create_grant, issue

CALENDAR = "https://www.googleapis.com/auth/calendar"
READONLY = "https://www.googleapis.com/auth/calendar.readonly"
EVENTS = "https://www.googleapis.com/auth/calendar.events"
FREEBUSY = "https://www.googleapis.com/auth/calendar.freebusy"
OWNER = "owner@example.com"


def token(email=OWNER, scopes=(CALENDAR,)) -> str:
    return issue(create_grant(email, list(scopes)))["access_token"]


def calendar(email=OWNER, scopes=(CALENDAR,), access_token=None):
    """A Calendar service on the sandbox for a fresh token of ``email`` (or the one given)."""
    return build(
        "calendar",
        "v3",
        credentials=Credentials(access_token or token(email, scopes)),
        client_options={"api_endpoint": settings.GOOGLE_CALENDAR_API_URL},
        cache_discovery=False,
    )


def pages(events, **params) -> list[dict]:
    """Every page of an events.list, following nextPageToken as a client does."""
    request, answers = events.list(**params), []
    while request is not None:
        answer = request.execute()
        answers.append(answer)
        request = events.list_next(request, answer)
    return answers


def items(answers: list[dict]) -> list[dict]:
    return [item for answer in answers for item in answer["items"]]


def status(error) -> int:
    """The HTTP status of a googleapiclient HttpError."""
    return error.resp.status


def error_of(error) -> dict:
    """The ``error`` object of a Google API error's body."""
    return json.loads(error.content)["error"]
