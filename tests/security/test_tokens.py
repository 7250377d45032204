"""API tokens (issue 15, item 6): stored only as a digest, shown once, named, expiring and
renewable, revocable by their owner, last use recorded, optionally limited to one workspace and
to reading; the admin never shows the secret."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from clianta import audit
from clianta.models import AuditEvent, Contact, Invitation, Membership, Workspace
from clianta.tokens.models import ApiToken
from tests.otp import log_in_staff

pytestmark = pytest.mark.django_db


def session_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def token_client(secret, workspace=None) -> APIClient:
    client = APIClient()
    headers = {"HTTP_AUTHORIZATION": f"Token {secret}"}
    if workspace is not None:
        headers["HTTP_X_WORKSPACE"] = str(workspace.pk)
    client.credentials(**headers)
    return client


def create_token(user, **body):
    answer = session_client(user).post("/api/tokens", {"name": "script", **body}, format="json")
    assert answer.status_code == 201, answer.json()
    return answer.json()


def test_a_token_is_stored_only_as_a_digest_and_shown_once(alice, workspace_a):
    created = create_token(alice, name="nightly export")
    secret = created["token"]
    assert created["name"] == "nightly export" and secret.startswith(created["prefix"])

    row = ApiToken.objects.get(pk=created["id"])
    stored = [str(value) for value in ApiToken.objects.filter(pk=row.pk).values().get().values()]
    assert not any(secret in value for value in stored)
    assert row.digest == hashlib.sha512(secret.encode()).hexdigest()

    owner = session_client(alice)
    for path in ("/api/tokens", f"/api/tokens/{row.pk}"):
        answer = owner.get(path)
        assert answer.status_code == 200 and secret not in answer.content.decode()
        assert row.digest not in answer.content.decode()
    assert token_client(secret).get("/api/workspaces").status_code == 200
    assert token_client(secret + "0").get("/api/workspaces").status_code == 401


def test_a_token_expires_after_the_default_lifetime_and_is_then_refused(
    alice, workspace_a, settings
):
    settings.API_TOKEN_TTL_DAYS = 30
    created = create_token(alice)
    token = ApiToken.objects.get(pk=created["id"])
    expected = timezone.now() + timedelta(days=30)
    assert abs(token.expiry - expected) < timedelta(minutes=1)

    ApiToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    answer = token_client(created["token"]).get("/api/workspaces")
    assert answer.status_code == 401
    assert answer.json()["code"] == "authentication_failed"


def test_renewal_gives_a_token_a_new_lifetime_from_a_session_only(alice, workspace_a):
    created = create_token(alice, expires_in_days=1)
    script = token_client(created["token"])
    other = token_client(create_token(alice, name="other")["token"])
    # A leaked token cannot keep itself (or another) alive: it still dies at its expiry.
    for client in (script, other):
        refused = client.post(f"/api/tokens/{created['id']}/renew", {"expires_in_days": 60})
        assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert ApiToken.objects.get(pk=created["id"]).expiry < timezone.now() + timedelta(days=2)

    renewed = session_client(alice).post(
        f"/api/tokens/{created['id']}/renew", {"expires_in_days": 60}
    )
    assert renewed.status_code == 200, renewed.json()
    expiry = ApiToken.objects.get(pk=created["id"]).expiry
    assert abs(expiry - (timezone.now() + timedelta(days=60))) < timedelta(minutes=1)
    assert script.get("/api/workspaces").status_code == 200


def test_the_owner_renames_and_revokes_a_token_and_both_ends_are_audited(alice, workspace_a):
    created = create_token(alice, workspace=str(workspace_a.pk))
    owner = session_client(alice)
    renamed = owner.patch(f"/api/tokens/{created['id']}", {"name": "CRM sync"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "CRM sync"

    assert owner.delete(f"/api/tokens/{created['id']}").status_code == 204
    assert token_client(created["token"]).get("/api/workspaces").status_code == 401
    assert not ApiToken.objects.filter(pk=created["id"]).exists()
    events = AuditEvent.objects.filter(target_id=created["id"]).order_by("created_at")
    assert [e.action for e in events] == [audit.TOKEN_CREATED, audit.TOKEN_REVOKED]
    assert all(e.workspace_id == workspace_a.pk and e.actor_id == alice.pk for e in events)
    assert all(created["token"] not in str(e.details) for e in events)


def test_another_users_tokens_are_not_found(alice, bob, workspace_a, workspace_b):
    created = create_token(alice)
    stranger = session_client(bob)
    assert stranger.get("/api/tokens").json()["results"] == []
    for answer in (
        stranger.get(f"/api/tokens/{created['id']}"),
        stranger.delete(f"/api/tokens/{created['id']}"),
        stranger.post(f"/api/tokens/{created['id']}/renew", {}),
    ):
        assert answer.status_code == 404
    assert ApiToken.objects.filter(pk=created["id"]).exists()


def test_a_token_limited_to_a_workspace_finds_no_other_workspace(
    alice, workspace_a, make_workspace
):
    other = make_workspace(alice, "Alice's other workspace")
    Contact.objects.create(workspace=other, first_name="Hidden", email="hidden@example.com")
    created = create_token(alice, workspace=str(workspace_a.pk))
    limited = token_client(created["token"])

    listed = limited.get("/api/workspaces").json()["results"]
    assert [w["id"] for w in listed] == [str(workspace_a.pk)]
    assert limited.get(f"/api/workspaces/{other.pk}").status_code == 404
    assert limited.get(f"/api/workspaces/{other.pk}/members").status_code == 404
    foreign = token_client(created["token"], workspace=other).get("/api/contacts")
    assert foreign.status_code == 404 and foreign.json()["code"] == "not_found"
    own = token_client(created["token"], workspace=workspace_a).get("/api/contacts")
    assert own.status_code == 200
    # With no header it acts on the one workspace it reaches, not on "several workspaces".
    assert limited.get("/api/contacts").status_code == 200


def test_a_workspace_limited_token_creates_only_tokens_limited_to_that_workspace(
    alice, workspace_a, make_workspace
):
    other = make_workspace(alice, "Other")
    limited = token_client(create_token(alice, workspace=str(workspace_a.pk))["token"])
    for body in ({"name": "wider"}, {"name": "elsewhere", "workspace": str(other.pk)}):
        answer = limited.post("/api/tokens", body, format="json")
        assert answer.status_code == 403, body
    same = limited.post("/api/tokens", {"name": "same", "workspace": str(workspace_a.pk)})
    assert same.status_code == 201


def test_a_workspace_limited_token_creates_no_workspace_and_answers_no_invitation(
    alice, bob, workspace_a, workspace_b
):
    limited = token_client(create_token(alice, workspace=str(workspace_a.pk))["token"])
    created = limited.post("/api/workspaces", {"name": "Shadow"}, format="json")
    assert created.status_code == 403 and created.json()["code"] == "permission_denied"
    assert not Workspace.objects.filter(name="Shadow").exists()

    invite = session_client(bob).post(
        f"/api/workspaces/{workspace_b.pk}/members", {"email": alice.email}, format="json"
    )
    assert invite.status_code == 202, invite.json()
    invitation = Invitation.objects.get(workspace=workspace_b)
    for answer in (
        limited.get("/api/invitations"),
        limited.post(f"/api/invitations/{invitation.pk}/accept"),
        limited.post(f"/api/invitations/{invitation.pk}/decline"),
    ):
        assert answer.status_code == 403 and answer.json()["code"] == "permission_denied"
    assert not Membership.objects.filter(user=alice, workspace=workspace_b).exists()
    # An unlimited token of the same person may.
    free = token_client(create_token(alice, name="free")["token"])
    assert free.post("/api/workspaces", {"name": "Mine"}, format="json").status_code == 201
    accepted = free.post(f"/api/invitations/{invitation.pk}/accept")
    assert accepted.status_code == 200, accepted.json()


def test_a_token_cannot_be_limited_to_a_workspace_of_someone_else(alice, workspace_a, workspace_b):
    answer = session_client(alice).post(
        "/api/tokens", {"name": "x", "workspace": str(workspace_b.pk)}, format="json"
    )
    assert answer.status_code == 400 and "workspace" in answer.json()["fields"]


def test_a_read_only_token_reads_but_changes_nothing(alice, workspace_a):
    created = create_token(alice, read_only=True)
    reader = token_client(created["token"])
    assert reader.get("/api/contacts").status_code == 200
    for answer in (
        reader.post("/api/contacts", {"first_name": "New"}, format="json"),
        reader.post("/api/tokens", {"name": "more"}, format="json"),
        reader.delete(f"/api/tokens/{created['id']}"),
        reader.post("/api/integrations/notion/connect", {"token": "secret_x"}, format="json"),
    ):
        assert answer.status_code == 403
        assert answer.json()["code"] == "read_only_token"
    assert not Contact.objects.exists()
    assert ApiToken.objects.filter(user=alice).count() == 1


def test_last_use_is_recorded_at_most_once_a_minute(alice, workspace_a):
    created = create_token(alice)
    client = token_client(created["token"])
    token = ApiToken.objects.get(pk=created["id"])
    assert token.last_used_at is None

    client.get("/api/workspaces")
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    client.get("/api/workspaces")
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get("/api/workspaces")
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first - timedelta(minutes=2)
    assert session_client(alice).get("/api/tokens").json()["results"][0]["last_used_at"]


def test_the_admin_lists_tokens_without_their_secret_and_staff_can_revoke(
    alice, workspace_a, django_user_model
):
    created = create_token(alice, name="reporting")
    token = ApiToken.objects.get(pk=created["id"])
    staff = django_user_model.objects.create_superuser("root", "root@example.com", "pw-123456")
    admin = APIClient()
    log_in_staff(admin, staff)

    listing = admin.get("/admin/clianta/apitoken/").content.decode()
    detail = admin.get(f"/admin/clianta/apitoken/{token.pk}/change/").content.decode()
    for html in (listing, detail):
        assert "reporting" in html and token.token_key in html
        assert created["token"] not in html and token.digest not in html
    assert admin.get("/admin/clianta/apitoken/add/").status_code == 403

    answer = admin.post(
        "/admin/clianta/apitoken/",
        {"action": "revoke", "_selected_action": [str(token.pk)]},
    )
    assert answer.status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert AuditEvent.objects.filter(action=audit.TOKEN_REVOKED, target_id=str(token.pk)).exists()
