"""Schemathesis hooks for the acceptance pass (loaded through SCHEMATHESIS_HOOKS): what the
schema's own ``phone`` format means, as schemathesis cannot know it. Phone fields take a number
valid in its country's numbering plan, in any of the usual ways of writing it."""

import phonenumbers
import schemathesis
from hypothesis import strategies as st

REGIONS = ("US", "GB", "FR", "DE", "IN", "BR", "JP", "AU")
WRITINGS = (phonenumbers.PhoneNumberFormat.E164, phonenumbers.PhoneNumberFormat.INTERNATIONAL)

NUMBERS = sorted(
    {
        phonenumbers.format_number(number, writing)
        for region in REGIONS
        for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE)
        if (number := phonenumbers.example_number_for_type(region, kind)) is not None
        for writing in WRITINGS
    }
)

schemathesis.openapi.format("phone", st.sampled_from(NUMBERS))
