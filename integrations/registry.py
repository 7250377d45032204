"""slug -> Provider: every integration the layer knows, and how to reach it.

Built when the integrations app is ready, from ``settings.INTEGRATION_PROVIDERS``: the dotted
paths of the ``Provider`` declarations (``"integrations.providers.slack.SLACK_PROVIDER"``).
Adding a provider: its package in ``integrations/providers/`` and one line in that setting.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.module_loading import import_string

from .base import Provider

PROVIDERS: dict[str, Provider] = {}


def load(paths) -> None:
    """Register the ``Provider`` at each dotted path (``IntegrationsConfig.ready`` does)."""
    for path in paths:
        provider = import_string(path)
        if not isinstance(provider, Provider):
            raise TypeError(f"{path} is not a Provider.")
        register(provider)


def register(provider: Provider) -> Provider:
    """Add a provider at run time (the tests' example provider does)."""
    PROVIDERS[provider.slug] = provider
    return provider


def get(slug: str) -> Provider:
    try:
        return PROVIDERS[slug]
    except KeyError:
        raise Http404(f"No provider {slug!r}.") from None
