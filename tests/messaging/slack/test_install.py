"""Installing the Slack app through OAuth v2 against the sandbox, and the connection test."""

import pytest
import requests

from integrations.models import IntegrationCredential
from messaging.slack.models import NotificationRule, SlackIntegration
from tests.integrations.oauth_helpers import query, start
from tests.messaging.slack.conftest import consent

pytestmark = pytest.mark.django_db(transaction=True)


def channel_messages(sandbox, channel):
    answer = requests.get(f"{sandbox.url}/slack/_messages", {"channel": channel}, timeout=10)
    return answer.json()["messages"]


def test_install_stores_the_team_the_bot_and_the_default_rules(installed, workspace_a):
    credential = IntegrationCredential.objects.get(provider="slack")
    assert credential.access_token.startswith("xoxb-")
    assert credential.account == installed.team_id == "T0SANDBOX"
    assert "xoxb-" not in str(credential.metadata)
    assert (installed.team_name, installed.default_channel) == ("Sandbox Team", "C0GENERAL1")
    assert installed.bot_user_id.startswith("U") and installed.linked_channels == ["C0GENERAL1"]
    assert installed.incoming_webhook_url.startswith("https://hooks.slack.com/services/")
    rules = NotificationRule.objects.filter(workspace=workspace_a)
    assert sorted(rules.values_list("name", "event_type", "channel")) == [
        ("Deal won", "deal.won", "#celebrations"),
        ("New lead captured", "contact.created", "#sales"),
    ]


def test_the_authorize_url_asks_for_the_bot_scopes_and_the_configured_redirect(
    sandbox, browser, workspace_a, settings
):
    params = query(start(browser, workspace_a, "slack"))
    assert params["client_id"] == settings.SLACK_CLIENT_ID
    assert "chat:write" in params["scope"].split(",")
    assert params["redirect_uri"] == f"{settings.PUBLIC_URL}/api/integrations/slack/callback"


def test_the_original_services_callback_route_completes_an_install_by_post(
    sandbox, browser, workspace_a
):
    callback = consent(start(browser, workspace_a, "slack"))
    response = browser.post("/api/integrations/slack/oauth", query(callback))
    assert response["Location"] == "/settings/integrations?provider=slack&success=true"
    assert SlackIntegration.objects.filter(workspace=workspace_a).exists()


def test_a_cancelled_install_stores_nothing(sandbox, browser, workspace_a):
    callback = consent(start(browser, workspace_a, "slack"), decision="deny")
    response = browser.get("/api/integrations/slack/oauth", query(callback))
    assert response["Location"] == "/settings/integrations?provider=slack&error=access_denied"
    assert not IntegrationCredential.objects.exists()


def test_the_api_shows_the_integration_with_the_webhook_url_masked(installed, api_a):
    body = api_a.get("/api/slack/integrations").json()["results"][0]
    assert body["team_id"] == "T0SANDBOX" and body["status"] == "active"
    assert body["incoming_webhook_url"].startswith("****")
    assert installed.incoming_webhook_url not in str(body)


def test_the_connection_test_answers_what_slack_said_and_posts_in_the_channel(
    installed, api_a, workspace_a, sandbox
):
    response = api_a.post(f"/api/workspaces/{workspace_a.pk}/slack/test")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["auth"]["team_id"] == "T0SANDBOX"
    assert body["auth"]["user_id"] == installed.bot_user_id
    assert body["message"]["channel"] == "C0GENERAL1"
    posted = channel_messages(sandbox, "general")
    assert [(m["ts"], m["user"]) for m in posted] == [
        (body["message"]["ts"], installed.bot_user_id)
    ]


def test_the_connection_test_without_slack_is_a_409(sandbox, api_a, workspace_a):
    response = api_a.post(f"/api/workspaces/{workspace_a.pk}/slack/test")
    assert response.status_code == 409
    assert response.json()["code"] == "not_configured"


def test_another_workspace_cannot_test_or_see_the_integration(installed, api_b, workspace_a):
    assert api_b.post(f"/api/workspaces/{workspace_a.pk}/slack/test").status_code == 404
    assert api_b.get("/api/slack/integrations").json()["results"] == []


def test_disconnecting_revokes_the_token_at_slack_and_removes_the_install(installed, api_a):
    from sandbox.slack.models import SlackBotToken

    token = installed.credential.access_token
    response = api_a.delete(f"/api/integrations/{installed.credential_id}")
    assert response.status_code == 204
    assert SlackBotToken.objects.get(token=token).revoked
    assert not SlackIntegration.objects.exists()


def test_the_connection_test_passes_on_what_slack_refused(installed, api_a, workspace_a):
    changed = api_a.patch(
        f"/api/slack/integrations/{installed.pk}", {"default_channel": "#nowhere"}, format="json"
    )
    assert changed.status_code == 200, changed.content
    response = api_a.post(f"/api/workspaces/{workspace_a.pk}/slack/test")
    assert response.status_code == 502
    assert response.json() == {
        "error": "Slack has no channel #nowhere that the app can see.",
        "code": "channel_not_found",
        "fields": {},
    }
