"""The whole journey in headless Chromium: a new user logs in, connects Google through the
sandbox, sees mail and events arrive after the first syncs, sends a reply, connects Slack and
sees a "deal won" notification land in the sandbox channel; a staff user then finds that sync's
SyncLog in the admin and sees the credential's secrets masked. Every step leaves a screenshot in
test-artifacts/ (journey-*.png)."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from email_accounts.models import EmailAccount, EmailMessage
from integrations.models import IntegrationCredential, SyncLog
from sandbox.google import calendar_store
from sandbox.google import gmail_mailbox as mailbox
from tests.browser import PASSWORD, api, log_in_and_open_settings, shot
from tests.conftest import wait_for
from tests.otp import log_in_through_the_admin_form

pytestmark = pytest.mark.django_db(transaction=True)
EMAIL = "alice@clianta.example"


def step(page, name):
    shot(page, f"journey-{name}")


def connect_google(page, slug):
    page.locator(f"section[data-provider={slug}]").get_by_role(
        "button", name="Connect", exact=True
    ).click()
    page.wait_for_selector("text=Sign in with Google")
    page.fill("input[name=email]", EMAIL)
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url(f"**/settings/integrations?provider={slug}&success=true")


def test_the_whole_journey(page, live_server, celery_worker, workspace_a, django_user_model):
    mailbox.deliver(EMAIL, sender="ann@acme.example", subject="Renewal terms", body="Shall we?")
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    calendar_store.add_event(
        EMAIL, summary="Renewal call", start=start, end=start + timedelta(minutes=30)
    )

    # A new user logs in and connects Google mail and calendar through the sandbox.
    log_in_and_open_settings(page, live_server.url)
    step(page, "1-settings")
    connect_google(page, "gmail")
    step(page, "2-gmail-connected")
    connect_google(page, "google_calendar")
    step(page, "3-calendar-connected")

    # The first syncs run in the worker; the mail and the event appear in the API.
    page.goto(f"{live_server.url}/api/email-messages")
    wait_for(lambda: EmailMessage.objects.filter(subject="Renewal terms").exists(), timeout=60)
    page.reload()
    assert "Renewal terms" in page.content()
    step(page, "4-mail")
    page.goto(f"{live_server.url}/api/calendar/events")
    page.wait_for_function("document.body.innerText.includes('Renewal call')", timeout=60_000)
    step(page, "5-events")

    # A reply, sent from the same session, lands in the same thread at Gmail.
    page.goto(f"{live_server.url}/settings/integrations")
    message = EmailMessage.objects.get(subject="Renewal terms")
    account = EmailAccount.objects.get(provider="gmail")
    sent = api(
        page,
        "POST",
        f"/api/email-accounts/{account.pk}/send",
        {
            "to": ["ann@acme.example"],
            "body": "Yes, Tuesday works.",
            "reply_to_message": str(message.pk),
        },
    )
    assert sent["status"] == 201, sent
    assert sent["body"]["provider_thread_id"] == message.provider_thread_id
    step(page, "6-reply-sent")

    # Slack: install into the sandbox team, then win a deal.
    page.locator("section[data-provider=slack]").get_by_role(
        "button", name="Connect", exact=True
    ).click()
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url("**/settings/integrations?provider=slack&success=true")
    step(page, "7-slack-connected")
    deal = api(page, "POST", "/api/deals", {"name": "Acme renewal", "amount": "12000.00"})
    assert deal["status"] == 201, deal
    won = api(page, "PATCH", f"/api/deals/{deal['body']['id']}", {"stage": "won"})
    assert won["status"] == 200, won
    page.goto(f"{live_server.url}/sandbox/slack/_messages?channel=celebrations")
    for _ in range(60):
        if "Acme renewal" in page.inner_text("body"):
            break
        page.wait_for_timeout(500)
        page.reload()
    assert "Acme renewal" in page.inner_text("body")
    step(page, "8-deal-won-in-slack")

    # Staff log in to the admin with their TOTP code, find the sync and see the credential's
    # secrets masked.
    staff = django_user_model.objects.create_superuser("staff", "staff@clianta.example", PASSWORD)
    assert staff.is_staff
    page.context.clear_cookies()
    log_in_through_the_admin_form(page, live_server.url, staff, PASSWORD)
    run = SyncLog.objects.filter(provider="gmail", status="success").earliest("started_at")
    page.goto(f"{live_server.url}/admin/integrations/synclog/?q={EMAIL}")
    assert str(run.pk) in page.content() or EMAIL in page.inner_text("#result_list")
    step(page, "9-admin-sync-logs")
    page.goto(f"{live_server.url}/admin/integrations/synclog/{run.pk}/change/")
    assert "success" in page.inner_text("body").lower()
    step(page, "10-admin-sync-log")
    credential = IntegrationCredential.objects.get(provider="gmail")
    page.goto(f"{live_server.url}/admin/integrations/integrationcredential/{credential.pk}/change/")
    html = page.content()
    assert credential.access_token not in html and credential.refresh_token not in html
    assert json.dumps(credential.refresh_token)[1:-1] not in html
    step(page, "11-admin-credential-masked")
