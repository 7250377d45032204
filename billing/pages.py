"""The billing panel of the settings page (plan, limits, upgrade and portal buttons) and the two
browser routes its buttons post to, which send the person on to Stripe."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from clianta import plans
from clianta.api.scoping import memberships_of
from clianta.errors import ApiError

from . import services

SETTINGS = services.SETTINGS_PAGE + "?workspace={}"
LABELS = {
    "members": "Members",
    "mailboxes": "Mailboxes",
    "apollo_credits": "Apollo credits this month",
    "sms": "Texts this month",
}


def panel(request, workspace) -> str:
    _, membership = memberships_of(request.user, str(workspace.pk))
    summary = services.summary(workspace)
    usage = [{"name": LABELS[name], **figures} for name, figures in summary["usage"].items()]
    paid = [plan for plan in plans.all_plans().values() if plan.price]
    context = {
        "workspace": workspace,
        "summary": summary,
        "usage": usage,
        "paid_plans": paid,
        "may_manage": membership is not None and membership.is_manager,
        "subscribed": summary["status"] in services.HOLDING,
        # Only known values: the query string is anyone's to write.
        "result": {"success": "success", "canceled": "canceled"}.get(
            request.GET.get("billing", ""), ""
        ),
    }
    return render_to_string("billing/panel.html", context, request=request)


def _to_stripe(request, session_of):
    """Send an owner or admin of the form's workspace on to Stripe (``session_of(membership)``
    gives the session); anyone else, or a refusal, back to the settings page with a message."""
    _, membership = memberships_of(request.user, request.POST.get("workspace"))
    if membership is None:
        raise Http404("No such workspace.")
    back = SETTINGS.format(membership.workspace_id)
    if not membership.is_manager:
        messages.error(request, "Only the workspace's owners and admins can manage its billing.")
        return redirect(back)
    try:
        return redirect(session_of(membership)["url"])
    except ApiError as exc:
        messages.error(request, exc.message)
        return redirect(back)


@login_required
@require_POST
def checkout(request):
    return _to_stripe(
        request,
        lambda membership: services.checkout(
            membership.workspace, request.POST.get("plan", ""), request.user.email
        ),
    )


@login_required
@require_POST
def portal(request):
    return _to_stripe(request, lambda membership: services.portal(membership.workspace))
