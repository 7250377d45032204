"""Token refresh against the sandbox's Google token endpoint (O4-O8)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clianta.models import CrmEvent
from integrations.errors import RECONNECT_MESSAGE, AuthExpired, Transient
from integrations.models import IntegrationCredential
from integrations.oauth.tokens import access_token
from sandbox import faults
from sandbox.google import tokens as google_tokens
from tests.conftest import in_parallel, sandbox_tokens, wait_for
from tests.integrations.oauth_helpers import token_calls

pytestmark = pytest.mark.django_db(transaction=True)
EMAIL = "alice@example.com"


@pytest.fixture
def credential(sandbox, workspace_a):
    """A Gmail credential holding a real sandbox grant whose access token is due."""
    scope = "openid https://www.googleapis.com/auth/gmail.modify"
    return IntegrationCredential.objects.create(
        workspace=workspace_a,
        provider="gmail",
        account=EMAIL,
        # Expiring inside the refresh margin.
        **sandbox_tokens(EMAIL, scope, expires_in=timedelta(minutes=1)),
    )


def reload(credential):
    return IntegrationCredential.objects.get(pk=credential.pk)


def test_a_fresh_token_is_used_without_asking_the_provider(credential):
    IntegrationCredential.objects.filter(pk=credential.pk).update(
        expires_at=timezone.now() + timedelta(hours=1)
    )
    assert access_token(reload(credential)) == credential.access_token
    assert token_calls() == 0


def test_a_due_token_is_refreshed_and_stored(credential):
    old = credential.access_token
    new = access_token(credential)
    assert new != old and new.startswith("ya29.")
    assert credential.access_token == new  # the caller's instance holds the new grant too
    stored = reload(credential)
    assert stored.access_token == new
    assert stored.expires_at > timezone.now() + timedelta(minutes=50)
    assert token_calls() == 1


@pytest.mark.postgres
def test_two_concurrent_refreshes_call_the_token_endpoint_once(credential):
    """O4: two workers lined up by a barrier; the token endpoint is slowed so both ask while
    the first refresh is in flight. One call; both get the new token."""
    faults.inject("google", "/token$", delay_ms=500)
    results = in_parallel(lambda: access_token(reload(credential)))
    assert token_calls() == 1
    assert len(results) == 2 and results[0] == results[1] == reload(credential).access_token


def test_a_rotated_refresh_token_is_stored_and_a_missing_one_keeps_the_old(credential, settings):
    """O5."""
    old_refresh = credential.refresh_token
    access_token(credential)
    assert reload(credential).refresh_token == old_refresh  # Google sends none: kept

    settings.SANDBOX_GOOGLE_ROTATE_REFRESH_TOKENS = True
    google_tokens.expire_access_tokens(EMAIL)
    IntegrationCredential.objects.filter(pk=credential.pk).update(expires_at=timezone.now())
    access_token(reload(credential))
    rotated = reload(credential).refresh_token
    assert rotated and rotated != old_refresh


def test_invalid_grant_marks_needs_reconnect_and_the_api_answers_401(credential, client_for, alice):
    """O6: a revoked grant: needs_reconnect, not retried, 401 with the reconnect message."""
    google_tokens.revoke_grants(EMAIL)
    with pytest.raises(AuthExpired) as raised:
        access_token(credential)
    assert raised.value.message == RECONNECT_MESSAGE
    stored = reload(credential)
    assert stored.status == IntegrationCredential.Status.NEEDS_RECONNECT
    assert "revoked" in stored.last_error
    announced = CrmEvent.objects.get(type="integration.needs_reconnect")
    assert announced.data["integration_id"] == str(credential.pk)
    calls = token_calls()
    with pytest.raises(AuthExpired):
        access_token(stored)  # no second request for a dead grant
    assert token_calls() == calls

    api = client_for(alice)
    response = api.post(f"/api/integrations/{credential.pk}/check")
    assert response.status_code == 401
    assert response.json() == {
        "error": RECONNECT_MESSAGE,
        "code": "reconnect_required",
        "fields": {},
    }
    listed = api.get("/api/integrations").json()["results"]
    assert [entry["health"] for entry in listed] == ["needs_reconnect"]


@pytest.mark.parametrize("status", [500, 503])
def test_5xx_raises_transient_and_leaves_the_credential_active(credential, status):
    """O6: 5xx (google-auth already retries them itself) end as Transient for the caller to
    retry, and do not mark the credential."""
    faults.inject("google", "/token$", status=status, times=None)
    with pytest.raises(Transient):
        access_token(credential)
    stored = reload(credential)
    assert stored.status == IntegrationCredential.Status.ACTIVE
    assert stored.access_token == credential.access_token
    faults.clear()
    assert access_token(stored) != credential.access_token  # the next try refreshes


def test_a_timeout_raises_transient_and_leaves_the_credential_active(credential, settings):
    """O6: a token endpoint slower than PROVIDER_TIMEOUT is a transient failure."""
    settings.PROVIDER_TIMEOUT = 0.3
    faults.inject("google", "/token$", delay_ms=1000)
    with pytest.raises(Transient):
        access_token(credential)
    assert reload(credential).status == IntegrationCredential.Status.ACTIVE
    wait_for(lambda: token_calls() == 1)  # the sandbox carried the request out meanwhile


def test_a_stale_copy_uses_the_token_another_worker_rotated(credential, settings):
    """O7: worker A refreshed and rotated the refresh token (the old one is now invalid_grant at
    the provider). Worker B, holding the old row, re-reads it and uses A's token instead of
    presenting the dead refresh token and marking the credential dead."""
    settings.SANDBOX_GOOGLE_ROTATE_REFRESH_TOKENS = True
    stale = reload(credential)
    fresh = access_token(reload(credential))
    calls = token_calls()
    assert access_token(stale) == fresh
    assert token_calls() == calls
    assert reload(credential).status == IntegrationCredential.Status.ACTIVE


def test_a_token_the_provider_rejected_is_replaced_unless_already_replaced(credential):
    """O7: ``rejected`` forces a refresh, unless the row already holds a newer token."""
    IntegrationCredential.objects.filter(pk=credential.pk).update(
        expires_at=timezone.now() + timedelta(hours=1)
    )
    stale = reload(credential)
    before = token_calls()
    first = access_token(reload(credential), rejected=credential.access_token)
    assert first != credential.access_token and token_calls() == before + 1
    assert access_token(stale, rejected=credential.access_token) == first
    assert token_calls() == before + 1


def test_saving_other_fields_never_overwrites_a_token_refreshed_meanwhile(credential):
    """O8: an instance loaded before a refresh is saved later with other changes."""
    stale = reload(credential)
    refreshed = access_token(reload(credential))
    stale.metadata = {"label": "Work"}
    stale.last_error = "note"
    stale.save()
    stored = reload(credential)
    assert stored.access_token == refreshed
    assert stored.metadata == {"label": "Work"}
    # A token the instance itself changed is saved.
    stored.access_token = "ya29.set-by-hand"
    stored.save()
    assert reload(credential).access_token == "ya29.set-by-hand"
