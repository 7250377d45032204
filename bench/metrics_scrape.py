"""Cost of one scrape of /metrics: wall time and database queries, with N connected accounts and
M webhook deliveries (half of them due) in PostgreSQL.

    createdb -h 127.0.0.1 -U postgres clianta_bench_metrics
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/clianta_bench_metrics \\
        CELERY_BROKER_URL=redis://127.0.0.1:6379/5 .venv/bin/python bench/metrics_scrape.py

Each size is seeded into the emptied tables, then scraped SCRAPES times through Django's test
client (the queue depth gauge asks the broker once per scrape, as in production)."""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import environment, print_table  # noqa: E402

SCRAPES = 20
PROVIDERS = ("gmail", "outlook", "google-calendar", "slack", "notion", "apollo")
TOKEN = "bench-metrics-token"


def seed(credentials: int, deliveries: int) -> None:
    from django.utils import timezone

    from clianta.models import Workspace
    from integrations.models import IntegrationCredential, SyncLog, WebhookDelivery

    SyncLog.objects.all().delete()
    WebhookDelivery.objects.all().delete()
    IntegrationCredential.objects.all().delete()
    Workspace.objects.filter(name__startswith="Bench ").delete()
    now = timezone.now()
    workspaces = Workspace.objects.bulk_create(
        Workspace(name=f"Bench {i}") for i in range(max(1, credentials // 10))
    )
    rows = [
        IntegrationCredential(
            workspace=workspaces[i % len(workspaces)],
            provider=PROVIDERS[i % len(PROVIDERS)],
            account=f"user{i}@bench.example",
            access_token=f"token-{i}",
            last_success_at=now - timedelta(minutes=i % 90),
            consecutive_failures=1 if i % 7 == 0 else 0,
            sync_enabled=i % 50 != 0,
            status="needs_reconnect" if i % 31 == 0 else "active",
        )
        for i in range(credentials)
    ]
    IntegrationCredential.objects.bulk_create(rows, batch_size=1000)
    SyncLog.objects.bulk_create(
        SyncLog(
            workspace_id=row.workspace_id,
            provider=row.provider,
            kind="bench",
            credential=row,
            account=row.account,
            account_key=row.account,
            status=SyncLog.Status.RUNNING,
        )
        for row in rows[::100]
    )
    WebhookDelivery.objects.bulk_create(
        (
            WebhookDelivery(
                provider=PROVIDERS[i % len(PROVIDERS)],
                delivery_id=f"bench-{i}",
                payload={"i": i},
                processed_at=None if i % 2 else now,
                next_attempt_at=now - timedelta(seconds=i) if i % 2 else None,
            )
            for i in range(deliveries)
        ),
        batch_size=1000,
    )


def measure(credentials: int, deliveries: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    seed(credentials, deliveries)
    client = Client()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    assert client.get("/metrics", headers=headers).status_code == 200  # warm
    times, queries = [], []
    for _ in range(SCRAPES):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get("/metrics", headers=headers)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200
        queries.append(len(captured))
    return {
        "credentials": credentials,
        "webhook rows": deliveries,
        "median ms": round(statistics.median(times) * 1000, 1),
        "max ms": round(max(times) * 1000, 1),
        "queries": max(queries),
        "bytes": len(response.content),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--credentials", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--deliveries", type=int, nargs="+", default=[1000, 10000, 100000])
    options = parser.parse_args()
    database = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clianta_bench_metrics"
    )
    os.environ.update(environment(database, 8000))
    os.environ["METRICS_TOKEN"] = TOKEN
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", "--noinput", verbosity=0)
    print_table(
        [
            measure(credentials, deliveries)
            for credentials, deliveries in zip(options.credentials, options.deliveries, strict=True)
        ]
    )


if __name__ == "__main__":
    main()
