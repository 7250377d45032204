"""Apollo's resources as its API answers them: a person of ``people/match``, an organization of
``organizations/enrich``, the phone result delivered to a webhook.

Field names and shapes follow the examples of https://docs.apollo.io/reference/people-enrichment,
/reference/organization-enrichment and /reference/poll-webhook-result; fields the sandbox has no
data for are present with Apollo's empty values (null, [], {}), as in those examples.
"""

from __future__ import annotations

import re

from .directory import apollo_id
from .models import ApolloOrganization, ApolloPerson


def printed(amount: int | None) -> str | None:
    """Apollo's short form of an amount: 100000000 → ``100M``, 251200000 → ``251.2M``."""
    if amount is None:
        return None
    for size, suffix in ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "K")):
        if amount >= size:
            return f"{amount / size:.1f}".removesuffix(".0") + suffix
    return str(amount)


def unprinted(text: str) -> int:
    """``10M`` → 10000000: an amount from Apollo's short form."""
    scale = {"K": 10**3, "M": 10**6, "B": 10**9, "T": 10**12}.get(text[-1:].upper(), 1)
    return round(float(text.rstrip("KMBTkmbt").replace(",", "")) * scale)


def _sanitized(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    return f"+{digits}" if digits else ""


def organization(org: ApolloOrganization) -> dict:
    phone = org.phone or None
    return {
        "id": org.apollo_id,
        "name": org.name,
        "website_url": org.website_url or None,
        "blog_url": None,
        "angellist_url": None,
        "linkedin_url": org.linkedin_url or None,
        "twitter_url": None,
        "facebook_url": None,
        "primary_phone": (
            {"number": phone, "source": "Scraped", "sanitized_number": _sanitized(phone)}
            if phone
            else {}
        ),
        "languages": [],
        "alexa_ranking": None,
        "phone": phone,
        "linkedin_uid": None,
        "founded_year": org.founded_year,
        "publicly_traded_symbol": None,
        "publicly_traded_exchange": None,
        "logo_url": None,
        "crunchbase_url": None,
        "primary_domain": org.domain,
        "sanitized_phone": _sanitized(phone) if phone else None,
        "industry": org.industry or None,
        "keywords": list(org.keywords),
        "estimated_num_employees": org.estimated_num_employees,
        "industries": [org.industry] if org.industry else [],
        "secondary_industries": [],
        "raw_address": ", ".join(
            part
            for part in (org.street_address, org.city, org.state, org.postal_code, org.country)
            if part
        ).lower()
        or None,
        "street_address": org.street_address or None,
        "city": org.city or None,
        "state": org.state or None,
        "postal_code": org.postal_code or None,
        "country": org.country or None,
        "owned_by_organization_id": None,
        "short_description": org.short_description or None,
        "suborganizations": [],
        "num_suborganizations": 0,
        "annual_revenue_printed": printed(org.annual_revenue),
        "annual_revenue": org.annual_revenue,
        "total_funding": None,
        "total_funding_printed": None,
        "latest_funding_round_date": None,
        "latest_funding_stage": None,
        "funding_events": [],
        "technology_names": list(org.technology_names),
        "current_technologies": [
            {"uid": re.sub(r"\W+", "_", name.lower()), "name": name, "category": "Other"}
            for name in org.technology_names
        ],
    }


def person(who: ApolloPerson, *, personal_emails: bool = False) -> dict:
    """A person as ``people/match`` and ``bulk_match`` answer it: no phone numbers (they go to
    the webhook), personal emails only when ``reveal_personal_emails`` asked for them."""
    org = who.organization
    job_id = apollo_id("job", who.apollo_id)
    body = {
        "id": who.apollo_id,
        "first_name": who.first_name,
        "last_name": who.last_name,
        "name": f"{who.first_name} {who.last_name}".strip(),
        "linkedin_url": who.linkedin_url or None,
        "title": who.title or None,
        "email_status": who.email_status or None,
        "photo_url": None,
        "twitter_url": None,
        "github_url": None,
        "facebook_url": None,
        "extrapolated_email_confidence": None,
        "headline": who.headline or None,
        "email": who.email or None,
        "organization_id": org.apollo_id if org else None,
        "employment_history": [
            {
                "_id": job_id,
                "current": True,
                "organization_id": org.apollo_id if org else None,
                "organization_name": org.name if org else None,
                "start_date": None,
                "end_date": None,
                "title": who.title or None,
                "id": job_id,
                "key": job_id,
            }
        ]
        if who.title
        else [],
        "state": who.state or None,
        "city": who.city or None,
        "country": who.country or None,
        "organization": organization(org) if org else None,
        "departments": list(who.departments),
        "subdepartments": [],
        "functions": [],
        "seniority": who.seniority or None,
        "show_intent": False,
        "revealed_for_current_team": True,
    }
    if personal_emails:
        body["personal_emails"] = list(who.personal_emails)
    return body


def phone_result(people: list[ApolloPerson], requested: int, credits: int) -> dict:
    """The phone enrichment result Apollo POSTs to the webhook (and the poll endpoint shows as
    ``webhook_result``): each matched person's numbers, mobile ones included."""
    found = [who for who in people if who.phone_numbers]
    return {
        "status": "success",
        "total_requested_enrichments": requested,
        "unique_enriched_records": len(found),
        "missing_records": requested - len(found),
        "credits_consumed": credits,
        "people": [
            {
                "id": who.apollo_id,
                "status": "success" if who.phone_numbers else "not_found",
                "phone_numbers": [
                    _phone(who.apollo_id, position, number)
                    for position, number in enumerate(who.phone_numbers)
                ],
            }
            for who in people
        ],
    }


def _phone(owner: str, position: int, number: dict) -> dict:
    number_id = apollo_id("phone", owner, position)
    return {
        "_id": number_id,
        "raw_number": number.get("raw_number"),
        "sanitized_number": number.get("sanitized_number") or _sanitized(number["raw_number"]),
        "type_cd": number.get("type") or "other",
        "status_cd": "valid_number",
        "confidence_cd": "high",
        "dnc_status_cd": "not_found",
        "position": position,
        "id": number_id,
        "key": number_id,
    }
