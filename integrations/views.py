"""The settings page where people connect, reconnect and disconnect their accounts."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.module_loading import import_string
from django.views.decorators.http import require_POST

from clianta.api.scoping import memberships_of

from . import registry
from .health import health_of, with_health
from .models import IntegrationCredential, PushChannel, SyncLog
from .oauth import tokens
from .oauth.views import RESULT_WORKSPACE, options_form

MESSAGES = {
    "access_denied": "You declined the request, so nothing was connected.",
    "exchange_failed": "The provider did not accept the sign-in. Please try again.",
    "provider_unavailable": "The provider could not be reached. Please try again in a moment.",
    "no_code": "The provider sent no authorization code. Please try again.",
    "account_taken": (
        "This account is already connected to another Clianta workspace, so nothing was "
        "connected. An owner or admin of that workspace must release it first."
    ),
}


def _workspace(request):
    chosen = request.GET.get("workspace") or request.POST.get("workspace")
    memberships, membership = memberships_of(request.user, chosen)
    if chosen and membership is None:
        raise Http404("No such workspace.")
    if not chosen:
        # Back from a provider: the workspace the last account was connected to.
        last = request.session.get(RESULT_WORKSPACE)
        membership = next((m for m in memberships if str(m.workspace_id) == last), None)
    if not memberships:
        raise Http404("You are not a member of any workspace yet.")
    return (membership or memberships[0]).workspace, memberships


@login_required
def integrations_page(request):
    workspace, memberships = _workspace(request)
    credentials = with_health(IntegrationCredential.objects.filter(workspace=workspace))
    last_runs = {}
    for log in SyncLog.objects.filter(workspace=workspace).order_by("-started_at")[:200]:
        last_runs.setdefault(log.credential_id, log)
    pushes = {}
    # An active channel wins over a failed one of the same account.
    for channel in PushChannel.objects.filter(credential__workspace=workspace).order_by("-status"):
        pushes[channel.credential_id] = channel
    cards = []
    for provider in registry.PROVIDERS.values():
        accounts = [
            {
                "credential": c,
                "health": health_of(c),
                "last_run": last_runs.get(c.pk),
                "push": pushes.get(c.pk) if settings.PUSH_NOTIFICATIONS else None,
            }
            for c in credentials
            if c.provider == provider.slug
        ]
        # A provider asking for choices before its consent (a Salesforce org's login) is
        # connected through the confirmation page that shows them.
        asks = options_form(provider) is not None
        cards.append({"provider": provider, "accounts": accounts, "asks_first": asks})
    provider_name = registry.PROVIDERS.get(request.GET.get("provider", ""))
    context = {
        "workspace": workspace,
        "memberships": memberships,
        "cards": cards,
        "success": request.GET.get("success"),
        # Only known codes: the query string is anyone's to write, so its text is never shown.
        "error": MESSAGES.get(request.GET.get("error", "")),
        "result_provider": provider_name,
        "notices": notices(workspace),
        "panels": panels(request, workspace),
    }
    return render(request, "integrations/settings.html", context)


def notices(workspace) -> list[str]:
    """Lines for the workspace's people from every app that declares ``settings_notices`` on
    its AppConfig (the dotted path of a function of the workspace returning lines of text)."""
    return [
        line
        for config in apps.get_app_configs()
        if (path := getattr(config, "settings_notices", None))
        for line in import_string(path)(workspace)
    ]


def panels(request, workspace) -> list[str]:
    """Sections of the page from every app that declares ``settings_panel`` on its AppConfig
    (the dotted path of a function of the request and the workspace returning rendered HTML)."""
    return [
        import_string(path)(request, workspace)
        for config in apps.get_app_configs()
        if (path := getattr(config, "settings_panel", None))
    ]


@login_required
@require_POST
def disconnect(request, credential_id):
    """Revoke at the provider where it can, then forget the account here. Only the person who
    connected it and the workspace's owners and admins may."""
    workspace, memberships = _workspace(request)
    credential = get_object_or_404(IntegrationCredential, pk=credential_id, workspace=workspace)
    membership = next(m for m in memberships if m.workspace_id == workspace.pk)
    if not membership.may_manage(credential.connected_by_id):
        raise PermissionDenied(
            "Only the person who connected it and the workspace's owners and admins can "
            "disconnect it."
        )
    provider = registry.get(credential.provider)
    tokens.disconnect(credential, request=request)
    messages.success(request, f"{provider.name} ({credential.account}) was disconnected.")
    return redirect(f"/settings/integrations?workspace={workspace.pk}")
