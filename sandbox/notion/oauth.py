"""Notion's public-integration OAuth: the authorize (consent) page and the token endpoint.

https://developers.notion.com/docs/authorization, /reference/create-a-token, /refresh-a-token.
The only client is settings.NOTION_CLIENT_ID / NOTION_CLIENT_SECRET, read at request time. The
consent page names the workspace (made if need be) and the pages to share: by default every
top-level page and database of that workspace, and so everything under them.
"""

from __future__ import annotations

import json
import uuid
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
from .models import NotionAuthCode, NotionBot, NotionObject, NotionShare

CODE_LIFETIME = timedelta(minutes=10)


def _problem(params) -> str | None:
    """Why Notion would show an error page instead of the consent page (no redirect then)."""
    if not same(params.get("client_id", ""), settings.NOTION_CLIENT_ID):
        return "Missing or invalid client_id."
    redirect = urlsplit(params.get("redirect_uri", ""))
    if redirect.scheme not in ("http", "https") or not redirect.netloc or redirect.fragment:
        return "Missing or invalid redirect_uri: it must be an absolute http(s) URL."
    if params.get("response_type") != "code":
        return "response_type must be code."
    return None


def _top_level(workspace) -> list[NotionObject]:
    return list(
        NotionObject.objects.filter(workspace=workspace, parent_type="workspace", archived=False)
    )


@sandbox_endpoint("notion", error_body)
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    """``/v1/oauth/authorize``: the consent page; its form posts back to the same URL."""
    params = request.GET
    problem = _problem(params)
    if problem:
        return render(request, "sandbox/notion_consent.html", {"error": problem}, status=400)
    name = request.POST.get("workspace", store.DEFAULT_WORKSPACE).strip()
    shown = store.workspace(store.DEFAULT_WORKSPACE if request.method == "GET" else name)
    context = {
        "client_id": params["client_id"],
        "redirect_uri": params["redirect_uri"],
        "workspace": name,
        "pages": [
            (str(obj.object_id), store.plain(store.page_title(obj))) for obj in _top_level(shown)
        ],
    }
    if request.method == "GET":
        return render(request, "sandbox/notion_consent.html", context)
    state = params.get("state", "")
    decision = request.POST.get("decision")
    if decision == "deny":
        return HttpResponseRedirect(
            with_query(params["redirect_uri"], error="access_denied", state=state)
        )
    if not name:
        context["workspace_error"] = "Enter a workspace name."
    if decision != "allow" or not name:
        return render(request, "sandbox/notion_consent.html", context, status=400)
    workspace = store.workspace(name)
    everything = [str(obj.object_id) for obj in _top_level(workspace)]
    shared = everything
    # The pages chosen (none chosen: all of them, as when the form had no list).
    chosen = set(request.POST.getlist("pages"))
    if chosen:
        shared = [object_id for object_id in everything if object_id in chosen]
    code = NotionAuthCode.objects.create(
        code=str(uuid.uuid4()),
        client_id=params["client_id"],
        redirect_uri=params["redirect_uri"],
        workspace=workspace,
        shared=shared,
    )
    return HttpResponseRedirect(with_query(params["redirect_uri"], code=code.code, state=state))


def _oauth_error(status: int, error: str, description: str) -> JsonResponse:
    body = {"error": error, "error_description": description}
    body.update(error_body(status, "unauthorized" if status == 401 else error, description))
    return JsonResponse(body, status=status)


def _answer(bot: NotionBot) -> dict:
    return {
        "access_token": bot.token,
        "token_type": "bearer",
        "refresh_token": bot.refresh_token,
        "bot_id": str(bot.bot_id),
        "workspace_id": str(bot.workspace.workspace_id),
        "workspace_name": bot.workspace.name,
        "workspace_icon": bot.workspace.icon or None,
        "owner": bot.owner,
        "duplicated_template_id": None,
        "request_id": str(uuid.uuid4()),
    }


@sandbox_endpoint("notion", error_body)
@require_POST
def token(request: HttpRequest) -> JsonResponse:
    """``/v1/oauth/token``: exchange a code, or refresh (both rotate the tokens)."""
    client_id, secret = basic_credentials(request)
    if not same(client_id, settings.NOTION_CLIENT_ID) or not same(
        secret, settings.NOTION_CLIENT_SECRET
    ):
        return _oauth_error(401, "invalid_client", "Invalid client credentials.")
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return _oauth_error(400, "invalid_request", "Error parsing JSON body.")
    if not isinstance(body, dict):
        return _oauth_error(400, "invalid_request", "The body must be a JSON object.")
    grant_type = body.get("grant_type")
    if grant_type == "authorization_code":
        return _exchange(body, client_id)
    if grant_type == "refresh_token":
        return _refresh(body, client_id)
    return _oauth_error(400, "unsupported_grant_type", f"Unsupported grant_type: {grant_type}")


def _exchange(body: dict, client_id: str) -> JsonResponse:
    now = timezone.now()
    code = NotionAuthCode.objects.filter(code=str(body.get("code") or ""), client_id=client_id)
    code = code.select_related("workspace").first()
    bad = _oauth_error(400, "invalid_grant", "Invalid code.")
    if code is None or now - code.created_at > CODE_LIFETIME:
        return bad
    if not NotionAuthCode.objects.filter(pk=code.pk, used_at__isnull=True).update(used_at=now):
        return bad
    if body.get("redirect_uri", "") != code.redirect_uri:
        return _oauth_error(400, "invalid_grant", "Invalid redirect_uri.")
    with transaction.atomic():
        bot = NotionBot.objects.filter(client_id=client_id, workspace=code.workspace).first()
        if bot is None:
            bot = NotionBot(
                bot_id=uuid.uuid4(),
                workspace=code.workspace,
                client_id=client_id,
                owner=store.default_owner(),
            )
        bot.token = store.new_secret("ntn_")
        bot.refresh_token = store.new_secret("nrt_")
        bot.save()
        targets = NotionObject.objects.filter(
            workspace=code.workspace, object_id__in=code.shared or []
        )
        for target in targets:
            NotionShare.objects.get_or_create(bot=bot, target=target)
    return JsonResponse(_answer(bot))


def _refresh(body: dict, client_id: str) -> JsonResponse:
    given = str(body.get("refresh_token") or "")
    bot = NotionBot.objects.select_related("workspace").filter(
        client_id=client_id, refresh_token=given
    )
    bot = bot.first() if given else None
    if bot is None:
        return _oauth_error(400, "invalid_grant", "Invalid refresh token.")
    fresh_token, fresh_refresh = store.new_secret("ntn_"), store.new_secret("nrt_")
    if not NotionBot.objects.filter(pk=bot.pk, refresh_token=given).update(
        token=fresh_token, refresh_token=fresh_refresh
    ):
        return _oauth_error(400, "invalid_grant", "Invalid refresh token.")
    bot.token, bot.refresh_token = fresh_token, fresh_refresh
    return JsonResponse(_answer(bot))
