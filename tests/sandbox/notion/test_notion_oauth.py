"""The Notion sandbox's OAuth: the consent page and the token endpoint, with notion-client."""

from urllib.parse import urlencode

import pytest
import requests
from django.conf import settings
from notion_client import APIResponseError, Client
from notion_client.errors import HTTPResponseError

from sandbox.notion import store as notion_store
from tests.sandbox.consent import read_form, redirect_params, submit_consent

pytestmark = pytest.mark.django_db(transaction=True)

REDIRECT = "https://app.example.com/integrations/notion/callback"


def client(auth=None):
    return Client(
        auth=auth, base_url=settings.NOTION_API_URL, notion_version="2022-06-28", retry=False
    )


def authorize_url(**params):
    query = {
        "client_id": settings.NOTION_CLIENT_ID,
        "response_type": "code",
        "owner": "user",
        "redirect_uri": REDIRECT,
        "state": "st-1",
        **params,
    }
    return f"{settings.NOTION_API_URL}/v1/oauth/authorize?{urlencode(query)}"


def exchange(code, redirect_uri=REDIRECT):
    return client().oauth.token(
        client_id=settings.NOTION_CLIENT_ID,
        client_secret=settings.NOTION_CLIENT_SECRET,
        grant_type="authorization_code",
        code=code,
        redirect_uri=redirect_uri,
    )


def test_consent_then_token_exchange_shares_every_page(sandbox):
    first = notion_store.add_page("Acme", "Meeting notes", [("paragraph", "hello")])
    second = notion_store.add_page("Acme", "Roadmap")
    notion_store.add_page("Elsewhere", "Not in this workspace")
    page = requests.get(authorize_url(), timeout=10)
    assert page.status_code == 200
    form = read_form(page)
    assert set(form.buttons) == {"Allow", "Deny"}
    assert "workspace" in form.fields

    params = redirect_params(submit_consent(authorize_url(), "Allow", workspace="Acme"))
    assert params["state"] == "st-1"
    token = exchange(params["code"])
    assert token["token_type"] == "bearer"
    assert token["access_token"] and token["refresh_token"]
    assert token["workspace_name"] == "Acme"
    assert token["owner"]["type"] == "user"
    assert token["duplicated_template_id"] is None
    assert {"bot_id", "workspace_id", "workspace_icon", "request_id"} <= set(token)

    found = client(token["access_token"]).search(filter={"property": "object", "value": "page"})
    assert {result["id"] for result in found["results"]} == {first, second}


def test_a_code_works_once_and_with_its_redirect_uri_only(sandbox):
    params = redirect_params(submit_consent(authorize_url(), "Allow"))
    with pytest.raises(HTTPResponseError) as wrong_uri:
        exchange(params["code"], redirect_uri="https://evil.example.com/cb")
    assert wrong_uri.value.status == 400
    with pytest.raises(HTTPResponseError) as reused:
        exchange(params["code"])
    assert reused.value.status == 400
    assert "invalid_grant" in reused.value.body
    with pytest.raises(HTTPResponseError):
        exchange("not-a-code")


def test_the_client_secret_is_checked(sandbox):
    params = redirect_params(submit_consent(authorize_url(), "Allow"))
    with pytest.raises(APIResponseError) as refused:
        client().oauth.token(
            client_id=settings.NOTION_CLIENT_ID,
            client_secret="wrong",
            grant_type="authorization_code",
            code=params["code"],
            redirect_uri=REDIRECT,
        )
    assert refused.value.status == 401


def test_deny_redirects_with_access_denied(sandbox):
    params = redirect_params(submit_consent(authorize_url(), "Deny"))
    assert params == {"error": "access_denied", "state": "st-1"}


def test_an_unknown_client_gets_an_error_page(sandbox):
    answer = requests.get(authorize_url(client_id="nope"), timeout=10, allow_redirects=False)
    assert answer.status_code == 400
    assert "client_id" in answer.text


def test_only_the_chosen_pages_are_shared(sandbox):
    kept = notion_store.add_page("Sandbox", "Kept")
    notion_store.add_page("Sandbox", "Left out")
    params = redirect_params(submit_consent(authorize_url(), "Allow", pages=[kept]))
    token = exchange(params["code"])["access_token"]
    assert [r["id"] for r in client(token).search()["results"]] == [kept]


def test_refresh_rotates_the_tokens(sandbox):
    notion_store.add_page("Sandbox", "A page")
    params = redirect_params(submit_consent(authorize_url(), "Allow"))
    first = exchange(params["code"])
    fresh = client().oauth.token(
        client_id=settings.NOTION_CLIENT_ID,
        client_secret=settings.NOTION_CLIENT_SECRET,
        grant_type="refresh_token",
        refresh_token=first["refresh_token"],
    )
    assert fresh["access_token"] != first["access_token"]
    assert fresh["bot_id"] == first["bot_id"]
    assert len(client(fresh["access_token"]).search()["results"]) == 1
    with pytest.raises(APIResponseError) as old:
        client(first["access_token"]).search()
    assert old.value.code == "unauthorized"
    with pytest.raises(HTTPResponseError):
        client().oauth.token(
            client_id=settings.NOTION_CLIENT_ID,
            client_secret=settings.NOTION_CLIENT_SECRET,
            grant_type="refresh_token",
            refresh_token=first["refresh_token"],
        )
