"""Field values: checking one a client writes, formatting one for an answer, and reading one as
a Python value to compare and sort.

Stored values are what the REST API answers: text, numbers, ``YYYY-MM-DD`` dates, booleans and
18-character ids. Datetimes are the record's columns, answered as ``2024-01-31T10:00:00.000+0000``
(REST) or ``2024-01-31T10:00:00.000Z`` (Bulk API CSV).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from . import ids
from .errors import SalesforceError
from .schema import ID_TYPES, NUMBER_TYPES, TEXT_TYPES, Field

# Salesforce checks an email's shape, not that it exists.
EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def rest_datetime(moment: datetime) -> str:
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{moment.microsecond // 1000:03d}+0000"
    )


def csv_datetime(moment: datetime) -> str:
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def milliseconds(moment: datetime) -> datetime:
    """``moment`` to the millisecond, the precision of Salesforce's datetimes."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def comparable(field: Field, value):
    """A stored value as a Python value of the field's type (None stays None): what SOQL
    compares and sorts. Text compares case-insensitively; ids by their 15 characters."""
    if value is None:
        return None
    if field.type in TEXT_TYPES:
        return str(value).casefold()
    if field.type in ID_TYPES:
        return ids.base_of(value) or value
    if field.type == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def _wrong_type(field: Field, value) -> SalesforceError:
    return SalesforceError(
        400,
        "INVALID_TYPE_ON_FIELD_IN_RECORD",
        f"{field.label}: value not of required type: {str(value)[:80]}",
        [field.name],
    )


def clean(field: Field, value):
    """The value to store for ``value`` written to ``field``; raises the SalesforceError a
    write of it gets. References are only checked for shape here (see ``writes``).

    Salesforce's JSON reader refuses some wrongly typed values for the whole request
    (JSON_PARSER_ERROR); the sandbox answers them per record, as INVALID_TYPE_ON_FIELD_IN_RECORD,
    so that one bad record of a collection fails alone.
    """
    if field.type in TEXT_TYPES:
        return _text(field, value)
    if value is None:
        return None
    if field.type in NUMBER_TYPES:
        return _number(field, value)
    if field.type == "date":
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise _wrong_type(field, value) from None
    if field.type == "boolean":
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if not isinstance(value, bool):
            raise _wrong_type(field, value)
        return value
    if field.type == "reference":
        base = ids.base_of(value) if isinstance(value, str) else None
        if base is None:
            raise SalesforceError(
                400,
                "MALFORMED_ID",
                f"{field.label}: id value of incorrect type: {str(value)[:80]}",
                [field.name],
            )
        return ids.full(base)
    raise _wrong_type(field, value)


def _text(field: Field, value):
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif isinstance(value, (int, float)):
        value = str(value)
    elif value is not None and not isinstance(value, str):
        raise _wrong_type(field, value)
    if not value:
        return None  # Salesforce stores an empty text as null
    if len(value) > field.length:
        raise SalesforceError(
            400,
            "STRING_TOO_LONG",
            f"{field.label}: data value too large: {value[:40]} (max length={field.length})",
            [field.name],
        )
    if field.type == "email" and not EMAIL.match(value):
        raise SalesforceError(
            400,
            "INVALID_EMAIL_ADDRESS",
            f"{field.label}: invalid email address: {value[:80]}",
            [field.name],
        )
    if field.restricted and value not in field.picklist:
        raise SalesforceError(
            400,
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            f"{field.label}: bad value for restricted picklist field: {value[:80]}",
            [field.name],
        )
    return value


def _number(field: Field, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _wrong_type(field, value)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise _wrong_type(field, value) from None
    if not number.is_finite() or (field.type == "int" and number != number.to_integral_value()):
        raise _wrong_type(field, value)
    whole_digits = field.digits or field.precision - field.scale
    if abs(number) >= Decimal(10) ** whole_digits:
        raise SalesforceError(
            400,
            "NUMBER_OUTSIDE_VALID_RANGE",
            f"{field.label}: value outside of valid range on numeric field: {str(value)[:80]}",
            [field.name],
        )
    if field.type == "int":
        return int(number)
    return float(round(number, field.scale))
