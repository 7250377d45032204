"""Request bodies parsed within bounds: JSON nested at most ``MAX_DEPTH`` levels, forms within
Django's field and file limits; past them, 400 in the error format.

Python's JSON decoder recurses once per level: a body of a few thousand ``[`` raises
RecursionError, and a few hundred levels still reach serializers and the database. No request of
this API nests deeper than a handful of levels, so anything past ``MAX_DEPTH`` is refused with
400 before a view sees it. Webhooks parse their verified bodies with ``loads`` too.
"""

import json

from django.core.exceptions import SuspiciousOperation
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

MAX_DEPTH = 32


class TooDeep(ValueError):
    pass


def depth_within(value, limit: int) -> bool:
    """Whether ``value`` (decoded JSON) nests no deeper than ``limit`` arrays and objects;
    iterative, so any depth is measured safely."""
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        if level > limit:
            return False
        stack.extend((child, level + 1) for child in item)
    return True


def loads(text: str | bytes, limit: int = MAX_DEPTH):
    """``json.loads`` that raises TooDeep (a ValueError) past ``limit`` levels."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise TooDeep(f"JSON nested deeper than {limit} levels.") from None
    if not depth_within(value, limit):
        raise TooDeep(f"JSON nested deeper than {limit} levels.")
    return value


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, refusing bodies nested deeper than ``MAX_DEPTH`` with 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        message = f"JSON parse error - nested deeper than {MAX_DEPTH} levels."
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(message) from None
        if not depth_within(data, MAX_DEPTH):
            raise ParseError(message)
        return data


class _RefusingTooMany:
    """Django refuses a form with more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields (or too many
    files) by raising SuspiciousOperation from the parser, which DRF does not catch: 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except SuspiciousOperation as exc:
            raise ParseError(f"Form parse error - {exc}") from None


class BoundedFormParser(_RefusingTooMany, FormParser):
    pass


class BoundedMultiPartParser(_RefusingTooMany, MultiPartParser):
    pass
