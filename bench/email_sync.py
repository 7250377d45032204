"""Gmail sync benchmark: a sandbox mailbox of N messages, a first sync and a no-change sync.

    python bench/email_sync.py                 # 1,000 and 10,000 messages
    python bench/email_sync.py --sizes 2000    # other sizes

Each size runs in a fresh process (so peak memory is its own) against the sandbox served by
gunicorn in another process, on a SQLite file of its own unless DATABASE_URL is set. Gmail's
per-user quota is turned off here (the sandbox enforces none): with it, a real mailbox is capped
at 250 units/s, i.e. 50 messages/s. Figures printed per size:
- messages/s of the first sync (wall clock) and CPU seconds of the syncing process per 1,000
- database queries per 100 messages (first sync)
- provider HTTP requests per 100 messages (batches count once) and billed Gmail calls per 100
- peak memory of the syncing process (ru_maxrss) and what the sync added to it
- HTTP requests of a sync with nothing new
BENCH_PROFILE=<file> saves cProfile statistics of each first sync; BENCH_DATABASE_URL runs on
another database (e.g. an empty PostgreSQL database).

    python bench/email_sync.py --quota --sizes 2000 10000

With ``--quota`` the sandbox enforces Gmail's per-user quota (250 units a second, as
``SANDBOX_GMAIL_USER_QUOTA_UNITS_PER_SECOND``) and the sync paces itself at the same rate
(``GMAIL_USER_QUOTA_UNITS_PER_SECOND``); also printed: the units billed per second as a share of
that ceiling (target 0.9 or more) and the requests the sandbox refused for quota (target 0).
"""

from __future__ import annotations

import cProfile
import json
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness

EMAIL = "bench@clianta.example"
QUOTA = 250
#: Gmail's quota units per method (developers.google.com/workspace/gmail/api/reference/quota).
UNITS = {"messages.list": 5, "messages.get": 5, "history.list": 2, "getProfile": 1}


def child(size: int) -> None:
    """The syncing process: connect an account to the seeded mailbox and sync it twice."""
    credential = harness.google_credential(
        "gmail", EMAIL, "https://www.googleapis.com/auth/gmail.modify"
    )
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clianta.celery import freeze_start_up_objects
    from email_accounts import services
    from email_accounts.models import EmailAccount, EmailMessage
    from sandbox import faults

    account = EmailAccount.objects.create(
        workspace=credential.workspace, provider="gmail", email=EMAIL, credential=credential
    )
    faults.clear_calls()
    freeze_start_up_objects()  # as a worker does once it is ready
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu, wall = time.process_time(), time.perf_counter()
    profile = os.environ.get("BENCH_PROFILE")  # a file for cProfile's stats of the first sync
    profiler = cProfile.Profile() if profile else None
    with CaptureQueriesContext(connection) as queries:
        if profiler:
            profiler.enable()
        log = services.sync_emails(account)
        if profiler:
            profiler.disable()
            profiler.dump_stats(profile)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert log.status == "success", log.error
    stored = log.created + log.skipped  # every message of the mailbox, stored or skipped
    calls = faults.calls("google")
    inner = calls.filter(method="GET", path__regex=r"/messages/[^/]+$").count()
    first_http = calls.count() - inner
    refused = calls.filter(status=429).count()
    billed = calls.exclude(status=429)
    units = (
        UNITS["messages.get"] * billed.filter(method="GET", path__regex=r"/messages/[^/]+$").count()
        + UNITS["messages.list"] * billed.filter(method="GET", path__regex=r"/messages$").count()
        + UNITS["history.list"] * billed.filter(path__endswith="/history").count()
        + UNITS["getProfile"] * billed.filter(path__endswith="/profile").count()
    )

    faults.clear_calls()
    again = services.sync_emails(EmailAccount.objects.get(pk=account.pk))
    assert again.status == "success" and again.created == 0
    no_change_http = faults.calls("google").count()
    print(
        json.dumps(
            {
                "messages": stored,
                "stored": EmailMessage.objects.count(),
                "seconds": round(wall, 2),
                "messages_per_second": round(stored / wall, 1),
                "cpu_seconds_per_1000": round(cpu * 1000 / stored, 3),
                "queries_per_100": round(len(queries) * 100 / stored, 2),
                "http_requests_per_100": round(first_http * 100 / stored, 2),
                "billed_calls_per_100": round((first_http + inner) * 100 / stored, 2),
                "peak_rss_mb": round(rss_peak / 1024, 1),
                "sync_added_rss_mb": round((rss_peak - rss_before) / 1024, 1),
                "no_change_http_requests": no_change_http,
                "share_of_quota": round(units / wall / QUOTA, 3),
                "refused_for_quota": refused,
            }
        )
    )


def main() -> None:
    results = harness.run(
        __file__,
        __doc__.splitlines()[0],
        lambda size: ["sandbox_seed_mailbox", "--email", EMAIL, "--messages", str(size), "--clear"],
        child,
        sizes=[1000, 10000],
        modes={
            "quota": {
                "SANDBOX_GMAIL_USER_QUOTA_UNITS_PER_SECOND": str(QUOTA),
                "GMAIL_USER_QUOTA_UNITS_PER_SECOND": str(QUOTA),
            }
        },
    )
    if len(results) > 1:
        small, large = results[0], results[-1]
        ratio = large["peak_rss_mb"] / small["peak_rss_mb"]
        print(f"peak memory ratio (largest/smallest): {ratio:.2f}")
        print(
            "queries per 100 messages, smallest vs largest: "
            f"{small['queries_per_100']} vs {large['queries_per_100']}"
        )


if __name__ == "__main__":
    main()
