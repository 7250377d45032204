"""Helpers of the tests that walk through pages in headless Chromium as a person does (the
`page` fixture is in conftest.py); screenshots go to test-artifacts/."""

import shutil
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
PASSWORD = "a-strong-password-123"


def log_in_and_open_settings(page, live_url):
    page.goto(f"{live_url}/settings/integrations")
    assert "/accounts/login/" in page.url
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_url}/settings/integrations*")


def shot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def api(page, method, path, body=None):
    """A call the way the CRM's front end makes it: same session, CSRF token from the cookie."""
    return page.evaluate(
        """async ([method, path, body]) => {
            const token = (document.cookie.match(/csrftoken=([^;]+)/) || [])[1] || "";
            const answer = await fetch(path, {
                method, credentials: "same-origin",
                headers: {"Content-Type": "application/json", "X-CSRFToken": token},
                body: body === null ? undefined : JSON.stringify(body),
            });
            return {status: answer.status, body: await answer.json()};
        }""",
        [method, path, body],
    )
