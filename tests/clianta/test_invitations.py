"""Invitations: managers invite, list and revoke; the invitee lists, accepts and declines
(through the API or the emailed link); every step leaves an audit row."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from clianta.models import AuditEvent, Invitation, Membership, Workspace
from tests.otp import log_in_staff

pytestmark = pytest.mark.django_db
Role = Membership.Role


def invite(api, workspace, email, role="member"):
    return api.post(
        f"/api/workspaces/{workspace.pk}/members", {"email": email, "role": role}, format="json"
    )


def token_of(message) -> str:
    return re.search(r"/invitations/(\S+)", message.body).group(1)


def actions(workspace) -> list[str]:
    return list(
        AuditEvent.objects.filter(workspace=workspace)
        .order_by("created_at")
        .values_list("action", flat=True)
    )


def test_the_invitation_email_names_the_workspace_and_carries_the_link(
    api_a, workspace_a, mailoutbox
):
    response = invite(api_a, workspace_a, "New.Person@Example.com", role="admin")
    (message,) = mailoutbox
    assert message.to == ["new.person@example.com"]
    assert message.subject == "You are invited to join Workspace A on Clianta"
    assert f"{settings.PUBLIC_URL}/invitations/" in message.body
    assert "alice invited you" in message.body and "as admin" in message.body
    token = token_of(message)
    assert token not in response.content.decode()
    assert Invitation.objects.get().token_digest not in response.content.decode()


def test_a_workspace_name_with_line_breaks_still_sends_the_invitation(
    api_a, workspace_a, mailoutbox
):
    Workspace.objects.filter(pk=workspace_a.pk).update(name="Acme\r\nBcc: x@evil.example")
    assert invite(api_a, workspace_a, "someone@example.com").status_code == 202
    assert mailoutbox[0].subject == "You are invited to join Acme Bcc: x@evil.example on Clianta"


def test_inviting_a_pending_address_again_refreshes_its_invitation(api_a, workspace_a, mailoutbox):
    first = invite(api_a, workspace_a, "pat@example.com").json()
    Invitation.objects.update(expires_at=timezone.now() - timedelta(days=1))
    second = invite(api_a, workspace_a, "PAT@example.com", role="admin").json()
    assert second["id"] == first["id"]
    invitation = Invitation.objects.get()
    assert (invitation.role, invitation.status) == ("admin", "pending")
    assert token_of(mailoutbox[0]) != token_of(mailoutbox[1])
    assert actions(workspace_a) == ["member.invited", "member.invited"]


def test_only_owners_invite_as_owner(client_for, workspace_a, make_user):
    admin = make_user("admin-user")
    Membership.objects.create(workspace=workspace_a, user=admin, role=Role.ADMIN)
    api = client_for(admin)
    refused = invite(api, workspace_a, "boss@example.com", role="owner")
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert invite(api, workspace_a, "helper@example.com", role="admin").status_code == 202
    assert not Invitation.objects.filter(email="boss@example.com").exists()


def test_the_invitee_lists_accepts_and_declines_through_the_api(
    api_a, api_b, workspace_a, workspace_b, client_for, make_user
):
    carol = make_user("carol")
    invite(api_a, workspace_a, carol.email, role="admin")
    invite(api_b, workspace_b, carol.email)
    invite(api_b, workspace_b, "someone-else@example.com")
    api = client_for(carol)

    listed = api.get("/api/invitations").json()["results"]
    assert sorted((i["workspace"]["name"], i["role"], i["invited_by"]) for i in listed) == [
        ("Workspace A", "admin", "alice"),
        ("Workspace B", "member", "bob"),
    ]
    by_name = {i["workspace"]["name"]: i["id"] for i in listed}

    accepted = api.post(f"/api/invitations/{by_name['Workspace A']}/accept")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["id"] == str(workspace_a.pk)
    assert accepted.json()["role"] == "admin"
    assert Membership.objects.get(workspace=workspace_a, user=carol).role == Role.ADMIN

    declined = api.post(f"/api/invitations/{by_name['Workspace B']}/decline")
    assert declined.status_code == 204
    assert not Membership.objects.filter(workspace=workspace_b, user=carol).exists()
    assert api.get("/api/invitations").json()["results"] == []
    assert api.post(f"/api/invitations/{by_name['Workspace A']}/accept").status_code == 404

    assert actions(workspace_a) == ["member.invited", "member.joined"]
    assert actions(workspace_b) == ["member.invited", "member.invited", "invitation.declined"]
    joined = AuditEvent.objects.get(action="member.joined")
    assert (joined.actor, joined.details["role"]) == (carol, "admin")


def test_another_persons_invitation_answers_404(api_a, workspace_a, client_for, bob):
    invitation_id = invite(api_a, workspace_a, "carol@example.com").json()["id"]
    api = client_for(bob)
    assert api.get(f"/api/invitations/{invitation_id}").status_code == 404
    response = api.post(f"/api/invitations/{invitation_id}/accept")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not Membership.objects.filter(workspace=workspace_a, user=bob).exists()


def test_an_invitation_to_an_unregistered_address_waits_for_its_owner(
    api_a, workspace_a, make_user, client_for
):
    invite(api_a, workspace_a, "dana@example.com")
    dana = make_user("dana", email="Dana@Example.com")
    api = client_for(dana)
    (invitation,) = api.get("/api/invitations").json()["results"]
    assert api.post(f"/api/invitations/{invitation['id']}/accept").status_code == 200
    assert Membership.objects.filter(workspace=workspace_a, user=dana).exists()


def test_expired_invitations_are_not_offered(api_a, workspace_a, client_for, bob):
    invite(api_a, workspace_a, bob.email)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert client_for(bob).get("/api/invitations").json()["results"] == []


def test_managers_list_and_revoke_invitations(
    api_a, workspace_a, client_for, make_user, bob, mailoutbox
):
    invitation_id = invite(api_a, workspace_a, bob.email).json()["id"]
    url = f"/api/workspaces/{workspace_a.pk}/invitations"
    listed = api_a.get(url).json()["results"]
    assert [(i["email"], i["status"], i["invited_by"]) for i in listed] == [
        ("bob@example.com", "pending", "alice")
    ]

    member = make_user("member-user")
    Membership.objects.create(workspace=workspace_a, user=member)
    assert client_for(member).get(url).status_code == 403
    assert client_for(member).delete(f"{url}/{invitation_id}").status_code == 403

    assert api_a.delete(f"{url}/{invitation_id}").status_code == 204
    assert api_a.get(f"{url}/{invitation_id}").json()["status"] == "revoked"
    again = api_a.delete(f"{url}/{invitation_id}")
    assert again.status_code == 409
    assert again.json()["code"] == "invitation_closed"
    assert client_for(bob).get("/api/invitations").json()["results"] == []

    browser = client_for(bob)
    browser.force_login(bob)
    page = browser.post(f"/invitations/{token_of(mailoutbox[0])}", {"decision": "accept"})
    assert page.status_code == 403
    assert "withdrawn" in page.content.decode()
    assert actions(workspace_a)[-1] == "invitation.revoked"


def test_another_workspaces_invitations_answer_404(api_a, api_b, workspace_b, bob):
    invitation_id = invite(api_b, workspace_b, "x@example.com").json()["id"]
    base = f"/api/workspaces/{workspace_b.pk}/invitations"
    assert api_a.get(base).status_code == 404
    assert api_a.delete(f"{base}/{invitation_id}").status_code == 404
    assert Invitation.objects.get().status == "pending"


def test_declining_through_the_link(api_a, workspace_a, client, bob, mailoutbox):
    invite(api_a, workspace_a, bob.email)
    client.force_login(bob)
    page = client.post(f"/invitations/{token_of(mailoutbox[0])}", {"decision": "decline"})
    assert page.status_code == 200
    assert "You declined to join Workspace A" in page.content.decode()
    assert Invitation.objects.get().status == "declined"
    assert not Membership.objects.filter(workspace=workspace_a, user=bob).exists()


def test_role_changes_and_removals_are_audited(api_a, workspace_a, make_user, client_for):
    carol = make_user("carol")
    dave = make_user("dave")
    carols = Membership.objects.create(workspace=workspace_a, user=carol)
    daves = Membership.objects.create(workspace=workspace_a, user=dave)
    url = f"/api/workspaces/{workspace_a.pk}/members"
    api_a.patch(f"{url}/{carols.pk}", {"role": "admin"}, format="json")
    api_a.patch(f"{url}/{carols.pk}", {"role": "admin"}, format="json")  # no change, no row
    api_a.delete(f"{url}/{carols.pk}")
    client_for(dave).delete(f"{url}/{daves.pk}")
    rows = AuditEvent.objects.filter(workspace=workspace_a).order_by("created_at")
    assert [(r.action, r.actor.username, r.target_label, r.details) for r in rows] == [
        ("member.role_changed", "alice", "carol", {"previous_role": "member", "role": "admin"}),
        ("member.removed", "alice", "carol", {"role": "admin", "left": False}),
        ("member.removed", "dave", "dave", {"role": "member", "left": True}),
    ]


def test_the_admin_lists_invitations_without_their_digest(
    api_a, workspace_a, client, django_user_model
):
    invite(api_a, workspace_a, "listed@example.com")
    invitation = Invitation.objects.get()
    staff = django_user_model.objects.create_superuser("staff", "staff@example.com", "pw")
    log_in_staff(client, staff)
    listing = client.get("/admin/clianta/invitation/")
    assert "listed@example.com" in listing.content.decode()
    detail = client.get(f"/admin/clianta/invitation/{invitation.pk}/change/").content.decode()
    assert "listed@example.com" in detail and invitation.token_digest not in detail
    assert client.get("/admin/clianta/invitation/add/").status_code == 403
    revoked = client.post(
        "/admin/clianta/invitation/",
        {"action": "revoke", "_selected_action": [str(invitation.pk)]},
    )
    assert revoked.status_code == 302
    assert Invitation.objects.get().status == "revoked"
    assert AuditEvent.objects.filter(action="invitation.revoked", actor=staff).exists()


def test_the_invitation_routes_are_in_the_schema(api_a):
    paths = api_a.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()[
        "paths"
    ]
    assert "202" in paths["/api/workspaces/{workspace_pk}/members"]["post"]["responses"]
    for path in (
        "/api/invitations",
        "/api/invitations/{id}/accept",
        "/api/invitations/{id}/decline",
        "/api/workspaces/{workspace_pk}/invitations",
        "/api/workspaces/{workspace_pk}/invitations/{id}",
    ):
        assert path in paths, path


def test_inviting_when_the_plans_members_are_taken_answers_402(
    api_a, workspace_a, mailoutbox, plan_limits
):
    plan_limits(members=1)  # alice, the owner, is the one member

    response = invite(api_a, workspace_a, "one.more@example.com")

    body = response.json()
    assert (response.status_code, body["code"], body["resource"]) == (402, "plan_limit", "members")
    assert (body["limit"], body["used"], body["plan"]) == (1, 1, "free")
    assert not Invitation.objects.exists() and not mailoutbox
    plan_limits(members=2)
    assert invite(api_a, workspace_a, "one.more@example.com").status_code == 202
