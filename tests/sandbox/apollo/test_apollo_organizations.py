"""Apollo organization enrichment in the sandbox, over HTTP with requests:
organizations/enrich and organizations/bulk_enrich."""

import pytest
import requests
from django.conf import settings

from sandbox.apollo import store as apollo_store

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def apollo(sandbox):
    session = requests.Session()
    session.headers["X-Api-Key"] = settings.APOLLO_API_KEY
    session.base = settings.APOLLO_BASE_URL
    yield session
    session.close()


def enrich(apollo, method="GET", **params):
    return apollo.request(method, f"{apollo.base}/organizations/enrich", params=params, timeout=10)


def bulk(apollo, **kwargs):
    return apollo.post(f"{apollo.base}/organizations/bulk_enrich", timeout=10, **kwargs)


@pytest.fixture
def acme():
    return apollo_store.add_company(
        "acme.example",
        name="Acme Rockets",
        industry="aviation & aerospace",
        estimated_num_employees=250,
        annual_revenue=251_200_000,
        city="Tucson",
        state="Arizona",
        country="United States",
        short_description="Rockets, anvils and other supplies.",
        technology_names=["Salesforce", "Slack"],
        linkedin_url="http://www.linkedin.com/company/acme-rockets",
        phone="+1 520-555-0100",
    )


def test_enrich_by_domain_answers_the_organization(apollo, acme):
    answer = enrich(apollo, domain="acme.example")
    assert answer.status_code == 200
    org = answer.json()["organization"]
    assert org["id"] == acme.apollo_id
    assert (org["name"], org["primary_domain"]) == ("Acme Rockets", "acme.example")
    assert org["website_url"] == "http://www.acme.example"
    assert (org["industry"], org["estimated_num_employees"]) == ("aviation & aerospace", 250)
    assert (org["annual_revenue"], org["annual_revenue_printed"]) == (251_200_000, "251.2M")
    assert (org["city"], org["state"], org["country"]) == ("Tucson", "Arizona", "United States")
    assert org["technology_names"] == ["Salesforce", "Slack"]
    assert org["short_description"] == "Rockets, anvils and other supplies."
    assert org["linkedin_url"] == "http://www.linkedin.com/company/acme-rockets"
    assert org["phone"] == "+1 520-555-0100"
    assert apollo_store.credits_used(settings.APOLLO_API_KEY) == 1


@pytest.mark.parametrize(
    "params",
    [
        {"domain": "www.ACME.example"},
        {"website": "https://www.acme.example/about"},
        {"name": "acme rockets"},
        {"linkedin_url": "https://linkedin.com/company/acme-rockets/"},
    ],
)
def test_enrich_by_website_name_or_linkedin_and_by_post(apollo, acme, params):
    assert enrich(apollo, **params).json()["organization"]["id"] == acme.apollo_id
    assert enrich(apollo, "POST", **params).json()["organization"]["id"] == acme.apollo_id


def test_an_unknown_domain_answers_an_empty_object_and_costs_nothing(apollo, acme):
    answer = enrich(apollo, domain="unknown.example")
    assert (answer.status_code, answer.json()) == (200, {})
    assert apollo_store.credits_used(settings.APOLLO_API_KEY) == 0


def test_enrich_without_any_identifier_is_a_422(apollo):
    answer = enrich(apollo)
    assert (answer.status_code, answer.json()) == (
        422,
        {"error": "Required parameter 'domain' missing"},
    )


def test_the_seeded_companies_are_there(apollo):
    seeded = apollo_store.directory().organizations.filter(generated=True).order_by("id").first()
    org = enrich(apollo, domain=seeded.domain).json()["organization"]
    assert (org["name"], org["primary_domain"]) == (seeded.name, seeded.domain)
    assert len(org["technology_names"]) == 4


def test_bulk_enrich_by_domains_in_the_query(apollo, acme):
    answer = bulk(apollo, params={"domains[]": ["acme.example", "unknown.example", "acme.example"]})
    assert answer.status_code == 200
    body = answer.json()
    assert [org["id"] for org in body["organizations"]] == [acme.apollo_id]
    assert body["status"] == "success"
    assert (body["total_requested_domains"], body["unique_domains"]) == (3, 2)
    assert (body["unique_enriched_records"], body["missing_records"]) == (1, 1)
    assert apollo_store.credits_used(settings.APOLLO_API_KEY) == 1


def test_bulk_enrich_by_details_and_by_a_domains_body(apollo, acme):
    details = bulk(apollo, json={"details": [{"name": "Acme Rockets"}, {"domain": "x.example"}]})
    assert [org["name"] for org in details.json()["organizations"]] == ["Acme Rockets"]
    assert details.json()["total_requested_records"] == 2
    domains = bulk(apollo, json={"domains": ["acme.example"]})
    assert domains.json()["organizations"][0]["id"] == acme.apollo_id


def test_bulk_enrich_takes_at_most_ten_and_needs_domains(apollo):
    eleven = bulk(apollo, params={"domains[]": [f"d{i}.example" for i in range(11)]})
    assert eleven.status_code == 400
    assert eleven.json() == {
        "status": "failed",
        "error_code": "RECORD_LIMIT_EXCEEDED",
        "error_message": "domain count cannot be more than 10",
    }
    none = bulk(apollo)
    assert none.status_code == 400
    assert none.json()["error_message"] == "invalid request, missing domains"


def test_companies_and_people_can_be_added_with_apollos_field_names(apollo):
    apollo_store.add_company(
        name="Widgets Inc", primary_domain="widgets.example", annual_revenue_printed="10M"
    )
    org = enrich(apollo, domain="widgets.example").json()["organization"]
    assert (org["name"], org["annual_revenue"], org["annual_revenue_printed"]) == (
        "Widgets Inc",
        10_000_000,
        "10M",
    )
    ada = apollo_store.add_person(
        first_name="Ada", last_name="Byron", organization={"primary_domain": "widgets.example"}
    )
    navy = {"name": "Navy", "domain": "navy.example"}
    grace = apollo_store.add_person(first_name="Grace", last_name="Hopper", organization=navy)
    assert ada.organization.name == "Widgets Inc"
    assert (grace.organization.name, grace.organization.domain) == ("Navy", "navy.example")
