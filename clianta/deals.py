"""A deal's stage changes, wherever they come from (the API, a paid invoice): saved, and
announced as CRM events (``deal.stage_changed``, and ``deal.won`` for a deal won)."""

from django.db import transaction

from . import events
from .models import Deal


def announce_stage(deal: Deal, previous: str | None) -> None:
    """The events of ``deal`` now at its stage, after ``previous`` (None: a new deal)."""
    if deal.stage == previous:
        return
    data = {
        "deal_id": str(deal.pk),
        "contact_id": str(deal.contact_id) if deal.contact_id else None,
        "stage": deal.stage,
        "previous_stage": previous or "",
    }
    if previous is not None:
        events.emit(events.DEAL_STAGE_CHANGED, str(deal.workspace_id), **data)
    if deal.stage == Deal.Stage.WON:
        events.emit(events.DEAL_WON, str(deal.workspace_id), **data)


@transaction.atomic
def set_stage(deal: Deal, stage: str) -> None:
    previous = Deal.objects.select_for_update().values_list("stage", flat=True).get(pk=deal.pk)
    if previous == stage:
        return
    deal.stage = stage
    Deal.objects.filter(pk=deal.pk).update(stage=stage)
    announce_stage(deal, previous)
