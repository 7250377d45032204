"""The generic OAuth 2.0 connect and callback views, for every provider with an OAuth backend."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from clianta.api.scoping import memberships_of
from clianta.models import Membership
from integrations import registry
from integrations.errors import AccountTaken, IntegrationError
from integrations.signals import credential_connected

from . import state as oauth_state
from .tokens import store_grant

logger = logging.getLogger("integrations.oauth")
SETTINGS_PAGE = "/settings/integrations"
RESULT_WORKSPACE = "integrations.result_workspace"


def redirect_uri(provider: registry.Provider) -> str:
    """Built from PUBLIC_URL, never from the request's Host header."""
    return settings.PUBLIC_URL + reverse("oauth-callback", args=[provider.slug])


def oauth_provider(slug: str) -> registry.Provider:
    provider = registry.get(slug)
    if provider.oauth is None:
        raise Http404(f"{provider.name} does not connect through OAuth here.")
    return provider


def consent_url(slug: str, workspace) -> str:
    """Where to send a person's browser to connect ``slug`` to ``workspace`` (for API clients)."""
    from rest_framework.exceptions import ValidationError

    provider = registry.get(slug)
    if provider.oauth is None:
        raise ValidationError({"provider": [f"Connecting {provider.name} is not available yet."]})
    url = settings.PUBLIC_URL + reverse("oauth-connect", args=[provider.slug])
    return f"{url}?workspace={workspace.pk}"


def require_may_connect(provider: registry.Provider, membership: Membership | None) -> None:
    """A workspace-wide integration (Slack, Notion, …) is connected by the workspace's owners
    and admins only; anyone's own account by any member."""
    if provider.workspace_wide and (membership is None or not membership.is_manager):
        raise PermissionDenied(
            f"Only the workspace's owners and admins can connect {provider.name}."
        )


def _result(**params) -> str:
    return f"{SETTINGS_PAGE}?{urlencode(params)}"


@require_GET
@login_required
def connect(request, provider: str):
    """The link to connect ``provider`` to the workspace in ``?workspace=``: a page naming the
    workspace and the user, whose button (a POST) starts the flow. A link followed from
    elsewhere never connects an account without that conscious click."""
    provider = oauth_provider(provider)
    chosen = request.GET.get("workspace")
    memberships, membership = memberships_of(request.user, chosen)
    if not chosen and len(memberships) == 1:
        membership = memberships[0]
    if membership is None:
        raise Http404("Choose one of your workspaces (?workspace=<id>).")
    require_may_connect(provider, membership)
    return _confirm_page(request, provider, membership.workspace, _options_form(provider))


def options_form(provider: registry.Provider) -> type | None:
    """The backend's form class of connect choices (``OAuthBackend.options_form``), or None."""
    return getattr(provider.oauth, "options_form", None)


def _options_form(provider: registry.Provider, data=None):
    form_class = options_form(provider)
    return form_class(data) if form_class else None


def _confirm_page(request, provider, workspace, form, status=200):
    return render(
        request,
        "integrations/connect_confirm.html",
        {"provider": provider, "workspace": workspace, "form": form},
        status=status,
    )


@require_POST
@login_required
def start(request, provider: str):
    """Redirect to the provider's consent page for the workspace in the form's ``workspace``."""
    provider = oauth_provider(provider)
    _, membership = memberships_of(request.user, request.POST.get("workspace"))
    if membership is None:
        raise Http404("No such workspace.")
    require_may_connect(provider, membership)
    form = _options_form(provider, request.POST)
    if form is not None and not form.is_valid():
        return _confirm_page(request, provider, membership.workspace, form, status=400)
    options = form.cleaned_data if form is not None else {}
    try:
        url = oauth_state.begin(
            request,
            membership.workspace,
            provider.slug,
            lambda state: provider.oauth.authorization_url(
                provider, state, redirect_uri(provider), **options
            ),
            options,
        )
    except IntegrationError as exc:
        # Building the consent URL may read the provider's configuration (msal does).
        logger.warning(
            "oauth.connect_failed", extra={"provider": provider.slug, "reason": exc.message}
        )
        return redirect(_result(provider=provider.slug, error="provider_unavailable"))
    return redirect(url)


@require_GET
@login_required
def callback(request, provider: str):
    """Check the state first, then exchange the code and store the grant encrypted."""
    provider = oauth_provider(provider)
    claimed = oauth_state.claim(request, provider.slug, request.GET.get("state"))
    if claimed is None:
        logger.warning("oauth.bad_state", extra={"provider": provider.slug})
        return render(
            request,
            "integrations/oauth_failed.html",
            {"provider": provider, "settings_page": SETTINGS_PAGE},
            status=400,
        )
    if not Membership.objects.filter(workspace=claimed.workspace, user=request.user).exists():
        # Removed from the workspace while at the provider: nothing is exchanged or stored.
        logger.warning("oauth.not_a_member", extra={"provider": provider.slug})
        return render(
            request,
            "integrations/oauth_failed.html",
            {"provider": provider, "settings_page": SETTINGS_PAGE, "reason": "not_a_member"},
            status=403,
        )
    if "error" in request.GET or not request.GET.get("code"):
        reason = "access_denied" if request.GET.get("error") == "access_denied" else "no_code"
        return redirect(_result(provider=provider.slug, error=reason))
    # The role may have changed since the flow began.
    require_may_connect(
        provider, Membership.objects.filter(workspace=claimed.workspace, user=request.user).first()
    )
    try:
        tokens = provider.oauth.exchange(
            provider,
            request.GET["code"],
            redirect_uri(provider),
            claimed.code_verifier,
            **claimed.options,
        )
    except IntegrationError as exc:
        logger.warning(
            "oauth.exchange_failed", extra={"provider": provider.slug, "reason": exc.message}
        )
        return redirect(_result(provider=provider.slug, error="exchange_failed"))
    try:
        # A receiver refusing the account (AccountTaken) undoes the stored grant.
        with transaction.atomic():
            credential = store_grant(claimed.workspace, provider, tokens, user=request.user)
            credential_connected.send(
                sender=provider.slug, credential=credential, user=request.user, request=request
            )
    except AccountTaken:
        logger.warning("oauth.account_taken", extra={"provider": provider.slug})
        return redirect(_result(provider=provider.slug, error=AccountTaken.code))
    logger.info(
        "oauth.connected", extra={"provider": provider.slug, "credential": str(credential.pk)}
    )
    # The settings page then shows (and names) the workspace the account went into.
    request.session[RESULT_WORKSPACE] = str(claimed.workspace_id)
    return redirect(_result(provider=provider.slug, success="true"))
