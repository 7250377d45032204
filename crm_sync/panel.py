"""The Salesforce section of the settings page: the org's API usage today, a pause for its daily
limit, what waits to be pushed or was refused, and the last run."""

from django.template.loader import render_to_string

from . import services
from .models import CrmConnection

OBJECT_LABELS = {"company": "Companies", "contact": "Contacts", "deal": "Deals"}


def render(request, workspace) -> str:
    if not CrmConnection.objects.filter(workspace=workspace).exists():
        return ""
    state = services.status(workspace)
    used, limit = state["api_used"], state["api_limit"]
    for row in state["objects"]:
        row["label"] = OBJECT_LABELS[row["object"]]
    context = {
        "state": state,
        "share": round(100 * used / limit) if used is not None and limit else None,
    }
    return render_to_string("crm_sync/panel.html", context, request=request)
