"""Does the API accept what its OpenAPI schema allows? Schemathesis generates schema-valid
requests only (``--mode positive``) and its ``positive_data_acceptance`` check fails an operation
that answers one of them with a 4xx other than 401, 403, 404, 409 or 429.

Shared by ``bench/schema_acceptance.py`` (the figures in bench/README.md) and
``tests/api/test_schema_acceptance.py`` (the suite keeps them). Both run as workspace A's user,
sending ``X-Workspace`` with A's id, so every operation acts on one known workspace.

A rejection whose every message says that a referenced object does not exist is counted apart:
a schema can say "a uuid" but not "the id of a contact of your workspace", so random uuids in
foreign-key fields are refused by design.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED = 20261130

# Django REST framework's messages for a primary key or slug that matches no object.
_MISSING_OBJECT = re.compile(
    r"object does not exist|Invalid pk|does not exist\.|Object with|No such "
    r"|not a member of this workspace|must be members of the workspace"
)


@dataclass
class Rejection:
    operation: str  # "POST /api/contacts"
    status: int
    reason: str  # the answer's "error", or its start
    missing_object_only: bool  # every field message names an object that does not exist
    request: str = ""  # the refused request: its URL and body


def command(
    base_url: str,
    token: str,
    workspace: str,
    report_dir: Path,
    *,
    examples: int,
    max_time: int | None = None,
    phases: str | None = None,
    seed: int = SEED,
) -> list[str]:
    """The ``st run`` command line for the acceptance pass against ``base_url``."""
    st = str(Path(sys.executable).with_name("st"))
    config = Path(__file__).with_name("schemathesis-acceptance.toml")
    line = [st, "--config-file", str(config), "run", f"{base_url}/api/schema/", "--url", base_url]
    line += ["--header", f"Authorization: Token {token}", "--header", f"X-Workspace: {workspace}"]
    line += ["--mode", "positive", "--checks", "positive_data_acceptance"]
    line += ["--max-examples", str(examples), "--seed", str(seed)]
    # One worker: with several, hypothesis describes filters with ast.parse from several
    # threads at once, which CPython 3.11's compiler does not survive.
    line += ["--workers", "1", "--request-timeout", "30", "--no-color"]
    # Every example of an operation is sent, not only those up to its first rejection.
    line += ["--continue-on-failure"]
    line += ["--report", "ndjson", "--report-dir", str(report_dir)]
    if max_time:
        line += ["--max-time", str(max_time)]
    if phases:
        line += ["--phases", phases]
    return line


def run(line: list[str], timeout: int = 900) -> tuple[str, Path]:
    """Run the command (with the hooks that say what the schema's ``phone`` format means); its
    console output and its NDJSON report."""
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.api.acceptance_hooks",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(line, env=env, capture_output=True, text=True, timeout=timeout)
    report_dir = Path(line[line.index("--report-dir") + 1])
    reports = sorted(report_dir.glob("*.ndjson"), key=lambda path: path.stat().st_mtime)
    if not reports:
        raise RuntimeError(f"schemathesis wrote no report:\n{done.stdout}\n{done.stderr}")
    return done.stdout + done.stderr, reports[-1]


def rejections(report: Path) -> dict[str, list[Rejection]]:
    """Per operation, its rejected schema-valid requests, in the order they were made, those
    only about a missing object last."""
    found: dict[str, list[Rejection]] = {}
    for line in report.read_text().splitlines():
        event = json.loads(line).get("ScenarioFinished")
        if not event:
            continue
        recorder = event["recorder"]
        for case_id, checks in recorder.get("checks", {}).items():
            if not any(
                check["name"] == "positive_data_acceptance" and check["status"] == "failure"
                for check in checks
            ):
                continue
            interaction = recorder.get("interactions", {}).get(case_id)
            if interaction and interaction.get("response"):
                rejection = _rejection(recorder["label"], interaction["response"])
                rejection.request = _request(interaction["request"])
                found.setdefault(rejection.operation, []).append(rejection)
    for listed in found.values():
        listed.sort(key=lambda rejection: rejection.missing_object_only)
    return found


def _rejection(operation: str, response: dict) -> Rejection:
    content = response.get("content") or {}
    raw = base64.b64decode(content["$base64"]) if "$base64" in content else b""
    text = raw.decode("utf-8", "replace")
    try:
        body = json.loads(text)
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    messages = [message for message in _messages(body.get("fields") or {})]
    missing = bool(messages) and all(_MISSING_OBJECT.search(m) for m in messages)
    reason = str(body.get("error") or text[:200])
    return Rejection(operation, response["status_code"], reason, missing)


def _request(request: dict) -> str:
    body = request.get("body") or {}
    raw = base64.b64decode(body["$base64"]) if "$base64" in body else b""
    return f"{request.get('method')} {request.get('uri')} {raw.decode('utf-8', 'replace')}"


def _messages(fields) -> list[str]:
    if isinstance(fields, dict):
        return [m for value in fields.values() for m in _messages(value)]
    if isinstance(fields, list):
        return [m for value in fields for m in _messages(value)]
    return [str(fields)]


def operations_tested(report: Path) -> set[str]:
    labels = set()
    for line in report.read_text().splitlines():
        event = json.loads(line).get("ScenarioFinished")
        if event:
            labels.add(event["recorder"]["label"])
    return labels
