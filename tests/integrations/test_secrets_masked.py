"""E7: known secrets never appear in API responses, admin pages, repr(), exception text,
captured logs or Sentry events; people see a mask of the last 4 characters."""

import io
import json
import logging

import pytest
import sentry_sdk
from sentry_sdk.transport import Transport

from clianta import scrub
from clianta.scrub import ScrubSecretsFilter, init_sentry
from integrations.crypto import DecryptionError, keyring
from integrations.models import IntegrationCredential
from tests.otp import log_in_staff

pytestmark = pytest.mark.django_db

ACCESS = "ya29.access-token-SECRET-0001"
REFRESH = "1//refresh-token-SECRET-0002"
API_KEY = "apollo-api-key-SECRET-0003"
SECRETS = (ACCESS, REFRESH, API_KEY)


@pytest.fixture
def credential(workspace_a):
    return IntegrationCredential.objects.create(
        workspace=workspace_a,
        provider="google",
        account="alice@example.com",
        access_token=ACCESS,
        refresh_token=REFRESH,
        api_key=API_KEY,
    )


def assert_no_secret(text: str):
    for secret in SECRETS:
        assert secret not in text


def test_api_shows_only_masks(api_a, credential):
    listing = api_a.get("/api/integrations")
    detail = api_a.get(f"/api/integrations/{credential.pk}")
    for response in (listing, detail):
        assert response.status_code == 200
        assert_no_secret(response.content.decode())
    body = detail.json()
    assert body["access_token"] == "****0001"
    assert body["refresh_token"] == "****0002"
    assert body["api_key"] == "****0003"


def test_admin_pages_show_masks_and_take_new_secrets_write_only(client, credential, make_user):
    staff = make_user("staff", is_staff=True, is_superuser=True)
    log_in_staff(client, staff)
    changelist = client.get("/admin/integrations/integrationcredential/")
    change_url = f"/admin/integrations/integrationcredential/{credential.pk}/change/"
    change = client.get(change_url)
    for page in (changelist, change):
        assert page.status_code == 200
        assert_no_secret(page.content.decode())
    assert "****0001" in change.content.decode()

    form = {
        "workspace": credential.workspace_id,
        "provider": "google",
        "account": credential.account,
        "status": "active",
        "last_error": "",
        "scopes": "[]",
        "metadata": "{}",
        "new_access_token": "ya29.replaced-by-staff-9999",
        "new_refresh_token": "",
        "new_api_key": "",
    }
    saved = client.post(change_url, form)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    credential.refresh_from_db()
    assert credential.access_token == "ya29.replaced-by-staff-9999"
    assert credential.refresh_token == REFRESH  # a blank box keeps the stored value
    again = client.get(change_url).content.decode()
    assert "ya29.replaced-by-staff-9999" not in again
    assert "****9999" in again


def test_repr_and_str_hold_no_secret(credential):
    assert_no_secret(repr(credential))
    assert_no_secret(str(credential))


def test_decryption_errors_name_neither_the_plaintext_nor_the_stored_value(credential):
    stored = keyring().encrypt(ACCESS, b"integrations.integrationcredential.access_token")
    tampered = stored[:-2] + ("A" if stored[-2] != "A" else "B") + stored[-1]
    with pytest.raises(DecryptionError) as raised:
        keyring().decrypt(tampered, b"integrations.integrationcredential.access_token")
    assert ACCESS not in str(raised.value)
    assert tampered not in str(raised.value)


@pytest.fixture
def configured_log():
    """The stream behind the handlers that settings.LOGGING configured."""
    handlers = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, ScrubSecretsFilter) for f in h.filters)
    ]
    assert handlers, "LOGGING must attach the secret-scrubbing filter to the root handlers"
    buffer = io.StringIO()
    previous = [h.setStream(buffer) for h in handlers]
    yield buffer
    for handler, stream in zip(handlers, previous, strict=True):
        handler.setStream(stream)


def test_every_configured_handler_scrubs(settings):
    for handler in settings.LOGGING["handlers"].values():
        assert "scrub_secrets" in handler["filters"]


def test_logs_mask_known_secrets_in_message_args_extra_and_traceback(credential, configured_log):
    logger = logging.getLogger("integrations.google")
    logger.warning("token refresh with %s failed", ACCESS, extra={"refresh": REFRESH})
    try:
        raise RuntimeError(f"provider said: bad key {API_KEY}")
    except RuntimeError:
        logger.exception("sync.failed")
    output = configured_log.getvalue()
    assert "token refresh with ****0001 failed" in output
    assert "provider said: bad key ****0003" in output
    assert_no_secret(output)


def test_logs_mask_secret_shaped_values_never_seen_before(configured_log):
    logging.getLogger("integrations.slack").warning(
        "POST failed: Authorization: Bearer xoxb-unseen-token-7777 body=password=hunter2hunter2"
    )
    output = configured_log.getvalue()
    assert "xoxb-unseen-token-7777" not in output
    assert "hunter2hunter2" not in output
    assert "Bearer ****7777" in output


class CapturingTransport(Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.events = []

    def capture_envelope(self, envelope):
        for item in envelope.items:
            if item.payload.json is not None:
                self.events.append(item.payload.json)


def test_sentry_events_are_scrubbed(credential):
    transport = CapturingTransport()
    init_sentry("https://public@example.invalid/1", transport=transport)
    try:
        logging.getLogger("integrations.google").error("refresh failed for %s", ACCESS)
        try:
            access_token = credential.access_token  # a local variable Sentry would record
            raise ValueError(f"rejected {access_token} and {REFRESH}")
        except ValueError as exc:
            sentry_sdk.capture_exception(exc)
        sentry_sdk.flush()
    finally:
        sentry_sdk.init()  # back to a client that sends nothing
    dumped = json.dumps(transport.events)
    assert len(transport.events) >= 2
    assert "rejected ****0001 and ****0002" in dumped
    assert_no_secret(dumped)


def test_mask_shows_at_most_the_last_four_characters():
    assert scrub.mask("abcdefghijklmnop") == "****mnop"
    assert scrub.mask("short-secret") == "****cret"
    assert scrub.mask("tiny") == "****"
    assert scrub.mask("") == ""
