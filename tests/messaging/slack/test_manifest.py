"""``manage.py slack_manifest``: the manifest Slack's "create from manifest" takes
(https://docs.slack.dev/reference/app-manifest), made of what the code asks for and handles."""

import io
import json
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import resolve

from integrations import registry
from messaging.slack import channel_messages, commands
from messaging.slack.webhooks import CommandView, EventsView
from sandbox.slack.delivery import COMMANDS_PATH, EVENTS_PATH
from tests.integrations.oauth_helpers import query, start

PUBLIC_URL = "https://crm.clianta.example"


def printed(*args) -> dict:
    out = io.StringIO()
    call_command("slack_manifest", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def manifest(settings):
    settings.PUBLIC_URL = PUBLIC_URL
    return printed()


def view_of(url: str):
    assert url.startswith(PUBLIC_URL + "/")
    return resolve(urlsplit(url).path).func.view_class


def test_it_has_the_sections_slack_requires(manifest):
    assert manifest["_metadata"] == {"major_version": 1, "minor_version": 1}
    display = manifest["display_information"]
    assert display["name"] == "Clianta" and len(display["description"]) <= 140
    assert manifest["features"]["bot_user"]["display_name"] == "Clianta"
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == commands.COMMAND
    assert command["description"] and command["usage_hint"]
    assert manifest["settings"]["socket_mode_enabled"] is False


def test_scopes_are_those_the_install_asks_for(manifest):
    assert manifest["oauth_config"]["scopes"] == {"bot": list(registry.get("slack").scopes)}
    # The incoming-webhook scope needs incoming webhooks on.
    assert manifest["settings"]["incoming_webhooks"] == {"incoming_webhooks_enabled": True}


def test_events_and_slash_command_go_to_our_verified_endpoints(manifest):
    events = manifest["settings"]["event_subscriptions"]
    assert events["bot_events"] == list(channel_messages.BOT_EVENTS)
    assert view_of(events["request_url"]) is EventsView
    assert urlsplit(events["request_url"]).path == EVENTS_PATH  # where the sandbox Slack posts
    command_url = manifest["features"]["slash_commands"][0]["url"]
    assert view_of(command_url) is CommandView
    assert urlsplit(command_url).path == COMMANDS_PATH


@pytest.mark.django_db
def test_redirect_url_and_scopes_are_those_the_connect_flow_sends(sandbox, alice, workspace_a):
    browser = Client()
    browser.force_login(alice)
    sent = query(start(browser, workspace_a, "slack"))

    manifest = printed()

    assert manifest["oauth_config"]["redirect_urls"] == [sent["redirect_uri"]]
    assert manifest["oauth_config"]["scopes"]["bot"] == sent["scope"].split(",")


def test_the_name_is_an_option_within_slacks_limit(settings):
    settings.PUBLIC_URL = PUBLIC_URL
    named = printed("--name", "Acme CRM")
    assert named["display_information"]["name"] == "Acme CRM"
    assert named["features"]["bot_user"]["display_name"] == "Acme CRM"
    with pytest.raises(CommandError, match="1 to 35 characters"):
        printed("--name", "x" * 36)
