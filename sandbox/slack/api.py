"""The sandbox Slack Web API (https://docs.slack.dev/reference/methods): every method is a POST
or GET to ``/api/<method>`` answering HTTP 200 ``{"ok": true, ...}`` or ``{"ok": false,
"error": ...}``, as Slack does; the token comes as ``Authorization: Bearer`` or a ``token``
argument. Faults answer with the status given (429 carries ``Retry-After``).
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_http_methods

from sandbox.faults import sandbox_endpoint

from . import store
from .models import SlackBotToken, SlackChannel, SlackPost, SlackUser


def error_body(status: int) -> dict:
    return {"ok": False, "error": "ratelimited" if status == 429 else "fatal_error"}


def _error(error: str, **extra) -> JsonResponse:
    return JsonResponse({"ok": False, "error": error, **extra})


def _token(request: HttpRequest, args: dict) -> tuple[SlackBotToken | None, str]:
    """The bot token of the request, or None and the error Slack gives."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    given = value.strip() if scheme.lower() == "bearer" else str(args.get("token") or "")
    if not given:
        return None, "not_authed"
    found = SlackBotToken.objects.select_related("team", "bot_user").filter(token=given).first()
    if found is None:
        return None, "invalid_auth"
    if found.revoked:
        return None, "token_revoked"
    return found, ""


def _user_json(user: SlackUser, with_email: bool) -> dict:
    profile = {"real_name": user.real_name, "display_name": user.name}
    if with_email and user.email:
        profile["email"] = user.email
    return {
        "id": user.user_id,
        "team_id": user.team.team_id,
        "name": user.name,
        "real_name": user.real_name,
        "is_bot": user.is_bot,
        "deleted": False,
        "profile": profile,
    }


def auth_test(request, token: SlackBotToken, args: dict) -> JsonResponse:
    return JsonResponse(
        {
            "ok": True,
            "url": f"https://{token.team.domain}.slack.com/",
            "team": token.team.name,
            "user": token.bot_user.name,
            "team_id": token.team.team_id,
            "user_id": token.bot_user.user_id,
            "bot_id": "B" + token.bot_user.user_id[1:],
            "is_enterprise_install": False,
        }
    )


def auth_revoke(request, token: SlackBotToken, args: dict) -> JsonResponse:
    SlackBotToken.objects.filter(pk=token.pk).update(revoked=True)
    return JsonResponse({"ok": True, "revoked": True})


def chat_post_message(request, token: SlackBotToken, args: dict) -> JsonResponse:
    target = store.channel(token.team, str(args.get("channel") or ""))
    if target is None:
        return _error("channel_not_found")
    if token.bot_user.user_id not in target.members:
        return _error("not_in_channel")
    text, blocks = str(args.get("text") or ""), args.get("blocks")
    if not text and not blocks:
        return _error("no_text")
    post = SlackPost.objects.create(
        channel=target,
        user_id=token.bot_user.user_id,
        text=text,
        blocks=blocks if isinstance(blocks, list) else None,
        ts=store.new_ts(),
        thread_ts=str(args.get("thread_ts") or ""),
    )
    message = {
        "type": "message",
        "user": token.bot_user.user_id,
        "bot_id": "B" + token.bot_user.user_id[1:],
        "text": text,
        "ts": post.ts,
    }
    if post.blocks:
        message["blocks"] = post.blocks
    return JsonResponse(
        {"ok": True, "channel": target.channel_id, "ts": post.ts, "message": message}
    )


def users_info(request, token: SlackBotToken, args: dict) -> JsonResponse:
    user = SlackUser.objects.filter(team=token.team, user_id=str(args.get("user") or "")).first()
    if user is None:
        return _error("user_not_found")
    with_email = "users:read.email" in token.scopes.split(",")
    return JsonResponse({"ok": True, "user": _user_json(user, with_email)})


CONVERSATION_TYPES = {"public_channel", "private_channel", "mpim", "im"}


def _conversation_json(channel: SlackChannel, token: SlackBotToken) -> dict:
    """A channel with the fields Slack's conversation object requires (objs_conversation in
    slackapi/slack-api-specs); the sandbox's channels are all public."""
    unset = {"value": "", "creator": "", "last_set": 0}
    return {
        "id": channel.channel_id,
        "name": channel.name,
        "name_normalized": channel.name,
        "created": channel.created,
        "creator": store.DEFAULT_USER[0],
        "is_channel": True,
        "is_group": False,
        "is_im": False,
        "is_mpim": False,
        "is_private": False,
        "is_archived": False,
        "is_general": channel.name == "general",
        "is_shared": False,
        "is_ext_shared": False,
        "is_org_shared": False,
        "is_member": token.bot_user.user_id in channel.members,
        "num_members": len(channel.members),
        "topic": unset,
        "purpose": unset,
    }


def conversations_list(request, token: SlackBotToken, args: dict) -> JsonResponse:
    """Pages of ``limit`` (default 100, at most 1000) channels of the ``types`` asked for
    (default public_channel), the next page named by ``response_metadata.next_cursor``
    (https://docs.slack.dev/reference/methods/conversations.list)."""
    types = {t.strip() for t in str(args.get("types") or "public_channel").split(",")}
    if not types <= CONVERSATION_TYPES:
        return _error("invalid_types")
    limit = str(args.get("limit", "")) or "100"
    if not limit.isdigit() or not 1 <= int(limit) <= 1000:
        return _error("invalid_limit")
    channels = token.team.channels.order_by("channel_id")
    if "public_channel" not in types:
        channels = channels.none()
    if args.get("cursor"):
        first = store.read_cursor(str(args["cursor"]), "channel")
        if first is None:
            return _error("invalid_cursor")
        channels = channels.filter(channel_id__gte=first)
    page = list(channels[: int(limit) + 1])
    more = page[int(limit) :]
    return JsonResponse(
        {
            "ok": True,
            "channels": [_conversation_json(c, token) for c in page[: int(limit)]],
            "response_metadata": {
                "next_cursor": store.cursor("channel", more[0].channel_id) if more else ""
            },
        }
    )


METHODS = {
    "auth.test": auth_test,
    "auth.revoke": auth_revoke,
    "chat.postMessage": chat_post_message,
    "users.info": users_info,
    "conversations.list": conversations_list,
}


@sandbox_endpoint("slack", error_body)
@require_http_methods(["GET", "POST"])
def api_method(request: HttpRequest, method: str) -> JsonResponse:
    """``/api/<method>``; oauth.v2.access is in ``oauth`` (it takes client credentials)."""
    handler = METHODS.get(method)
    if handler is None:
        return JsonResponse({"ok": False, "error": "unknown_method"}, status=404)
    args = store.arguments(request)
    token, error = _token(request, args)
    if token is None:
        return _error(error)
    return handler(request, token, args)
