"""Walking the OAuth flow as a browser does: our connect view, the sandbox's consent page over
HTTP, and our callback in the same session."""

from urllib.parse import parse_qsl, urlsplit

import requests

from sandbox import faults


def confirm(browser, workspace, slug="gmail", **headers):
    """Our connect link, then its confirmation page's button; the button's response."""
    page = browser.get(
        f"/api/integrations/{slug}/connect", {"workspace": str(workspace.pk)}, **headers
    )
    assert page.status_code == 200, page.content
    assert workspace.name in page.content.decode()
    return browser.post(
        f"/api/integrations/{slug}/connect/start", {"workspace": str(workspace.pk)}, **headers
    )


def start(browser, workspace, slug="gmail", **headers) -> str:
    """Through the connect link's confirmation; returns the provider's consent URL."""
    response = confirm(browser, workspace, slug, **headers)
    assert response.status_code == 302, response.content
    return response["Location"]


def consent(authorize_url: str, decision="allow", email="alice@example.com") -> str:
    """Click Allow or Deny on the sandbox consent page; returns where it sends the browser."""
    answer = requests.post(
        authorize_url,
        data={"email": email, "decision": decision},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def finish(browser, callback_url: str):
    """Follow the provider's redirect back to our callback."""
    parts = urlsplit(callback_url)
    return browser.get(parts.path, dict(parse_qsl(parts.query)))


def query(url: str) -> dict:
    return dict(parse_qsl(urlsplit(url).query))


def token_calls() -> int:
    return faults.calls("google", "/token").count()
