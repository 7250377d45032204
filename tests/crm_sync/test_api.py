"""The sync's state, settings and runs on demand through the API (a real worker runs them), and
the settings page's Salesforce card and section."""

import pytest

from clianta.models import Contact
from integrations.models import SyncLog
from sandbox.salesforce import seed as sf_seed
from tests.conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_sync_on_demand_is_run_by_a_worker(connection, org, api_a, celery_worker):
    sf_seed.seed(org, accounts=1, contacts=5, opportunities=1)
    response = api_a.post("/api/salesforce/sync", {}, format="json")
    assert response.status_code == 202
    sync_id = response.json()["sync_id"]

    def finished():
        return SyncLog.objects.filter(pk=sync_id, status=SyncLog.Status.SUCCESS).exists()

    assert wait_for(finished, timeout=60), celery_worker.log()[-3000:]
    assert Contact.objects.count() == 5
    state = api_a.get("/api/salesforce").json()
    assert state["org_id"] == org.org_id
    assert state["api_limit"] == org.daily_api_limit and state["api_used"] > 0
    assert state["last_sync"]["id"] == sync_id
    assert {row["object"] for row in state["objects"]} == {"company", "contact", "deal"}


def test_the_sync_settings_are_changed_and_checked(connection, api_a):
    response = api_a.patch(
        "/api/salesforce", {"limit_share": 0.5, "bulk_threshold": 500}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["limit_share"], response.json()["bulk_threshold"]) == (0.5, 500)
    refused = api_a.patch("/api/salesforce", {"limit_share": 3}, format="json")
    assert refused.status_code == 400
    assert "limit_share" in refused.json()["fields"]


def test_without_an_org_the_sync_says_to_connect_one(api_a):
    for response in (api_a.get("/api/salesforce"), api_a.post("/api/salesforce/sync")):
        assert response.status_code == 409
        assert "Connect the workspace's Salesforce org" in response.json()["error"]


def test_the_settings_page_shows_the_org_and_its_api_usage(connection, org, browser):
    from .conftest import run

    sf_seed.seed(org, accounts=1, contacts=2, opportunities=0)
    run(connection)
    page = browser.get("/settings/integrations").content.decode()
    assert "Salesforce sync" in page
    assert "data-api-usage" in page and f"of {org.daily_api_limit}" in page
    assert "Salesforce" in page and "healthy" in page.lower()
