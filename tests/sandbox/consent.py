"""Walk a sandbox consent page with `requests`, as a browser would: GET it, submit its form.

Other tests of OAuth flows use :func:`submit_consent` too.
"""

from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import requests


class ConsentForm(HTMLParser):
    """The first form of a page: its action, its inputs' values and its buttons by their text."""

    def __init__(self):
        super().__init__()
        self.action = None
        self.fields: dict[str, str] = {}
        self.buttons: dict[str, tuple[str, str]] = {}
        self._button = None
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = attrs.get("action") or ""
            self._in_form = True
        elif tag == "input" and self._in_form and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""
        elif tag == "button" and self._in_form:
            self._button = (attrs.get("name", ""), attrs.get("value", ""))

    def handle_data(self, data):
        if self._button is not None and data.strip():
            self.buttons[data.strip()] = self._button

    def handle_endtag(self, tag):
        if tag == "button":
            self._button = None
        elif tag == "form":
            self._in_form = False


def read_form(page: requests.Response) -> ConsentForm:
    form = ConsentForm()
    form.feed(page.text)
    assert form.action is not None, f"no form on the page:\n{page.text[:2000]}"
    return form


def submit_consent(url: str, button: str = "Allow", **fields) -> requests.Response:
    """Open the consent page at ``url`` and click ``button``; ``fields`` override the inputs
    (``email=...``). Returns the provider's answer, redirects not followed."""
    page = requests.get(url, timeout=10)
    assert page.status_code == 200, page.text[:2000]
    form = read_form(page)
    name, value = form.buttons[button]
    data = {**form.fields, **fields, name: value}
    return requests.post(
        urljoin(page.url, form.action), data=data, allow_redirects=False, timeout=10
    )


def redirect_params(answer: requests.Response) -> dict[str, str]:
    """The query parameters of a consent answer's redirect (one value each)."""
    assert answer.status_code == 302, answer.text[:2000]
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    return {name: values[0] for name, values in query.items()}
