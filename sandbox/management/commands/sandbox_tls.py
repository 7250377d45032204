"""Serve the sandbox over https on loopback (msal needs an https authority):

    python manage.py sandbox_tls [--port 8443] [--target 127.0.0.1:8000]

The certificate is made on first use in SANDBOX_TLS_DIR; msal trusts its CA through
MICROSOFT_CA_BUNDLE. ``make run`` starts this next to the web server.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sandbox.tls import TLSForwarder, ensure_certificate


class Command(BaseCommand):
    help = "Forward https on loopback to the sandbox's http server."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=settings.SANDBOX_TLS_PORT)
        parser.add_argument(
            "--target", default="", help="host:port of the http server (default: SANDBOX_URL's)"
        )

    def handle(self, *args, port, target, **options):
        if not settings.SANDBOX_PROVIDERS:
            raise CommandError("SANDBOX_PROVIDERS is off: there is no sandbox to serve.")
        sandbox = urlsplit(f"http://{target}" if target else settings.SANDBOX_URL)
        _ca, cert, key = ensure_certificate(settings.SANDBOX_TLS_DIR)
        server = TLSForwarder(
            ("127.0.0.1", port), (sandbox.hostname, sandbox.port or 80), cert, key
        )
        self.stdout.write(
            f"https://127.0.0.1:{server.port}/ -> {sandbox.hostname}:{sandbox.port or 80} "
            f"(CA: {settings.MICROSOFT_CA_BUNDLE})"
        )
        with server:
            server.serve_forever()
