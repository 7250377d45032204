"""Outbound webhooks: events fanned out to three endpoints, one of them slow, with the app as in
production (a Celery worker, PostgreSQL, Redis).

    .venv/bin/python bench/outbound_webhooks.py [--events 10000] [--slow-seconds 2] [--burst]

Each event is recorded as the app records one (``clianta.events.emit``, one transaction each),
which queues a delivery for each endpoint; with ``--burst`` all of them are recorded in one
transaction, so delivery starts with every event waiting and its rate is the workers' alone
(the clock and the lag then start at the commit). Two endpoints answer 200 at once, the third after
``--slow-seconds``. Printed: how long recording took, the deliveries per second to the healthy
endpoints (from the first event to the last delivery), their delivery lag (from the event's
time to its arrival at the endpoint) p50, p95 and max, and how many deliveries the slow endpoint
had received meanwhile. Needs PostgreSQL and Redis (BENCH_DATABASE_URL, BENCH_BROKER_URL).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness

DATABASE = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clianta_bench")
BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/3")
WAIT_SECONDS = 600


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--slow-seconds", type=float, default=2.0)
    parser.add_argument("--burst", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(child(json.loads(options.child))))
        return
    plan = {"events": options.events, "slow": options.slow_seconds, "burst": options.burst}
    with harness.app_server(DATABASE, BROKER, web_workers=1) as server:
        results = json.loads(harness.in_django(server.env, __file__, "--child", json.dumps(plan)))
    harness.print_table(results)


def child(plan: dict) -> list[dict]:
    sys.path.insert(0, str(harness.ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from clianta import events
    from clianta.models import CrmEvent, Membership, Workspace
    from outbound_webhooks import services
    from tests.outbound_webhooks.receiver import Answer, Receiver

    owner = get_user_model().objects.create_user("bench", "bench@example.com", "x")
    workspace = Workspace.objects.create(name="Bench")
    Membership.objects.create(workspace=workspace, user=owner, role=Membership.Role.OWNER)
    receiver = Receiver()
    receiver.answers["/slow"] = Answer(delay=plan["slow"])
    for path in ("/a", "/b", "/slow"):
        services.create(workspace, owner, url=receiver.url(path), event_types=["*"])

    started = time.time()
    with transaction.atomic() if plan["burst"] else contextlib.nullcontext():
        for n in range(plan["events"]):
            events.emit(events.DEAL_WON, workspace.pk, deal_id=str(n))
    recorded = time.time() - started
    if plan["burst"]:
        started = time.time()
    healthy = 2 * plan["events"]
    deadline = time.monotonic() + WAIT_SECONDS
    while len(receiver.at("/a")) + len(receiver.at("/b")) < healthy:
        if time.monotonic() > deadline:
            raise SystemExit("the healthy endpoints did not get every event in time")
        time.sleep(0.2)
    arrivals = receiver.at("/a") + receiver.at("/b")
    finished = max(r.at for r in arrivals)
    occurred = {
        f"evt_{pk.hex}": at.timestamp()
        for pk, at in CrmEvent.objects.values_list("pk", "occurred_at")
    }
    lags = sorted(
        r.at - (started if plan["burst"] else occurred[r.headers["webhook-id"]]) for r in arrivals
    )
    slow_received = len(receiver.at("/slow"))
    receiver.close()
    return [
        {
            "events": plan["events"],
            "burst": plan["burst"],
            "recorded in s": round(recorded, 1),
            "healthy deliveries": len(arrivals),
            "deliveries/s": round(len(arrivals) / (finished - started)),
            "lag p50 s": round(statistics.median(lags), 2),
            "lag p95 s": round(lags[int(0.95 * (len(lags) - 1))], 2),
            "lag max s": round(lags[-1], 2),
            "slow endpoint got": slow_received,
        }
    ]


if __name__ == "__main__":
    main()
