"""The audit trail: each audited action leaves a row after the real action, with its actor and
workspace; owners and admins read their workspace's rows at /api/audit-log, nobody edits them;
staff read them in the admin, where opening a credential is itself recorded."""

from datetime import timedelta

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone

from clianta import audit
from clianta.models import AuditEvent, Membership
from email_accounts.models import EmailAccount
from integrations.models import IntegrationCredential
from sandbox.notion import store as notion_store
from tests.conftest import sandbox_tokens
from tests.email_accounts.gmail_helpers import EMAIL, SCOPES
from tests.email_accounts.imap.conftest import dovecot, mailbox, smtp_server  # noqa: F401
from tests.integrations.oauth_helpers import consent, finish, start
from tests.otp import log_in_staff

pytestmark = pytest.mark.django_db(transaction=True)
LOG = "/api/audit-log"


@pytest.fixture
def gmail(sandbox, workspace_a, alice):
    """A Gmail mailbox of workspace A whose grant the sandbox's Google knows."""
    credential = IntegrationCredential.objects.create(
        workspace=workspace_a,
        provider="gmail",
        account=EMAIL,
        connected_by=alice,
        **sandbox_tokens(EMAIL, SCOPES),
    )
    return EmailAccount.objects.create(
        workspace=workspace_a, provider="gmail", email=EMAIL, credential=credential, owner=alice
    )


def events(api, **params) -> list[dict]:
    response = api.get(LOG, params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def only(api, action: str) -> dict:
    found = [event for event in events(api) if event["action"] == action]
    assert len(found) == 1, found
    return found[0]


def test_connecting_through_oauth_is_recorded_with_the_person_and_workspace(
    client, alice, workspace_a, sandbox, api_a
):
    client.force_login(alice)
    finish(client, consent(start(client, workspace_a), email="alice@example.com"))

    event = only(api_a, audit.INTEGRATION_CONNECTED)
    credential = IntegrationCredential.objects.get()
    assert (event["actor"], event["actor_label"]) == (alice.pk, "alice")
    assert event["details"] == {"provider": "gmail", "account": "alice@example.com"}
    assert (event["target_type"], event["target_id"]) == (
        "integrations.integrationcredential",
        str(credential.pk),
    )
    assert event["target_label"] == "Gmail (alice@example.com)"
    assert event["ip_address"] == "127.0.0.1"
    assert AuditEvent.objects.get().workspace == workspace_a


def test_connecting_a_notion_token_is_recorded(sandbox, api_a, alice, workspace_a):
    token = notion_store.integration_token("Acme wiki")
    response = api_a.post("/api/integrations/notion/connect", {"token": token}, format="json")
    assert response.status_code == 201

    event = only(api_a, audit.INTEGRATION_CONNECTED)
    assert event["actor"] == alice.pk and event["details"] == {"provider": "notion"}
    assert token not in str(event)


def test_connecting_an_imap_mailbox_is_recorded(api_a, alice, mailbox, smtp_server):  # noqa: F811
    imap = {"host": "127.0.0.1", "port": mailbox.server.port, "security": "none"}
    smtp = {"host": "127.0.0.1", "port": smtp_server.port, "security": "none"}
    response = api_a.post(
        "/api/email-accounts",
        {
            "provider": "smtp",
            "email": mailbox.user,
            "password": mailbox.password,
            "imap": imap,
            "smtp": smtp,
        },
        format="json",
    )
    assert response.status_code == 201, response.content

    event = only(api_a, audit.INTEGRATION_CONNECTED)
    assert event["actor"] == alice.pk
    assert event["details"] == {"provider": "smtp", "account": mailbox.user}
    assert mailbox.password not in str(event)


def test_a_check_is_recorded_with_its_result(api_a, alice, gmail):
    response = api_a.post(f"/api/integrations/{gmail.credential.pk}/check")
    assert response.status_code == 200

    event = only(api_a, audit.INTEGRATION_CHECKED)
    assert event["actor"] == alice.pk
    assert event["details"] == {"provider": "gmail", "account": EMAIL, "result": "ok"}


def test_a_failed_check_is_recorded_too(api_a, gmail):
    IntegrationCredential.objects.filter(pk=gmail.credential.pk).update(
        status=IntegrationCredential.Status.NEEDS_RECONNECT
    )
    response = api_a.post(f"/api/integrations/{gmail.credential.pk}/check")
    assert response.status_code == 401

    assert only(api_a, audit.INTEGRATION_CHECKED)["details"]["result"] == "reconnect_required"


def test_disconnecting_through_the_api_records_the_revocation_then_the_disconnect(
    api_a, alice, gmail
):
    credential_id = str(gmail.credential.pk)
    assert api_a.delete(f"/api/integrations/{credential_id}").status_code == 204

    listed = events(api_a)
    assert [e["action"] for e in listed] == [
        audit.INTEGRATION_DISCONNECTED,
        audit.INTEGRATION_REVOKED,
    ]
    for event in listed:
        assert (event["actor"], event["target_id"]) == (alice.pk, credential_id)
        assert event["details"] == {"provider": "gmail", "account": EMAIL}


def test_removing_a_mailbox_and_disconnecting_on_the_settings_page_are_recorded(
    client, api_a, alice, workspace_a, gmail, sandbox
):
    assert api_a.delete(f"/api/email-accounts/{gmail.pk}").status_code == 204
    assert only(api_a, audit.INTEGRATION_DISCONNECTED)["actor"] == alice.pk

    token = notion_store.integration_token("Acme wiki")
    api_a.post("/api/integrations/notion/connect", {"token": token}, format="json")
    notion = IntegrationCredential.objects.get(provider="notion")
    client.force_login(alice)
    page = client.post(
        f"/settings/integrations/{notion.pk}/disconnect", {"workspace": str(workspace_a.pk)}
    )
    assert page.status_code == 302

    disconnects = [e for e in events(api_a) if e["action"] == audit.INTEGRATION_DISCONNECTED]
    assert [(e["details"]["provider"], e["actor"]) for e in disconnects] == [
        ("notion", alice.pk),
        ("gmail", alice.pk),
    ]
    # Notion offers no revocation: nothing claims one happened.
    revoked = [e["details"]["provider"] for e in events(api_a, action=audit.INTEGRATION_REVOKED)]
    assert revoked == ["gmail"]


def test_sending_email_records_the_mailbox_and_recipient_count_never_the_message(
    api_a, alice, gmail
):
    body, subject = "The secret plan is attached", "Quarterly numbers"
    response = api_a.post(
        f"/api/email-accounts/{gmail.pk}/send",
        {
            "to": ["ann@acme.example", "bo@acme.example"],
            "cc": ["cy@acme.example"],
            "subject": subject,
            "body": body,
        },
        format="json",
    )
    assert response.status_code == 201, response.content

    event = only(api_a, audit.MESSAGE_SENT)
    assert event["actor"] == alice.pk
    assert (event["target_id"], event["target_label"]) == (str(gmail.pk), EMAIL)
    assert event["details"] == {
        "channel": "email",
        "message": response.json()["id"],
        "recipients": 3,
    }
    stored = str(AuditEvent.objects.values().get())
    assert body not in stored and subject not in stored and "ann@acme.example" not in stored


def test_only_owners_and_admins_read_the_audit_log(
    client_for, make_user, alice, workspace_a, api_a
):
    audit.record(audit.TOKEN_CREATED, workspace=workspace_a, actor=alice)
    roles = {}
    for role in Membership.Role:
        user = make_user(f"a-{role}")
        Membership.objects.create(workspace=workspace_a, user=user, role=role)
        roles[role] = client_for(user).get(LOG)

    assert roles["owner"].status_code == roles["admin"].status_code == 200
    assert len(roles["admin"].json()["results"]) == 1
    assert roles["member"].status_code == 403
    assert roles["member"].json()["code"] == "permission_denied"


def test_another_workspaces_events_never_appear(
    client_for, alice, bob, workspace_a, workspace_b, api_a, api_b
):
    audit.record(audit.TOKEN_CREATED, workspace=workspace_a, actor=alice)
    audit.record(audit.TOKEN_REVOKED, workspace=workspace_b, actor=bob)
    audit.record(audit.CREDENTIAL_VIEWED_BY_STAFF, workspace=None)

    assert [e["action"] for e in events(api_a)] == [audit.TOKEN_CREATED]
    assert [e["action"] for e in events(api_b)] == [audit.TOKEN_REVOKED]
    other = client_for(alice).get(LOG, HTTP_X_WORKSPACE=str(workspace_b.pk))
    assert other.status_code == 404
    event = AuditEvent.objects.get(workspace=workspace_b)
    assert api_a.get(f"{LOG}/{event.pk}").status_code == 404


def test_filters_by_actor_action_and_period(make_user, alice, workspace_a, api_a):
    carol = make_user("carol")
    Membership.objects.create(workspace=workspace_a, user=carol)
    first = audit.record(audit.TOKEN_CREATED, workspace=workspace_a, actor=alice)
    second = audit.record(audit.MESSAGE_SENT, workspace=workspace_a, actor=carol)
    third = audit.record(audit.MEMBER_REMOVED, workspace=workspace_a, actor=alice)
    now = timezone.now()
    AuditEvent.objects.filter(pk=first.pk).update(created_at=now - timedelta(days=3))
    AuditEvent.objects.filter(pk=second.pk).update(created_at=now - timedelta(days=2))
    AuditEvent.objects.filter(pk=third.pk).update(created_at=now - timedelta(days=1))

    def ids(**params):
        return [e["id"] for e in events(api_a, **params)]

    assert ids() == [str(third.pk), str(second.pk), str(first.pk)]  # newest first
    assert ids(actor=carol.pk) == [str(second.pk)]
    assert ids(action=audit.TOKEN_CREATED) == [str(first.pk)]
    several = api_a.get(f"{LOG}?action={audit.TOKEN_CREATED}&action={audit.MEMBER_REMOVED}")
    assert [e["id"] for e in several.json()["results"]] == [str(third.pk), str(first.pk)]
    assert ids(action=f"{audit.MESSAGE_SENT},{audit.MEMBER_REMOVED}") == [
        str(third.pk),
        str(second.pk),
    ]
    middle = (now - timedelta(days=2, hours=1)).isoformat()
    assert ids(after=middle) == [str(third.pk), str(second.pk)]
    assert ids(after=middle, before=(now - timedelta(days=1, hours=1)).isoformat()) == [
        str(second.pk)
    ]
    page = api_a.get(LOG, {"page_size": 2}).json()
    assert len(page["results"]) == 2 and page["next"]

    for bad in ({"actor": "alice"}, {"action": "integration.exploded"}, {"after": "yesterday"}):
        answer = api_a.get(LOG, bad)
        assert answer.status_code == 400 and set(answer.json()["fields"]) == set(bad)


def test_the_audit_log_is_read_only_through_the_api(alice, workspace_a, api_a):
    event = audit.record(audit.TOKEN_CREATED, workspace=workspace_a, actor=alice)
    assert api_a.post(LOG, {"action": "token.created"}, format="json").status_code == 405
    for method in (api_a.put, api_a.patch, api_a.delete):
        answer = method(f"{LOG}/{event.pk}", {"action": "token.revoked"}, format="json")
        assert answer.status_code == 405
        assert answer.json()["code"] == "method_not_allowed"
    event.refresh_from_db()
    assert event.action == audit.TOKEN_CREATED


def test_the_audit_log_is_in_the_schema(api_a):
    schema = api_a.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operations = schema["paths"]["/api/audit-log"]
    assert set(operations) == {"get"}
    names = {p["name"] for p in operations["get"]["parameters"]}
    assert {"actor", "action", "after", "before", "cursor"} <= names
    assert set(schema["paths"]["/api/audit-log/{id}"]) == {"get"}


def test_staff_opening_a_credential_is_recorded_with_the_staff_member(
    client, make_user, api_a, gmail, workspace_a
):
    staff = make_user("staff", is_staff=True, is_superuser=True)
    log_in_staff(client, staff)
    url = f"/admin/integrations/integrationcredential/{gmail.credential.pk}/change/"
    assert client.get(url).status_code == 200

    event = only(api_a, audit.CREDENTIAL_VIEWED_BY_STAFF)
    assert (event["actor"], event["actor_label"]) == (staff.pk, "staff")
    assert event["target_id"] == str(gmail.credential.pk)
    assert AuditEvent.objects.get().workspace == workspace_a
    client.get("/admin/integrations/integrationcredential/")  # the list opens no credential
    assert AuditEvent.objects.count() == 1


def test_staff_read_and_search_the_trail_in_the_admin_and_nobody_edits_it(
    make_user, alice, workspace_a
):
    event = audit.record(
        audit.MESSAGE_SENT, workspace=workspace_a, actor=alice, target_label="me@clianta.example"
    )
    superuser = Client()
    log_in_staff(superuser, make_user("root", is_staff=True, is_superuser=True))
    base = "/admin/clianta/auditevent/"

    listing = superuser.get(base, {"q": "me@clianta"})
    assert listing.status_code == 200 and "message.sent" in listing.text
    assert superuser.get(base, {"action": audit.MESSAGE_SENT}).status_code == 200
    page = superuser.get(f"{base}{event.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.text
    assert superuser.get(f"{base}add/").status_code == 403
    assert superuser.post(f"{base}{event.pk}/change/", {"action": "x"}).status_code == 403
    assert superuser.get(f"{base}{event.pk}/delete/").status_code == 403
    deleted = superuser.post(
        base, {"action": "delete_selected", "_selected_action": [str(event.pk)], "post": "yes"}
    )
    assert deleted.status_code in (200, 302)
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    event.refresh_from_db()
    assert event.action == audit.MESSAGE_SENT


@pytest.mark.parametrize(
    ("proxies", "recorded"), [(0, "10.0.0.7"), (1, "203.0.113.9"), (2, "198.51.100.4")]
)
def test_the_address_recorded_is_the_clients_behind_the_trusted_proxies(
    settings, alice, workspace_a, proxies, recorded
):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies}
    request = RequestFactory().post(
        "/api/tokens",
        REMOTE_ADDR="10.0.0.7",
        HTTP_X_FORWARDED_FOR="198.51.100.4, 203.0.113.9",  # the first one is the client's word
    )
    event = audit.record(audit.TOKEN_CREATED, workspace=workspace_a, actor=alice, request=request)
    assert event.ip_address == recorded


def test_an_address_that_is_not_one_is_not_recorded(settings, alice, workspace_a):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    request = RequestFactory().post("/api/tokens", HTTP_X_FORWARDED_FOR="not-an-address")
    event = audit.record(audit.TOKEN_CREATED, workspace=workspace_a, actor=alice, request=request)
    assert event.ip_address is None
