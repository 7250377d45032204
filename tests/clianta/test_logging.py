"""Structured logs: one JSON object per line with every extra field of the call, the request id
(also in the tasks a request queues, on a real worker) and the workspace id; secrets scrubbed in
the message, the extra fields and the traceback; a plain line for people under make run."""

import copy
import io
import json
import logging
import logging.config
import uuid

import pytest
from django.conf import settings

from clianta import logcontext, scrub
from email_accounts.models import EmailAccount
from integrations.models import IntegrationCredential
from tests.conftest import sandbox_tokens, wait_for
from tests.email_accounts.gmail_helpers import EMAIL, SCOPES


@pytest.fixture
def lines():
    """What the project's console handler (its formatter and filters, from settings.LOGGING)
    writes, as parsed JSON objects."""
    stream = io.StringIO()
    config = copy.deepcopy(settings.LOGGING)  # the configurator consumes what it reads
    configurator = logging.config.DictConfigurator(config)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(configurator.configure_formatter(config["formatters"]["json"]))
    for name in config["handlers"]["console"]["filters"]:
        handler.addFilter(configurator.configure_filter(config["filters"][name]))
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)


def test_production_logs_are_json_and_development_logs_are_plain(settings):
    # The suite runs with DEBUG off: production's format.
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "json"
    record = logging.LogRecord("x", logging.INFO, "", 0, "sync.finished", (), None)
    record.provider, record.account = "gmail", "email:1"
    line = logcontext.PlainFormatter().format(record)
    assert line.endswith("INFO x sync.finished provider=gmail account=email:1")


@pytest.mark.django_db(transaction=True)
def test_a_log_call_keeps_its_extra_fields_and_the_request_and_workspace_ids(
    sandbox, api_a, workspace_a, alice, lines
):
    credential = IntegrationCredential.objects.create(
        workspace=workspace_a,
        provider="gmail",
        account=EMAIL,
        connected_by=alice,
        **sandbox_tokens(EMAIL, SCOPES),
    )
    account = EmailAccount.objects.create(
        workspace=workspace_a, provider="gmail", email=EMAIL, credential=credential
    )
    # A sync run inside a request: its "sync.finished" line says which account and how it ended.
    from email_accounts import services

    answer = api_a.get("/api/email-accounts", HTTP_X_REQUEST_ID="req-42.a_b")
    assert answer["X-Request-ID"] == "req-42.a_b"
    services.sync_emails(account)
    finished = [line for line in lines() if line["message"] == "sync.finished"]
    assert finished, lines()
    assert finished[-1]["account"] == account.account_key
    assert finished[-1]["status"] == "success"
    assert finished[-1]["workspace_id"] == str(workspace_a.pk)
    assert {"time", "level", "logger"} <= set(finished[-1])


@pytest.mark.django_db
@pytest.mark.parametrize("given", ["", "a" * 101, "x\r\nSet-Cookie: y", "<script>", "é"])
def test_a_missing_or_hostile_request_id_is_replaced(api_a, workspace_a, given):
    answer = api_a.get("/api/contacts", HTTP_X_REQUEST_ID=given)
    assert answer.status_code == 200
    made = answer["X-Request-ID"]
    assert made != given and len(made) == 32 and made.isalnum()


@pytest.mark.django_db
def test_every_line_of_a_request_has_its_request_id_and_workspace(api_a, workspace_a, lines):
    missing = api_a.get(f"/api/contacts/{uuid.uuid4()}", HTTP_X_REQUEST_ID="the-request")
    assert missing.status_code == 404
    (line,) = [line for line in lines() if line["logger"] == "django.request"]
    assert line["request_id"] == "the-request"
    assert line["workspace_id"] == str(workspace_a.pk)
    # Django passes the request itself: written as text, its query string scrubbed.
    api_a.get(f"/api/contacts/{uuid.uuid4()}?code=one-time-code-123&state=abc")
    written = [line for line in lines() if "code=****" in line.get("request", "")]
    assert written and "one-time-code" not in json.dumps(lines())
    # After the request, nothing of it is carried over.
    logging.getLogger("clianta.test").info("outside")
    (outside,) = [line for line in lines() if line["message"] == "outside"]
    assert "request_id" not in outside and "workspace_id" not in outside


def test_secrets_are_scrubbed_in_the_message_the_extras_and_the_traceback(lines):
    secret = "ya29.super-secret-access-token"
    scrub.remember(secret)
    logger = logging.getLogger("clianta.test")
    try:
        raise ValueError(f"refused {secret}")
    except ValueError:
        logger.exception(
            "oauth.exchange_failed %s", secret, extra={"provider": "gmail", "token": secret}
        )
    (line,) = [line for line in lines() if line["message"].startswith("oauth.exchange_failed")]
    text = json.dumps(line)
    assert secret not in text
    assert line["provider"] == "gmail" and line["token"].startswith("****")
    assert "ValueError" in line["exc_info"]


@pytest.mark.django_db(transaction=True)
def test_the_request_id_reaches_the_log_of_the_task_it_queued(
    sandbox, celery_worker, api_a, workspace_a, alice
):
    credential = IntegrationCredential.objects.create(
        workspace=workspace_a,
        provider="gmail",
        account=EMAIL,
        connected_by=alice,
        **sandbox_tokens(EMAIL, SCOPES),
    )
    account = EmailAccount.objects.create(
        workspace=workspace_a, provider="gmail", email=EMAIL, credential=credential
    )
    answer = api_a.post(
        f"/api/email-accounts/{account.pk}/sync", HTTP_X_REQUEST_ID="sync-request-7"
    )
    assert answer.status_code == 202, answer.content

    def task_lines():
        found = []
        for text in celery_worker.log().splitlines():
            if text.startswith("{") and "sync-request-7" in text:
                found.append(json.loads(text))
        return [line for line in found if line.get("message") == "sync.finished"]

    (line,) = wait_for(task_lines)
    assert line["request_id"] == "sync-request-7"
    assert line["workspace_id"] == str(workspace_a.pk)
    assert line["account"] == account.account_key
