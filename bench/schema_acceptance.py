"""Which API operations refuse requests their OpenAPI schema allows?

    .venv/bin/python bench/schema_acceptance.py [--examples 5] [--seed 20261130]

Serves the app under gunicorn on a fresh database (SQLite, or BENCH_DATABASE_URL), seeds two
workspaces (A and B, a company, a contact and a deal each) and runs schemathesis as A's user with
``X-Workspace: <A's id>`` in positive mode with its ``positive_data_acceptance`` check. Prints,
per rejecting operation, the first reason, then the counts: rejections only about a referenced
object that does not exist (a random uuid in a foreign key) are counted apart, as no schema can
rule them out.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import harness

sys.path.insert(0, str(harness.ROOT))
from tests.api import acceptance

SEED_WORKSPACES = """
import json
from django.contrib.auth import get_user_model
from clianta.models import Company, Contact, Deal, Membership, Workspace
from clianta.tokens.models import ApiToken

found = {}
for label in ("alpha", "bravo"):
    user = get_user_model().objects.create_user(
        username=label, email=f"{label}@example.com", password="pw-123456"
    )
    workspace = Workspace.objects.create(name=f"Workspace {label}")
    Membership.objects.create(workspace=workspace, user=user, role=Membership.Role.OWNER)
    company = Company.objects.create(
        workspace=workspace, name=f"{label} Corp", domain=f"{label}.io"
    )
    contact = Contact.objects.create(
        workspace=workspace, first_name=label, email=f"lead@{label}.io", company=company
    )
    Deal.objects.create(workspace=workspace, name=f"{label} deal", contact=contact)
    _, secret = ApiToken.objects.create(user=user, name="acceptance")
    found[label] = {"workspace": str(workspace.pk), "token": secret}
print(json.dumps(found["alpha"]))
"""

# Every operation alone (stateful sequences test links between operations, not their input).
PHASES = "examples,coverage,fuzzing"

# The pass makes thousands of requests as one user: rates far above it.
UNTHROTTLED = {
    f"API_THROTTLE_{scope}": "100000/minute"
    for scope in ("ANON", "USER", "TOKEN", "EMAIL_SEND", "SMS_SEND", "VOICE_DROP", "APOLLO")
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=5, help="examples per operation")
    parser.add_argument("--seed", type=int, default=acceptance.SEED)
    parser.add_argument("--all-reasons", action="store_true", help="list every distinct reason")
    options = parser.parse_args()
    port = harness.free_port()
    with tempfile.TemporaryDirectory() as folder:
        database = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/db.sqlite3"
        env = {
            **harness.environment(database, port),
            **UNTHROTTLED,
            "SECURE_SSL_REDIRECT": "false",
            "OAUTHLIB_INSECURE_TRANSPORT": "1",
            "EMAIL_URL": "memorymail://",  # invitations are "sent" into memory
        }
        manage = [sys.executable, "manage.py"]
        run = {"cwd": harness.ROOT, "env": env, "check": True}
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], **run)
        seeded = subprocess.run(
            [*manage, "shell", "-c", SEED_WORKSPACES], capture_output=True, text=True, **run
        )
        workspace_a = json.loads(seeded.stdout.strip().splitlines()[-1])
        base_url = f"http://127.0.0.1:{port}"
        log = Path(folder) / "server.log"
        with log.open("w") as output, harness._processes(server(port, env, output)):
            harness._wait_for(port)
            line = acceptance.command(
                base_url,
                workspace_a["token"],
                workspace_a["workspace"],
                Path(folder) / "report",
                examples=options.examples,
                seed=options.seed,
                phases=PHASES,
            )
            _, report = acceptance.run(line)
            report_all(report, options.all_reasons)


def server(port: int, env: dict, output) -> subprocess.Popen:
    """gunicorn, its log (every refused request is a warning) into ``output``."""
    command = [sys.executable, "-m", "gunicorn", "clianta.wsgi", "-b", f"127.0.0.1:{port}"]
    command += ["-w", "2", "--log-level", "warning"]
    return subprocess.Popen(command, cwd=harness.ROOT, env=env, stdout=output, stderr=output)


def report_all(report: Path, all_reasons: bool = False) -> None:
    tested = acceptance.operations_tested(report)
    found = acceptance.rejections(report)
    mismatches = {op: r for op, r in found.items() if not r[0].missing_object_only}
    missing_only = {op: r for op, r in found.items() if r[0].missing_object_only}
    for title, group in (
        ("Schema-valid requests rejected", mismatches),
        ("Rejected only for a referenced object that does not exist", missing_only),
    ):
        print(f"{title}: {len(group)}")
        for operation, listed in sorted(group.items()):
            first = listed[0]
            others = len({r.reason for r in listed}) - 1
            more = f" (and {others} other reasons)" if others else ""
            print(f"  {operation}: [{first.status}] {first.reason[:160]}{more}")
            if all_reasons:
                print(f"      refused: {first.request[:400]}")
                for reason in sorted({r.reason for r in listed[1:]} - {first.reason}):
                    print(f"      {reason[:160]}")
    print(
        f"operations: {len(tested)}; rejecting schema-valid data: {len(mismatches)} "
        f"(and {len(missing_only)} only for objects that do not exist)"
    )


if __name__ == "__main__":
    main()
