"""OpenAPI additions every operation shares: the error format, the X-Workspace header, and
what the project's strict input (clianta/api/strict.py) refuses, so that a client generated
from the schema sends what the API accepts."""

import copy

from django.core.validators import RegexValidator
from drf_spectacular import openapi
from drf_spectacular.plumbing import force_instance
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers

from .scoping import WORKSPACE_HEADER, WorkspaceScopedMixin
from .strict import AwareDateTimeField, PhoneField, StrictInputMixin

# RFC 3339's date-time already requires the offset; the pattern says so to clients that check
# patterns and not formats.
AWARE_DATETIME_PATTERN = r"(?:Z|[+-][0-9]{2}:?[0-9]{2}(?::?[0-9]{2})?)$"
AWARE_DATETIME_NOTE = "With a UTC offset (`Z` or `+01:00`); a naive date-time is refused."

# Django's EmailValidator, in the ECMA syntax of a schema pattern: a dot-atom local part, and
# a domain whose last label is letters (two or more) or punycode.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_TOP_LABEL = r"(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9]{1,59})"
EMAIL_PATTERN = rf"^{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+{_TOP_LABEL}$"
# Django's URLValidator: http(s) or ftp(s), a host name with a top-level domain (at most 253
# characters: here up to three labels before it), an optional port, no whitespace.
URL_PATTERN = (
    rf"^(?:[Hh][Tt][Tt][Pp][Ss]?|[Ff][Tt][Pp][Ss]?)://(?:{_LABEL}\.){{1,3}}[A-Za-z]{{2,61}}"
    r"(?::[0-9]{1,5})?(?:[/?#][^\s]*)?$"
)
# Every text field refuses the NUL character. "+": where blank is allowed, "" is its own
# alternative, and must not match both branches of that oneOf.
NO_NUL_PATTERN = r"^[^\u0000]+$"

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "error": serializers.CharField(help_text="What went wrong, for a person."),
        "code": serializers.CharField(help_text="A stable machine-readable code."),
        "fields": serializers.DictField(
            help_text="Per-field messages, for invalid input.", required=False
        ),
    },
)

ERRORS = {
    "400": "Invalid input",
    "401": "Not authenticated",
    "403": "Not allowed",
    "404": "Not found, or not in your workspace",
    "409": "Conflicts with what exists (a duplicate, a provider not connected yet)",
    "413": "The request body is too large",
    "429": "Too many requests: wait the seconds in Retry-After",
}


class AutoSchema(openapi.AutoSchema):
    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if isinstance(self.view, WorkspaceScopedMixin) and "{workspace_pk}" not in self.path:
            parameters.append(
                OpenApiParameter(
                    WORKSPACE_HEADER,
                    OpenApiTypes.UUID,
                    OpenApiParameter.HEADER,
                    required=False,
                    description=(
                        "The id of the workspace to act on. Optional when you belong to one "
                        "workspace only; otherwise required (400 `workspace_required` without "
                        "it). A workspace you are not a member of answers 404."
                    ),
                )
            )
        return parameters

    def map_parsers(self):
        # Request bodies are documented as JSON: a form cannot carry null, an empty list or a
        # nested object, so a form-encoded body is not a faithful alternative (the API still
        # reads forms).
        media_types = super().map_parsers()
        return [m for m in media_types if m == "application/json"] or media_types

    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        strict = isinstance(force_instance(serializer), StrictInputMixin)
        if direction == "request" and strict and schema.get("type") == "object":
            schema["additionalProperties"] = False  # an unknown field answers 400
        # "Give A or B" rules of the serializer's validate(), declared next to it.
        if direction == "request" and (any_of := getattr(serializer, "schema_any_of", None)):
            schema["anyOf"] = copy.deepcopy(any_of)  # the enum hook edits the schema in place
        return schema

    def _get_request_for_media_type(self, serializer, direction="request"):
        schema, required = super()._get_request_for_media_type(serializer, direction)
        # A body that must give one of several fields cannot be left out.
        return schema, required or bool(getattr(serializer, "schema_any_of", None))

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.DecimalField) and schema.get("format") == "decimal":
            schema["pattern"] = decimal_pattern(field)
        if isinstance(field, PhoneField):
            # Never empty: "" is its own alternative where blank is allowed (no validator knows
            # "phone", so without the bound "" would match both branches of that oneOf).
            schema.update(format="phone", minLength=1)
        if direction == "request" and schema.get("type") == "string":
            if isinstance(field, serializers.EmailField):
                schema["pattern"] = EMAIL_PATTERN
            elif isinstance(field, serializers.URLField):
                schema["pattern"] = URL_PATTERN
            elif isinstance(field, serializers.CharField) and not _has_pattern(field, schema):
                schema["pattern"] = NO_NUL_PATTERN
        if isinstance(field, AwareDateTimeField) and direction == "request":
            schema["pattern"] = AWARE_DATETIME_PATTERN
            help_text = str(field.help_text or "")
            schema["description"] = f"{help_text} {AWARE_DATETIME_NOTE}".strip()
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, description in ERRORS.items():
            if code not in responses:
                responses[code] = {
                    **self._get_response_for_code(ErrorSerializer, code),
                    "description": description,
                }
        return responses


def decimal_pattern(field: serializers.DecimalField) -> str:
    """A decimal string as the field reads it: at least one digit (drf-spectacular's own
    pattern lets "" and "-" through), no sign when the field refuses negative values."""
    whole, places = field.max_whole_digits, field.decimal_places
    sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
    whole_part = "0" if whole == 0 else f"[0-9]{{1,{whole}}}"
    if not places:
        return f"^{sign}{whole_part}$"
    return rf"^{sign}(?:{whole_part}(?:\.[0-9]{{0,{places}}})?|\.[0-9]{{1,{places}}})$"


def _has_pattern(field, schema) -> bool:
    """A pattern already stated, or one drf-spectacular will take from a RegexValidator (which
    the NUL pattern would otherwise replace)."""
    return (
        "pattern" in schema
        or "format" in schema
        or any(isinstance(v, RegexValidator) for v in field.validators)
    )
