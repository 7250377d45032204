"""The CRM's own changes, recorded as they happen for the next push: a contact, company or deal
saved (or a deal's stage moved) in a workspace with a connected org marks its link as changed.
Writes of the sync itself (``applying()``) are not recorded: what came from Salesforce is not
sent back."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from clianta import events
from clianta.models import Company, Contact, Deal

from .models import CrmConnection, CrmObject, RecordLink

_applying: ContextVar[bool] = ContextVar("crm_sync_applying", default=False)
OBJECTS = {Company: CrmObject.COMPANY, Contact: CrmObject.CONTACT, Deal: CrmObject.DEAL}


@contextmanager
def applying():
    """Writes made inside come from Salesforce."""
    token = _applying.set(True)
    try:
        yield
    finally:
        _applying.reset(token)


def changed(obj: str, workspace_id, local_id) -> None:
    """Mark a CRM record as changed now, for the workspace's org (if it has one)."""
    if _applying.get():
        return
    connection = CrmConnection.objects.filter(workspace_id=workspace_id).only("pk").first()
    if connection is None:
        return
    now = timezone.now()
    links = RecordLink.objects.filter(connection=connection, object=obj, local_id=local_id)
    if not links.update(changed_at=now):
        # A concurrent save may make it first: never an error in the saver's transaction.
        RecordLink.objects.bulk_create(
            [RecordLink(connection=connection, object=obj, local_id=local_id, changed_at=now)],
            ignore_conflicts=True,
        )


def _saved(sender, instance, raw=False, **kwargs):
    if not raw:
        changed(OBJECTS[sender], instance.workspace_id, instance.pk)


def _deleted(sender, instance, **kwargs):
    """A record deleted in the CRM is forgotten by the sync (it stays in Salesforce)."""
    RecordLink.objects.filter(object=OBJECTS[sender], local_id=instance.pk).delete()


def _stage_moved(sender, event, **kwargs):
    """``clianta.deals.set_stage`` updates the row without saving the model."""
    if deal_id := event.data.get("deal_id"):
        changed(CrmObject.DEAL, event.workspace_id, deal_id)


def connect() -> None:
    for model in OBJECTS:
        post_save.connect(_saved, sender=model, dispatch_uid=f"crm_sync.saved.{model.__name__}")
        post_delete.connect(
            _deleted, sender=model, dispatch_uid=f"crm_sync.deleted.{model.__name__}"
        )
    events.recorded.connect(
        _stage_moved, sender=events.DEAL_STAGE_CHANGED, dispatch_uid="crm_sync.stage_moved"
    )
