"""Slack's OAuth v2 install: the authorize (consent) page and ``oauth.v2.access``.

https://docs.slack.dev/authentication/installing-with-oauth. The only app is
settings.SLACK_CLIENT_ID / SLACK_CLIENT_SECRET, read at request time. The consent page names the
team to install into (made if new) and the channel for the incoming webhook; allowing adds the
app's bot to the team's channels (all but #random).
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from sandbox.faults import sandbox_endpoint
from sandbox.oauth_pages import basic_credentials, same, with_query

from . import store
from .api import error_body
from .models import SlackAuthCode, SlackBotToken, SlackChannel, SlackUser

CODE_LIFETIME = timedelta(minutes=10)
TEMPLATE = "sandbox/slack_consent.html"


def _problem(params) -> str | None:
    """Why Slack would show an error page instead of the consent page (no redirect then)."""
    if not same(params.get("client_id", ""), settings.SLACK_CLIENT_ID):
        return "Invalid client_id parameter."
    redirect = urlsplit(params.get("redirect_uri", ""))
    if redirect.scheme not in ("http", "https") or not redirect.netloc or redirect.fragment:
        return "redirect_uri did not match any configured URIs."
    if not params.get("scope") and not params.get("user_scope"):
        return "Missing scope parameter."
    return None


@sandbox_endpoint("slack", error_body)
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    """``/oauth/v2/authorize``: the consent page; its form posts back to the same URL."""
    params = request.GET
    problem = _problem(params)
    if problem:
        return render(request, TEMPLATE, {"error": problem}, status=400)
    name = request.POST.get("team", store.DEFAULT_TEAM[1]).strip()
    scopes = [s for s in params["scope"].split(",") if s]
    context = {
        "client_id": params["client_id"],
        "redirect_uri": params["redirect_uri"],
        "team": name,
        "scopes": scopes,
        "webhook": "incoming-webhook" in scopes,
        "channels": list(store.CHANNELS),
    }
    if request.method == "GET":
        return render(request, TEMPLATE, context)
    state = params.get("state", "")
    decision = request.POST.get("decision")
    if decision == "deny":
        return HttpResponseRedirect(
            with_query(params["redirect_uri"], error="access_denied", state=state)
        )
    if decision != "allow" or not name:
        context["team_error"] = "" if name else "Enter a team name."
        return render(request, TEMPLATE, context, status=400)
    team = store.team_named(name)
    webhook_channel = None
    if context["webhook"]:
        webhook_channel = store.channel(team, request.POST.get("channel", "general"))
    code = SlackAuthCode.objects.create(
        code=f"{team.team_id}.{store.new_id('', 24).lower()}",
        client_id=params["client_id"],
        redirect_uri=params.get("redirect_uri", ""),
        team=team,
        scopes=",".join(scopes),
        webhook_channel=webhook_channel,
    )
    return HttpResponseRedirect(with_query(params["redirect_uri"], code=code.code, state=state))


def _fail(error: str) -> JsonResponse:
    return JsonResponse({"ok": False, "error": error})


def _install(code: SlackAuthCode) -> SlackBotToken:
    """A new bot token for the team; the bot user is made once and joins the channels."""
    team = code.team
    with transaction.atomic():
        bot = SlackUser.objects.filter(team=team, is_bot=True, name="clianta").first()
        if bot is None:
            bot = SlackUser.objects.create(
                team=team,
                user_id=store.new_id("U"),
                name="clianta",
                real_name="Clianta",
                is_bot=True,
            )
        for channel in SlackChannel.objects.select_for_update().filter(team=team):
            if channel.name not in store.NOT_JOINED and bot.user_id not in channel.members:
                channel.members = [*channel.members, bot.user_id]
                channel.save(update_fields=["members"])
        return SlackBotToken.objects.create(
            token=f"xoxb-{store.new_id('', 12)}-{store.new_id('', 24).lower()}",
            client_id=code.client_id,
            team=team,
            bot_user=bot,
            scopes=code.scopes,
        )


def _answer(token: SlackBotToken, code: SlackAuthCode) -> dict:
    answer = {
        "ok": True,
        "app_id": "A0SANDBOX",
        "authed_user": {"id": store.person(token.team).user_id},
        "scope": token.scopes,
        "token_type": "bot",
        "access_token": token.token,
        "bot_user_id": token.bot_user.user_id,
        "team": {"id": token.team.team_id, "name": token.team.name},
        "enterprise": None,
        "is_enterprise_install": False,
    }
    channel = code.webhook_channel
    if channel is not None:
        answer["incoming_webhook"] = {
            "channel": f"#{channel.name}",
            "channel_id": channel.channel_id,
            "configuration_url": f"https://{token.team.domain}.slack.com/services/B0SANDBOX",
            "url": f"https://hooks.slack.com/services/{token.team.team_id}/B0SANDBOX/"
            + store.new_id("", 24),
        }
    return answer


@sandbox_endpoint("slack", error_body)
@require_POST
def access(request: HttpRequest) -> JsonResponse:
    """``/api/oauth.v2.access``: exchange a code for a bot token (client credentials by HTTP
    Basic, or as client_id/client_secret arguments)."""
    args = store.arguments(request)
    client_id, secret = basic_credentials(request)
    client_id = client_id or str(args.get("client_id") or "")
    secret = secret or str(args.get("client_secret") or "")
    if not same(client_id, settings.SLACK_CLIENT_ID):
        return _fail("invalid_client_id")
    if not same(secret, settings.SLACK_CLIENT_SECRET):
        return _fail("bad_client_secret")
    if args.get("grant_type") == "refresh_token":
        # The sandbox app has token rotation off: there are no refresh tokens to use.
        return _fail("invalid_refresh_token")
    now = timezone.now()
    code = (
        SlackAuthCode.objects.select_related("team", "webhook_channel")
        .filter(code=str(args.get("code") or ""), client_id=client_id)
        .first()
    )
    if code is None or now - code.created_at > CODE_LIFETIME:
        return _fail("invalid_code")
    if code.redirect_uri and str(args.get("redirect_uri") or "") != code.redirect_uri:
        return _fail("bad_redirect_uri")
    if not SlackAuthCode.objects.filter(pk=code.pk, used_at__isnull=True).update(used_at=now):
        return _fail("invalid_code")
    return JsonResponse(_answer(_install(code), code))
