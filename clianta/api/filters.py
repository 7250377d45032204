"""Query-string filters shared by the list endpoints, with clear 400s for bad values."""

import uuid
from datetime import UTC

from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError


def uuid_param(params, name: str) -> uuid.UUID | None:
    value = params.get(name)
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValidationError({name: ["Not a valid id."]}) from None


def aware_datetime_param(params, name: str):
    """An ISO 8601 datetime with its UTC offset; naive datetimes are refused."""
    value = params.get(name)
    if not value:
        return None
    moment = parse_datetime(value)
    if moment is None:
        raise ValidationError({name: ["Not an ISO 8601 datetime."]})
    if moment.tzinfo is None:
        raise ValidationError(
            {name: ["Give a UTC offset (for example 2026-01-31T09:00:00+01:00)."]}
        )
    try:
        # In UTC: PostgreSQL takes offsets up to ±15:59 only, ISO 8601 up to ±23:59.
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValidationError({name: ["The date is out of range."]}) from None


def in_period(queryset, params, field: str):
    """``?after=`` (inclusive) and ``?before=`` (exclusive) on ``field``."""
    after = aware_datetime_param(params, "after")
    before = aware_datetime_param(params, "before")
    if after:
        queryset = queryset.filter(**{f"{field}__gte": after})
    if before:
        queryset = queryset.filter(**{f"{field}__lt": before})
    return queryset


def period_parameters(what: str) -> list[OpenApiParameter]:
    """The OpenAPI description of ``in_period``'s ``after`` and ``before``."""
    return [
        OpenApiParameter(
            "after",
            OpenApiTypes.DATETIME,
            description=f"{what} at or after (ISO 8601, with an offset).",
        ),
        OpenApiParameter(
            "before",
            OpenApiTypes.DATETIME,
            description=f"{what} before (ISO 8601, with an offset).",
        ),
    ]
