"""``manage.py doctor``: the health report, configuration problems and the URLs to register with
the providers, with a non-zero exit code when anything is wrong."""

import base64
import io
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import resolve
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from clianta.models import Heartbeat
from email_accounts.gmail_push import notification as gmail_push
from integrations import registry
from integrations.crypto import generate_key
from integrations.models import IntegrationCredential
from messaging.slack.webhooks import CommandView, EventsView
from messaging.twilio.webhooks import InboundSmsWebhook
from tests.conftest import _database_url
from tests.integrations.oauth_helpers import query, start
from tests.security.test_production_settings import production_env

pytestmark = pytest.mark.django_db
REQUIRED = sorted({name for p in registry.PROVIDERS.values() for name in p.required_settings})


def doctor() -> tuple[str, str | None]:
    """Its output, and the error it exits with (None: exit code 0)."""
    out = io.StringIO()
    try:
        call_command("doctor", stdout=out)
    except CommandError as exc:
        return out.getvalue(), str(exc)
    return out.getvalue(), None


@pytest.fixture
def alive():
    PeriodicTask.objects.filter(task="clianta.heartbeat").update(last_run_at=timezone.now())
    Heartbeat.objects.create(name="celery@worker-1", last_seen=timezone.now())


@pytest.fixture
def production(settings, alive):
    """A correct production configuration, and beat and a worker alive."""
    settings.DEBUG = False
    settings.PUBLIC_URL = "https://crm.clianta.example"
    settings.SANDBOX_PROVIDERS = False
    for name in REQUIRED:
        setattr(settings, name, f"value-of-{name.lower()}")
    return settings


def test_a_healthy_well_configured_install_has_nothing_to_report(production):
    output, error = doctor()
    assert error is None
    assert "Health: ok" in output
    assert "Configuration: ok" in output
    assert "No problem found." in output


def test_misconfiguration_is_reported_and_fails(production):
    production.PUBLIC_URL = "http://crm.clianta.example"
    production.SANDBOX_PROVIDERS = True
    production.GOOGLE_CLIENT_SECRET = ""
    production.SLACK_SIGNING_SECRET = ""

    output, error = doctor()

    assert error == "6 problem(s) found."
    assert "Health: ok" in output
    assert "Configuration: degraded" in output
    assert "public_url_not_https: PUBLIC_URL is http://crm.clianta.example" in output
    assert "sandbox_in_production" in output
    for slug in ("gmail", "google_calendar", "google_sheets"):
        assert f"setting_missing: [{slug}]" in output
    assert "GOOGLE_CLIENT_SECRET not set" in output
    assert "[slack] Slack cannot connect: SLACK_SIGNING_SECRET not set." in output


def test_with_debug_on_http_and_the_sandbox_are_expected(production):
    production.DEBUG = True
    production.PUBLIC_URL = "http://127.0.0.1:8000"
    production.SANDBOX_PROVIDERS = True
    assert doctor()[1] is None


def test_doctor_reports_what_the_detailed_health_reports(production, workspace_a):
    Heartbeat.objects.update(last_seen=timezone.now() - timezone.timedelta(minutes=10))
    IntegrationCredential.objects.create(
        workspace=workspace_a,
        provider="gmail",
        account="late@a.example",
        last_success_at=timezone.now() - timezone.timedelta(hours=1),
    )

    output, error = doctor()

    assert error == "2 problem(s) found."
    assert "Health: degraded" in output
    assert "worker_silent" in output and "celery@worker-1" in output
    assert "sync_late: [gmail] 1 Gmail account(s)" in output


def test_secrets_under_an_old_key_until_rotated(production, workspace_a):
    old_key = settings.ENCRYPTION_KEYS[0]
    IntegrationCredential.objects.create(
        workspace=workspace_a, provider="slack", account="T1", access_token="xoxb-1"
    )
    IntegrationCredential.objects.create(
        workspace=workspace_a, provider="apollo", api_key="apollo-key", refresh_token=None
    )
    assert doctor()[1] is None

    production.ENCRYPTION_KEYS = [generate_key(), old_key]  # a new key put first

    output, error = doctor()
    assert error == "1 problem(s) found."
    assert "keys_not_rotated: 2 row(s) hold secrets under an older encryption key" in output

    call_command("rotate_encryption_keys", stdout=io.StringIO())

    assert doctor()[1] is None


def printed_urls(output: str) -> dict[tuple[str, str], str]:
    """{(provider name, purpose): URL} of the doctor's URL section."""
    section = output.split("URLs to register with the providers")[1].split("\n\n")[0]
    lines = section.splitlines()[1:]
    labels, urls = lines[0::2], lines[1::2]
    return {
        tuple(label.strip().split(": ", 1)): url.strip()
        for label, url in zip(labels, urls, strict=True)
    }


def test_the_printed_urls_are_our_routes_under_public_url(production):
    urls = printed_urls(doctor()[0])

    for url in urls.values():
        assert url.startswith("https://crm.clianta.example/")
        resolve(urlsplit(url).path)  # raises Resolver404 otherwise
    oauth = [p for p in registry.PROVIDERS.values() if p.oauth is not None]
    for provider in oauth:
        callback = resolve(urlsplit(urls[provider.name, "OAuth redirect URI"]).path)
        assert (callback.url_name, callback.kwargs) == (
            "oauth-callback",
            {"provider": provider.slug},
        )
    views = {
        purpose: getattr(view := resolve(urlsplit(url).path).func, "view_class", view)
        for (_, purpose), url in urls.items()
        if purpose != "OAuth redirect URI"
    }
    assert views["Event Subscriptions: Request URL"] is EventsView
    assert views["Slash command /clianta: Request URL"] is CommandView
    assert views["Phone number, Messaging: A message comes in (HTTP POST)"] is InboundSmsWebhook
    assert views["the Pub/Sub push subscription's endpoint (Gmail push)"] is gmail_push


@pytest.mark.parametrize("slug", ["gmail", "google_calendar", "slack", "notion"])
def test_the_printed_redirect_uri_is_the_one_the_flow_sends(sandbox, alice, workspace_a, slug):
    browser = Client()
    browser.force_login(alice)
    provider = registry.get(slug)

    sent = query(start(browser, workspace_a, slug))["redirect_uri"]

    assert printed_urls(doctor()[0])[provider.name, "OAuth redirect URI"] == sent


@pytest.mark.django_db(transaction=True)
def test_exit_code_says_whether_anything_is_wrong():
    PeriodicTask.objects.filter(task="clianta.heartbeat").update(last_run_at=timezone.now())
    Heartbeat.objects.create(name="celery@worker-1", last_seen=timezone.now())
    env = production_env(
        DATABASE_URL=_database_url(connection.settings_dict),
        ENCRYPTION_KEYS=",".join(settings.ENCRYPTION_KEYS),
    )
    command = [sys.executable, "manage.py", "doctor"]

    for name in REQUIRED:
        env.pop(name, None)
    missing = subprocess.run(
        command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    assert missing.returncode == 1, missing.stderr
    assert "setting_missing: [slack]" in missing.stdout
    assert "problem(s) found" in missing.stderr

    env.update({name: base64.b16encode(name.encode()).decode() for name in REQUIRED})
    fine = subprocess.run(command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True)
    assert fine.returncode == 0, fine.stdout + fine.stderr
    assert "No problem found." in fine.stdout
