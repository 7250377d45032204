"""The database side of bench/webhooks.py, run in a process of its own with the server's
environment: ``seed`` connects Slack (through the real install flow against the sandbox) and
Twilio for one workspace and prints what the load needs; ``drain`` waits for the worker to
process every delivery; ``check FILE`` compares the database with what the server answered
(FILE, from the load)."""

import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clianta.settings")

import django

django.setup()

import requests  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402

from clianta.models import Membership, Workspace  # noqa: E402
from integrations.models import IntegrationCredential, WebhookDelivery  # noqa: E402
from messaging.slack.models import SlackIntegration, SlackMessage  # noqa: E402
from messaging.twilio.models import SmsMessage  # noqa: E402
from sandbox.slack import store as slack_store  # noqa: E402
from sandbox.twilio import store as twilio_store  # noqa: E402

DRAIN_TIMEOUT = 300


def seed() -> dict:
    workspace = Workspace.objects.create(name="Bench")
    user = get_user_model().objects.create_user("bench")
    Membership.objects.create(user=user, workspace=workspace, role=Membership.Role.OWNER)
    browser = Client(HTTP_HOST=urlsplit(settings.PUBLIC_URL).hostname)
    browser.force_login(user)
    consent_url = browser.post(
        "/api/integrations/slack/connect/start", {"workspace": str(workspace.pk)}
    )
    consent = requests.post(
        consent_url["Location"],
        data={"team": "Bench Team", "channel": "general", "decision": "allow"},
        allow_redirects=False,
        timeout=30,
    )
    callback = urlsplit(consent.headers["Location"])
    browser.get(callback.path, dict(parse_qsl(callback.query)))
    integration = SlackIntegration.objects.get(workspace=workspace)
    team = slack_store.team(integration.team_id)
    account = twilio_store.create_account()
    IntegrationCredential.objects.create(
        workspace=workspace,
        provider="twilio",
        account=account.sid,
        api_key=account.auth_token,
        metadata={"phone_number": settings.TWILIO_PHONE_NUMBER},
    )
    return {
        "team_id": integration.team_id,
        "channel_id": integration.linked_channels[0],
        "user_id": slack_store.person(team).user_id,
        "slack_signing_secret": settings.SLACK_SIGNING_SECRET,
        "twilio_sid": account.sid,
        "twilio_token": account.auth_token,
        "twilio_number": settings.TWILIO_PHONE_NUMBER,
    }


def drain() -> dict:
    """Wait until the worker has processed every delivery (or DRAIN_TIMEOUT passed)."""
    started = time.monotonic()
    while WebhookDelivery.objects.filter(processed_at__isnull=True).exists():
        if time.monotonic() - started > DRAIN_TIMEOUT:
            break
        time.sleep(0.5)
    return {"drain_seconds": round(time.monotonic() - started, 1)}


def check(path: str) -> dict:
    with open(path) as file:
        expected = json.load(file)
    lost = doubled = bad_stored = unexpected = 0
    for provider in ("slack", "twilio"):
        good, bad = set(expected["good"][provider]), set(expected["bad"][provider])
        stored = Counter(
            WebhookDelivery.objects.filter(provider=provider).values_list("delivery_id", flat=True)
        )
        lost += len(good - set(stored))
        doubled += sum(count - 1 for count in stored.values())
        bad_stored += len(bad & set(stored))
        unexpected += len(set(stored) - good - bad)
    slack_rows = Counter(SlackMessage.objects.values_list("channel_id", "ts"))
    sms_rows = Counter(SmsMessage.objects.values_list("sid", flat=True))
    doubled += sum(n - 1 for n in slack_rows.values()) + sum(n - 1 for n in sms_rows.values())
    unique = sum(len(v) for v in expected["good"].values())
    return {
        "good_deliveries": unique,
        "accepted_answers": expected["accepted"],
        "redeliveries_counted": sum(WebhookDelivery.objects.values_list("redeliveries", flat=True)),
        "slack_messages_stored": sum(slack_rows.values()),
        "sms_stored": sum(sms_rows.values()),
        "bad_sent": expected["bad_sent"],
        "bad_rejected_403": expected["bad_rejected_403"],
        "lost": lost
        + (len(expected["good"]["slack"]) - len(slack_rows))
        + (len(expected["good"]["twilio"]) - len(sms_rows)),
        "doubled": doubled,
        "bad_stored": bad_stored,
        "stored_without_a_2xx": unexpected,
        "unprocessed": WebhookDelivery.objects.filter(processed_at__isnull=True).count(),
    }


if __name__ == "__main__":
    command = sys.argv[1]
    result = {"seed": seed, "drain": drain, "check": check}[command](*sys.argv[2:])
    print(json.dumps(result))
