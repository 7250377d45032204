"""Salesforce in headless Chromium, as an owner does it: Connect on the settings page, the
org's login chosen on our confirmation page, Allow on the org's consent page, and back on the
settings page the org's card and its sync's section, once the worker has loaded it.
Screenshots in test-artifacts/ (salesforce-*.png)."""

import pytest

from clianta.models import Company, Contact
from integrations.models import SyncLog
from sandbox.salesforce import seed as sf_seed
from sandbox.salesforce import store as sf_store
from tests.browser import log_in_and_open_settings, shot
from tests.conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_connect_an_org_and_see_it_synced(
    page, live_server, salesforce, celery_worker, workspace_a
):
    sf_seed.seed(sf_store.default_org(), accounts=3, contacts=8, opportunities=2)
    log_in_and_open_settings(page, live_server.url)
    page.locator("section[data-provider=salesforce]").get_by_role(
        "link", name="Connect", exact=True
    ).click()
    page.get_by_label("Salesforce login").select_option("production")
    shot(page, "salesforce-1-login")
    page.get_by_role("button", name="Connect Salesforce").click()
    page.wait_for_url(f"{salesforce.url}/salesforce/services/oauth2/authorize**")
    shot(page, "salesforce-2-consent")
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url("**/settings/integrations?provider=salesforce&success=true")

    def loaded():
        return SyncLog.objects.filter(provider="salesforce", status="success").exists()

    assert wait_for(loaded, timeout=60), celery_worker.log()[-3000:]
    assert (Company.objects.count(), Contact.objects.count()) == (3, 8)
    page.goto(f"{live_server.url}/settings/integrations?workspace={workspace_a.pk}")
    section = page.locator("[data-salesforce-sync]")
    assert "API requests today" in section.inner_text()
    assert "of 15000" in section.locator("[data-api-usage]").inner_text()
    assert "healthy" in page.locator("section[data-provider=salesforce]").inner_text().lower()
    shot(page, "salesforce-3-synced")
