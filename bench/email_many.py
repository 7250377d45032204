"""Many first syncs at once: twenty Gmail mailboxes connected together, synced by one Celery
worker, with Gmail's per-user quota enforced by the sandbox and respected by the sync.

    .venv/bin/python bench/email_many.py [--mailboxes 20] [--messages 1000]

The app runs as in production (gunicorn, one Celery worker with 8 threads, PostgreSQL, Redis);
each mailbox is seeded with ``--messages`` messages and its first sync queued at the same
moment. Every half second the script counts each mailbox's stored messages. Printed: seconds
until every mailbox had its first messages (none waits for another to finish), until every
mailbox was complete, messages per second overall, runs that failed and requests the sandbox
refused for quota. Needs PostgreSQL and Redis (BENCH_DATABASE_URL, BENCH_BROKER_URL).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness

DATABASE = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clianta_bench")
BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/3")
QUOTA = {
    "SANDBOX_GMAIL_USER_QUOTA_UNITS_PER_SECOND": "250",
    "GMAIL_USER_QUOTA_UNITS_PER_SECOND": "250",
    "SYNC_SLICE_SECONDS": "20",  # the default, which the harness turns off for other benches
}
POLL_SECONDS = 0.5
TIMEOUT_SECONDS = 1800


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mailboxes", type=int, default=20)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(child(json.loads(options.child))))
        return
    plan = {"mailboxes": options.mailboxes, "messages": options.messages}
    with harness.app_server(DATABASE, BROKER, web_workers=2, settings=QUOTA) as server:
        for number in range(options.mailboxes):
            seed = ["sandbox_seed_mailbox", "--email", _email(number), "--seed", str(number)]
            subprocess.run(
                [sys.executable, "manage.py", *seed, "--messages", str(options.messages)],
                cwd=harness.ROOT,
                env=server.env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        result = json.loads(harness.in_django(server.env, __file__, "--child", json.dumps(plan)))
    harness.print_table([result])


def _email(number: int) -> str:
    return f"box{number}@bench.example"


def child(plan: dict) -> dict:
    accounts = []
    for number in range(plan["mailboxes"]):
        credential = harness.google_credential(
            "gmail", _email(number), "https://www.googleapis.com/auth/gmail.modify"
        )
        from email_accounts.models import EmailAccount

        accounts.append(
            EmailAccount.objects.create(
                workspace=credential.workspace,
                provider="gmail",
                email=_email(number),
                credential=credential,
            )
        )
    from django.db.models import Count

    from email_accounts.models import EmailMessage
    from email_accounts.tasks import sync_account
    from integrations.models import SyncLog
    from sandbox import faults

    faults.clear_calls()
    start = time.perf_counter()
    for account in accounts:
        sync_account.delay(str(account.pk), trigger="connect")
    first_seen: dict = {}
    done_at: dict = {}
    while len(done_at) < len(accounts) and time.perf_counter() - start < TIMEOUT_SECONDS:
        time.sleep(POLL_SECONDS)
        now = time.perf_counter() - start
        stored = dict(
            EmailMessage.objects.values_list("account_id")
            .annotate(n=Count("id"))
            .values_list("account_id", "n")
        )
        for account in accounts:
            if stored.get(account.pk):
                first_seen.setdefault(account.pk, now)
        finished = SyncLog.objects.filter(
            status=SyncLog.Status.SUCCESS, continued=False, trigger__in=["connect", "continue"]
        ).values_list("account_key", flat=True)
        for account in accounts:
            if account.account_key in set(finished):
                done_at.setdefault(account.pk, now)
    total = EmailMessage.objects.count()
    return {
        "mailboxes": len(accounts),
        "messages each": plan["messages"],
        "all had mail after s": round(max(first_seen.values()), 1) if first_seen else None,
        "first to finish s": round(min(done_at.values()), 1) if done_at else None,
        "all done after s": round(max(done_at.values()), 1)
        if len(done_at) == len(accounts)
        else None,
        "stored": total,
        "messages/s overall": round(total / max(done_at.values() or [1]), 1),
        "runs": SyncLog.objects.count(),
        "failed runs": SyncLog.objects.filter(status=SyncLog.Status.FAILED).count(),
        "refused for quota": faults.calls("google").filter(status=429).count(),
    }


if __name__ == "__main__":
    main()
