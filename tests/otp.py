"""Staff in the admin: it asks for a TOTP code, so tests log staff in with a verified device."""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP

from clianta import totp


def device_of(user):
    """The user's TOTP device (enrolled now if they have none)."""
    return user.totpdevice_set.first() or totp.enroll(user, "test")


def log_in_staff(client, user):
    """Log ``user`` in on the test client as the admin's login does after a correct code."""
    device = device_of(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def current_code(user) -> str:
    """The code the user's authenticator shows now (for logging in through the form)."""
    device = device_of(user)
    token = TOTP(device.bin_key, device.step, device.t0, device.digits).token()
    return f"{token:0{device.digits}d}"


def log_in_through_the_admin_form(page, base_url: str, user, password: str) -> None:
    """The admin's login in the browser: password first, then the device and its code."""
    page.goto(f"{base_url}/admin/login/")
    for _step in range(2):
        page.fill("input[name=username]", user.get_username())
        page.fill("input[name=password]", password)
        if page.locator("select[name=otp_device]").count():
            page.select_option("select[name=otp_device]", device_of(user).persistent_id)
        page.fill("input[name=otp_token]", current_code(user))
        page.click("input[type=submit]:not([name])")
        page.wait_for_load_state()
        if page.url == f"{base_url}/admin/":
            return
    raise AssertionError(f"the admin login did not go through: {page.inner_text('body')}")
