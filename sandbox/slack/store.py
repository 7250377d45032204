"""The sandbox Slack's data: the default team (made on first use) and lookups shared by the Web
API, the OAuth pages and the control API.

The default team ``T0SANDBOX`` has channels #general, #sales, #celebrations and #support, which
an installed app joins, and #random, which it does not (posting there: ``not_in_channel``).
"""

from __future__ import annotations

import base64
import json
import secrets
import string
import time

from django.db import transaction
from django.http import HttpRequest
from django.utils.text import slugify

from .models import SlackBotToken, SlackChannel, SlackTeam, SlackUser

DEFAULT_TEAM = ("T0SANDBOX", "Sandbox Team", "sandbox-team")
# Slack's channel ids match ^[CGD][A-Z0-9]{8,}$ (slackapi/slack-api-specs, defs_channel).
CHANNELS = {
    "general": "C0GENERAL1",
    "sales": "C0SALES001",
    "celebrations": "C0CELEBRATE",
    "support": "C0SUPPORT1",
    "random": "C0RANDOM01",
}
NOT_JOINED = {"random"}
DEFAULT_USER = ("U0SANDBOX", "sandbox.admin", "Sandbox Admin", "admin@sandbox-team.example")
_ALPHABET = string.ascii_uppercase + string.digits


def new_id(prefix: str, length: int = 10) -> str:
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def cursor(kind: str, first_id: str) -> str:
    """A page cursor as Slack shapes them: base64 of ``<kind>:<id of the page's first item>``."""
    return base64.b64encode(f"{kind}:{first_id}".encode()).decode()


def read_cursor(given: str, kind: str) -> str | None:
    """The first id of the page ``given`` names; None when it is not a cursor of ``kind``."""
    try:
        found, _, first_id = base64.b64decode(given, validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return first_id if found == kind and first_id else None


def new_ts() -> str:
    """A message timestamp, Slack's message id: epoch seconds with six decimals."""
    return f"{time.time_ns() // 1000 / 1_000_000:.6f}"


def team(team_id: str | None = None) -> SlackTeam:
    """The team ``team_id``, or the default team (created with its channels on first use)."""
    if team_id and team_id != DEFAULT_TEAM[0]:
        return SlackTeam.objects.get(team_id=team_id)
    return team_named(DEFAULT_TEAM[1])


def team_named(name: str) -> SlackTeam:
    """The team called ``name``, created with the usual channels and an admin when new."""
    default = name == DEFAULT_TEAM[1]
    with transaction.atomic():
        found, created = SlackTeam.objects.get_or_create(
            name=name,
            defaults={
                "team_id": DEFAULT_TEAM[0] if default else new_id("T"),
                "domain": slugify(name) or "team",
            },
        )
        if created:
            for channel_name, channel_id in CHANNELS.items():
                SlackChannel.objects.create(
                    team=found,
                    channel_id=channel_id if default else new_id("C"),
                    name=channel_name,
                )
            user_id, handle, real_name, email = DEFAULT_USER
            SlackUser.objects.create(
                team=found,
                user_id=user_id if default else new_id("U"),
                name=handle,
                real_name=real_name,
                email=email if default else f"admin@{found.domain}.example",
            )
    return found


def channel(slack_team: SlackTeam, given: str) -> SlackChannel | None:
    """A channel of the team by id or name (``#name`` or ``name``)."""
    given = (given or "").strip()
    channels = SlackChannel.objects.filter(team=slack_team)
    return (
        channels.filter(channel_id=given).first() or channels.filter(name=given.lstrip("#")).first()
    )


def person(slack_team: SlackTeam, email: str = "", name: str = "") -> SlackUser:
    """The team's member with this email (added when new), or the default user."""
    if not email:
        return SlackUser.objects.filter(team=slack_team, is_bot=False).order_by("id").first()
    found = SlackUser.objects.filter(team=slack_team, email__iexact=email, is_bot=False).first()
    if found is None:
        handle = name or email.split("@")[0]
        found = SlackUser.objects.create(
            team=slack_team, user_id=new_id("U"), name=handle, real_name=name, email=email
        )
    return found


def installed_bot(slack_team: SlackTeam) -> SlackBotToken | None:
    """The team's newest working bot token (the app is installed), or None."""
    tokens = SlackBotToken.objects.filter(team=slack_team, revoked=False).select_related("bot_user")
    return tokens.order_by("-id").first()


def arguments(request: HttpRequest) -> dict:
    """A Web API method's arguments: query string, form fields or a JSON body, as slack-sdk
    sends them (https://docs.slack.dev/apis/web-api/#posting-json)."""
    merged = {key: request.GET.get(key) for key in request.GET}
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            body = {}
        if isinstance(body, dict):
            merged.update(body)
    else:
        merged.update({key: request.POST.get(key) for key in request.POST})
    return merged
