"""The settings page in headless Chromium (Debian's package, driven by Playwright): log in,
connect Google through the sandbox's consent page, deny it, and tamper with the state."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

from integrations.models import IntegrationCredential
from tests.browser import log_in_and_open_settings, shot

pytestmark = pytest.mark.django_db(transaction=True)


def click_connect_on_gmail(page):
    gmail = page.locator("section[data-provider=gmail]")
    gmail.get_by_role("button", name="Connect", exact=True).click()
    page.wait_for_selector("text=Sign in with Google")


def test_connect_google_by_clicking_allow(page, live_server, workspace_a):
    log_in_and_open_settings(page, live_server.url)
    shot(page, "settings-before-connect")
    click_connect_on_gmail(page)
    page.fill("input[name=email]", "alice@example.com")
    shot(page, "sandbox-google-consent")
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url("**/settings/integrations?provider=gmail&success=true")
    shot(page, "settings-connected")
    card = page.locator("section[data-provider=gmail]")
    assert "Connected as alice@example.com" in card.inner_text()
    assert "Gmail connected." in page.inner_text("[role=status]")
    credential = IntegrationCredential.objects.get(provider="gmail", workspace=workspace_a)
    assert credential.account == "alice@example.com"
    assert credential.refresh_token and credential.access_token not in page.content()


def test_deny_shows_the_error_and_stores_nothing(page, live_server, workspace_a):
    log_in_and_open_settings(page, live_server.url)
    click_connect_on_gmail(page)
    page.get_by_role("button", name="Deny").click()
    page.wait_for_url("**/settings/integrations?provider=gmail&error=access_denied")
    shot(page, "settings-denied")
    assert "You declined the request" in page.inner_text("[role=alert]")
    assert not IntegrationCredential.objects.exists()


def test_a_tampered_state_gets_400(page, live_server, workspace_a):
    log_in_and_open_settings(page, live_server.url)
    click_connect_on_gmail(page)
    parts = urlsplit(page.url)
    query = dict(parse_qsl(parts.query))
    query["state"] = query["state"][:-4] + "XXXX"
    page.goto(urlunsplit(parts._replace(query=urlencode(query))))
    with page.expect_response(lambda r: "/callback" in r.url) as callback:
        page.get_by_role("button", name="Allow").click()
    assert callback.value.status == 400
    shot(page, "callback-tampered-state")
    assert "could not be completed" in page.inner_text("main")
    assert not IntegrationCredential.objects.exists()
