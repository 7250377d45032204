"""Salesforce record ids: 15 case-sensitive characters (a 3-character key prefix naming the
object, then the rest) and their 18-character case-insensitive form, which adds a 3-character
checksum of the capitals in each 5-character chunk.
https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/field_types.htm#i1435616

The sandbox's record ids are the key prefix, an instance part, then a sequence number written in
10 base-62 digits (``0-9A-Za-z``, in ASCII order), so that comparing two ids of one object as
strings compares their sequence numbers: ``ORDER BY Id`` is ordering by that number.
"""

from __future__ import annotations

import secrets
import string

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
SUFFIX = string.ascii_uppercase + "012345"
INSTANCE = "8d"  # the two characters after the key prefix: Salesforce's pod identifier
SEQUENCE_DIGITS = 10
ORG, USER, QUERY_LOCATOR, BULK_JOB = "00D", "005", "01g", "750"


def checksum(base: str) -> str:
    """The 3-character suffix of a 15-character id: for each 5-character chunk, a bit per
    capital letter (the first character the lowest bit), as an index into A-Z0-5."""
    suffix = ""
    for start in (0, 5, 10):
        bits = sum(1 << i for i, char in enumerate(base[start : start + 5]) if char.isupper())
        suffix += SUFFIX[bits]
    return suffix


def full(base: str) -> str:
    """The 18-character id of a 15-character one."""
    return base + checksum(base)


def encode(number: int) -> str:
    digits = ""
    for _ in range(SEQUENCE_DIGITS):
        number, digit = divmod(number, 62)
        digits = BASE62[digit] + digits
    return digits


def decode(digits: str) -> int:
    number = 0
    for char in digits:
        number = number * 62 + BASE62.index(char)
    return number


def make(prefix: str, sequence: int) -> str:
    """The 18-character id of the ``sequence``-th record with that key prefix."""
    return full(prefix + INSTANCE + encode(sequence))


def random_id(prefix: str) -> str:
    """A fresh 18-character id for something that is not a record (an org, a user, a job)."""
    return full(prefix + INSTANCE + "".join(secrets.choice(BASE62) for _ in range(SEQUENCE_DIGITS)))


def base_of(value: str) -> str | None:
    """The 15-character id ``value`` names, None when it is not an id. Of 18 characters, the
    id is read case-insensitively: the checksum says which letters are capitals."""
    if not isinstance(value, str) or len(value) not in (15, 18):
        return None
    if any(char not in BASE62 for char in value):
        return None
    if len(value) == 15:
        return value
    base = ""
    for chunk, char in enumerate(value[15:]):
        if char.upper() not in SUFFIX:
            return None
        bits = SUFFIX.index(char.upper())
        for place, letter in enumerate(value[chunk * 5 : chunk * 5 + 5]):
            base += letter.upper() if bits >> place & 1 else letter.lower()
    return base if checksum(base) == value[15:].upper() else None


def sequence_of(base: str, prefix: str) -> int | None:
    """The sequence number of a sandbox id of that key prefix; None for any other id."""
    if base[:5] != prefix + INSTANCE:
        return None
    return decode(base[5:])
