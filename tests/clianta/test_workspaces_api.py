import pytest

from clianta.models import Contact, Membership, Workspace

pytestmark = pytest.mark.django_db
Role = Membership.Role


def test_creating_a_workspace_makes_its_creator_the_owner(client_for, alice):
    api = client_for(alice)
    response = api.post("/api/workspaces", {"name": "Northwind"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Northwind"
    assert body["role"] == "owner"
    assert Membership.objects.get(workspace_id=body["id"], user=alice).role == Role.OWNER


def test_a_user_lists_only_their_own_workspaces(api_a, workspace_a, workspace_b):
    results = api_a.get("/api/workspaces").json()["results"]
    assert [w["id"] for w in results] == [str(workspace_a.id)]


def test_owners_invite_members_by_email_with_a_role(api_a, workspace_a, make_user, mailoutbox):
    carol = make_user("carol", email="Carol@Example.com")
    response = api_a.post(
        f"/api/workspaces/{workspace_a.id}/members",
        {"email": "carol@example.com", "role": "admin"},
        format="json",
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["email"], body["role"], body["status"]) == (
        "carol@example.com",
        "admin",
        "pending",
    )
    assert not Membership.objects.filter(workspace=workspace_a, user=carol).exists()
    assert [m.to for m in mailoutbox] == [["carol@example.com"]]


def test_an_invitation_with_a_bad_email_or_role_is_a_clear_400(api_a, workspace_a):
    url = f"/api/workspaces/{workspace_a.id}/members"
    bad = api_a.post(url, {"email": "not-an-address", "role": "boss"}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()["fields"]) == {"email", "role"}


@pytest.fixture
def team(workspace_a, make_user):
    """A workspace with an owner (alice), an admin and a plain member."""
    admin = make_user("admin-user")
    member = make_user("member-user")
    Membership.objects.create(workspace=workspace_a, user=admin, role=Role.ADMIN)
    Membership.objects.create(workspace=workspace_a, user=member, role=Role.MEMBER)
    return {"admin": admin, "member": member}


def membership(workspace, user):
    return Membership.objects.get(workspace=workspace, user=user)


def test_members_cannot_manage_members(client_for, workspace_a, team, make_user):
    api = client_for(team["member"])
    url = f"/api/workspaces/{workspace_a.id}/members"
    outsider = make_user("outsider")
    assert api.post(url, {"email": outsider.email}, format="json").status_code == 403
    admin_membership = membership(workspace_a, team["admin"])
    assert (
        api.patch(f"{url}/{admin_membership.pk}", {"role": "member"}, format="json").status_code
        == 403
    )
    assert api.delete(f"{url}/{admin_membership.pk}").status_code == 403
    assert api.get(url).status_code == 200


def test_admins_change_roles_but_cannot_touch_the_owner_role(client_for, workspace_a, alice, team):
    api = client_for(team["admin"])
    url = f"/api/workspaces/{workspace_a.id}/members"
    member = membership(workspace_a, team["member"])
    assert api.patch(f"{url}/{member.pk}", {"role": "admin"}, format="json").status_code == 200
    assert membership(workspace_a, team["member"]).role == Role.ADMIN
    assert api.patch(f"{url}/{member.pk}", {"role": "owner"}, format="json").status_code == 403
    owner = membership(workspace_a, alice)
    assert api.delete(f"{url}/{owner.pk}").status_code == 403
    assert membership(workspace_a, alice).role == Role.OWNER


def test_the_last_owner_can_be_neither_demoted_nor_removed(api_a, workspace_a, alice, team):
    url = f"/api/workspaces/{workspace_a.id}/members"
    owner = membership(workspace_a, alice)
    demote = api_a.patch(f"{url}/{owner.pk}", {"role": "admin"}, format="json")
    assert demote.status_code == 400
    assert demote.json()["error"] == "role: A workspace must keep at least one owner."
    assert api_a.delete(f"{url}/{owner.pk}").status_code == 400
    # With a second owner, the first may step down.
    admin = membership(workspace_a, team["admin"])
    assert api_a.patch(f"{url}/{admin.pk}", {"role": "owner"}, format="json").status_code == 200
    assert api_a.patch(f"{url}/{owner.pk}", {"role": "member"}, format="json").status_code == 200


def test_anyone_may_leave_a_workspace(client_for, workspace_a, team):
    leaving = membership(workspace_a, team["member"])
    api = client_for(team["member"])
    assert api.delete(f"/api/workspaces/{workspace_a.id}/members/{leaving.pk}").status_code == 204
    assert not Membership.objects.filter(pk=leaving.pk).exists()


def test_only_owners_delete_a_workspace_and_managers_rename_it(client_for, workspace_a, team):
    url = f"/api/workspaces/{workspace_a.id}"
    assert client_for(team["member"]).patch(url, {"name": "X"}, format="json").status_code == 403
    assert client_for(team["admin"]).patch(url, {"name": "Y"}, format="json").status_code == 200
    assert client_for(team["admin"]).delete(url).status_code == 403
    assert Workspace.objects.get(pk=workspace_a.pk).name == "Y"


def test_routes_without_a_workspace_need_the_header_when_there_are_several(
    client_for, alice, workspace_a, make_workspace
):
    second = make_workspace(alice, "Second")
    api = client_for(alice)
    response = api.get("/api/contacts")
    assert response.status_code == 400
    assert response.json()["code"] == "workspace_required"
    assert "X-Workspace" in response.json()["error"]
    Contact.objects.create(workspace=second, email="s@second.example")
    listed = api.get("/api/contacts", HTTP_X_WORKSPACE=str(second.id)).json()["results"]
    assert [c["email"] for c in listed] == ["s@second.example"]


def test_the_only_workspace_is_used_without_the_header(api_a, workspace_a):
    response = api_a.post("/api/contacts", {"email": "New@Example.com"}, format="json")
    assert response.status_code == 201
    assert Contact.objects.get(workspace=workspace_a).email == "new@example.com"


def test_unauthenticated_requests_get_401_in_the_error_format(client):
    response = client.get("/api/contacts")
    assert response.status_code == 401
    assert response.json() == {
        "error": "Authentication credentials were not provided.",
        "code": "not_authenticated",
        "fields": {},
    }


def test_a_duplicate_contact_email_is_a_clear_400(api_a, workspace_a):
    Contact.objects.create(workspace=workspace_a, email="dup@example.com")
    response = api_a.post("/api/contacts", {"email": "DUP@example.com"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "error": "email: A contact with this email already exists.",
        "code": "invalid",
        "fields": {"email": ["A contact with this email already exists."]},
    }


def test_deals_crud_in_the_error_format(api_a, workspace_a, alice):
    created = api_a.post(
        "/api/deals", {"name": "Big", "amount": "1200.50", "owner": alice.pk}, format="json"
    )
    assert created.status_code == 201, created.content
    deal_id = created.json()["id"]
    assert (
        api_a.patch(f"/api/deals/{deal_id}", {"stage": "won"}, format="json").json()["stage"]
        == "won"
    )
    bad = api_a.patch(f"/api/deals/{deal_id}", {"stage": "sold", "amount": "-1"}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()["fields"]) == {"stage", "amount"}
    assert api_a.delete(f"/api/deals/{deal_id}").status_code == 204


def test_the_schema_and_docs_are_served(api_a):
    schema = api_a.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in ("/api/contacts", "/api/workspaces/{workspace_pk}/members", "/api/health"):
        assert path in paths
    contact_list = paths["/api/contacts"]["get"]
    assert any(p["name"] == "X-Workspace" for p in contact_list["parameters"])
    assert "404" in contact_list["responses"]
    assert api_a.get("/api/docs/").status_code == 200


def test_the_openapi_schema_is_complete_and_valid(tmp_path):
    """Every endpoint documents its request and response: generation raises on any warning."""
    from django.core.management import call_command

    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "api.yaml")
    )
    assert (tmp_path / "api.yaml").read_text().count("operationId") > 50


def test_options_describes_an_endpoint_without_resolving_it(api_a, workspace_a):
    for url in ("/api/contacts", f"/api/workspaces/{workspace_a.pk}/apollo/enrich"):
        response = api_a.options(url)
        assert response.status_code == 200, (url, response.content)
        assert "name" in response.json()
