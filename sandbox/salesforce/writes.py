"""Writing records as the REST API does: a body's fields checked (names, access, types,
required fields, references), then create, update or delete. Every write stamps
SystemModstamp and LastModifiedDate with the moment, to the millisecond.

Deleting an account deletes its contacts and opportunities too, as Salesforce's cascade does
(https://help.salesforce.com/s/articleView?id=sf.account_delete.htm); deleted records stay in
the Recycle Bin (``deleted_at``) for the org's ``deleted_retention_days``.
"""

from __future__ import annotations

from django.db import transaction

from . import ids, store, values
from .errors import SalesforceError
from .models import SalesforceOrg, SalesforceRecord, SalesforceUser
from .schema import ACCOUNT, CONTACT, OPPORTUNITY, STAGES, SObject
from .schema import sobject as sobject_named

ACCESS = (
    "Unable to create/update fields: {}. Please check the security settings of this field and "
    "verify that it is read/write for your profile or permission set."
)


class RecordRejected(Exception):
    """The errors that keep a record from being written (a SaveResult's ``errors``)."""

    def __init__(self, errors: list[SalesforceError]):
        super().__init__(errors[0].message)
        self.errors = errors


def entity_is_deleted() -> SalesforceError:
    return SalesforceError(404, "ENTITY_IS_DELETED", "entity is deleted")


def checked(org: SalesforceOrg, sobject: SObject, body: dict, *, creating: bool) -> dict:
    """The values a body writes, by canonical field name (None: cleared); raises
    RecordRejected with every problem found."""
    errors, refused, written, failed = [], [], {}, set()
    for name, value in body.items():
        if name == "attributes":
            continue
        field = sobject.field(name)
        if field is None:
            message = f"No such column '{name[:80]}' on sobject of type {sobject.name}"
            raise RecordRejected([SalesforceError(400, "INVALID_FIELD", message)])
        if not (field.createable if creating else field.updateable):
            refused.append(field.name)
            continue
        try:
            written[field.name] = values.clean(field, value)
        except SalesforceError as error:
            errors.append(error)
            failed.add(field.name)
    if refused:
        errors.insert(
            0,
            SalesforceError(
                400, "INVALID_FIELD_FOR_INSERT_UPDATE", ACCESS.format(", ".join(refused)), refused
            ),
        )
    missing = [
        field.name
        for field in sobject.fields
        if field.required
        and field.name not in failed
        and field.name not in refused
        and (creating or field.name in written)
        and written.get(field.name) is None
    ]
    if missing:
        errors.append(
            SalesforceError(
                400,
                "REQUIRED_FIELD_MISSING",
                f"Required fields are missing: [{', '.join(missing)}]",
                missing,
            )
        )
    errors += _reference_problems(org, sobject, written)
    if errors:
        raise RecordRejected(errors)
    return written


def _reference_problems(org: SalesforceOrg, sobject: SObject, written: dict) -> list:
    problems = []
    for name, value in written.items():
        field = sobject.field(name)
        if field.type != "reference" or value is None:
            continue
        target = field.reference_to[0]
        if target == "User":
            found = SalesforceUser.objects.filter(org=org, user_id=value).exists()
            deleted = False
        else:
            if value[:3] != sobject_named(target).key_prefix:
                problems.append(
                    SalesforceError(
                        400,
                        "FIELD_INTEGRITY_EXCEPTION",
                        f"{field.label}: id value of incorrect type: {value}",
                        [name],
                    )
                )
                continue
            row = SalesforceRecord.objects.filter(org=org, sobject=target, record_id=value)
            state = row.values_list("deleted_at", flat=True).first()
            found, deleted = row.exists(), state is not None
        if deleted:
            problems.append(SalesforceError(400, "ENTITY_IS_DELETED", "entity is deleted", [name]))
        elif not found:
            problems.append(
                SalesforceError(
                    400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [name]
                )
            )
    return problems


def _with_stage_probability(sobject: SObject, before: dict, written: dict) -> dict:
    """An opportunity's Probability follows its stage unless the write sets it."""
    stage = written.get("StageName")
    changed = stage is not None and stage != before.get("StageName")
    if sobject is OPPORTUNITY and changed and "Probability" not in written:
        return {**written, "Probability": float(STAGES[stage])}
    return written


def _merged(before: dict, written: dict) -> dict:
    merged = {**before, **written}
    return {name: value for name, value in merged.items() if value is not None}


def create(org: SalesforceOrg, user: SalesforceUser, sobject: SObject, body: dict):
    """A new record from a body; returns it."""
    written = checked(org, sobject, body, creating=True)
    written = _with_stage_probability(sobject, {}, {"OwnerId": user.user_id, **written})
    sequence = store.take_sequences(org, 1)
    moment = store.now()
    return SalesforceRecord.objects.create(
        org=org,
        sobject=sobject.name,
        record_id=ids.make(sobject.key_prefix, sequence),
        sequence=sequence,
        values=_merged({}, written),
        created_date=moment,
        last_modified_date=moment,
        system_modstamp=moment,
    )


def update(org: SalesforceOrg, record: SalesforceRecord, sobject: SObject, body: dict) -> None:
    if record.deleted_at is not None:
        raise RecordRejected([entity_is_deleted()])
    written = checked(org, sobject, body, creating=False)
    written = _with_stage_probability(sobject, record.values, written)
    moment = store.now()
    record.values = _merged(record.values, written)
    record.last_modified_date = record.system_modstamp = moment
    record.save(update_fields=["values", "last_modified_date", "system_modstamp"])


def delete(org: SalesforceOrg, record: SalesforceRecord) -> None:
    """Move the record (and an account's contacts and opportunities) to the Recycle Bin."""
    if record.deleted_at is not None:
        raise RecordRejected([entity_is_deleted()])
    moment = store.now()
    with transaction.atomic():
        doomed = SalesforceRecord.objects.filter(pk=record.pk)
        if record.sobject == ACCOUNT.name:
            children = SalesforceRecord.objects.filter(
                org=org,
                sobject__in=[CONTACT.name, OPPORTUNITY.name],
                deleted_at__isnull=True,
                values__AccountId=record.record_id,
            )
            doomed = doomed | children
        doomed.update(deleted_at=moment, system_modstamp=moment)
    record.deleted_at = record.system_modstamp = moment
