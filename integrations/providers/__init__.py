"""One package per provider: its ``Provider`` declaration(s) in ``__init__.py``, its auth (an
OAuth backend in ``oauth.py``, or an API key or account login) and its client (the official SDK or
a requests session configured from settings, the provider's errors mapped into
``integrations.errors`` once). ``settings.INTEGRATION_PROVIDERS`` names the declarations;
``http.py`` is the requests session shared by providers without an SDK."""
