"""Staff in the admin: it asks for a TOTP code, so tests log staff in with a verified device."""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP

from clianta import totp


def log_in_staff(client, user):
    """Log ``user`` in on the test client as the admin's login does after a correct code."""
    device = user.totpdevice_set.first() or totp.enroll(user, "test")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def current_code(user) -> str:
    """The code the user's authenticator shows now (for logging in through the form)."""
    device = user.totpdevice_set.first() or totp.enroll(user, "test")
    token = TOTP(device.bin_key, device.step, device.t0, device.digits).token()
    return f"{token:0{device.digits}d}"
