"""Fixtures of the Salesforce sandbox's tests: the default org, a connected user's token, and
simple-salesforce talking to the org's instance over the sandbox's https front."""

import pytest
import requests
from simple_salesforce import Salesforce

from sandbox.salesforce import store, tokens


class _TrustingSession(requests.Session):
    """A session verifying with the sandbox's CA on every request (set on the session only,
    ``verify`` loses to REQUESTS_CA_BUNDLE: psf/requests#3829)."""

    def request(self, *args, **kwargs):
        kwargs.setdefault("verify", self.verify)
        return super().request(*args, **kwargs)


def client_for(tls_front, token: str, version: str = "62.0") -> Salesforce:
    """simple-salesforce as Clianta builds it: the instance without its scheme (path kept),
    the access token as session id, and a session trusting the sandbox's CA."""
    session = _TrustingSession()
    session.verify = str(tls_front.ca)
    instance = tls_front.url.removeprefix("https://") + "/salesforce"
    return Salesforce(instance=instance, session_id=token, version=version, session=session)


@pytest.fixture
def org(salesforce):
    return store.default_org()


@pytest.fixture
def token(org):
    return tokens.connect(org)


@pytest.fixture
def sf(tls_front, token):
    return client_for(tls_front, token["access_token"])
