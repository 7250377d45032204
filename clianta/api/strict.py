"""Strict input: the API refuses what it would otherwise ignore or guess.

Every serializer of the project derives from :class:`StrictSerializer` or
:class:`StrictModelSerializer`: a field the serializer does not know answers 400 (a typo such as
``emial`` is not silently dropped), and a datetime without a UTC offset answers 400 instead of
being read in the server's time zone.
"""

from collections.abc import Mapping

from django.core.validators import RegexValidator
from django.db import models
from rest_framework import serializers

from clianta.phones import to_e164


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 with a UTC offset; a naive datetime is refused rather than guessed."""

    default_error_messages = {
        "naive": "Give a UTC offset (for example 2026-01-31T09:00:00+01:00).",
    }

    def to_internal_value(self, value):
        if isinstance(value, str) and value and not _has_offset(value):
            self.fail("naive")
        return super().to_internal_value(value)


def _has_offset(value: str) -> bool:
    tail = value.split("T", 1)[-1]
    return tail.endswith("Z") or "+" in tail or "-" in tail


class StrictInputMixin:
    """Unknown keys in the input are an error. Read-only fields are known (a client may send
    back what it read); their values are ignored as usual."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(str(name) for name in data if name not in self.fields)
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class StrictSerializer(StrictInputMixin, serializers.Serializer):
    pass


class StrictModelSerializer(StrictInputMixin, serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: AwareDateTimeField,
    }


class SingleLineValidator(RegexValidator):
    """Text that goes into one line of a protocol (a mail header, a login): no line breaks
    (CR, LF, NEL, Unicode line and paragraph separators) nor other control characters, which
    would split the line or end it early."""

    regex = r"\A[^\x00-\x1f\x7f\x85\u2028\u2029]*\Z"
    message = "Line breaks and control characters are not allowed here."
    code = "control_characters"


single_line = SingleLineValidator()


class EmailAddressField(serializers.EmailField):
    """An email address that goes into a header."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 254)
        super().__init__(**kwargs)
        self.validators.append(single_line)


class ListField(serializers.ListField):
    """A list with a required upper bound, counted before any item is validated (a list of a
    million items is refused at once, not after a million validations). Errors of items are
    reported by position: ``{"numbers": {"3": ["…"]}}``."""

    def __init__(self, *, max_length: int, **kwargs):
        super().__init__(max_length=max_length, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, list | tuple) and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class PhoneField(serializers.CharField):
    """A phone number in any format that is valid in its country's numbering plan
    (libphonenumber), answered in E.164. The schema (clianta/api/schema.py) names its format
    ``phone``: no pattern can say which numbers a country assigns."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault(
            "help_text",
            "A phone number valid in its country's numbering plan, in any format (one without a "
            "country code is read as the server's default region's); stored in E.164.",
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        try:
            return to_e164(super().to_internal_value(data))
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None
