"""The page an invitation email links to: logged in as the invited address, see the workspace
and the role, then accept or decline (a POST, with Django's CSRF check)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from clianta import invitations

TEMPLATE = "invitations/invitation.html"


@require_http_methods(["GET", "POST"])
@login_required
def invitation(request, token: str):
    found = invitations.by_token(token)
    if found is None:
        return render(request, TEMPLATE, {"problem": "invalid"}, status=404)
    try:
        invitations.check(found, request.user)
    except invitations.InvitationUnavailable as exc:
        # Someone else's link shows nothing of the invitation.
        return render(request, TEMPLATE, {"problem": exc.code, "message": str(exc)}, status=403)
    if request.method == "GET":
        return render(request, TEMPLATE, {"invitation": found})
    decision = request.POST.get("decision")
    try:
        if decision == "accept":
            membership = invitations.accept(found, request.user, request=request)
        elif decision == "decline":
            invitations.decline(found, request.user, request=request)
            return render(request, TEMPLATE, {"declined": found})
        else:
            return render(request, TEMPLATE, {"invitation": found}, status=400)
    except invitations.InvitationUnavailable as exc:
        return render(request, TEMPLATE, {"problem": exc.code, "message": str(exc)}, status=403)
    messages.success(
        request, f"You joined {membership.workspace.name} as {membership.get_role_display()}."
    )
    return redirect(f"/settings/integrations?workspace={membership.workspace_id}")
