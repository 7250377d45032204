"""Query-string filters shared by the list endpoints, with clear 400s for bad values."""

import uuid
from datetime import UTC

from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import filters
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


# Searches -----------------------------------------------------------------------------------------

SEARCH_MAX_LENGTH = 200
SEARCH_MAX_TERMS = 10


def bounded_search(params, name: str) -> str:
    """The search text of ``?name=``: at most SEARCH_MAX_LENGTH characters and SEARCH_MAX_TERMS
    words (each word is one more condition on every searched column), else 400."""
    text = params.get(name, "").strip()
    if len(text) > SEARCH_MAX_LENGTH:
        raise ValidationError({name: [f"Search for at most {SEARCH_MAX_LENGTH} characters."]})
    if len(text.split()) > SEARCH_MAX_TERMS:
        raise ValidationError({name: [f"Search for at most {SEARCH_MAX_TERMS} words."]})
    if any(ord(char) < 32 or char == "\x7f" for char in text):
        raise ValidationError({name: ["The search holds control characters."]})
    return text


def search_parameter(name: str, description: str) -> OpenApiParameter:
    """The OpenAPI description of a search parameter read with ``bounded_search``."""
    return OpenApiParameter(
        name,
        {"type": "string", "maxLength": SEARCH_MAX_LENGTH, "pattern": r"^[^\x00-\x1f\x7f]*$"},
        description=f"{description} At most {SEARCH_MAX_TERMS} words.",
    )


class SearchFilter(filters.SearchFilter):
    """DRF's ``?search=``, bounded like every search of the API."""

    def get_search_terms(self, request):
        bounded_search(request.query_params, self.search_param)
        return super().get_search_terms(request)

    def get_schema_operation_parameters(self, view):
        (parameter,) = super().get_schema_operation_parameters(view)
        parameter["schema"].update(maxLength=SEARCH_MAX_LENGTH, pattern=r"^[^\x00-\x1f\x7f]*$")
        parameter["description"] += f" At most {SEARCH_MAX_TERMS} words."
        return [parameter]
