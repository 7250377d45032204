"""Enrichment through Apollo's sandbox (and `responses` for a timeout)."""

import pytest
import requests
import responses
from django.conf import settings

from clianta.models import Company, Contact
from enrichment import services
from enrichment.credits import CreditLimitExceeded
from enrichment.models import ApolloUsage, EnrichmentJob
from integrations.errors import RateLimited, Transient
from sandbox import faults
from sandbox.apollo import store as apollo_store
from tests.conftest import in_parallel, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def apollo_calls() -> int:
    return faults.calls("apollo").count()


@pytest.fixture
def person(sandbox):
    return apollo_store.add_person(
        first_name="Ada",
        last_name="Lovelace",
        email="ada@engine.example",
        title="Head of Analytics",
        seniority="head",
        linkedin_url="https://www.linkedin.com/in/ada",
        organization={
            "name": "Engine Co",
            "primary_domain": "engine.example",
            "industry": "software",
        },
    )


def test_enrich_fills_empty_fields_and_keeps_what_people_typed(person, workspace_a):
    contact = Contact.objects.create(
        workspace=workspace_a, email="ada@engine.example", title="Countess"
    )
    result = services.enrich_contact(workspace_a, contact=contact)
    contact.refresh_from_db()
    assert result.found and not result.cached
    assert (contact.first_name, contact.last_name) == ("Ada", "Lovelace")
    assert contact.title == "Countess"  # typed by a person: kept
    assert contact.seniority == "head" and contact.linkedin_url.endswith("/ada")
    assert contact.company.domain == "engine.example" and contact.enriched_at
    services.enrich_contact(workspace_a, contact=contact, overwrite=True)
    contact.refresh_from_db()
    assert contact.title == "Head of Analytics"


def test_a_cache_hit_costs_no_credit_and_no_call(person, workspace_a):
    services.enrich_contact(workspace_a, email="ada@engine.example")
    used, calls = ApolloUsage.objects.get(pk=workspace_a.pk).credits_used, apollo_calls()
    again = services.enrich_contact(workspace_a, email="ADA@engine.example")
    assert again.cached and again.found
    assert ApolloUsage.objects.get(pk=workspace_a.pk).credits_used == used == 1
    assert apollo_calls() == calls


def test_nothing_found_and_failed_calls_cost_nothing(sandbox, workspace_a):
    missing = services.enrich_contact(workspace_a, email="nobody@nowhere.example")
    assert missing.found is None
    faults.inject("apollo", "people/match", status=500)
    with pytest.raises(Transient):
        services.enrich_contact(workspace_a, email="someone@else.example")
    assert ApolloUsage.objects.get(pk=workspace_a.pk).credits_used == 0


@responses.activate
def test_a_timeout_costs_nothing(workspace_a):
    responses.add(
        responses.POST, f"{settings.APOLLO_BASE_URL}/people/match", body=requests.ReadTimeout()
    )
    with pytest.raises(Transient):
        services.enrich_contact(workspace_a, email="slow@apollo.example")
    assert ApolloUsage.objects.get(pk=workspace_a.pk).credits_used == 0


def test_over_the_limit_answers_402_without_calling_apollo(person, api_a, workspace_a):
    usage = services.check_credits(workspace_a)
    ApolloUsage.objects.filter(pk=workspace_a.pk).update(credits_used=usage.credits_limit)
    calls = apollo_calls()
    response = api_a.post(
        f"/api/workspaces/{workspace_a.pk}/apollo/enrich",
        {"email": "ada@engine.example"},
        format="json",
    )
    assert response.status_code == 402
    body = response.json()
    assert next(iter(body)) == "error" and body["code"] == "plan_limit"
    assert (body["plan"], body["resource"], body["limit"]) == ("free", "apollo_credits", 1000)
    assert body["credits_used"] == body["credits_limit"] == usage.credits_limit
    assert body["reset_date"] == usage.reset_date.isoformat()
    assert apollo_calls() == calls


@pytest.mark.postgres
def test_fifty_concurrent_enrichments_with_ten_credits_left(sandbox, workspace_a, plan_limits):
    """L1: exactly 10 succeed and usage ends equal to the limit."""
    plan_limits(apollo_credits=10)
    for i in range(50):
        apollo_store.add_person(first_name=f"P{i}", last_name="X", email=f"p{i}@bulk.example")
    services.check_credits(workspace_a)
    emails = iter([f"p{i}@bulk.example" for i in range(50)])

    def enrich():
        try:
            return bool(services.enrich_contact(workspace_a, email=next(emails)).found)
        except CreditLimitExceeded:
            return False

    results = in_parallel(enrich, 50)
    assert results.count(True) == 10
    assert ApolloUsage.objects.get(pk=workspace_a.pk).credits_used == 10


def test_company_lookup_updates_the_workspace_company(sandbox, workspace_a, api_a):
    apollo_store.add_company(
        name="Widgets Inc",
        primary_domain="widgets.example",
        industry="manufacturing",
        estimated_num_employees=120,
        annual_revenue_printed="10M",
        technology_names=["Django"],
    )
    company = Company.objects.create(
        workspace=workspace_a, name="Widgets", domain="widgets.example"
    )
    response = api_a.post(
        f"/api/workspaces/{workspace_a.pk}/apollo/company",
        {"domain": "widgets.example"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["found"]
    company.refresh_from_db()
    assert company.name == "Widgets"  # typed: kept
    assert (company.industry, company.employee_count, company.technologies) == (
        "manufacturing",
        120,
        ["Django"],
    )


def test_find_email_by_name_and_domain(person, api_a, workspace_a):
    url = f"/api/workspaces/{workspace_a.pk}/apollo/find-email"
    found = api_a.post(url, {"name": "Ada Lovelace", "domain": "engine.example"}, format="json")
    assert found.json() == {"email": "ada@engine.example", "cached": False}
    usage = api_a.get(f"/api/workspaces/{workspace_a.pk}/apollo/usage").json()
    assert usage["credits_used"] == 1


def test_rate_limited_answers_carry_retry_after(sandbox, workspace_a):
    faults.inject("apollo", "people/match", status=429, retry_after=7)
    with pytest.raises(RateLimited) as raised:
        services.enrich_contact(workspace_a, email="any@one.example")
    assert raised.value.retry_after == 7
    assert ApolloUsage.objects.get(pk=workspace_a.pk).credits_used == 0


def test_bulk_enrichment_stops_cleanly_when_credits_run_out(
    celery_worker, sandbox, api_a, workspace_a
):
    # The worker's plans are the suite's (1,000 credits on Free): 3 left.
    for i in range(5):
        apollo_store.add_person(first_name=f"B{i}", last_name="Y", email=f"b{i}@bulk.example")
        Contact.objects.create(workspace=workspace_a, email=f"b{i}@bulk.example")
    services.check_credits(workspace_a)
    ApolloUsage.objects.filter(pk=workspace_a.pk).update(credits_used=997)
    faults.inject("apollo", "people/match", status=429, retry_after=1)  # one backoff on the way
    response = api_a.post(
        f"/api/workspaces/{workspace_a.pk}/apollo/bulk-enrich",
        {"missing_data": True},
        format="json",
    )
    assert response.status_code == 202
    url = f"/api/workspaces/{workspace_a.pk}/apollo/jobs/{response.json()['id']}"
    job = wait_for(lambda: (body := api_a.get(url).json())["status"] == "stopped" and body)
    assert (job["total"], job["enriched"], job["failed"]) == (5, 3, 0)
    assert "credits ran out" in job["stop_reason"]
    assert [entry["outcome"] for entry in job["report"]] == ["enriched"] * 3
    assert ApolloUsage.objects.get(pk=workspace_a.pk).credits_used == 1000
    assert EnrichmentJob.objects.get().finished_at is not None


def test_usage_shows_apollos_daily_requests_from_its_headers(person, workspace_a, api_a):
    apollo_store.register_key(settings.APOLLO_API_KEY, per_day=600)
    services.enrich_contact(workspace_a, email="ada@engine.example")
    services.enrich_contact(workspace_a, email="nobody@engine.example")

    usage = api_a.get(f"/api/workspaces/{workspace_a.pk}/apollo/usage").json()

    assert (usage["daily_requests_limit"], usage["daily_requests_used"]) == (600, 2)
    assert usage["daily_requests_left"] == 598 and usage["daily_requests_seen_at"]
