"""TOTP devices for staff: the second factor the admin asks for (django-otp)."""

from __future__ import annotations

from base64 import b32encode

from django_otp.plugins.otp_totp.models import TOTPDevice


def enroll(user, name: str = "authenticator") -> TOTPDevice:
    """A new confirmed TOTP device for ``user``; show its ``setup_lines`` to them once."""
    return TOTPDevice.objects.create(user=user, name=name, confirmed=True)


def setup_lines(device: TOTPDevice) -> list[str]:
    """How to add the device to an authenticator app: its key, and the otpauth URI that a QR
    code encodes (any QR tool turns it into one)."""
    return [
        f"key (base32): {b32encode(device.bin_key).decode()}",
        f"otpauth URI:  {device.config_url}",
    ]
