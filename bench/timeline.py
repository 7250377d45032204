"""The timeline on PostgreSQL: one contact with 50,000 items across every kind, its first page
and a deep page (by cursor), through the API view in this process. Prints the queries per page
and the p95 time per page.

    .venv/bin/python bench/timeline.py [--items 50000] [--pages 50]

BENCH_DATABASE_URL names the PostgreSQL database to (re)create (default: clianta_bench_timeline
on 127.0.0.1).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import _recreate_database, environment  # noqa: E402

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/clianta_bench_timeline"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--pages", type=int, default=50, help="Requests measured per page.")
    args = parser.parse_args()
    database = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    _recreate_database(database)
    os.environ.update(environment(database, 8000))
    # In-process requests from one token, far faster than its API rate: no limit here.
    os.environ.update(ALLOWED_HOSTS="testserver", API_THROTTLE_TOKEN="", API_THROTTLE_USER="")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, check=True
    )
    import django

    django.setup()
    measure(seed(args.items), args.items, args.pages)


def seed(count: int):
    """A contact with ``count`` items, the kinds in turn, one a minute back from now; and a
    second contact's items in the same tables (the timeline must not read them)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from clianta.models import Contact, Membership, Workspace
    from tests.timeline.items import KINDS

    workspace = Workspace.objects.create(name="Bench")
    user = get_user_model().objects.create_user("bench")
    Membership.objects.create(workspace=workspace, user=user, role=Membership.Role.OWNER)
    contact = Contact.objects.create(workspace=workspace, email="ada@bench.example")
    other = Contact.objects.create(workspace=workspace, email="bo@bench.example")
    now = timezone.now()
    started = time.perf_counter()
    for person, items in ((contact, count), (other, count // 10)):
        times = [now - timedelta(minutes=n) for n in range(items)]
        add_items(person, [(KINDS[n % len(KINDS)], at) for n, at in enumerate(times)])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    seconds = time.perf_counter() - started
    print(f"{count} items across {len(KINDS)} kinds, seeded in {seconds:.0f} s")
    return contact


def add_items(contact, items):
    from django.db import transaction

    from tests.timeline.items import add_item

    with transaction.atomic():
        for n, (kind, at) in enumerate(items):
            add_item(kind, contact, at, n)


def measure(contact, count: int, pages: int):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from clianta import timeline
    from clianta.tokens.models import ApiToken

    _, secret = ApiToken.objects.create(user=contact.workspace.memberships.get().user, name="b")
    client = Client(HTTP_AUTHORIZATION=f"Token {secret}")
    url = f"/api/contacts/{contact.pk}/timeline"
    # After 80% of the items (one a minute back from the seeding).
    deep = timeline.encode_cursor(timezone.now() - timedelta(minutes=count * 8 // 10), "")
    cases = {
        "first page (50 items)": {},
        "deep page by cursor, after 80% of the items (50 items)": {"cursor": deep},
        "first page (200 items)": {"page_size": 200},
        "first page, kinds sms+email": {"kind": ["sms", "email"]},
    }
    client.get(url)  # warm-up: imports, the token's first use
    print("| page | queries | p95 | median |")
    print("|---|---|---|---|")
    for name, params in cases.items():
        times = []
        for _ in range(pages):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                answer = client.get(url, params)
                times.append(time.perf_counter() - started)
            assert answer.status_code == 200, answer.content
            assert answer.json()["results"], name
        p95 = statistics.quantiles(times, n=20)[-1]
        print(
            f"| {name} | {len(queries)} | {p95 * 1000:.1f} ms | "
            f"{statistics.median(times) * 1000:.1f} ms |"
        )


if __name__ == "__main__":
    main()
