import pytest

pytestmark = pytest.mark.django_db


def test_the_api_root_links_the_list_routes_of_every_app(api_a):
    response = api_a.get("/api/")
    assert response.status_code == 200
    links = response.json()
    assert links["contacts"] == "http://testserver/api/contacts"
    assert links["integrations"] == "http://testserver/api/integrations"
    assert links["email-accounts"] == "http://testserver/api/email-accounts"
    assert links["calendar/events"] == "http://testserver/api/calendar/events"
    assert links["integrations/google-sheets/imports"].endswith("/imports")
    assert links["slack/messages"] == "http://testserver/api/slack/messages"
    assert links["sms"] == "http://testserver/api/sms"
    assert links["webhook-endpoints"] == "http://testserver/api/webhook-endpoints"
    assert links["salesforce/mappings"] == "http://testserver/api/salesforce/mappings"
    assert links["salesforce/conflicts"] == "http://testserver/api/salesforce/conflicts"
    assert links["salesforce/push-errors"] == "http://testserver/api/salesforce/push-errors"
    assert len(links) == 33
    assert not any("workspace_pk" in key or "apollo" in key for key in links)
