"""The sandbox's https front: a certificate made once for loopback, trusted through its CA."""

import ssl

import pytest
import requests
from cryptography import x509
from django.conf import settings

from integrations.providers.microsoft import OUTLOOK_PROVIDER as OUTLOOK
from sandbox.tls import ensure_certificate

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_certificate_is_made_once_for_loopback_names(tmp_path):
    ca, cert, key = ensure_certificate(tmp_path)
    made = cert.read_bytes()
    assert ensure_certificate(tmp_path) == (ca, cert, key) and cert.read_bytes() == made
    leaf = x509.load_pem_x509_certificates(made)[0]
    names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    assert {str(ip) for ip in names.get_values_for_type(x509.IPAddress)} == {"127.0.0.1", "::1"}
    assert key.stat().st_mode & 0o077 == 0
    context = ssl.create_default_context(cafile=str(ca))
    context.load_cert_chain(cert, key)  # the pair matches


def test_msal_trusts_the_ca_even_when_requests_ca_bundle_says_otherwise(microsoft, monkeypatch):
    """requests lets REQUESTS_CA_BUNDLE override a session's verify; msal's client passes the CA
    on every request, so the sign-in still verifies against the sandbox's CA."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", requests.certs.where())
    url, _flow = OUTLOOK.oauth.authorization_url(OUTLOOK, "st4te", "http://127.0.0.1:9/cb")
    assert url.startswith(settings.SANDBOX_URL) and "st4te" in url


def test_without_the_ca_msal_refuses_the_authority(microsoft, settings):
    from integrations.errors import Transient

    settings.MICROSOFT_CA_BUNDLE = True
    with pytest.raises(Transient):
        OUTLOOK.oauth.authorization_url(OUTLOOK, "st4te", "http://127.0.0.1:9/cb")
