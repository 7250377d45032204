"""What a push writes: which CRM records go to Salesforce with which values (those that differ
from what both sides last agreed on), and Salesforce's answer for each, kept on its link."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from integrations.sync import Counts

from . import values
from .mapping import LOCAL_FIELDS
from .models import RecordLink
from .store import references


@dataclass
class Push:
    """One CRM record going to Salesforce: its link, the values sent (in the CRM's terms and as
    Salesforce takes them), and Salesforce's SaveResult once sent."""

    link: RecordLink
    seen_change: object
    sent: dict
    payload: dict
    result: dict | None = None

    def record(self) -> dict:
        return {**self.payload, **({"id": self.link.remote_id} if self.link.remote_id else {})}


def outgoing(connection, obj: str, mappings, links: list[RecordLink]) -> list[Push]:
    """What each waiting link sends: the pushed fields that differ from the baseline (all of
    them for a record not yet in Salesforce)."""
    records = (
        values.MODELS[obj]
        .objects.filter(workspace_id=connection.workspace_id)
        .in_bulk([link.local_id for link in links])
    )
    wanted = {
        m.local_field: {v for r in records.values() if (v := values.local(r, obj, m.local_field))}
        for m in mappings
        if LOCAL_FIELDS[obj][m.local_field].target
    }
    refs = references(connection, obj, mappings, wanted, remote=False)
    batch = []
    for link in links:
        record = records.get(link.local_id)
        sent, payload = {}, {}
        if record is not None:
            for mapping in mappings:
                value = values.local(record, obj, mapping.local_field)
                if link.remote_id and value == link.baseline.get(mapping.local_field):
                    continue
                remote = values.to_remote(mapping, value, refs.get(mapping.local_field, {}))
                if link.remote_id or remote is not None:
                    sent[mapping.local_field] = value
                    payload[mapping.remote_field] = remote
        batch.append(Push(link, link.changed_at, sent, payload))
    return batch


def apply_pushed(connection, obj: str, batch: list[Push]) -> Counts:
    counts = Counts()
    now = timezone.now()
    for entry in batch:
        link, result = entry.link, entry.result
        done = Q(pk=link.pk, changed_at=entry.seen_change)
        if result is None:  # nothing differs, or the record is gone from the CRM
            RecordLink.objects.filter(done).update(changed_at=None)
            continue
        if result.get("success"):
            if not link.remote_id:
                link.remote_id = result["id"]
                counts.created += 1
            else:
                counts.updated += 1
            RecordLink.objects.filter(pk=link.pk).update(
                remote_id=link.remote_id,
                baseline={**link.baseline, **entry.sent},
                push_error="",
                push_failed_at=None,
            )
        else:
            errors = result.get("errors") or []
            RecordLink.objects.filter(pk=link.pk).update(
                push_error="; ".join(_error_text(error) for error in errors)[:2000]
                or "Salesforce refused the record.",
                push_failed_at=now,
            )
            counts.skip("Salesforce refused a record (see its push error)")
        RecordLink.objects.filter(done).update(changed_at=None)
    return counts


def _error_text(error: dict) -> str:
    fields = ", ".join(error.get("fields") or [])
    text = f"{error.get('statusCode', '')}: {error.get('message', '')}"
    return f"{text} ({fields})" if fields else text
