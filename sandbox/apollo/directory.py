"""Apollo's database as the sandbox plays it: a small directory generated from a fixed seed (the
same 40 companies and 200 people on every run), people and companies tests add, and the lookups
behind ``people/match`` and ``organizations/enrich``.

The directory is generated on first use (:func:`ensure`); rows tests add stay apart from it
(``generated=False``). Matching follows https://docs.apollo.io/reference/people-enrichment: by
Apollo id, email, hashed email (MD5 or SHA-256), LinkedIn URL, or a name with the employer's
domain or name. A name alone matches nobody ("a name without a domain or email address" gets a
200 that enriches no record).
"""

from __future__ import annotations

import hashlib
import random
import re
from typing import Any

from django.db import IntegrityError, transaction

from .models import ApolloOrganization, ApolloPerson

SEED = 20240601
COMPANIES, PEOPLE_PER_COMPANY = 40, 5
WORDS_A = ["Blue", "Bright", "Cedar", "Copper", "Delta", "Ember", "Granite", "Harbor"]
WORDS_A += ["Iron", "Juniper", "Lumen", "Maple", "North", "Quartz", "Silver", "Summit"]
WORDS_B = ["Analytics", "Bio", "Cloud", "Dynamics", "Freight", "Health", "Labs", "Logic"]
WORDS_B += ["Metrics", "Robotics", "Software", "Systems"]
INDUSTRIES = ["information technology & services", "computer software", "logistics & supply chain"]
INDUSTRIES += ["hospital & health care", "financial services", "marketing & advertising"]
TECHNOLOGIES = ["Salesforce", "Hubspot", "Gmail", "Google Workspace", "Slack", "Stripe", "AWS"]
TECHNOLOGIES += ["Cloudflare DNS", "Intercom", "Zendesk", "Python", "React", "WordPress.org"]
CITIES = [
    ("San Francisco", "California", "94105"),
    ("Austin", "Texas", "78701"),
    ("Boston", "Massachusetts", "02110"),
    ("Denver", "Colorado", "80202"),
    ("Seattle", "Washington", "98101"),
    ("Chicago", "Illinois", "60601"),
]
FIRST_NAMES = ["Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas"]
FIRST_NAMES += ["Kara", "Liam", "Maya", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sami", "Tara"]
LAST_NAMES = ["Adler", "Brooks", "Chen", "Diaz", "Eriksen", "Fischer", "Garcia", "Hughes"]
LAST_NAMES += ["Ivanova", "Jensen", "Kim", "Lopez", "Moreau", "Nakamura", "Okafor", "Patel"]
# (title, seniority, department) by position in a company: Apollo's seniority values.
ROLES = [
    ("Chief Executive Officer", "c_suite", "c_suite"),
    ("VP of Sales", "vp", "sales"),
    ("Director of Engineering", "director", "engineering_technical"),
    ("Marketing Manager", "manager", "marketing"),
    ("Account Executive", "senior", "sales"),
]


def apollo_id(*parts: Any) -> str:
    """A 24-hex id like Apollo's (MongoDB ObjectIds), stable for the same parts."""
    return hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:24]


def clean_domain(value: str) -> str:
    """``https://www.Acme.com/about`` → ``acme.com`` (Apollo wants domains without www or @)."""
    value = (value or "").strip().lower()
    value = re.sub(r"^[a-z][a-z0-9+.-]*://", "", value).split("/")[0].split("?")[0]
    return value.split("@")[-1].removeprefix("www.").rstrip(".")


def linkedin_key(url: str) -> str:
    """A LinkedIn URL without scheme, www, query or trailing slash, lower-cased."""
    url = (url or "").strip().lower().split("?")[0].split("#")[0].rstrip("/")
    return re.sub(r"^[a-z]+://", "", url).removeprefix("www.")


def phone(digits: str, kind: str) -> dict:
    """A phone number as Apollo lists it; ``digits`` are the ten US digits."""
    raw = f"+1 {digits[:3]}-{digits[3:6]}-{digits[6:]}"
    return {"raw_number": raw, "sanitized_number": f"+1{digits}", "type": kind}


def phone_from(raw: str, kind: str) -> dict:
    """A phone number as Apollo lists it from any spelling (ten digits: a US number)."""
    digits = re.sub(r"\D", "", raw)
    if len(digits) == 10 and not raw.strip().startswith("+"):
        digits = "1" + digits
    return {"raw_number": raw.strip(), "sanitized_number": f"+{digits}", "type": kind}


def ensure() -> None:
    """Generate the seeded directory unless it is there (safe when requests race)."""
    if ApolloOrganization.objects.filter(generated=True).exists():
        return
    try:
        with transaction.atomic():
            _generate()
    except IntegrityError:  # another request generated it meanwhile
        pass


def _generate() -> None:
    rng = random.Random(SEED)  # noqa: S311 (a reproducible directory, not a secret)
    names = [f"{a} {b}" for a in WORDS_A for b in WORDS_B]
    rng.shuffle(names)
    orgs = []
    for index, name in enumerate(names[:COMPANIES]):
        city, state, postal = CITIES[index % len(CITIES)]
        slug = name.lower().replace(" ", "")
        employees = rng.choice([12, 45, 120, 380, 950, 2400, 8000])
        orgs.append(
            ApolloOrganization(
                apollo_id=apollo_id("org", SEED, index),
                name=name,
                domain=f"{slug}.com",
                website_url=f"http://www.{slug}.com",
                linkedin_url=f"http://www.linkedin.com/company/{slug}",
                industry=rng.choice(INDUSTRIES),
                estimated_num_employees=employees,
                annual_revenue=employees * rng.choice([90_000, 150_000, 210_000]),
                founded_year=rng.randint(1975, 2021),
                phone=phone(f"415555{index:04d}", "work_hq")["raw_number"],
                street_address=f"{100 + index} Market St",
                city=city,
                state=state,
                postal_code=postal,
                country="United States",
                short_description=f"{name} builds {name.split()[1].lower()} products.",
                keywords=[name.split()[1].lower(), "b2b"],
                technology_names=sorted(rng.sample(TECHNOLOGIES, 4)),
                generated=True,
            )
        )
    ApolloOrganization.objects.bulk_create(orgs)
    people = []
    for org_index, org in enumerate(orgs):
        pairs = rng.sample([(f, la) for f in FIRST_NAMES for la in LAST_NAMES], PEOPLE_PER_COMPANY)
        for position, ((first, last), role) in enumerate(zip(pairs, ROLES, strict=True)):
            number = org_index * PEOPLE_PER_COMPANY + position
            phones = [phone(f"628555{number:04d}", "mobile")] if rng.random() < 0.6 else []
            people.append(
                person_row(
                    apollo_id=apollo_id("person", SEED, number),
                    organization=org,
                    first_name=first,
                    last_name=last,
                    title=role[0],
                    seniority=role[1],
                    departments=[role[2]],
                    email=f"{first}.{last}@{org.domain}".lower(),
                    email_status="verified" if rng.random() < 0.85 else "extrapolated",
                    personal_emails=[f"{first}{last}{number}@gmail.com".lower()]
                    if rng.random() < 0.3
                    else [],
                    linkedin_url=f"http://www.linkedin.com/in/{first}-{last}-{number:03d}".lower(),
                    phone_numbers=phones,
                    generated=True,
                )
            )
    ApolloPerson.objects.bulk_create(people)


def person_row(**fields: Any) -> ApolloPerson:
    """An unsaved person with its lookup keys filled in (the email lower-cased and hashed, the
    LinkedIn key, the headline and location from the employer when not given)."""
    person = ApolloPerson(**fields)
    person.email = (person.email or "").strip().lower()
    if person.email:
        person.email_md5 = hashlib.md5(person.email.encode()).hexdigest()  # noqa: S324 (Apollo's)
        person.email_sha256 = hashlib.sha256(person.email.encode()).hexdigest()
        person.email_status = person.email_status or "verified"
    person.linkedin_key = linkedin_key(person.linkedin_url) if person.linkedin_url else ""
    org = person.organization
    if org is not None:
        person.headline = person.headline or f"{person.title} at {org.name}".strip()
        person.city, person.state = person.city or org.city, person.state or org.state
        person.country = person.country or org.country
    return person


def match_person(params: dict) -> ApolloPerson | None:
    """The person ``people/match`` finds for these parameters, or None."""
    people = ApolloPerson.objects.select_related("organization")
    if params.get("id"):
        found = people.filter(apollo_id=str(params["id"]).strip().lower()).first()
        if found:
            return found
    if params.get("email"):
        found = people.filter(email=str(params["email"]).strip().lower()).first()
        if found:
            return found
    hashed = str(params.get("hashed_email") or "").strip().lower()
    if hashed:
        field = "email_sha256" if len(hashed) == 64 else "email_md5"
        found = people.filter(**{field: hashed}).first()
        if found:
            return found
    if params.get("linkedin_url"):
        found = people.filter(linkedin_key=linkedin_key(str(params["linkedin_url"]))).first()
        if found:
            return found
    return _match_by_name(people, params)


def _match_by_name(people, params: dict) -> ApolloPerson | None:
    first, last = str(params.get("first_name") or ""), str(params.get("last_name") or "")
    if not (first and last) and params.get("name"):
        first, _, last = str(params["name"]).strip().partition(" ")
    first, last = first.strip(), last.strip()
    if not (first and last):
        return None
    candidates = people.filter(first_name__iexact=first, last_name__iexact=last)
    if params.get("domain"):
        return candidates.filter(organization__domain=clean_domain(str(params["domain"]))).first()
    if params.get("organization_name"):
        wanted = _squash(str(params["organization_name"]))
        for person in candidates.exclude(organization=None):
            if wanted and _squash(person.organization.name).startswith(wanted):
                return person
    return None


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def find_organization(params: dict) -> ApolloOrganization | None:
    """The company ``organizations/enrich`` finds by domain, website, LinkedIn URL or name."""
    orgs = ApolloOrganization.objects.all()
    for key in ("domain", "website"):
        if params.get(key):
            found = orgs.filter(domain=clean_domain(str(params[key]))).first()
            if found:
                return found
    if params.get("linkedin_url"):
        wanted = linkedin_key(str(params["linkedin_url"]))
        for org in orgs.exclude(linkedin_url=""):
            if linkedin_key(org.linkedin_url) == wanted:
                return org
    if params.get("name"):
        return orgs.filter(name__iexact=str(params["name"]).strip()).first()
    return None
