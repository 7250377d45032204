"""The enrichment service: Apollo lookups that fill in contacts and companies, within the
workspace's credits, cached so the same question costs one credit per period at most."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from clianta.models import Company, Contact

from . import credits, metrics
from .client import ApolloClient
from .models import ApolloUsage, Lookup

Kind = Lookup.Kind


@dataclass
class Result:
    found: dict | None
    cached: bool
    contact: Contact | None = None
    company: Company | None = None


def _lookup(workspace_id, kind: str, key: str, fetch: Callable[[], dict | None]):
    """(result, cached): a recent answer costs nothing; otherwise one credit is taken before
    asking Apollo and given back when the call fails or finds nothing."""
    fresh_since = timezone.now() - timedelta(days=settings.APOLLO_CACHE_DAYS)
    hit = Lookup.objects.filter(
        workspace_id=workspace_id, kind=kind, key=key, updated_at__gte=fresh_since
    ).first()
    if hit is not None:
        return hit.result, True
    credits.take(workspace_id)
    try:
        result = fetch()
    except Exception:
        credits.give_back(workspace_id)
        raise
    if result is None:
        credits.give_back(workspace_id)  # Apollo charges nothing when it finds nothing
    else:
        metrics.APOLLO_CREDITS_USED.labels(kind).inc()
    Lookup.objects.update_or_create(
        workspace_id=workspace_id, kind=kind, key=key, defaults={"result": result}
    )
    return result, False


def _fill(target, values: dict, overwrite: bool) -> list[str]:
    """Set the non-empty values on fields that are empty (or all, with ``overwrite``)."""
    changed = []
    for name, value in values.items():
        current = getattr(target, name)
        if value in (None, "", []) or current == value:
            continue
        if overwrite or current in (None, "", []):
            setattr(target, name, value)
            changed.append(name)
    return changed


def _place(record: dict) -> str:
    return ", ".join(
        p for p in (record.get("city"), record.get("state"), record.get("country")) if p
    )


def apply_organization(company: Company, org: dict, overwrite: bool = False) -> Company:
    values = {
        "name": org.get("name") or "",
        "domain": (org.get("primary_domain") or "").lower(),
        "industry": org.get("industry") or "",
        "website": org.get("website_url") or "",
        "phone": (org.get("phone") or "")[:32],
        "employee_count": org.get("estimated_num_employees"),
        "revenue_range": org.get("annual_revenue_printed") or "",
        "location": _place(org),
        "technologies": org.get("technology_names") or [],
    }
    changed = _fill(company, values, overwrite)
    company.enriched_at = timezone.now()
    company.save(update_fields=[*changed, "enriched_at", "updated_at"])
    return company


def _employer(workspace_id, org: dict | None) -> Company | None:
    domain = ((org or {}).get("primary_domain") or "").lower()
    if not domain:
        return None
    company, _ = Company.objects.get_or_create(
        workspace_id=workspace_id, domain=domain, defaults={"name": org.get("name") or domain}
    )
    return apply_organization(company, org)


def apply_person(contact: Contact, person: dict, overwrite: bool = False) -> Contact:
    phones = person.get("phone_numbers") or []
    values = {
        "first_name": person.get("first_name") or "",
        "last_name": person.get("last_name") or "",
        "title": person.get("title") or "",
        "seniority": person.get("seniority") or "",
        "linkedin_url": person.get("linkedin_url") or "",
        "location": _place(person),
        "phone": ((phones[0] or {}).get("sanitized_number") or "")[:32] if phones else "",
    }
    changed = _fill(contact, values, overwrite)
    employer = _employer(contact.workspace_id, person.get("organization"))
    if employer is not None and (overwrite or contact.company_id is None):
        contact.company = employer
        changed.append("company")
    contact.enriched_at = timezone.now()
    contact.save(update_fields=[*changed, "enriched_at", "updated_at"])
    return contact


def enrich_contact(
    workspace, email: str = "", contact: Contact | None = None, overwrite: bool = False
) -> Result:
    """Apollo's person match for an email (or a contact's), applied to the contact."""
    email = (contact.email if contact is not None else email).strip().lower()
    person, cached = _lookup(
        workspace.pk,
        Kind.PERSON,
        f"email:{email}",
        lambda: ApolloClient(workspace.pk).match_person(email=email),
    )
    if contact is None:
        contact = Contact.objects.filter(workspace=workspace, email=email).first()
    if person and contact is not None:
        apply_person(contact, person, overwrite)
    return Result(person, cached, contact=contact)


def find_email(workspace, name: str, domain: str) -> Result:
    """The email address of a person by name and company domain."""
    first, _, last = name.strip().partition(" ")
    domain = domain.strip().lower()
    person, cached = _lookup(
        workspace.pk,
        Kind.PERSON,
        f"name:{name.strip().lower()}@{domain}",
        lambda: ApolloClient(workspace.pk).match_person(
            first_name=first, last_name=last, domain=domain
        ),
    )
    return Result(person, cached)


def company_lookup(workspace, domain: str, overwrite: bool = False) -> Result:
    """Organization enrichment by domain, applied to the workspace's company with that domain."""
    domain = domain.strip().lower()
    org, cached = _lookup(
        workspace.pk,
        Kind.ORGANIZATION,
        f"domain:{domain}",
        lambda: ApolloClient(workspace.pk).enrich_organization(domain),
    )
    company = Company.objects.filter(workspace=workspace, domain=domain).first()
    if org and company is not None:
        apply_organization(company, org, overwrite)
    return Result(org, cached, company=company)


def check_credits(workspace) -> ApolloUsage:
    return credits.usage(workspace.pk)
