"""What a sync run writes in the CRM, one page at a time inside the runner's transaction: pulled
records applied (conflicts resolved and logged), deletions, push results, cursors and the org's
API usage. A few queries a page, whatever its size."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from clianta import deals
from integrations.models import IntegrationCredential
from integrations.providers.salesforce.client import moment
from integrations.sync import Counts

from . import recorder, values
from .mapping import LOCAL_FIELDS
from .models import CrmConnection, CrmObject, ObjectCursor, RecordLink, SyncConflict

DUPLICATE_EMAIL = "another Salesforce contact has the same email"
UNMAPPED_VALUE = "a Salesforce value has no CRM equivalent in the value map"


def references(connection, obj: str, mappings, wanted: dict[str, set], remote: bool) -> dict:
    """For each reference field of ``mappings``: Salesforce id -> CRM id (``remote``) or the
    other way round, for the ids ``wanted[field]`` only (one query per reference field)."""
    found = {}
    for mapping in mappings:
        target = LOCAL_FIELDS[obj][mapping.local_field].target
        ids = wanted.get(mapping.local_field, set()) - {None, ""}
        if not target or not ids:
            continue
        links = RecordLink.objects.filter(connection=connection, object=target).exclude(
            remote_id=""
        )
        links = links.filter(**{"remote_id__in" if remote else "local_id__in": ids})
        rows = links.values_list("remote_id", "local_id")
        found[mapping.local_field] = (
            {r: str(lo) for r, lo in rows} if remote else {str(lo): r for r, lo in rows}
        )
    return found


def apply_pulled(connection, obj: str, mappings, records: list[dict], log) -> Counts:
    counts = Counts()
    if not records:
        return counts
    model = values.MODELS[obj]
    workspace_id = connection.workspace_id
    wanted = {m.local_field: {r.get(m.remote_field) for r in records} for m in mappings}
    refs = references(connection, obj, mappings, wanted, remote=True)
    links = {
        link.remote_id: link
        for link in RecordLink.objects.filter(
            connection=connection, object=obj, remote_id__in=[r["Id"] for r in records]
        )
    }
    existing = model.objects.filter(workspace_id=workspace_id).in_bulk(
        [link.local_id for link in links.values()]
    )
    emails = _Emails(connection, obj, records, mappings)
    remote_fields = {m.local_field: m.remote_field for m in mappings}
    new_records, new_links, changed, changed_links, stages = [], [], {}, [], []
    for record in records:
        stamp = moment(record["SystemModstamp"])
        incoming = {}
        for m in mappings:
            value = values.from_remote(m, record.get(m.remote_field), refs.get(m.local_field, {}))
            if value is values.SKIP:
                counts.skip(UNMAPPED_VALUE)
            else:
                incoming[m.local_field] = value
        link = links.get(record["Id"])
        local = existing.get(link.local_id) if link else None
        if local is not None:
            if not emails.allows(local, incoming.get("email")):
                incoming.pop("email")
                counts.skip(DUPLICATE_EMAIL)
            previous_stage = getattr(local, "stage", None)
            agreed = dict(link.baseline)
            if _merge(link, local, obj, incoming, stamp, log, remote_fields):
                changed[local.pk] = local
                counts.updated += 1
                if obj == CrmObject.DEAL:
                    stages.append((local, previous_stage))
            if link.baseline != agreed or link.remote_stamp != stamp:  # else read again as is
                link.remote_stamp = stamp
                changed_links.append(link)
            emails.claim(local)
            continue
        # Not linked yet (or its CRM record was deleted): the CRM's contact of the same address,
        # or a new record.
        local = emails.unlinked(incoming.get("email"))
        if local is False:
            counts.skip(DUPLICATE_EMAIL)
            continue
        fresh = local is None
        if fresh:
            local = model(workspace_id=workspace_id)
            new_records.append(local)
            counts.created += 1
        else:
            changed[local.pk] = local
            counts.updated += 1
        for name, value in incoming.items():
            values.assign(local, obj, name, value)
        if link is None:
            link = RecordLink(connection=connection, object=obj, remote_id=record["Id"])
            new_links.append(link)
        else:
            changed_links.append(link)
        link.local_id, link.remote_stamp, link.changed_at = local.pk, stamp, None
        link.baseline = {name: values.local(local, obj, name) for name in incoming}
        emails.claim(local)
    _save(model, obj, new_records, changed, mappings)
    made = model.objects.filter(pk__in=[r.pk for r in new_records]).values_list("pk", flat=True)
    kept = set(made) | set(changed)
    RecordLink.objects.bulk_create([link for link in new_links if link.local_id in kept])
    # Not changed_at: a change the CRM records meanwhile (another transaction) must stay.
    RecordLink.objects.bulk_update(changed_links, ["local_id", "baseline", "remote_stamp"])
    with recorder.applying():  # a stage that came from Salesforce is not a change to push
        for deal, previous in stages:
            deals.announce_stage(deal, previous)
    return counts


class _Emails:
    """One contact per address in a workspace: the CRM's contacts with the page's addresses, which
    of them are linked already, and the addresses this page has taken."""

    def __init__(self, connection, obj, records, mappings):
        self.active = obj == CrmObject.CONTACT
        field = next((m.remote_field for m in mappings if m.local_field == "email"), None)
        if not self.active or field is None:
            self.active, self.contacts, self.linked = False, {}, set()
            return
        addresses = {str(r.get(field) or "").lower() for r in records} - {""}
        contacts = values.MODELS[obj].objects.filter(
            workspace_id=connection.workspace_id, email__in=addresses
        )
        self.contacts = {contact.email: contact for contact in contacts}
        self.linked = set(
            RecordLink.objects.filter(
                connection=connection, object=obj, local_id__in=[c.pk for c in contacts]
            ).values_list("local_id", flat=True)
        )

    def allows(self, contact, address) -> bool:
        """Whether ``contact`` may take ``address`` (no other contact has it)."""
        if not self.active or not address:
            return True
        holder = self.contacts.get(address)
        return holder is None or holder.pk == contact.pk

    def unlinked(self, address):
        """The CRM's unlinked contact with ``address``; None: none; False: a linked one has it."""
        if not self.active or not address:
            return None
        holder = self.contacts.get(address)
        if holder is None:
            return None
        return False if holder.pk in self.linked else holder

    def claim(self, contact) -> None:
        if self.active:
            self.linked.add(contact.pk)
            if contact.email:
                self.contacts[contact.email] = contact


def _merge(link, local, obj, incoming, stamp, log, remote_fields) -> bool:
    """Apply what changed in Salesforce since the baseline to ``local``; a field the CRM changed
    too takes the newer change (a tie goes to Salesforce) and is logged. True if ``local``
    changed. ``remote_fields``: the Salesforce field of each CRM field."""
    touched = False
    for name, remote in incoming.items():
        agreed = link.baseline.get(name)
        if remote == agreed:
            continue  # unchanged there (our own push coming back, too)
        current = values.local(local, obj, name)
        if link.changed_at and current != agreed and current != remote:
            clianta_won = link.changed_at > stamp
            SyncConflict.objects.create(
                sync_log=log,
                workspace_id=local.workspace_id,
                object=obj,
                local_id=local.pk,
                remote_id=link.remote_id,
                field=name,
                remote_field=remote_fields[name],
                local_value=current,
                remote_value=remote,
                local_changed_at=link.changed_at,
                remote_changed_at=stamp,
                winner=SyncConflict.Winner.CLIANTA
                if clianta_won
                else SyncConflict.Winner.SALESFORCE,
            )
            if clianta_won:
                continue  # the CRM's value stays, and is pushed
        if current != remote:
            values.assign(local, obj, name, remote)
            touched = True
        link.baseline[name] = values.local(local, obj, name)
    return touched


def _save(model, obj, new_records, changed, mappings) -> None:
    with recorder.applying():
        model.objects.bulk_create(new_records, ignore_conflicts=True)
        if changed:
            names = sorted({values.attribute(obj, m.local_field) for m in mappings})
            now = timezone.now()
            for record in changed.values():
                record.updated_at = now
            model.objects.bulk_update(list(changed.values()), [*names, "updated_at"])


def advance(connection, step) -> None:
    """Store where the object's pull resumes, with the page it follows."""
    cursor = ObjectCursor.objects.get(connection=connection, object=step.object)
    if step.bulk is not None and not step.done:
        cursor.bulk = step.bulk
    else:
        if step.stamp is not None:
            cursor.stamp, cursor.last_id = step.stamp, step.last_id
        if step.done and not cursor.loaded:
            cursor.loaded, cursor.bulk = True, None
    # Deletions are read from where the first load began: one made while it ran is seen.
    cursor.deletes_until = cursor.deletes_until or timezone.now() - timedelta(minutes=5)
    cursor.save()


def apply_deleted(connection, step, remote_ids: list[str]) -> Counts:
    links = RecordLink.objects.filter(connection=connection, object=step.object).exclude(
        remote_id=""
    )
    if step.all_ids is not None:
        gone = links.exclude(remote_id__in=step.all_ids)
    else:
        gone = links.filter(remote_id__in=remote_ids)
    local_ids = list(gone.values_list("local_id", flat=True))
    gone.delete()
    with recorder.applying():
        values.MODELS[step.object].objects.filter(
            workspace_id=connection.workspace_id, pk__in=local_ids
        ).delete()
    ObjectCursor.objects.filter(connection=connection, object=step.object).update(
        deletes_until=step.until
    )
    return Counts(deleted=len(local_ids))


def record_usage(connection: CrmConnection, used: int, limit: int) -> None:
    """Keep the org's API usage on the connection and on its credential's health."""
    now = timezone.now()
    CrmConnection.objects.filter(pk=connection.pk).update(
        api_used=used, api_limit=limit, api_usage_at=now
    )
    credential = IntegrationCredential.objects.get(pk=connection.credential_id)
    credential.metadata = {
        **credential.metadata,
        "api_usage": {"used": used, "limit": limit, "at": now.isoformat()},
    }
    IntegrationCredential.objects.filter(pk=credential.pk).update(metadata=credential.metadata)


def pause(connection: CrmConnection, reason: str) -> Counts:
    until = timezone.now() + timedelta(minutes=settings.CRM_SYNC_LIMIT_PAUSE_MINUTES)
    CrmConnection.objects.filter(pk=connection.pk).update(paused_until=until)
    connection.paused_until = until
    counts = Counts()
    counts.skip(f"{reason}; the sync goes on after {until:%H:%M} UTC")
    return counts


def pending(connection) -> dict:
    """How many CRM records wait to be pushed, and how many Salesforce refused."""
    links = RecordLink.objects.filter(connection=connection)
    return {
        "waiting": links.filter(changed_at__isnull=False).count(),
        "refused": links.exclude(push_error="").count(),
    }
