"""Push latency: changes made in the sandbox's Gmail, Outlook and Google Calendar while the app
runs as in production (gunicorn, a Celery worker, PostgreSQL, Redis, push on), and the seconds
until each change is visible through the API.

    .venv/bin/python bench/push_latency.py [--messages 200] [--events 100] [--rate 2]

Gmail and Outlook each get ``--messages`` new messages at ``--rate`` a second, then the calendar
``--events`` new events at the same rate. A poller reads the API every 50 ms; a change's latency
runs from just before the sandbox stores it to the first API answer that shows it. Printed per
provider: p50, p95 and max seconds, how many changes were seen, and how many syncs the pushes
ran (fewer than changes: bursts coalesce). Needs PostgreSQL and Redis (BENCH_DATABASE_URL,
BENCH_BROKER_URL).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness

DATABASE = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clianta_bench")
BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/3")
PUSH = {
    "PUSH_NOTIFICATIONS": "true",
    "GMAIL_PUBSUB_TOPIC": "projects/clianta-bench/topics/gmail",
    "GMAIL_PUSH_SERVICE_ACCOUNT": "gmail-push@clianta-bench.iam.gserviceaccount.com",
    # The poller reads the API 20 times a second: above the default rates of a person and a
    # token (an empty rate is no limit).
    "API_THROTTLE_USER": "",
    "API_THROTTLE_TOKEN": "",
}
POLL_SECONDS = 0.05
WAIT_SECONDS = 60
GMAIL, OUTLOOK, CALENDAR = "gmail@bench.example", "outlook@bench.example", "cal@bench.example"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--rate", type=float, default=2.0)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(child(json.loads(options.child))))
        return
    plan = {"messages": options.messages, "events": options.events, "rate": options.rate}
    with harness.app_server(DATABASE, BROKER, web_workers=4, settings=PUSH) as server:
        results = json.loads(harness.in_django(server.env, __file__, "--child", json.dumps(plan)))
    harness.print_table(results)


def child(plan: dict) -> list[dict]:
    """Inside Django, in the app's environment: connect the three accounts, open their push
    channels, then make the changes and watch the API."""
    sys.path.insert(0, str(harness.ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from calendars import services as calendar_services
    from calendars.models import CalendarIntegration
    from clianta.models import Membership
    from clianta.tokens.models import ApiToken
    from email_accounts import services as email_services
    from email_accounts.models import EmailAccount
    from integrations import push
    from integrations.models import IntegrationCredential
    from sandbox.google import calendar_store
    from sandbox.google import gmail_mailbox as gm
    from sandbox.microsoft import mail as outlook_mail
    from sandbox.microsoft import tokens as microsoft_tokens

    gmail = harness.google_credential(
        "gmail", GMAIL, "https://www.googleapis.com/auth/gmail.modify"
    )
    workspace = gmail.workspace
    user = get_user_model().objects.create_user("bench", "bench@x.example")
    Membership.objects.create(workspace=workspace, user=user, role=Membership.Role.OWNER)
    _, secret = ApiToken.objects.create(user=user, name="bench")
    grant = microsoft_tokens.create_grant(OUTLOOK)
    outlook = IntegrationCredential.objects.create(
        workspace=workspace,
        provider="outlook",
        account=OUTLOOK,
        access_token=grant.access_token,
        expires_at=timezone.now() + timedelta(minutes=50),
    )
    calendar = harness.google_credential(
        "google_calendar", CALENDAR, "https://www.googleapis.com/auth/calendar"
    )
    IntegrationCredential.objects.filter(pk=calendar.pk).update(workspace=workspace)
    accounts = {
        "gmail": EmailAccount.objects.create(
            workspace=workspace, provider="gmail", email=GMAIL, credential=gmail
        ),
        "outlook": EmailAccount.objects.create(
            workspace=workspace, provider="outlook", email=OUTLOOK, credential=outlook
        ),
    }
    cal = CalendarIntegration.objects.create(
        workspace=workspace, email=CALENDAR, credential_id=calendar.pk
    )
    for account in accounts.values():
        email_services.sync_emails(account)
    calendar_services.sync_events(cal)
    opened = push.maintain()
    assert opened["failed"] == 0, opened

    api = _Api(settings.PUBLIC_URL, secret, workspace.pk)
    start = timezone.now() + timedelta(days=2)
    return [
        _measure(
            "gmail",
            plan["messages"],
            plan["rate"],
            lambda n: gm.deliver(GMAIL, sender="ann@acme.example", subject=f"push {n}"),
            lambda: api.titles("email-messages", accounts["gmail"].pk, "subject"),
            accounts["gmail"].pk,
        ),
        _measure(
            "outlook",
            plan["messages"],
            plan["rate"],
            lambda n: outlook_mail.deliver(OUTLOOK, subject=f"push {n}"),
            lambda: api.titles("email-messages", accounts["outlook"].pk, "subject"),
            accounts["outlook"].pk,
        ),
        _measure(
            "google_calendar",
            plan["events"],
            plan["rate"],
            lambda n: calendar_store.add_event(
                CALENDAR,
                summary=f"push {n}",
                start=start + timedelta(hours=n),
                end=start + timedelta(hours=n, minutes=30),
            ),
            lambda: api.titles("calendar/events", cal.pk, "title", by="integration"),
            cal.pk,
        ),
    ]


class _Api:
    def __init__(self, base: str, secret: str, workspace_id):
        import requests

        self.base = base
        self.session = requests.Session()
        self.session.headers.update(
            {"Authorization": f"Token {secret}", "X-Workspace": str(workspace_id)}
        )

    def titles(self, path: str, account_id, field: str, by: str = "account") -> set[str]:
        answer = self.session.get(
            f"{self.base}/api/{path}", params={by: str(account_id), "page_size": 200}, timeout=10
        )
        if answer.status_code != 200:
            raise SystemExit(f"the API answered {answer.status_code}: {answer.text[:300]}")
        return {row[field] for row in answer.json()["results"]}


def _measure(provider, count, rate, change, visible, account_id) -> dict:
    from integrations.models import SyncLog

    made: dict[str, float] = {}
    seen: dict[str, float] = {}
    done = threading.Event()

    def poll():
        while not done.is_set():
            titles = visible()
            now = time.perf_counter()
            for title in titles:
                seen.setdefault(title, now)
            if len(seen.keys() & made.keys()) == count:
                return
            time.sleep(POLL_SECONDS)

    poller = threading.Thread(target=poll)
    poller.start()
    for number in range(count):
        due = time.perf_counter() + 1 / rate
        made[f"push {number}"] = time.perf_counter()
        change(number)
        time.sleep(max(0.0, due - time.perf_counter()))
    poller.join(timeout=WAIT_SECONDS)
    done.set()
    latencies = sorted(seen[title] - made[title] for title in made if title in seen)
    syncs = SyncLog.objects.filter(account_key__endswith=str(account_id), trigger="push").count()
    return {
        "provider": provider,
        "changes": count,
        "seen": len(latencies),
        "p50 s": round(statistics.median(latencies), 2) if latencies else None,
        "p95 s": round(latencies[int(0.95 * (len(latencies) - 1))], 2) if latencies else None,
        "max s": round(latencies[-1], 2) if latencies else None,
        "pushed syncs": syncs,
    }


if __name__ == "__main__":
    main()
