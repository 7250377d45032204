"""The field mapping through the API, each change checked against the org's describe()."""

import pytest

from crm_sync.models import FieldMapping
from sandbox import faults

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/api/salesforce/mappings"


def _mapping(obj, local):
    return FieldMapping.objects.get(object=obj, local_field=local)


def test_the_default_mapping_is_listed_by_object(connection, api_a):
    response = api_a.get(URL, {"object": "deal"})
    assert response.status_code == 200
    rows = {row["local_field"]: row for row in response.json()}
    assert rows["stage"]["remote_field"] == "StageName"
    assert rows["close_date"]["direction"] == "both"
    assert {row["object"] for row in response.json()} == {"deal"}


def test_a_field_that_fits_is_mapped(connection, api_a):
    response = api_a.post(
        URL,
        {
            "object": "contact",
            "local_field": "linkedin_url",
            "remote_field": "LinkedIn_URL__c",
            "direction": "to_salesforce",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert _mapping("contact", "linkedin_url").remote_field == "LinkedIn_URL__c"


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (
            {"object": "contact", "local_field": "seniority", "remote_field": "Nickname__c"},
            "Nickname__c",
            "has no field",
        ),
        (
            {
                "object": "contact",
                "local_field": "seniority",
                "remote_field": "Name",
                "direction": "to_salesforce",
            },
            "Name",
            "read-only",
        ),
        (
            {"object": "company", "local_field": "domain", "remote_field": "AnnualRevenue"},
            "AnnualRevenue",
            "currency field",
        ),
        (
            {"object": "deal", "local_field": "currency", "remote_field": "CloseDate"},
            "CloseDate",
            "mapped twice",
        ),
    ],
)
def test_a_mapping_the_org_cannot_take_answers_400_naming_the_field(
    connection, api_a, body, field, words
):
    before = FieldMapping.objects.count()
    response = api_a.post(URL, body, format="json")
    assert response.status_code == 400, response.json()
    answer = response.json()
    assert field in answer["fields"]
    assert words in answer["error"]
    assert FieldMapping.objects.count() == before


def test_sending_to_a_read_only_field_is_refused_on_change_too(connection, api_a):
    industry = _mapping("company", "industry")
    response = api_a.patch(f"{URL}/{industry.pk}", {"remote_field": "CreatedDate"}, format="json")
    assert response.status_code == 400
    assert "CreatedDate" in response.json()["fields"]


def test_a_required_field_cannot_be_left_unmapped(connection, api_a):
    last_name = _mapping("contact", "last_name")
    response = api_a.delete(f"{URL}/{last_name.pk}")
    assert response.status_code == 400
    assert "LastName" in response.json()["fields"]
    assert "requires Contact.LastName" in response.json()["error"]
    # Only coming from Salesforce: nothing is sent, so nothing is required.
    response = api_a.patch(f"{URL}/{last_name.pk}", {"direction": "from_salesforce"}, format="json")
    assert response.status_code == 400
    assert "LastName" in response.json()["fields"]


def test_a_stage_map_to_a_value_the_picklist_lacks_is_refused(connection, api_a):
    stage = _mapping("deal", "stage")
    response = api_a.patch(f"{URL}/{stage.pk}", {"value_map": [["won", "Signed"]]}, format="json")
    assert response.status_code == 400
    assert "StageName" in response.json()["fields"]


def test_a_crm_field_that_does_not_exist_is_refused_before_asking_the_org(connection, api_a):
    response = api_a.post(
        URL,
        {"object": "deal", "local_field": "password", "remote_field": "Description"},
        format="json",
    )
    assert response.status_code == 400
    assert "local_field" in response.json()["fields"]


def test_another_workspaces_mapping_is_not_found(connection, api_b, workspace_b):
    mapping = _mapping("contact", "email")
    assert api_b.get(f"{URL}/{mapping.pk}").status_code == 404
    assert api_b.delete(f"{URL}/{mapping.pk}").status_code == 404
    assert FieldMapping.objects.filter(pk=mapping.pk).exists()


@pytest.mark.parametrize(
    "body",
    [
        {"object": "contact", "local_field": "title", "remote_field": "Title FROM User--"},
        {"object": "contact", "local_field": "title", "remote_field": "Title\r\nX"},
        {"object": "contact", "local_field": "title", "remote_field": "<b>Title</b>"},
        {"object": "contact", "local_field": "title", "remote_field": "T" * 5000},
        {"object": "deal", "local_field": "stage", "remote_field": "StageName", "value_map": [[1]]},
        {
            "object": "deal",
            "local_field": "stage",
            "remote_field": "X",
            "value_map": [["a"] * 2] * 500,
        },
        {"object": ["contact"], "local_field": {"a": 1}, "remote_field": None},
    ],
    ids=["soql", "crlf", "markup", "huge", "pair", "many-pairs", "nested"],
)
def test_hostile_mappings_are_refused_before_asking_the_org(connection, api_a, body):
    before = FieldMapping.objects.count()
    response = api_a.post(URL, body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert FieldMapping.objects.count() == before
    assert not faults.calls("salesforce", "/describe").exists()
