"""Stripe payments sync benchmark: a connected account of N succeeded payments (and their
customers), its backfill, and a sync with nothing new.

    python bench/stripe_sync.py                   # 2,000 and 20,000 payments
    python bench/stripe_sync.py --sizes 5000      # other sizes

The account is seeded by `sandbox_seed_stripe` (200 customers; every tenth has a contact in the
workspace) and served by the sandbox under gunicorn in another process (see harness.py). The
workspace connects it with the restricted key the seeder made. Printed per size: payments/s,
CPU seconds per 1,000 objects, database queries per 100 objects (counted, not kept), Stripe
requests, peak memory of the syncing process (ru_maxrss) and what the sync added to it, and the
requests of a sync with nothing new.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness

CUSTOMERS = 200


def child(size: int) -> None:
    """The syncing process: connect the seeded account with its key and sync it twice."""
    sys.path.insert(0, str(harness.ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from clianta.celery import freeze_start_up_objects
    from clianta.models import Contact, Workspace
    from payments import services
    from payments.models import Customer, Payment, PaymentsAccount
    from sandbox import faults
    from sandbox.stripe.models import StripeKey

    workspace = Workspace.objects.create(name="Bench")
    user = get_user_model().objects.create(username="bench")
    Contact.objects.bulk_create(
        Contact(workspace=workspace, email=f"customer{n}@example.com")
        for n in range(1, CUSTOMERS + 1, 10)
    )
    key = StripeKey.objects.filter(kind=StripeKey.RESTRICTED).latest("pk").key
    services.connect_key(workspace, user, key)
    account = PaymentsAccount.objects.get(workspace=workspace)
    faults.clear_calls()
    freeze_start_up_objects()  # as a worker does once it is ready
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(None)
        return execute(sql, params, many, context)

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu, wall = time.process_time(), time.perf_counter()
    with connection.execute_wrapper(count):
        log = services.sync_payments(account)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert log.status == "success", log.error
    payments = Payment.objects.filter(workspace=workspace).count()
    objects = payments + Customer.objects.filter(workspace=workspace).count()
    assert payments == size, (payments, size)
    requests = faults.calls("stripe").count()

    faults.clear_calls()
    again = services.sync_payments(PaymentsAccount.objects.get(pk=account.pk))
    assert again.status == "success" and again.updated == 0
    print(
        json.dumps(
            {
                "payments": payments,
                "objects": objects,
                "linked": Payment.objects.filter(
                    workspace=workspace, contact__isnull=False
                ).count(),
                "seconds": round(wall, 2),
                "payments_per_second": round(payments / wall, 1),
                "cpu_seconds_per_1000": round(cpu * 1000 / objects, 3),
                "queries_per_100": round(len(queries) * 100 / objects, 2),
                "stripe_requests": requests,
                "peak_rss_mb": round(rss_peak / 1024, 1),
                "sync_added_rss_mb": round((rss_peak - rss_before) / 1024, 1),
                "no_change_requests": faults.calls("stripe").count(),
            }
        )
    )


def main() -> None:
    results = harness.run(
        __file__,
        __doc__.splitlines()[0],
        lambda size: [
            "sandbox_seed_stripe",
            "--payments",
            str(size),
            "--customers",
            str(CUSTOMERS),
        ],
        child,
        sizes=[2000, 20000],
    )
    if len(results) > 1:
        small, large = results[0], results[-1]
        print(
            f"queries per 100 objects: {small['queries_per_100']} vs {large['queries_per_100']}; "
            f"peak memory: {small['peak_rss_mb']} MB vs {large['peak_rss_mb']} MB "
            f"({large['peak_rss_mb'] / small['peak_rss_mb']:.2f}x)"
        )


if __name__ == "__main__":
    main()
