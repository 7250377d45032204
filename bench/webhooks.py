"""Webhook load: signed Slack events and Twilio SMS sent to the app under gunicorn, with a real
Celery worker, PostgreSQL and Redis; once the worker has processed them all (timed), a bare
Django view of the same server, loaded the same way, as the baseline.

    .venv/bin/python bench/webhooks.py [--seconds 20] [--web-workers 8] [--worker-nice 10]

5 % of the requests are badly signed, 5 % are redeliveries of an earlier one. The script prints
requests per second, p50/p95/p99 latency and the counts, then checks what the database holds
once the worker has drained: every good delivery stored and processed exactly once, every bad
one absent, no 5xx. Needs PostgreSQL and Redis (BENCH_DATABASE_URL, BENCH_BROKER_URL).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness
import load

DATABASE = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clianta_bench")
BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/3")
SLACK_PATH = "/api/integrations/slack/webhook"
SMS_PATH = "/api/webhooks/twilio/sms"
BARE_PATH = "/sandbox/_ping"
STATE = str(Path(__file__).with_name("webhook_state.py"))
FORM = "application/x-www-form-urlencoded"


def variant(number: int) -> str:
    """Of each 40 numbers (20 Slack, 20 Twilio), one of each provider is badly signed and one of
    each is a redelivery of its provider's good request four numbers earlier."""
    return {1: "bad", 2: "again"}.get(number // 2 % 20, "good") if number >= 40 else "good"


class Requests:
    """Builds request ``number``: even numbers are Slack events, odd ones Twilio SMS."""

    def __init__(self, seed: dict, public_url: str):
        from slack_sdk.signature import SignatureVerifier
        from twilio.request_validator import RequestValidator

        self.seed = seed
        self.slack = SignatureVerifier(seed["slack_signing_secret"])
        self.slack_forged = SignatureVerifier("not-the-signing-secret")
        self.twilio = RequestValidator(seed["twilio_token"])
        self.twilio_forged = RequestValidator("not-the-auth-token")
        self.sms_url = public_url + SMS_PATH

    def __call__(self, number: int):
        kind = variant(number)
        original = number - 4 if kind == "again" else number
        if original % 2 == 0:
            return self.slack_event(original, kind)
        return self.sms(original, kind)

    def slack_event(self, number: int, kind: str):
        event_id = f"EvBAD{number:08d}" if kind == "bad" else f"Ev{number:010d}"
        body = json.dumps(
            {
                "type": "event_callback",
                "team_id": self.seed["team_id"],
                "api_app_id": "A0BENCH",
                "event_id": event_id,
                "event_time": 1_700_000_000 + number,
                "event": {
                    "type": "message",
                    "channel": self.seed["channel_id"],
                    "user": self.seed["user_id"],
                    "text": f"message {number}",
                    "ts": f"{1_700_000_000 + number}.000100",
                },
            }
        ).encode()
        timestamp = str(int(time.time()))
        verifier = self.slack_forged if kind == "bad" else self.slack
        headers = {
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": verifier.generate_signature(timestamp=timestamp, body=body),
        }
        if kind == "again":
            headers.update({"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
        return f"slack:{event_id}:{kind}", "POST", SLACK_PATH, headers, body

    def sms(self, number: int, kind: str):
        sid = f"SMBAD{number:027d}" if kind == "bad" else f"SM{number:032d}"
        params = {
            "MessageSid": sid,
            "SmsSid": sid,
            "AccountSid": self.seed["twilio_sid"],
            "From": f"+1415555{number % 10000:04d}",
            "To": self.seed["twilio_number"],
            "Body": f"message {number}",
            "NumMedia": "0",
            "NumSegments": "1",
        }
        validator = self.twilio_forged if kind == "bad" else self.twilio
        headers = {
            "Content-Type": FORM,
            "X-Twilio-Signature": validator.compute_signature(self.sms_url, params),
        }
        return f"twilio:{sid}:{kind}", "POST", SMS_PATH, headers, urlencode(params).encode()


def bare(number: int):
    body = urlencode({"MessageSid": f"SM{number:032d}", "Body": f"message {number}"}).encode()
    return "bare::good", "POST", BARE_PATH, {"Content-Type": FORM}, body


def expected(results) -> dict:
    """What the database must hold, from what the server answered."""
    good = {"slack": set(), "twilio": set()}
    bad = {"slack": set(), "twilio": set()}
    accepted = 0
    for label, status, _, _ in results:
        provider, delivery_id, kind = label.split(":")
        if kind == "bad":
            bad[provider].add(delivery_id)
        elif 200 <= status < 300:
            good[provider].add(delivery_id)
            accepted += 1
    rejected = sum(1 for label, status, _, _ in results if label.endswith(":bad") and status == 403)
    return {
        "good": {k: sorted(v) for k, v in good.items()},
        "bad": {k: sorted(v) for k, v in bad.items()},
        "accepted": accepted,
        "bad_sent": sum(len(v) for v in bad.values()),
        "bad_rejected_403": rejected,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--web-workers", type=int, default=8)
    parser.add_argument(
        "--worker-nice", type=int, default=10, help="niceness of the Celery worker (0: as web)"
    )
    parser.add_argument("--clients", type=int, default=2, help="load processes")
    parser.add_argument("--threads", type=int, default=4, help="connections per load process")
    options = parser.parse_args()

    with harness.app_server(
        DATABASE, BROKER, web_workers=options.web_workers, worker_nice=options.worker_nice
    ) as server:
        seed = json.loads(harness.in_django(server.env, STATE, "seed"))
        hooks = load.run(
            server.port,
            Requests(seed, server.env["PUBLIC_URL"]),
            seconds=options.seconds,
            processes=options.clients,
            threads=options.threads,
        )
        # The baseline runs on the same idle machine, once the worker has caught up.
        drained = json.loads(harness.in_django(server.env, STATE, "drain"))
        baseline = load.run(
            server.port,
            bare,
            seconds=options.seconds,
            processes=options.clients,
            threads=options.threads,
        )
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
            json.dump(expected(hooks), file)
        checked = {
            **drained,
            **json.loads(harness.in_django(server.env, STATE, "check", file.name)),
        }

    webhooks, bare_view = (
        load.summary(hooks, options.seconds),
        load.summary(baseline, options.seconds),
    )
    harness.print_table(
        [{"endpoint": "webhooks", **webhooks}, {"endpoint": "bare view", **bare_view}]
    )
    ratio = webhooks["requests_per_second"] / bare_view["requests_per_second"]
    print(f"\nthroughput ratio (webhooks / bare view): {ratio:.2f}")
    print(json.dumps(checked, indent=2))
    exact = checked["lost"] == 0 and checked["doubled"] == 0 and checked["bad_stored"] == 0
    print("\nTargets:")
    for target, met in (
        (f"throughput at least half the bare view's ({ratio:.2f})", ratio >= 0.5),
        (f"p99 under 100 ms ({webhooks['p99_ms']} ms)", webhooks["p99_ms"] < 100),
        ("every good delivery stored and processed once, no bad one stored", exact),
        (f"no 5xx ({webhooks['5xx']})", webhooks["5xx"] == 0),
    ):
        print(f"- {target}: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
