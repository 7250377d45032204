"""The sandbox's Apollo.io state, and the helpers tests use to shape it.

- Accounts: each API key is an Apollo team with its own rate limits and credits.
  settings.APOLLO_API_KEY is always known; :func:`register_key` adds others or changes limits;
  :func:`revoke_key` makes one unknown again (401).
- Rate limits (https://docs.apollo.io/reference/rate-limits): fixed windows of a minute, an hour
  and a day, counted per key and endpoint; the bulk endpoints get a tenth of the limits.
  :func:`set_clock` replaces the clock, so a test can sit in the middle of a window.
- Credits (https://docs.apollo.io/docs/api-pricing): 1 per person or company found, 8 more per
  person whose mobile phone is revealed, nothing when nothing is found. :func:`credits_used`.
- The directory: :func:`directory`, :func:`add_company`, :func:`add_person` (``directory``).
- Phone reveals arrive later at the caller's webhook: :func:`deliver_webhooks` sends them.
- :func:`reset` forgets everything.
"""

from __future__ import annotations

import math
import secrets
import time
from collections.abc import Callable
from typing import Any, NamedTuple

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from . import directory as ad
from . import render
from .models import (
    ApolloAccount,
    ApolloOrganization,
    ApolloPerson,
    ApolloPhoneRequest,
    ApolloRateWindow,
)

# A paid plan's generous limits, so that no test meets them unless it sets its own.
DEFAULT_PER_MINUTE, DEFAULT_PER_HOUR, DEFAULT_PER_DAY = 1000, 50_000, 500_000
WINDOWS = {"minute": 60, "hour": 3600, "day": 86400}
# Apollo's names (docs.apollo.io/reference/rate-limits, "Total API Requests").
HEADERS = {
    "minute": ("x-rate-limit-minute", "x-minute-usage", "x-minute-requests-left"),
    "hour": ("x-rate-limit-hourly", "x-hourly-usage", "x-hourly-requests-left"),
    "day": ("x-rate-limit-daily", "x-daily-usage", "x-daily-requests-left"),
}
# Our endpoint name -> Apollo's key in api_usage_stats.
ENDPOINTS = {
    "people/match": ("api/v1/people", "match"),
    "people/bulk_match": ("api/v1/people", "bulk_match"),
    "organizations/enrich": ("api/v1/organizations", "enrich"),
    "organizations/bulk_enrich": ("api/v1/organizations", "bulk_enrich"),
    "usage_stats/api_usage_stats": ("api/v1/usage_stats", "api_usage_stats"),
    "webhook_result": ("api/v1/webhook_result", "show"),
}
BULK_ENDPOINTS = {"people/bulk_match", "organizations/bulk_enrich"}
PERSON_CREDITS, MOBILE_CREDITS, ORGANIZATION_CREDITS = 1, 8, 1

_clock: Callable[[], float] = time.time


def set_clock(clock: Callable[[], float] | None) -> None:
    """Use ``clock()`` (epoch seconds) for the rate-limit windows; None: the real time."""
    global _clock
    _clock = clock or time.time


def register_key(
    key: str,
    *,
    per_minute: int | None = None,
    per_hour: int | None = None,
    per_day: int | None = None,
) -> ApolloAccount:
    """Make ``key`` a valid API key (a team of its own), or change its limits; a limit left out
    is the default (or stays as it was)."""
    account = account_for(key, create=True)
    for name, value in (("per_minute", per_minute), ("per_hour", per_hour), ("per_day", per_day)):
        if value is not None:
            if value < 1:
                raise ValueError(f"{name} must be at least 1")
            setattr(account, name, value)
    account.save()
    return account


def account_for(key: str | None, *, create: bool = False) -> ApolloAccount | None:
    """The account of an API key; settings.APOLLO_API_KEY's is made on first use."""
    if not key:
        return None
    account = ApolloAccount.objects.filter(api_key=key).first()
    if account is None and (create or key == settings.APOLLO_API_KEY):
        account, _ = ApolloAccount.objects.get_or_create(
            api_key=key,
            defaults={
                "per_minute": DEFAULT_PER_MINUTE,
                "per_hour": DEFAULT_PER_HOUR,
                "per_day": DEFAULT_PER_DAY,
            },
        )
    return account


def revoke_key(key: str) -> None:
    """The team deletes ``key``: from now on it answers 401 (the team keeps its credits)."""
    account = ApolloAccount.objects.get(api_key=key)
    account.api_key = f"revoked-{secrets.token_hex(16)}"
    account.save(update_fields=["api_key"])


def credits_used(key: str) -> int:
    """The credits Apollo has charged this key's team (0 for an unknown key)."""
    account = ApolloAccount.objects.filter(api_key=key).first()
    return account.credits_used if account else 0


def charge(account: ApolloAccount, credits: int) -> None:
    if credits:
        ApolloAccount.objects.filter(pk=account.pk).update(credits_used=F("credits_used") + credits)


def limits(account: ApolloAccount, endpoint: str) -> dict[str, int]:
    base = {"minute": account.per_minute, "hour": account.per_hour, "day": account.per_day}
    if endpoint in BULK_ENDPOINTS:  # "one-tenth of the rate limit" of the single endpoints
        return {window: max(1, limit // 10) for window, limit in base.items()}
    return base


class Usage(NamedTuple):
    """An account's use of an endpoint in the current windows, after this request."""

    limits: dict[str, int]
    used: dict[str, int]
    exceeded: str | None  # the longest full window, when the request was refused
    retry_after: int | None  # seconds until that window frees

    def headers(self) -> dict[str, str]:
        answer = {}
        for window, (limit_name, usage_name, left_name) in HEADERS.items():
            answer[limit_name] = str(self.limits[window])
            answer[usage_name] = str(self.used[window])
            answer[left_name] = str(max(0, self.limits[window] - self.used[window]))
        return answer


def take(account: ApolloAccount, endpoint: str) -> Usage:
    """Count one request of ``endpoint``, unless a window is full: then nothing is counted and
    the usage says which window and for how long (Apollo's fixed windows)."""
    moment, allowed = _clock(), limits(account, endpoint)
    with transaction.atomic():
        rows = {}
        for window, seconds in WINDOWS.items():
            start = int(moment // seconds * seconds)
            row, _ = ApolloRateWindow.objects.select_for_update().get_or_create(
                account=account, endpoint=endpoint, window=window, defaults={"started_at": start}
            )
            if row.started_at != start:
                row.started_at, row.used = start, 0
            rows[window] = row
        full = [window for window in WINDOWS if rows[window].used >= allowed[window]]
        if not full:
            for row in rows.values():
                row.used += 1
        for row in rows.values():
            row.save(update_fields=["started_at", "used"])
    used = {window: row.used for window, row in rows.items()}
    if not full:
        return Usage(allowed, used, None, None)
    window = full[-1]
    retry = math.ceil(rows[window].started_at + WINDOWS[window] - moment)
    return Usage(allowed, used, window, max(1, retry))


def usage_stats(account: ApolloAccount) -> dict[str, Any]:
    """The body of ``usage_stats/api_usage_stats``: per endpoint, each window's limit, what
    was consumed in the current one and what is left over."""
    moment = _clock()
    rows = {(row.endpoint, row.window): row for row in account.windows.all()}
    stats = {}
    for endpoint, apollo_key in ENDPOINTS.items():
        allowed, windows = limits(account, endpoint), {}
        for window in ("day", "hour", "minute"):
            row, start = rows.get((endpoint, window)), moment // WINDOWS[window] * WINDOWS[window]
            consumed = row.used if row is not None and row.started_at == int(start) else 0
            windows[window] = {
                "limit": allowed[window],
                "consumed": consumed,
                "left_over": max(0, allowed[window] - consumed),
            }
        # Apollo keys the stats by a JSON array: '["api/v1/people", "match"]'.
        stats['["{}", "{}"]'.format(*apollo_key)] = windows
    return stats


class Directory(NamedTuple):
    organizations: QuerySet[ApolloOrganization]
    people: QuerySet[ApolloPerson]


def directory() -> Directory:
    """Apollo's database: the seeded 40 companies and 200 people plus what tests added."""
    ad.ensure()
    return Directory(
        ApolloOrganization.objects.all(),
        ApolloPerson.objects.select_related("organization"),
    )


def add_company(domain: str | None = None, **fields: Any) -> ApolloOrganization:
    """Put a company in Apollo's database. Fields are the model's, or Apollo's names for them:
    ``primary_domain`` for the domain, ``annual_revenue_printed`` ("10M") for the revenue.
    ``name`` defaults to the domain's first label."""
    ad.ensure()
    domain = ad.clean_domain(domain or fields.pop("primary_domain", ""))
    fields.pop("primary_domain", None)
    if not domain:
        raise ValueError("a company needs a domain")
    printed = fields.pop("annual_revenue_printed", None)
    if printed and fields.get("annual_revenue") is None:
        fields["annual_revenue"] = render.unprinted(str(printed))
    fields.setdefault("name", domain.split(".")[0].title())
    fields.setdefault("website_url", f"http://www.{domain}")
    fields.setdefault("apollo_id", ad.apollo_id("org", domain))
    return ApolloOrganization.objects.create(domain=domain, **fields)


def add_person(
    first_name: str,
    last_name: str,
    *,
    organization: ApolloOrganization | dict | str | None = None,
    phone_numbers: list[str | dict] = (),
    **fields: Any,
) -> ApolloPerson:
    """Put a person in Apollo's database. ``organization``: a company, its domain, or the
    fields of :func:`add_company` (an existing company of that domain is reused);
    ``phone_numbers``: dicts as Apollo's, or strings taken as mobile numbers."""
    ad.ensure()
    if isinstance(organization, (str, dict)):
        given = {"domain": organization} if isinstance(organization, str) else dict(organization)
        domain = ad.clean_domain(given.get("domain") or given.get("primary_domain") or "")
        existing = ApolloOrganization.objects.filter(domain=domain).first() if domain else None
        organization = existing or add_company(**given)
    phones = [
        number if isinstance(number, dict) else ad.phone_from(number, "mobile")
        for number in phone_numbers
    ]
    fields.setdefault("apollo_id", ad.apollo_id("person", secrets.token_hex(8)))
    person = ad.person_row(
        first_name=first_name,
        last_name=last_name,
        organization=organization,
        phone_numbers=phones,
        **fields,
    )
    person.save()
    return person


def queue_phone_request(
    account: ApolloAccount, webhook_url: str, result: dict
) -> ApolloPhoneRequest:
    """A phone reveal to deliver later, under a fresh signed 64-bit request id."""
    request_id = secrets.randbits(63) * (1 if secrets.randbits(1) else -1)
    return ApolloPhoneRequest.objects.create(
        request_id=request_id, account=account, webhook_url=webhook_url, result=result
    )


def phone_requests(key: str | None = None) -> QuerySet[ApolloPhoneRequest]:
    """The phone reveals asked for (by one key, when given), oldest first."""
    queued = ApolloPhoneRequest.objects.all()
    return queued.filter(account__api_key=key) if key else queued


def deliver_webhooks(timeout: float = 10.0) -> int:
    """POST each phone result not yet delivered to its webhook as JSON, as Apollo does when its
    lookup finishes (unsigned: Apollo documents no signature). Returns how many were sent."""
    sent = 0
    for queued in phone_requests().exclude(status="success"):
        try:
            answer = requests.post(queued.webhook_url, json=queued.result, timeout=timeout)
            failure = "" if answer.ok else f"webhook answered {answer.status_code}"
        except requests.RequestException as error:
            failure = str(error)[:500]
        queued.status = "failed" if failure else "success"
        queued.failure_reason = failure
        queued.last_dispatched_at = timezone.now()
        queued.save(update_fields=["status", "failure_reason", "last_dispatched_at"])
        sent += 1
    return sent


def reset() -> None:
    """Forget every Apollo account, counter, credit, phone request and directory entry."""
    ApolloPhoneRequest.objects.all().delete()
    ApolloRateWindow.objects.all().delete()
    ApolloAccount.objects.all().delete()
    ApolloPerson.objects.all().delete()
    ApolloOrganization.objects.all().delete()
    set_clock(None)
