"""Production settings: `check --deploy` is clean, HTTPS is enforced, every HTML page sends a
Content Security Policy that our pages satisfy in Chromium, OAuth's code and state never reach
an access log, and the admin asks staff for a TOTP code."""

import io
import logging
import os
import re
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from django.conf import settings
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.core.wsgi import get_wsgi_application
from django.test import Client

from clianta.models import Membership
from integrations.models import IntegrationCredential
from tests.browser import PASSWORD, log_in_and_open_settings, shot
from tests.email_accounts.imap.servers import free_port
from tests.integrations.oauth_helpers import start
from tests.otp import current_code, device_of, log_in_staff, log_in_through_the_admin_form

BASE_DIR = Path(settings.BASE_DIR)
CODE, STATE = "4/0AX4XfWhSecretOneTimeCode", "StateValueThatMustNotLeak123"
CALLBACK = f"/api/integrations/gmail/callback?state={STATE}&code={CODE}&scope=email"


def production_env(**changes) -> dict:
    """The environment of a production deployment: DEBUG off, a long random key, its host and
    https address, no sandbox, none of the test suite's relaxations."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name
        not in {"SECURE_SSL_REDIRECT", "SANDBOX_ALLOW_IN_PRODUCTION", "OAUTHLIB_INSECURE_TRANSPORT"}
    }
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="crm.clianta.example",
        PUBLIC_URL="https://crm.clianta.example",
        SANDBOX_PROVIDERS="false",
        **changes,
    )
    return env


def test_check_deploy_reports_nothing_in_production():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.django_db
def test_https_is_enforced_with_hsts(client, settings):
    secure = client.get("/accounts/login/", secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert secure["X-Frame-Options"] == "DENY"
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE

    settings.SECURE_SSL_REDIRECT = True  # as in production (the suite turns it off)
    plain = Client().get("/accounts/login/")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/accounts/login/"
    assert Client().get("/api/health").status_code != 301  # load balancers probe over http


def test_the_ssl_redirect_is_on_unless_turned_off():
    script = "from django.conf import settings; print(settings.SECURE_SSL_REDIRECT)"
    for changes, expected in (({}, "True"), ({"SECURE_SSL_REDIRECT": "false"}, "False")):
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", script],
            cwd=BASE_DIR,
            env=production_env(**changes),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.stdout.strip().splitlines()[-1] == expected, result.stderr


def nonce_of(response) -> str | None:
    """The policy's nonce (there is one when the page has inline code)."""
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    found = re.search(r"script-src 'self' 'nonce-([^']+)'", policy)
    return found.group(1) if found else None


@pytest.mark.django_db(transaction=True)
def test_html_pages_send_a_policy_and_their_inline_code_carries_its_nonce(
    client, alice, workspace_a, sandbox, make_user
):
    pages = {"login": client.get("/accounts/login/"), "docs": client.get("/api/docs/")}
    client.force_login(alice)
    consent = urlsplit(start(client, workspace_a))
    pages["sandbox consent"] = client.get(consent.path, dict(parse_qsl(consent.query)))
    pages["settings"] = client.get("/settings/integrations")
    pages["oauth failed"] = client.get("/api/integrations/gmail/callback", {"state": "forged"})
    log_in_staff(client, make_user("staff", is_staff=True, is_superuser=True))
    pages["admin"] = client.get("/admin/")

    for name, response in pages.items():
        assert response.status_code in (200, 400), name
        nonce = nonce_of(response)
        html = response.content.decode()
        inline = re.findall(r"<(script|style)(?![^>]*\bsrc=)([^>]*)>", html)
        assert all(f'nonce="{nonce}"' in attributes for _tag, attributes in inline), name
        assert not re.search(r"\son[a-z]+=", html), name  # no inline event handlers
        assert ' style="' not in html, name


def test_an_oauth_callback_leaves_no_code_or_state_in_runserver_log():
    """runserver's request handler, on the project's logging configuration."""
    server = WSGIServer(("127.0.0.1", 0), WSGIRequestHandler)
    server.set_app(get_wsgi_application())  # configures logging as runserver does
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    logger = logging.getLogger("django.server")
    logger.addHandler(handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        answer = requests.get(base + CALLBACK, timeout=10)  # on to the login page, code in next=
        assert answer.status_code == 200 and "/accounts/login/" in answer.url
    finally:
        server.shutdown()
        server.server_close()
        logger.removeHandler(handler)
    logged = lines.getvalue()
    assert "/api/integrations/gmail/callback" in logged and "/accounts/login/" in logged
    for secret in (CODE, STATE, CODE.replace("/", "%2F"), "0AX4XfWh"):
        assert secret not in logged


def test_an_oauth_callback_leaves_no_code_or_state_in_gunicorn_logs(tmp_path):
    port = free_port()
    out, err = tmp_path / "out.log", tmp_path / "err.log"
    with out.open("w") as stdout, err.open("w") as stderr:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "clianta.wsgi:application",
                "-c",
                "clianta/gunicorn_conf.py",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
            ],
            cwd=BASE_DIR,
            env={**os.environ, "ALLOWED_HOSTS": "127.0.0.1"},
            stdout=stdout,
            stderr=stderr,
        )
        try:
            answer = None
            for _ in range(100):
                try:
                    answer = requests.get(f"http://127.0.0.1:{port}{CALLBACK}", timeout=10)
                    break
                except requests.ConnectionError:
                    time.sleep(0.2)
            assert answer is not None and answer.status_code == 200, err.read_text()
            assert "/accounts/login/" in answer.url
        finally:
            server.terminate()
            server.wait(timeout=30)
    logged = out.read_text() + err.read_text()
    assert '"GET /api/integrations/gmail/callback HTTP/1.1" 302' in logged, logged
    assert '"GET /accounts/login/ HTTP/1.1" 200' in logged, logged
    for secret in (CODE, STATE, CODE.replace("/", "%2F"), "0AX4XfWh"):
        assert secret not in logged


@pytest.mark.django_db
def test_staff_need_a_totp_code_for_the_admin(make_user):
    staff = make_user("ops", is_staff=True, is_superuser=True)
    without_code = Client()
    without_code.force_login(staff)  # a password login alone
    answer = without_code.get("/admin/")
    assert answer.status_code == 302 and answer["Location"].startswith("/admin/login/")

    form = Client()
    refused = form.post("/admin/login/", {"username": "ops", "password": "pw-123456"})
    assert refused.status_code == 200 and form.get("/admin/").status_code == 302
    accepted = form.post(
        "/admin/login/",
        {
            "username": "ops",
            "password": "pw-123456",
            "otp_device": device_of(staff).persistent_id,
            "otp_token": current_code(staff),
        },
    )
    assert accepted.status_code == 302
    assert form.get("/admin/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_pages_work_in_chromium_under_the_policy(page, live_server, alice, workspace_a, make_user):
    """Every kind of HTML page, with nothing refused by the Content Security Policy."""
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    second = Membership.objects.create(
        workspace=type(workspace_a).objects.create(name="Workspace Two"), user=alice
    ).workspace

    log_in_and_open_settings(page, live_server.url)
    page.select_option("select[name=workspace]", str(second.pk))  # submitted by our script
    page.wait_for_url(f"**/settings/integrations?workspace={second.pk}")
    page.goto(f"{live_server.url}/api/integrations/gmail/connect?workspace={second.pk}")
    page.get_by_role("button", name="Connect").click()  # the confirmation page's button
    page.wait_for_selector("text=Sign in with Google")
    page.goto(f"{live_server.url}/api/integrations/gmail/callback?state=forged&code=x")
    page.wait_for_selector("text=could not be completed")
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock-tag")  # Swagger UI rendered the schema
    shot(page, "csp-swagger-ui")

    staff = make_user("ops", is_staff=True, is_superuser=True)
    staff.set_password(PASSWORD)
    staff.save()
    credential = IntegrationCredential.objects.create(workspace=workspace_a, provider="gmail")
    page.context.clear_cookies()
    log_in_through_the_admin_form(page, live_server.url, staff, PASSWORD)
    page.goto(f"{live_server.url}/admin/integrations/integrationcredential/{credential.pk}/change/")
    page.wait_for_selector("text=Secrets (masked)")
    shot(page, "csp-admin-credential")

    assert refused == []
