"""Phone numbers in E.164, through phonenumbers: how contacts store them and SMS is addressed."""

import phonenumbers
from django.conf import settings


def to_e164(text: str, region: str | None = None) -> str:
    """``text`` as E.164 (``+14155552671``); a number without ``+`` is read as one of ``region``
    (default: settings.PHONE_DEFAULT_REGION). Raises ValueError with a message for a person."""
    text = (text or "").strip()
    try:
        parsed = phonenumbers.parse(text, region or settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ValueError(f"{text!r} is not a phone number.") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(f"{text!r} is not a valid phone number.")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
