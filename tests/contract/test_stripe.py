"""The sandbox Stripe's answers against Stripe's published description: the example objects of
stripe/openapi (openapi/fixtures3.json at f6c2a48, 2026-08-21: the resources customer,
deleted_customer, event, product, price, webhook_endpoint and deleted_webhook_endpoint) and the
API reference (docs.stripe.com/api: list objects under pagination, the error object under
errors; an endpoint's ``secret`` only in the answer that creates it, under
webhook_endpoints/create). The schemas below restate, in our words, the property names and types
those examples show; objects are closed to them."""

import jsonschema
import pytest
import requests

from sandbox.stripe import store

pytestmark = pytest.mark.django_db(transaction=True)


def closed(**properties) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def maybe(kind) -> dict:
    return {"type": [kind, "null"]}


TEXT, INT, BOOL, OBJECT = maybe("string"), {"type": "integer"}, {"type": "boolean"}, maybe("object")
CUSTOMER_ID = {"type": "string", "pattern": "^cus_[A-Za-z0-9]+$"}
CUSTOMER = closed(
    id=CUSTOMER_ID,
    object={"const": "customer"},
    address=OBJECT,
    balance=INT,
    created=INT,
    currency=TEXT,
    default_source=TEXT,
    delinquent=maybe("boolean"),
    description=TEXT,
    discount=OBJECT,
    email=TEXT,
    invoice_prefix=TEXT,
    invoice_settings=closed(
        custom_fields=maybe("array"),
        default_payment_method=TEXT,
        footer=TEXT,
        rendering_options=OBJECT,
    ),
    livemode=BOOL,
    metadata={"type": "object", "additionalProperties": {"type": "string"}},
    name=TEXT,
    next_invoice_sequence=INT,
    phone=TEXT,
    preferred_locales={"type": "array", "items": {"type": "string"}},
    shipping=OBJECT,
    tax_exempt={"enum": ["exempt", "none", "reverse", None]},
    test_clock=TEXT,
)
DELETED_CUSTOMER = closed(id=CUSTOMER_ID, object={"const": "customer"}, deleted={"const": True})
EVENT = closed(
    id={"type": "string", "pattern": "^evt_[A-Za-z0-9]+$"},
    object={"const": "event"},
    api_version=TEXT,
    created=INT,
    data={"type": "object", "required": ["object"]},
    livemode=BOOL,
    pending_webhooks=INT,
    request={"type": "object", "properties": {"id": TEXT, "idempotency_key": TEXT}},
    type={"type": "string"},
)

WEBHOOK_ENDPOINT_ID = {"type": "string", "pattern": "^we_[A-Za-z0-9]+$"}
WEBHOOK_ENDPOINT = closed(
    id=WEBHOOK_ENDPOINT_ID,
    object={"const": "webhook_endpoint"},
    api_version=TEXT,
    application=TEXT,
    created=INT,
    description=TEXT,
    enabled_events={"type": "array", "items": {"type": "string"}, "minItems": 1},
    livemode=BOOL,
    metadata={"type": "object", "additionalProperties": {"type": "string"}},
    status={"enum": ["enabled", "disabled"]},
    url={"type": "string"},
)
NEW_WEBHOOK_ENDPOINT = {
    **WEBHOOK_ENDPOINT,
    "properties": {
        **WEBHOOK_ENDPOINT["properties"],
        "secret": {"type": "string", "pattern": "^whsec_"},
    },
    "required": [*WEBHOOK_ENDPOINT["required"], "secret"],
}
DELETED_WEBHOOK_ENDPOINT = closed(
    id=WEBHOOK_ENDPOINT_ID, object={"const": "webhook_endpoint"}, deleted={"const": True}
)

PRODUCT_ID = {"type": "string", "pattern": "^prod_[A-Za-z0-9]+$"}
METADATA = {"type": "object", "additionalProperties": {"type": "string"}}
PRODUCT = closed(
    id=PRODUCT_ID,
    object={"const": "product"},
    active=BOOL,
    created=INT,
    default_price=TEXT,
    description=TEXT,
    images={"type": "array", "items": {"type": "string"}},
    livemode=BOOL,
    marketing_features={"type": "array"},
    metadata=METADATA,
    name={"type": "string"},
    package_dimensions=OBJECT,
    shippable=maybe("boolean"),
    statement_descriptor=TEXT,
    tax_code=TEXT,
    type={"enum": ["good", "service"]},
    unit_label=TEXT,
    updated=INT,
    url=TEXT,
)
PRICE = closed(
    id={"type": "string", "pattern": "^price_[A-Za-z0-9]+$"},
    object={"const": "price"},
    active=BOOL,
    billing_scheme={"enum": ["per_unit", "tiered"]},
    created=INT,
    currency={"type": "string", "pattern": "^[a-z]{3}$"},
    custom_unit_amount=OBJECT,
    livemode=BOOL,
    lookup_key=TEXT,
    metadata=METADATA,
    nickname=TEXT,
    product=PRODUCT_ID,
    recurring={
        "oneOf": [
            {"type": "null"},
            closed(
                interval={"enum": ["day", "week", "month", "year"]},
                interval_count=INT,
                meter=TEXT,
                usage_type={"enum": ["licensed", "metered"]},
                trial_period_days=maybe("integer"),
            ),
        ]
    },
    tax_behavior={"enum": ["exclusive", "inclusive", "unspecified", None]},
    tiers_mode=TEXT,
    transform_quantity=OBJECT,
    type={"enum": ["one_time", "recurring"]},
    unit_amount=maybe("integer"),
    unit_amount_decimal=TEXT,
)


def list_of(item: dict) -> dict:
    return closed(
        object={"const": "list"},
        data={"type": "array", "items": item},
        has_more=BOOL,
        url={"type": "string", "pattern": "^/v1/"},
    )


ERROR = closed(
    error={
        "type": "object",
        "required": ["type", "message"],
        "properties": {
            "type": {
                "enum": ["api_error", "card_error", "idempotency_error", "invalid_request_error"]
            },
            "code": {"type": "string"},
            "message": {"type": "string"},
            "param": {"type": "string"},
        },
        "additionalProperties": False,
    }
)


@pytest.fixture
def api(sandbox):
    """requests authenticated as a new sandbox account, as Stripe's API is called."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {store.create_account().secret_key}"
    return session


def test_customers_events_lists_and_errors_meet_stripes_description(sandbox, api):
    v1 = f"{sandbox.url}/stripe/v1"

    form = {"email": "ada@acme.example", "metadata[crm_id]": "42", "address[country]": "FR"}
    created = api.post(f"{v1}/customers", data=form, timeout=10).json()
    jsonschema.validate(created, CUSTOMER)
    updated = api.post(f"{v1}/customers/{created['id']}", data={"name": "Ada"}, timeout=10)
    jsonschema.validate(updated.json(), CUSTOMER)
    jsonschema.validate(api.get(f"{v1}/customers", timeout=10).json(), list_of(CUSTOMER))
    deleted = api.delete(f"{v1}/customers/{created['id']}", timeout=10).json()
    jsonschema.validate(deleted, DELETED_CUSTOMER)

    events = api.get(f"{v1}/events", timeout=10).json()
    jsonschema.validate(events, list_of(EVENT))
    assert [e["type"] for e in events["data"]] == [
        "customer.deleted",
        "customer.updated",
        "customer.created",
    ]
    for answer in (
        api.get(f"{v1}/customers/cus_missing", timeout=10),
        api.post(f"{v1}/customers", data={"colour": "blue"}, timeout=10),
        requests.get(f"{v1}/customers", timeout=10),
    ):
        assert answer.status_code in (400, 401, 404)
        jsonschema.validate(answer.json(), ERROR)


def test_webhook_endpoints_meet_stripes_description(sandbox, api):
    v1 = f"{sandbox.url}/stripe/v1/webhook_endpoints"
    form = {"url": "https://crm.example.com/hooks", "enabled_events[]": "customer.created"}

    created = api.post(v1, data=form, timeout=10).json()
    jsonschema.validate(created, NEW_WEBHOOK_ENDPOINT)
    jsonschema.validate(api.get(f"{v1}/{created['id']}", timeout=10).json(), WEBHOOK_ENDPOINT)
    jsonschema.validate(api.get(v1, timeout=10).json(), list_of(WEBHOOK_ENDPOINT))
    deleted = api.delete(f"{v1}/{created['id']}", timeout=10).json()
    jsonschema.validate(deleted, DELETED_WEBHOOK_ENDPOINT)
    jsonschema.validate(api.post(v1, data={"url": "x"}, timeout=10).json(), ERROR)


def test_products_and_prices_meet_stripes_description(sandbox, api):
    v1 = f"{sandbox.url}/stripe/v1"

    product = api.post(f"{v1}/products", data={"name": "Pro"}, timeout=10).json()
    jsonschema.validate(product, PRODUCT)
    for form in (
        {"product": product["id"], "currency": "eur", "unit_amount": "2900"},
        {
            "product": product["id"],
            "currency": "eur",
            "unit_amount": "29000",
            "recurring[interval]": "year",
        },
    ):
        jsonschema.validate(api.post(f"{v1}/prices", data=form, timeout=10).json(), PRICE)
    jsonschema.validate(api.get(f"{v1}/prices", timeout=10).json(), list_of(PRICE))
    jsonschema.validate(api.get(f"{v1}/products", timeout=10).json(), list_of(PRODUCT))
