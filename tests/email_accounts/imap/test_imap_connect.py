"""Connecting an IMAP/SMTP mailbox through the API: both logins checked, nothing stored on a
refusal, the password kept encrypted, and the mailbox synced like any other."""

import pytest
from django.db import connection

from email_accounts import services
from email_accounts.models import EmailAccount, EmailMessage
from email_accounts.tasks import sync_all
from integrations.models import IntegrationCredential, SyncLog
from tests.conftest import wait_for
from tests.email_accounts.imap.servers import free_port
from tests.email_accounts.mail import raw

URL = "/api/email-accounts"


def form(mailbox, smtp_server, imap=None, smtp=None, **changes) -> dict:
    return {
        "provider": "smtp",
        "email": mailbox.user,
        "password": mailbox.password,
        "imap": {
            "host": "127.0.0.1",
            "port": mailbox.server.port,
            "security": "none",
            **(imap or {}),
        },
        "smtp": {"host": "127.0.0.1", "port": smtp_server.port, "security": "none", **(smtp or {})},
        **changes,
    }


def nothing_stored() -> bool:
    return not IntegrationCredential.objects.exists() and not EmailAccount.objects.exists()


@pytest.mark.django_db
def test_connecting_stores_the_password_encrypted_and_never_answers_it(
    api_a, workspace_a, mailbox, smtp_server
):
    response = api_a.post(URL, form(mailbox, smtp_server), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["provider"], body["email"]) == ("smtp", mailbox.user)
    assert mailbox.password not in response.content.decode()
    credential = IntegrationCredential.objects.get(workspace=workspace_a, provider="smtp")
    assert credential.api_key == mailbox.password
    assert mailbox.password not in str(credential.metadata)
    assert credential.metadata["imap"] == {
        "host": "127.0.0.1",
        "port": mailbox.server.port,
        "security": "none",
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT api_key FROM integrations_integrationcredential WHERE id = %s",
            [credential.pk.hex if connection.vendor == "sqlite" else credential.pk],
        )
        assert mailbox.password not in cursor.fetchone()[0]
    listed = api_a.get(URL).json()["results"]
    assert [(a["provider"], a["email"]) for a in listed] == [("smtp", mailbox.user)]
    assert mailbox.password not in api_a.get(f"{URL}/{body['id']}").content.decode()


@pytest.mark.django_db
def test_a_wrong_password_answers_the_imap_servers_reason_and_stores_nothing(
    api_a, mailbox, smtp_server
):
    response = api_a.post(URL, form(mailbox, smtp_server, password="wrong"), format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "login_failed"
    assert body["fields"] == {"imap": ["[AUTHENTICATIONFAILED] Authentication failed."]}
    assert nothing_stored()


@pytest.mark.django_db
def test_a_refused_smtp_login_answers_its_reason_and_stores_nothing(api_a, mailbox, smtp_server):
    smtp_server.password = "only the smtp server knows"
    response = api_a.post(URL, form(mailbox, smtp_server), format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["smtp"][0].startswith("535 ")
    assert nothing_stored()


@pytest.mark.django_db
def test_an_unreachable_server_answers_400(api_a, mailbox, smtp_server):
    response = api_a.post(
        URL, form(mailbox, smtp_server, smtp={"port": free_port()}), format="json"
    )
    assert response.status_code == 400
    assert "refused" in response.json()["fields"]["smtp"][0].lower()
    assert nothing_stored()


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "10.0.0.8", "169.254.169.254"])
def test_internal_hosts_are_refused_unless_allowed(api_a, mailbox, smtp_server, settings, host):
    """A member cannot make the server probe this machine or a private network."""
    settings.IMAP_SMTP_ALLOW_PRIVATE_HOSTS = False
    response = api_a.post(
        URL, form(mailbox, smtp_server, imap={"host": host, "security": "ssl"}), format="json"
    )
    assert response.status_code == 400
    assert "private network" in response.json()["fields"]["imap"][0]
    assert nothing_stored()


@pytest.mark.django_db
def test_plain_text_is_refused_beyond_this_machine_and_fields_are_required(
    api_a, mailbox, smtp_server
):
    plain = api_a.post(
        URL, form(mailbox, smtp_server, imap={"host": "mail.acme.example"}), format="json"
    )
    assert plain.status_code == 400
    assert plain.json()["fields"] == {
        "imap": {"security": ["Plain text is only allowed to this machine."]}
    }
    odd = api_a.post(URL, form(mailbox, smtp_server, smtp={"host": "mail server"}), format="json")
    assert odd.json()["fields"] == {"smtp": {"host": ["Give a host name or an IP address."]}}
    missing = api_a.post(URL, {"provider": "smtp", "email": mailbox.user}, format="json")
    assert missing.status_code == 400
    assert set(missing.json()["fields"]) == {"password", "imap", "smtp"}
    assert nothing_stored()


@pytest.mark.django_db(transaction=True)
def test_the_first_sync_is_queued_and_the_schedule_syncs_the_mailbox(
    celery_worker, api_a, mailbox, smtp_server
):
    mailbox.deliver(raw(subject="Before", message_id="<before@acme.example>"))
    assert api_a.post(URL, form(mailbox, smtp_server), format="json").status_code == 201
    first = wait_for(lambda: SyncLog.objects.filter(status="success").first())
    assert (first.provider, first.trigger, first.created) == ("smtp", "connect", 1)
    mailbox.deliver(raw(subject="After", message_id="<after@acme.example>"))
    assert sync_all.delay() is not None
    log = wait_for(lambda: SyncLog.objects.filter(status="success", trigger="schedule").first())
    assert log.created == 1
    assert sorted(EmailMessage.objects.values_list("subject", flat=True)) == ["After", "Before"]


@pytest.mark.django_db
def test_a_mailbox_over_the_plans_limit_answers_402_before_any_login(
    api_a, mailbox, smtp_server, plan_limits
):
    plan_limits(mailboxes=1)
    assert api_a.post(URL, form(mailbox, smtp_server), format="json").status_code == 201

    second = form(mailbox, smtp_server, email="second@acme.example", password="wrong")
    response = api_a.post(URL, second, format="json")

    # A login would have been refused with a 400: none was tried.
    assert response.status_code == 402
    body = response.json()
    assert (body["code"], body["plan"], body["resource"]) == ("plan_limit", "free", "mailboxes")
    assert (body["limit"], body["used"]) == (1, 1)
    assert next(iter(body)) == "error" and "Upgrade" in body["error"]
    # Connecting the same mailbox again (a new password) is not a new mailbox.
    assert api_a.post(URL, form(mailbox, smtp_server), format="json").status_code == 201


@pytest.mark.django_db
def test_mailboxes_over_a_lowered_limit_are_paused_and_resume_on_upgrade(
    api_a, workspace_a, mailbox, smtp_server, plan_limits
):
    assert api_a.post(URL, form(mailbox, smtp_server), format="json").status_code == 201
    credential = IntegrationCredential.objects.create(
        workspace=workspace_a, provider="smtp", account="later@acme.example", api_key="x"
    )
    later = EmailAccount.objects.create(
        workspace=workspace_a, provider="smtp", email="later@acme.example", credential=credential
    )
    first = EmailAccount.objects.get(email=mailbox.user)
    plan_limits(mailboxes=1)  # the workspace fell back to a plan with one mailbox

    paused = services.sync_emails(later)
    kept = services.sync_emails(first)

    assert paused.status == SyncLog.Status.SKIPPED
    assert paused.skip_reasons == {"paused: over the plan's limit of 1 mailboxes": 1}
    assert kept.status == SyncLog.Status.SUCCESS
    assert EmailAccount.objects.count() == 2  # nothing deleted
    plan_limits(mailboxes=2)
    assert services.sync_job(later).paused() == ""
