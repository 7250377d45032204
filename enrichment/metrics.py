"""Apollo's Prometheus metric (served by ``/metrics``, see clianta/metrics.py)."""

from prometheus_client import Counter

APOLLO_CREDITS_USED = Counter(
    "clianta_apollo_credits_used",
    "Apollo credits spent: lookups Apollo answered with a match (cached answers cost none).",
    ["kind"],
)
