"""The sandbox Slack's control API, for tests and people under ``make run``:

- ``POST /sandbox/slack/_messages`` ``{"channel", "text", "user_email"?, "user_name"?,
  "team"?}``: a person posts in a channel; when the app is installed and in that channel, the
  sandbox delivers the ``message`` event to the app (retried as Slack does). → 201 with the
  message and the delivery.
- ``GET /sandbox/slack/_messages?channel=<id or name>[&team=]``: the channel's messages, oldest
  first (what the app posted included).
- ``POST /sandbox/slack/_commands`` ``{"text", "command"?, "channel"?, "user_email"?,
  "team"?}``: a person runs a slash command; the sandbox posts it to the app, signed, and
  records the answer. → 201 with the delivery, whose ``response_url`` the app may post to.
- ``GET /sandbox/slack/_deliveries/<key>``: an event or command delivery, with its answers and
  what the app posted to its ``response_url``.
- ``POST /sandbox/slack/_responses/<key>``: the ``response_url`` of a command.
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import store
from .delivery import COMMANDS_PATH, EVENTS_PATH, send
from .models import SlackDelivery, SlackPost, SlackTeam


def _body(request: HttpRequest) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ValueError("send a JSON object")
    return data


def _bad(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _team(data) -> SlackTeam:
    return store.team(data.get("team") or None)


def _post_json(post: SlackPost) -> dict:
    return {
        "channel": post.channel.channel_id,
        "user": post.user_id,
        "text": post.text,
        "blocks": post.blocks,
        "ts": post.ts,
        "thread_ts": post.thread_ts or None,
    }


def _delivery_json(delivery: SlackDelivery) -> dict:
    return {
        "key": delivery.key,
        "kind": delivery.kind,
        "payload": delivery.payload,
        "answers": delivery.answers,
        "body": delivery.body,
        "responses": delivery.responses,
    }


def _event(team: SlackTeam, post: SlackPost) -> SlackDelivery | None:
    """Deliver the message event when the app is installed and the channel is one it is in."""
    bot = store.installed_bot(team)
    if bot is None or bot.bot_user.user_id not in post.channel.members:
        return None
    event_id = store.new_id("Ev")
    payload = {
        "token": "sandbox-verification-token",
        "team_id": team.team_id,
        "api_app_id": "A0SANDBOX",
        "event": {
            "type": "message",
            "channel": post.channel.channel_id,
            "user": post.user_id,
            "text": post.text,
            "ts": post.ts,
            "event_ts": post.ts,
            "channel_type": "channel",
        },
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team.team_id,
                "user_id": bot.bot_user.user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        # Deprecated beside ``authorizations`` but still sent, and required by the events
        # wrapper schema (slackapi/slack-api-specs, events-api/slack_common_event_wrapper_schema).
        "authed_users": [bot.bot_user.user_id],
        "is_ext_shared_channel": False,
    }
    delivery = SlackDelivery.objects.create(
        kind=SlackDelivery.Kind.EVENT, team=team, key=event_id, payload=payload
    )
    return send(delivery, EVENTS_PATH, json.dumps(payload).encode(), "application/json")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def messages_view(request: HttpRequest) -> JsonResponse:
    if request.method == "GET":
        channel = store.channel(_team(request.GET), request.GET.get("channel", ""))
        if channel is None:
            return _bad("no such channel", 404)
        return JsonResponse({"messages": [_post_json(p) for p in channel.posts.all()]})
    try:
        data = _body(request)
    except ValueError as error:
        return _bad(str(error))
    team = _team(data)
    channel = store.channel(team, str(data.get("channel") or ""))
    if channel is None or not str(data.get("text") or ""):
        return _bad("channel (an existing one) and text are required")
    user = store.person(team, str(data.get("user_email") or ""), str(data.get("user_name") or ""))
    post = SlackPost.objects.create(
        channel=channel, user_id=user.user_id, text=str(data["text"]), ts=store.new_ts()
    )
    delivery = _event(team, post)
    answer = {"message": _post_json(post), "delivery": delivery and _delivery_json(delivery)}
    return JsonResponse(answer, status=201)


@csrf_exempt
@require_POST
def commands_view(request: HttpRequest) -> JsonResponse:
    try:
        data = _body(request)
    except ValueError as error:
        return _bad(str(error))
    team = _team(data)
    channel = store.channel(team, str(data.get("channel") or "general"))
    if channel is None:
        return _bad("no such channel", 404)
    user = store.person(team, str(data.get("user_email") or ""), str(data.get("user_name") or ""))
    key = store.new_id("CMD")
    form = {
        "token": "sandbox-verification-token",
        "team_id": team.team_id,
        "team_domain": team.domain,
        "channel_id": channel.channel_id,
        "channel_name": channel.name,
        "user_id": user.user_id,
        "user_name": user.name,
        "command": str(data.get("command") or "/clianta"),
        "text": str(data.get("text") or ""),
        "api_app_id": "A0SANDBOX",
        "response_url": f"{settings.SANDBOX_URL}/slack/_responses/{key}",
        "trigger_id": f"{int(time.time())}.{store.new_id('', 12).lower()}",
    }
    delivery = SlackDelivery.objects.create(
        kind=SlackDelivery.Kind.COMMAND, team=team, key=key, payload=form
    )
    body = urlencode(form).encode()
    send(delivery, COMMANDS_PATH, body, "application/x-www-form-urlencoded")
    return JsonResponse(_delivery_json(delivery), status=201)


@require_http_methods(["GET"])
def delivery_view(request: HttpRequest, key: str) -> JsonResponse:
    delivery = SlackDelivery.objects.filter(key=key).first()
    if delivery is None:
        return _bad("no such delivery", 404)
    return JsonResponse(_delivery_json(delivery))


@csrf_exempt
@require_POST
def response_view(request: HttpRequest, key: str) -> HttpResponse:
    """A command's ``response_url``: Slack answers ``ok`` as plain text."""
    delivery = SlackDelivery.objects.filter(key=key, kind=SlackDelivery.Kind.COMMAND).first()
    if delivery is None:
        return HttpResponse("invalid_response_url", status=404, content_type="text/plain")
    try:
        data = _body(request)
    except ValueError:
        return HttpResponse("invalid_payload", status=400, content_type="text/plain")
    delivery.responses = [*delivery.responses, data]
    delivery.save(update_fields=["responses"])
    return HttpResponse("ok", content_type="text/plain")
