"""Salesforce sync benchmark: first loads (Bulk API 2.0 or REST), then a sync of changes.

    python bench/salesforce_sync.py     # Bulk 10,000, 50,000; REST 5,000; then 500 changes each
    python bench/salesforce_sync.py --sizes 20000 --rest 2000 --changes 100

Each first load runs against a freshly seeded org: `sandbox_seed_salesforce` with 500 accounts,
N contacts (each of an account) and no opportunities, served by the sandbox under gunicorn in
another process behind its https front (see harness.py). The workspace connects the org as the
tests do (the sandbox's token answer, no browser). A Bulk load's threshold is the number of
accounts (accounts by REST, contacts by Bulk); a REST load's is N. After each first load another
fresh process changes --changes contacts' titles in the org (sObject Collections PATCH, in a
session of its own) and times the next sync. Printed per sync: records written, records/s, CPU
seconds per 1,000 records, database queries per 100 records (counted, not kept), peak memory of
the syncing process (ru_maxrss) and what the sync added to it, and Salesforce API calls (the
sandbox's call log) in all and per 1,000 records.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness

ACCOUNTS = 500
#: Which sync the measuring process runs: "bulk" or "rest" (a first load), or "changes".
STEP = "BENCH_SALESFORCE_STEP"
LABELS = {"bulk": "Bulk first load", "rest": "REST first load", "changes": "incremental"}
COLLECTION = 200


def child(size: int) -> None:
    """The syncing process: a first load of the seeded org (``size`` contacts) or, after one,
    ``size`` contacts changed in the org and the sync that follows."""
    step = os.environ[STEP]
    sys.path.insert(0, str(harness.ROOT))
    import django

    django.setup()
    import simple_salesforce.bulk2  # noqa: F401 (loaded before the baseline, as in a worker)
    from django.contrib.auth import get_user_model
    from django.db import connection as database

    from clianta.celery import freeze_start_up_objects
    from clianta.models import Contact, Workspace
    from crm_sync import services
    from crm_sync.models import CrmConnection
    from integrations import sync
    from sandbox import faults
    from tests.crm_sync.helpers import connect_org

    if step == "changes":
        connection = CrmConnection.objects.select_related("credential").get()
        change_titles(connection, size)
    else:
        workspace = Workspace.objects.create(name="Bench")
        connection = connect_org(workspace, get_user_model().objects.create(username="bench"))
        connection.bulk_threshold = ACCOUNTS if step == "bulk" else size
        connection.save(update_fields=["bulk_threshold"])
    faults.clear_calls()
    freeze_start_up_objects()  # as a worker does once it is ready
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(None)
        return execute(sql, params, many, context)

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu, wall = time.process_time(), time.perf_counter()
    with database.execute_wrapper(count):
        log = sync.run(services.sync_job(connection))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert log.status == "success", log.error
    records = log.created + log.updated
    assert records == (size if step == "changes" else size + ACCOUNTS), (records, size)
    assert faults.calls("salesforce", "/jobs/query").exists() == (step == "bulk")
    calls = faults.calls("salesforce").count()
    print(
        json.dumps(
            {
                "sync": LABELS[step],
                "contacts": Contact.objects.count(),
                "records": records,
                "seconds": round(wall, 2),
                "records_per_second": round(records / wall, 1),
                "cpu_seconds_per_1000": round(cpu * 1000 / records, 3),
                "queries_per_100": round(len(queries) * 100 / records, 2),
                "peak_rss_mb": round(rss_peak / 1024, 1),
                "sync_added_rss_mb": round((rss_peak - rss_before) / 1024, 1),
                "api_calls": calls,
                "api_calls_per_1000": round(calls * 1000 / records, 2),
            }
        )
    )


def change_titles(connection, count: int) -> None:
    """Change the title of ``count`` of the org's contacts, spread over them, through sObject
    Collections in a session of its own, as another user of the org would."""
    from crm_sync.models import CrmObject, RecordLink
    from integrations.providers.salesforce.client import sdk
    from sandbox.salesforce import tokens

    linked = RecordLink.objects.filter(connection=connection, object=CrmObject.CONTACT)
    ids = list(linked.order_by("remote_id").values_list("remote_id", flat=True))
    chosen = ids[:: len(ids) // count][:count]
    answer = tokens.connect()
    remote = sdk(answer["instance_url"], answer["access_token"])
    for start in range(0, count, COLLECTION):
        records = [
            {"attributes": {"type": "Contact"}, "id": record_id, "Title": f"Title {number}"}
            for number, record_id in enumerate(chosen[start : start + COLLECTION], start)
        ]
        body = {"allOrNone": True, "records": records}
        results = remote.restful("composite/sobjects", method="PATCH", json=body)
        assert all(result["success"] for result in results), results


def seed(contacts: int) -> list[str]:
    return [
        "sandbox_seed_salesforce",
        *("--accounts", str(ACCOUNTS), "--contacts", str(contacts), "--opportunities", "0"),
        *("--seed", "7"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    loads = "contacts of each first load through"
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[10_000, 50_000], help=loads + " Bulk"
    )
    parser.add_argument("--rest", type=int, nargs="+", default=[5_000], help=loads + " REST")
    parser.add_argument(
        "--changes", type=int, default=500, help="contacts changed after each (0: none)"
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(options.child)
        return
    results = []
    for step, sizes in (("bulk", options.sizes), ("rest", options.rest)):
        for size in sizes:
            with harness.sandbox(*seed(size), tls=True) as env:
                results.append(harness.measure(__file__, size, {**env, STEP: step}))
                if options.changes:
                    changes = {**env, STEP: "changes"}
                    results.append(harness.measure(__file__, options.changes, changes))
    harness.print_table(results)
    bulk = [r for r in results if r["sync"] == LABELS["bulk"]]
    rest = [r for r in results if r["sync"] == LABELS["rest"]]
    if len(bulk) > 1:
        small, large = bulk[0], bulk[-1]
        print(
            f"Bulk, {small['contacts']} vs {large['contacts']} contacts: CPU s per 1,000 "
            f"{small['cpu_seconds_per_1000']} vs {large['cpu_seconds_per_1000']}; queries per 100 "
            f"{small['queries_per_100']} vs {large['queries_per_100']}; peak memory "
            f"{large['peak_rss_mb'] / small['peak_rss_mb']:.2f}x"
        )
    if bulk and rest:
        print(
            f"API calls per 1,000 records: Bulk {bulk[-1]['api_calls_per_1000']}, "
            f"REST {rest[-1]['api_calls_per_1000']}"
        )


if __name__ == "__main__":
    main()
