"""The objects the sandbox's orgs hold and their fields, with Salesforce's field types and
properties (Object Reference for Salesforce: Account, Contact, Opportunity;
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/).

Names are looked up case-insensitively, as SOQL and the REST API do; answers use the canonical
spelling. System fields (Id, IsDeleted and the audit dates) live in the record's columns; the
read-only compound and formula fields (Contact.Name, Opportunity.IsClosed/IsWon) are derived.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

TEXT_TYPES = frozenset({"string", "email", "phone", "url", "textarea", "picklist"})
NUMBER_TYPES = frozenset({"currency", "percent", "double", "int"})
ID_TYPES = frozenset({"id", "reference"})
COLUMNS = {
    "Id": "sequence",
    "CreatedDate": "created_date",
    "LastModifiedDate": "last_modified_date",
    "SystemModstamp": "system_modstamp",
}


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str
    length: int = 0
    createable: bool = True
    updateable: bool = True
    nillable: bool = True
    defaulted: bool = False
    reference_to: tuple[str, ...] = ()
    relationship: str | None = None
    picklist: tuple[str, ...] = ()
    restricted: bool = False
    precision: int = 0
    scale: int = 0
    digits: int = 0
    name_field: bool = False

    @property
    def required(self) -> bool:
        """What a create must give: not nillable and with no default."""
        return self.createable and not self.nillable and not self.defaulted

    @property
    def custom(self) -> bool:
        return self.name.endswith("__c")

    @property
    def filterable(self) -> bool:
        # Long text areas can be neither filtered nor sorted in SOQL.
        return self.type != "textarea"


@dataclass(frozen=True)
class SObject:
    name: str
    label: str
    label_plural: str
    key_prefix: str
    fields: tuple[Field, ...]
    by_name: dict[str, Field] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "by_name", {f.name.lower(): f for f in self.fields})

    def field(self, name: str) -> Field | None:
        return self.by_name.get(name.lower())


def _system() -> tuple[Field, ...]:
    """The fields every object has: its Id, owner, IsDeleted and the audit dates."""
    read_only = {"createable": False, "updateable": False, "nillable": False, "defaulted": True}
    return (
        Field("Id", "Record ID", "id", 18, **read_only),
        Field(
            "OwnerId",
            "Owner ID",
            "reference",
            18,
            nillable=False,
            defaulted=True,
            reference_to=("User",),
            relationship="Owner",
        ),
        Field("IsDeleted", "Deleted", "boolean", **read_only),
        Field("CreatedDate", "Created Date", "datetime", **read_only),
        Field("LastModifiedDate", "Last Modified Date", "datetime", **read_only),
        Field("SystemModstamp", "System Modstamp", "datetime", **read_only),
    )


INDUSTRIES = (
    "Agriculture", "Apparel", "Banking", "Biotechnology", "Chemicals", "Communications",
    "Construction", "Consulting", "Education", "Electronics", "Energy", "Engineering",
    "Entertainment", "Environmental", "Finance", "Food & Beverage", "Government", "Healthcare",
    "Hospitality", "Insurance", "Machinery", "Manufacturing", "Media", "Not For Profit",
    "Other", "Recreation", "Retail", "Shipping", "Technology", "Telecommunications",
    "Transportation", "Utilities",
)  # fmt: skip
# Opportunity stages and the probability (percent) each one sets by default.
STAGES = {
    "Prospecting": 10,
    "Qualification": 10,
    "Needs Analysis": 20,
    "Value Proposition": 50,
    "Id. Decision Makers": 60,
    "Perception Analysis": 70,
    "Proposal/Price Quote": 75,
    "Negotiation/Review": 90,
    "Closed Won": 100,
    "Closed Lost": 0,
}
CLOSED_STAGES = {"Closed Won": True, "Closed Lost": False}
READ_ONLY = {"createable": False, "updateable": False}

ACCOUNT = SObject(
    "Account",
    "Account",
    "Accounts",
    "001",
    (
        *_system(),
        Field("Name", "Account Name", "string", 255, nillable=False, name_field=True),
        Field("Website", "Website", "url", 255),
        Field("Phone", "Account Phone", "phone", 40),
        Field("Industry", "Industry", "picklist", 255, picklist=INDUSTRIES),
        Field("NumberOfEmployees", "Employees", "int", digits=8),
        Field("AnnualRevenue", "Annual Revenue", "currency", precision=18, scale=0),
        Field("BillingCity", "Billing City", "string", 40),
        Field("Description", "Account Description", "textarea", 32000),
    ),
)
CONTACT = SObject(
    "Contact",
    "Contact",
    "Contacts",
    "003",
    (
        *_system(),
        Field("FirstName", "First Name", "string", 40),
        Field("LastName", "Last Name", "string", 80, nillable=False),
        Field("Name", "Full Name", "string", 121, nillable=False, name_field=True, **READ_ONLY),
        Field("Email", "Email", "email", 80),
        Field("Phone", "Business Phone", "phone", 40),
        Field("Title", "Title", "string", 128),
        Field(
            "AccountId",
            "Account ID",
            "reference",
            18,
            reference_to=("Account",),
            relationship="Account",
        ),
        Field("MailingCity", "Mailing City", "string", 40),
        Field("Department", "Department", "string", 80),
        Field("LinkedIn_URL__c", "LinkedIn URL", "url", 255),
    ),
)
OPPORTUNITY = SObject(
    "Opportunity",
    "Opportunity",
    "Opportunities",
    "006",
    (
        *_system(),
        Field("Name", "Name", "string", 120, nillable=False, name_field=True),
        Field(
            "StageName",
            "Stage",
            "picklist",
            255,
            nillable=False,
            picklist=tuple(STAGES),
            restricted=True,
        ),
        Field("CloseDate", "Close Date", "date", nillable=False),
        Field("Amount", "Amount", "currency", precision=18, scale=2),
        Field("Probability", "Probability (%)", "percent", precision=3, defaulted=True),
        Field(
            "AccountId",
            "Account ID",
            "reference",
            18,
            reference_to=("Account",),
            relationship="Account",
        ),
        Field(
            "ContactId",
            "Contact ID",
            "reference",
            18,
            reference_to=("Contact",),
            relationship="Contact",
        ),
        Field("Description", "Description", "textarea", 32000),
        Field("IsClosed", "Closed", "boolean", nillable=False, defaulted=True, **READ_ONLY),
        Field("IsWon", "Won", "boolean", nillable=False, defaulted=True, **READ_ONLY),
    ),
)
SOBJECTS = {sobject.name.lower(): sobject for sobject in (ACCOUNT, CONTACT, OPPORTUNITY)}
BY_PREFIX = {sobject.key_prefix: sobject for sobject in SOBJECTS.values()}


def sobject(name: str) -> SObject | None:
    return SOBJECTS.get(name.lower())


def derived(sobject: SObject, values: dict) -> dict:
    """The read-only fields computed from the others: a contact's Name, an opportunity's
    IsClosed and IsWon (from its stage)."""
    if sobject is CONTACT:
        name = " ".join(part for part in (values.get("FirstName"), values.get("LastName")) if part)
        return {"Name": name}
    if sobject is OPPORTUNITY:
        stage = values.get("StageName")
        return {"IsClosed": stage in CLOSED_STAGES, "IsWon": CLOSED_STAGES.get(stage, False)}
    return {}
