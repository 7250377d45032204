"""T1: a user of workspace A never sees, changes or points at workspace B's objects."""

import pytest

from clianta.models import Company, Contact, Deal, Membership
from integrations.models import IntegrationCredential

pytestmark = pytest.mark.django_db


@pytest.fixture
def b_objects(workspace_b, bob):
    company = Company.objects.create(workspace=workspace_b, name="B Corp")
    contact = Contact.objects.create(workspace=workspace_b, email="b@b.example", company=company)
    deal = Deal.objects.create(workspace=workspace_b, name="B deal", contact=contact)
    credential = IntegrationCredential.objects.create(
        workspace=workspace_b, provider="apollo", api_key="b-secret-api-key-123456"
    )
    member = Membership.objects.get(workspace=workspace_b, user=bob)
    return {
        "companies": company,
        "contacts": contact,
        "deals": deal,
        "integrations": credential,
        f"workspaces/{workspace_b.id}/members": member,
        "workspaces": workspace_b,
    }


OBJECT_ENDPOINTS = [
    "companies",
    "contacts",
    "deals",
    "integrations",
    "members",
    "workspaces",
]


@pytest.mark.parametrize("endpoint", OBJECT_ENDPOINTS)
def test_another_workspaces_object_answers_404_to_every_method(api_a, b_objects, endpoint):
    """T1: GET, PATCH, PUT and DELETE on B's object from A: 404, never 403 or 200."""
    path = next(p for p in b_objects if p.endswith(endpoint))
    url = f"/api/{path}/{b_objects[path].pk}"
    for method in ("get", "patch", "put", "delete"):
        response = getattr(api_a, method)(url, {"name": "taken"}, format="json")
        assert response.status_code in (404, 405), (method, url, response.content)
        if response.status_code == 404:
            assert response.json()["code"] == "not_found"
    assert api_a.get(url).status_code == 404


@pytest.mark.parametrize("endpoint", OBJECT_ENDPOINTS)
def test_lists_never_include_another_workspaces_rows(api_a, b_objects, workspace_a, endpoint):
    """T1: lists only hold A's rows (B's ids appear nowhere)."""
    path = next(p for p in b_objects if p.endswith(endpoint))
    if endpoint == "members":
        path = f"workspaces/{workspace_a.id}/members"
    response = api_a.get(f"/api/{path}")
    assert response.status_code == 200
    body = response.content.decode()
    for obj in b_objects.values():
        assert str(obj.pk) not in body


def test_a_member_list_of_another_workspace_is_404(api_a, workspace_b):
    assert api_a.get(f"/api/workspaces/{workspace_b.id}/members").status_code == 404


def test_the_workspace_header_cannot_select_a_workspace_one_is_not_in(api_a, workspace_b):
    response = api_a.get("/api/contacts", HTTP_X_WORKSPACE=str(workspace_b.id))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("endpoint", "field", "target"),
    [
        ("contacts", "company", "companies"),
        ("deals", "contact", "contacts"),
        ("deals", "company", "companies"),
    ],
)
def test_writes_referencing_another_workspaces_ids_are_refused(
    api_a, b_objects, endpoint, field, target
):
    """T1: a foreign key to B's object reads as an id that does not exist; nothing is written."""
    model = {"contacts": Contact, "deals": Deal}[endpoint]
    before = model.objects.count()
    payload = {"contacts": {"email": "new@a.example"}, "deals": {"name": "x"}}[endpoint]
    payload[field] = str(b_objects[target].pk)
    response = api_a.post(f"/api/{endpoint}", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert model.objects.count() == before


def test_a_deal_owner_must_be_a_member_of_the_workspace(api_a, bob, b_objects):
    response = api_a.post("/api/deals", {"name": "x", "owner": bob.pk}, format="json")
    assert response.status_code == 400
    assert "owner" in response.json()["fields"]


def test_updating_an_own_object_to_point_at_another_workspace_is_refused(
    api_a, workspace_a, b_objects
):
    contact = Contact.objects.create(workspace=workspace_a, email="a@a.example")
    response = api_a.patch(
        f"/api/contacts/{contact.pk}", {"company": str(b_objects["companies"].pk)}, format="json"
    )
    assert response.status_code == 400
    contact.refresh_from_db()
    assert contact.company is None
