"""What maps to what: the CRM's fields that can sync, the default mapping made on connect, and
the check of a mapping against the org's own description of its objects (``describe()``).

A mapping is checked as the set of an object's mappings, so that removing one can be refused
too (Salesforce's required fields must stay mapped while anything is sent to it).
https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_describesobjects_describesobjectresult.htm
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import CrmObject, Direction

#: The org's object each CRM object syncs with.
REMOTE_OBJECTS = {
    CrmObject.COMPANY: "Account",
    CrmObject.CONTACT: "Contact",
    CrmObject.DEAL: "Opportunity",
}
TEXT = ("string", "textarea", "picklist", "combobox", "email", "phone", "url")
NUMBER = ("int", "double", "currency", "percent")


@dataclass(frozen=True)
class Kind:
    """What a CRM field holds, and the Salesforce field types it can map to."""

    name: str
    remote_types: tuple[str, ...]
    #: The CRM object a reference points to.
    target: str = ""


STRING = Kind("text", TEXT)
EMAIL = Kind("email", ("email", "string"))
PHONE = Kind("phone", ("phone", "string"))
URL = Kind("url", ("url", "string"))
INTEGER = Kind("integer", NUMBER)
DECIMAL = Kind("decimal", NUMBER)
DATE = Kind("date", ("date",))
CHOICE = Kind("choice", ("picklist", "string", "combobox"))


def reference(target: CrmObject) -> Kind:
    return Kind(f"reference to a {target}", ("reference",), target=target)


#: The CRM fields that can be mapped, by object.
LOCAL_FIELDS: dict[str, dict[str, Kind]] = {
    CrmObject.COMPANY: {
        "name": STRING,
        "domain": STRING,
        "industry": STRING,
        "website": URL,
        "phone": PHONE,
        "employee_count": INTEGER,
        "location": STRING,
    },
    CrmObject.CONTACT: {
        "first_name": STRING,
        "last_name": STRING,
        "email": EMAIL,
        "phone": PHONE,
        "title": STRING,
        "seniority": STRING,
        "linkedin_url": URL,
        "location": STRING,
        "company": reference(CrmObject.COMPANY),
    },
    CrmObject.DEAL: {
        "name": STRING,
        "stage": CHOICE,
        "amount": DECIMAL,
        "currency": STRING,
        "close_date": DATE,
        "company": reference(CrmObject.COMPANY),
        "contact": reference(CrmObject.CONTACT),
    },
}

STAGES = [
    ["lead", "Prospecting"],
    ["qualified", "Qualification"],
    ["proposal", "Proposal/Price Quote"],
    ["negotiation", "Negotiation/Review"],
    ["won", "Closed Won"],
    ["lost", "Closed Lost"],
    # Salesforce's other default stages, read as the nearest CRM stage.
    ["qualified", "Needs Analysis"],
    ["qualified", "Value Proposition"],
    ["proposal", "Id. Decision Makers"],
    ["proposal", "Perception Analysis"],
]
BOTH, FROM = Direction.BOTH, Direction.FROM_REMOTE

#: (object, CRM field, Salesforce field, direction, value map), made when an org connects.
DEFAULTS = [
    (CrmObject.COMPANY, "name", "Name", BOTH, []),
    (CrmObject.COMPANY, "website", "Website", BOTH, []),
    (CrmObject.COMPANY, "phone", "Phone", BOTH, []),
    # Industry is a picklist in Salesforce; the CRM's is free text, so it only comes in.
    (CrmObject.COMPANY, "industry", "Industry", FROM, []),
    (CrmObject.COMPANY, "employee_count", "NumberOfEmployees", BOTH, []),
    (CrmObject.COMPANY, "location", "BillingCity", BOTH, []),
    (CrmObject.CONTACT, "first_name", "FirstName", BOTH, []),
    (CrmObject.CONTACT, "last_name", "LastName", BOTH, []),
    (CrmObject.CONTACT, "email", "Email", BOTH, []),
    (CrmObject.CONTACT, "phone", "Phone", BOTH, []),
    (CrmObject.CONTACT, "title", "Title", BOTH, []),
    (CrmObject.CONTACT, "location", "MailingCity", BOTH, []),
    (CrmObject.CONTACT, "company", "AccountId", BOTH, []),
    (CrmObject.DEAL, "name", "Name", BOTH, []),
    (CrmObject.DEAL, "stage", "StageName", BOTH, STAGES),
    (CrmObject.DEAL, "amount", "Amount", BOTH, []),
    (CrmObject.DEAL, "close_date", "CloseDate", BOTH, []),
    (CrmObject.DEAL, "company", "AccountId", BOTH, []),
    (CrmObject.DEAL, "contact", "ContactId", BOTH, []),
]


def required_fields(describe: dict) -> list[str]:
    """The fields Salesforce requires on create: not nillable, not defaulted, createable."""
    return [
        field["name"]
        for field in describe.get("fields", [])
        if field.get("createable")
        and not field.get("nillable")
        and not field.get("defaultedOnCreate")
        and field.get("type") != "boolean"
    ]


def check(obj: str, describe: dict, mappings: list[dict]) -> dict[str, list[str]]:
    """What is wrong with ``mappings`` (dicts with ``local_field``, ``remote_field``,
    ``direction``, ``value_map``: an object's whole set) for the org's ``describe`` of the
    object; field name -> messages, empty when it is fine."""
    remote_name = REMOTE_OBJECTS[obj]
    fields = {field["name"]: field for field in describe.get("fields", [])}
    errors: dict[str, list[str]] = {}
    seen_local, seen_remote = set(), set()
    for mapping in mappings:
        local, remote = mapping["local_field"], mapping["remote_field"]
        pushes = mapping["direction"] != Direction.FROM_REMOTE
        kind = LOCAL_FIELDS[obj].get(local)
        field = fields.get(remote)
        problem = None
        if kind is None:
            errors.setdefault(local, []).append(f"Clianta's {obj} has no field {local}.")
            continue
        if local in seen_local or remote in seen_remote:
            problem = f"{remote} or {local} is mapped twice."
        elif field is None:
            problem = f"Salesforce's {remote_name} has no field {remote}."
        elif pushes and not (field.get("createable") or field.get("updateable")):
            problem = f"{remote} is read-only in Salesforce: it cannot be mapped to Salesforce."
        elif field.get("type") not in kind.remote_types:
            problem = (
                f"{remote} is a {field.get('type')} field in Salesforce; Clianta's "
                f"{local} ({kind.name}) cannot map to it."
            )
        elif kind.target and REMOTE_OBJECTS[kind.target] not in field.get("referenceTo", []):
            problem = f"{remote} does not point to a {REMOTE_OBJECTS[kind.target]}."
        else:
            problem = _value_map_problem(field, mapping.get("value_map") or [], pushes)
        seen_local.add(local)
        seen_remote.add(remote)
        if problem:
            errors.setdefault(remote, []).append(problem)
    if any(mapping["direction"] != Direction.FROM_REMOTE for mapping in mappings):
        pushed = {m["remote_field"] for m in mappings if m["direction"] != Direction.FROM_REMOTE}
        for name in required_fields(describe):
            if name not in pushed:
                errors.setdefault(name, []).append(
                    f"Salesforce requires {remote_name}.{name}: map a field to it (to Salesforce "
                    "or both ways), or send nothing to Salesforce."
                )
    return errors


def _value_map_problem(field: dict, pairs: list, pushes: bool) -> str | None:
    if not all(isinstance(pair, list) and len(pair) == 2 for pair in pairs):
        return "A value map is a list of [Clianta value, Salesforce value] pairs."
    if not all(isinstance(value, str) for pair in pairs for value in pair):
        return "A value map's values are strings."
    # Checked for every picklist, restricted or not: a value the org does not list is a typo
    # far more often than a wish to add one.
    if pushes and field.get("type") == "picklist" and field.get("picklistValues"):
        allowed = {value["value"] for value in field["picklistValues"] if value.get("active")}
        unknown = sorted({remote for _local, remote in pairs} - allowed)
        if unknown:
            return f"{field['name']} has no value {unknown[0]!r}."
    return None
