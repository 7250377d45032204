"""Field values between the CRM and Salesforce.

Both sides are compared in the CRM's terms (JSON values): text as a string ("" for none), whole
numbers as int, amounts as a string with two decimals, dates as ``YYYY-MM-DD``, a choice as the
CRM's value, a reference as the CRM record's id. ``SKIP`` is a Salesforce value with no CRM
equivalent (a stage missing from the value map): the field is left as it is.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from clianta.models import Company, Contact, Deal

from .mapping import LOCAL_FIELDS
from .models import CrmObject, FieldMapping

MODELS = {CrmObject.COMPANY: Company, CrmObject.CONTACT: Contact, CrmObject.DEAL: Deal}
SKIP = object()
CENTS = Decimal("0.01")


def attribute(obj: str, field: str) -> str:
    """The model attribute holding a CRM field (a reference's ``<field>_id``)."""
    return f"{field}_id" if LOCAL_FIELDS[obj][field].target else field


def local(record, obj: str, field: str):
    """A CRM record's value of ``field``, in the CRM's terms."""
    value = getattr(record, attribute(obj, field))
    kind = LOCAL_FIELDS[obj][field]
    if kind.target:
        return str(value) if value else None
    if kind.name == "decimal":
        return str(Decimal(value).quantize(CENTS)) if value is not None else None
    if kind.name == "date":
        return value.isoformat() if value else None
    return value


def from_remote(mapping: FieldMapping, value, references: dict[str, str]):
    """A Salesforce value in the CRM's terms; ``references`` maps Salesforce ids of the
    referenced object to CRM ids."""
    kind = LOCAL_FIELDS[mapping.object][mapping.local_field]
    if kind.target:
        return references.get(value) if value else None
    if kind.name in ("integer", "decimal"):
        return _number(value, kind.name)
    if kind.name == "date":
        return str(value)[:10] if value else None
    if kind.name == "choice" and mapping.value_map:
        return next((crm for crm, remote in mapping.value_map if remote == value), SKIP)
    text = "" if value is None else str(value)
    text = text.lower() if kind.name == "email" else text
    return text[: _max_length(mapping.object, mapping.local_field)]


def _number(value, kind: str):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return SKIP
    return int(number) if kind == "integer" else str(number.quantize(CENTS))


def _max_length(obj: str, field: str) -> int | None:
    return MODELS[obj]._meta.get_field(field).max_length


def to_remote(mapping: FieldMapping, value, references: dict[str, str]):
    """A value in the CRM's terms as Salesforce takes it; ``references`` maps CRM ids of the
    referenced object to Salesforce ids."""
    kind = LOCAL_FIELDS[mapping.object][mapping.local_field]
    if kind.target:
        return references.get(value) if value else None
    if kind.name == "decimal":
        return float(value) if value is not None else None
    if kind.name == "choice" and mapping.value_map:
        return next((remote for crm, remote in mapping.value_map if crm == value), value)
    return None if value == "" else value


def assign(record, obj: str, field: str, value) -> None:
    """Set a CRM record's ``field`` to ``value`` (in the CRM's terms)."""
    name = attribute(obj, field)
    model_field = MODELS[obj]._meta.get_field(field)
    if value is None and not model_field.null:
        value = model_field.get_default()
    elif value is not None and not LOCAL_FIELDS[obj][field].target:
        value = model_field.to_python(value)  # a date's or an amount's string as the model's
    setattr(record, name, value)
