"""Connecting an org: the login host chosen, PKCE, the grant and its instance kept, the
connection and its default mapping made; refresh once on an expired session; revoke on
disconnect."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from crm_sync import mapping, services
from crm_sync.models import CrmConnection, FieldMapping, ObjectCursor, RecordLink
from integrations.errors import AuthExpired
from integrations.models import IntegrationCredential, OAuthState
from sandbox import faults
from sandbox.salesforce import seed as sf_seed
from sandbox.salesforce.models import SalesforceGrant, SalesforceOrg, SalesforceSession

from .conftest import connect, run
from .helpers import connect_org

pytestmark = pytest.mark.django_db(transaction=True)


def test_connecting_keeps_the_orgs_instance_and_makes_the_default_mapping(
    connection, org, settings
):
    credential = IntegrationCredential.objects.get(pk=connection.credential_id)
    assert credential.account == org.org_id
    assert credential.metadata["instance_url"] == settings.SANDBOX_TLS_URL + "/salesforce"
    assert credential.metadata["login_url"] == settings.SALESFORCE_LOGIN_URL
    assert credential.metadata["username"]
    assert credential.access_token and credential.refresh_token
    assert set(credential.scopes) == {"api", "refresh_token"}
    made = FieldMapping.objects.filter(workspace_id=connection.workspace_id)
    assert made.count() == len(mapping.DEFAULTS)
    assert made.get(object="deal", local_field="stage").value_map[0] == ["lead", "Prospecting"]


def test_the_consent_url_carries_a_pkce_challenge(browser, org, workspace_a):
    response = browser.post(
        "/api/integrations/salesforce/connect/start",
        {"workspace": str(workspace_a.pk), "login": "production"},
    )
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["scope"] == ["api refresh_token"]
    assert OAuthState.objects.get(provider="salesforce").code_verifier


def test_a_sandbox_org_logs_in_at_the_test_login_host(browser, org, workspace_a, settings):
    settings.SALESFORCE_TEST_LOGIN_URL = settings.SALESFORCE_LOGIN_URL.replace(
        "127.0.0.1", "localhost"
    )
    response = connect(browser, workspace_a, login="sandbox")
    assert response["Location"].endswith("success=true"), response["Location"]
    credential = IntegrationCredential.objects.get(provider="salesforce")
    assert credential.metadata["login_url"].startswith("http://localhost:")


@pytest.mark.parametrize(
    "host",
    [
        "evil.example.com",
        "acme.my.salesforce.com.evil.example.com",
        "acme.my.salesforce.com/path",
        "acme.my.salesforce.com:8443",
        "",
    ],
)
def test_a_my_domain_outside_salesforce_is_refused(browser, org, workspace_a, host):
    response = browser.post(
        "/api/integrations/salesforce/connect/start",
        {"workspace": str(workspace_a.pk), "login": "my_domain", "my_domain": host},
    )
    assert response.status_code == 400
    assert b"acme.my.salesforce.com" in response.content
    assert not OAuthState.objects.exists()


def test_a_my_domain_is_where_the_person_consents(browser, org, workspace_a):
    response = browser.post(
        "/api/integrations/salesforce/connect/start",
        {
            "workspace": str(workspace_a.pk),
            "login": "my_domain",
            "my_domain": "https://Acme--UAT.sandbox.my.salesforce.com/",
        },
    )
    assert response.status_code == 302
    assert response["Location"].startswith(
        "https://acme--uat.sandbox.my.salesforce.com/services/oauth2/authorize?"
    )
    state = OAuthState.objects.get(provider="salesforce")
    assert state.options == {
        "login": "my_domain",
        "my_domain": "acme--uat.sandbox.my.salesforce.com",
    }


def test_an_expired_session_is_refreshed_once_and_the_refresh_token_kept(connection):
    credential = IntegrationCredential.objects.get(pk=connection.credential_id)
    before = (credential.access_token, credential.refresh_token)
    SalesforceSession.objects.update(expires_at=timezone.now())
    faults.clear_calls()
    assert services.describe(connection, "contact")["name"] == "Contact"
    assert faults.calls("salesforce", "/services/oauth2/token").count() == 1
    credential.refresh_from_db()
    assert credential.access_token != before[0]
    assert credential.refresh_token == before[1]


def test_a_refused_refresh_needs_reconnecting(connection):
    SalesforceGrant.objects.update(revoked_at=timezone.now())
    SalesforceSession.objects.update(revoked_at=timezone.now())
    with pytest.raises(AuthExpired):
        services.describe(connection, "deal")
    credential = IntegrationCredential.objects.get(pk=connection.credential_id)
    assert credential.status == IntegrationCredential.Status.NEEDS_RECONNECT


def test_disconnecting_revokes_the_grant_and_forgets_the_org(connection, api_a):
    response = api_a.delete(f"/api/integrations/{connection.credential_id}")
    assert response.status_code == 204
    assert SalesforceGrant.objects.get().revoked_at is not None
    assert not CrmConnection.objects.exists()
    assert not FieldMapping.objects.exists()


def test_another_org_starts_over_and_the_replaced_grant_is_revoked(connection, alice, org):
    sf_seed.seed(org, accounts=1, contacts=2)
    assert run(connection).status == "success"
    assert RecordLink.objects.filter(connection=connection).count() == 3
    FieldMapping.objects.filter(local_field="title").update(direction="from_salesforce")
    other = SalesforceOrg.objects.create(
        org_id="00D" + "0" * 12 + "AAA", name="Other", usage_since=timezone.now()
    )
    replaced = connection.credential_id
    connect_org(connection.workspace, alice, org=other, username="admin@other.example")
    connection.refresh_from_db()
    assert connection.credential.account == other.org_id
    assert not IntegrationCredential.objects.filter(pk=replaced).exists()
    assert SalesforceGrant.objects.get(user__org=org).revoked_at is not None
    assert not RecordLink.objects.filter(connection=connection).exists()
    assert not ObjectCursor.objects.filter(connection=connection).exists()
    assert FieldMapping.objects.get(local_field="title").direction == "from_salesforce"
