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


# Payments and Connect: the resources payment_intent, charge and refund of the same fixtures
# (their expandable fields as ids or null), the card error of docs.stripe.com/api/errors (it
# names decline_code, charge and payment_intent), and the token answer of
# docs.stripe.com/connect/oauth-reference (POST /oauth/token).

PAYMENT_INTENT_ID = {"type": "string", "pattern": "^pi_[A-Za-z0-9]+$"}
CHARGE_ID = {"type": "string", "pattern": "^ch_[A-Za-z0-9]+$"}
NULLABLE_CUSTOMER = {"oneOf": [{"type": "null"}, CUSTOMER_ID]}
PAYMENT_INTENT = closed(
    id=PAYMENT_INTENT_ID,
    object={"const": "payment_intent"},
    amount=INT,
    amount_capturable=INT,
    amount_details=OBJECT,
    amount_received=INT,
    application=TEXT,
    application_fee_amount=maybe("integer"),
    automatic_payment_methods=OBJECT,
    canceled_at=maybe("integer"),
    cancellation_reason=TEXT,
    capture_method={"enum": ["automatic", "automatic_async", "manual"]},
    client_secret=TEXT,
    confirmation_method={"enum": ["automatic", "manual"]},
    created=INT,
    currency={"type": "string", "pattern": "^[a-z]{3}$"},
    customer=NULLABLE_CUSTOMER,
    customer_account=TEXT,
    description=TEXT,
    excluded_payment_method_types=maybe("array"),
    last_payment_error=OBJECT,
    latest_charge={"oneOf": [{"type": "null"}, CHARGE_ID]},
    livemode=BOOL,
    managed_payments=OBJECT,
    metadata=METADATA,
    next_action=OBJECT,
    on_behalf_of=TEXT,
    payment_method=TEXT,
    payment_method_configuration_details=OBJECT,
    payment_method_options=OBJECT,
    payment_method_types={"type": "array", "items": {"type": "string"}},
    processing=OBJECT,
    receipt_email=TEXT,
    review=TEXT,
    setup_future_usage=TEXT,
    shipping=OBJECT,
    source=TEXT,
    statement_descriptor=TEXT,
    statement_descriptor_suffix=TEXT,
    status={
        "enum": [
            "canceled",
            "processing",
            "requires_action",
            "requires_capture",
            "requires_confirmation",
            "requires_payment_method",
            "succeeded",
        ]
    },
    transfer_data=OBJECT,
    transfer_group=TEXT,
)
REFUND = closed(
    id={"type": "string", "pattern": "^re_[A-Za-z0-9]+$"},
    object={"const": "refund"},
    amount=INT,
    balance_transaction=TEXT,
    charge=CHARGE_ID,
    created=INT,
    currency={"type": "string", "pattern": "^[a-z]{3}$"},
    customer=NULLABLE_CUSTOMER,
    customer_account=TEXT,
    destination_details=OBJECT,
    metadata=METADATA,
    payment_intent={"oneOf": [{"type": "null"}, PAYMENT_INTENT_ID]},
    payment_method=TEXT,
    reason={"enum": ["duplicate", "fraudulent", "requested_by_customer", None]},
    receipt_number=TEXT,
    source_transfer_reversal=TEXT,
    status={"enum": ["pending", "requires_action", "succeeded", "failed", "canceled"]},
    transfer_reversal=TEXT,
)
CHARGE = closed(
    id=CHARGE_ID,
    object={"const": "charge"},
    amount=INT,
    amount_captured=INT,
    amount_refunded=INT,
    application=TEXT,
    application_fee=TEXT,
    application_fee_amount=maybe("integer"),
    balance_transaction=TEXT,
    billing_details=closed(
        address=closed(**{key: TEXT for key in store.ADDRESS}),
        email=TEXT,
        name=TEXT,
        phone=TEXT,
        tax_id=TEXT,
    ),
    calculated_statement_descriptor=TEXT,
    captured=BOOL,
    created=INT,
    currency={"type": "string", "pattern": "^[a-z]{3}$"},
    customer=NULLABLE_CUSTOMER,
    description=TEXT,
    disputed=BOOL,
    failure_balance_transaction=TEXT,
    failure_code=TEXT,
    failure_message=TEXT,
    fraud_details=OBJECT,
    livemode=BOOL,
    metadata=METADATA,
    on_behalf_of=TEXT,
    outcome=closed(
        advice_code=TEXT,
        network_advice_code=TEXT,
        network_decline_code=TEXT,
        network_status=TEXT,
        reason=TEXT,
        seller_message=TEXT,
        type={"type": "string"},
    ),
    paid=BOOL,
    payment_intent={"oneOf": [{"type": "null"}, PAYMENT_INTENT_ID]},
    payment_method=TEXT,
    payment_method_details={
        "type": "object",
        "required": ["card", "type"],
        "properties": {
            "type": {"const": "card"},
            "card": {
                "type": "object",
                "required": ["brand", "last4", "exp_month", "exp_year", "funding", "network"],
            },
        },
    },
    receipt_email=TEXT,
    receipt_number=TEXT,
    receipt_url=TEXT,
    refunded=BOOL,
    refunds=closed(
        object={"const": "list"},
        data={"type": "array", "items": REFUND},
        has_more=BOOL,
        url={"type": "string", "pattern": "^/v1/charges/ch_[A-Za-z0-9]+/refunds$"},
    ),
    review=TEXT,
    shipping=OBJECT,
    source=OBJECT,
    source_transfer=TEXT,
    statement_descriptor=TEXT,
    statement_descriptor_suffix=TEXT,
    status={"enum": ["failed", "pending", "succeeded"]},
    transfer_data=OBJECT,
    transfer_group=TEXT,
)
CARD_ERROR = closed(
    error=closed(
        type={"const": "card_error"},
        code={"type": "string"},
        decline_code={"type": "string"},
        message={"type": "string"},
        charge=CHARGE_ID,
        payment_intent=PAYMENT_INTENT,
    )
)
OAUTH_TOKEN = closed(
    access_token={"type": "string", "minLength": 1},
    livemode=BOOL,
    refresh_token={"type": "string", "minLength": 1},
    scope={"enum": ["read_only", "read_write"]},
    stripe_publishable_key={"type": "string", "pattern": "^pk_test_"},
    stripe_user_id={"type": "string", "pattern": "^acct_[A-Za-z0-9]+$"},
    token_type={"const": "bearer"},
)
OAUTH_ERROR = closed(error={"type": "string"}, error_description={"type": "string"})


def test_payments_meet_stripes_description(sandbox, api):
    v1 = f"{sandbox.url}/stripe/v1"
    customer = api.post(f"{v1}/customers", data={"email": "ada@acme.example"}, timeout=10)
    form = {"amount": "2000", "currency": "usd", "customer": customer.json()["id"]}

    waiting = api.post(f"{v1}/payment_intents", data=form, timeout=10).json()
    jsonschema.validate(waiting, PAYMENT_INTENT)
    paid = {**form, "payment_method": "pm_card_visa", "confirm": "true"}
    intent = api.post(f"{v1}/payment_intents", data=paid, timeout=10).json()
    jsonschema.validate(intent, PAYMENT_INTENT)
    jsonschema.validate(
        api.get(f"{v1}/payment_intents", timeout=10).json(), list_of(PAYMENT_INTENT)
    )
    refund = api.post(
        f"{v1}/refunds", data={"payment_intent": intent["id"], "amount": "500"}, timeout=10
    ).json()
    jsonschema.validate(refund, REFUND)
    jsonschema.validate(api.get(f"{v1}/refunds", timeout=10).json(), list_of(REFUND))
    charge = api.get(f"{v1}/charges/{intent['latest_charge']}", timeout=10).json()
    jsonschema.validate(charge, CHARGE)
    jsonschema.validate(api.get(f"{v1}/charges", timeout=10).json(), list_of(CHARGE))

    declined = api.post(
        f"{v1}/payment_intents",
        data={**paid, "payment_method": "pm_card_chargeDeclined"},
        timeout=10,
    )
    assert declined.status_code == 402
    jsonschema.validate(declined.json(), CARD_ERROR)
    jsonschema.validate(declined.json()["error"]["payment_intent"], PAYMENT_INTENT)
    jsonschema.validate(api.get(f"{v1}/charges", timeout=10).json(), list_of(CHARGE))
    missing = api.post(f"{v1}/refunds", data={"charge": "ch_missing"}, timeout=10)
    jsonschema.validate(missing.json(), ERROR)


def test_the_oauth_token_answer_meets_stripes_description(sandbox, settings):
    connect = f"{sandbox.url}/stripe/connect/oauth"
    query = {
        "client_id": settings.STRIPE_CONNECT_CLIENT_ID,
        "response_type": "code",
        "scope": "read_write",
        "redirect_uri": "https://app.example.com/back",
    }
    back = requests.post(
        f"{connect}/authorize",
        params=query,
        data={"decision": "allow"},
        allow_redirects=False,
        timeout=10,
    )
    code = back.headers["Location"].split("code=")[1].split("&")[0]
    platform = {"Authorization": f"Bearer {settings.STRIPE_SECRET_KEY}"}
    form = {"grant_type": "authorization_code", "code": code}
    answer = requests.post(f"{connect}/token", data=form, headers=platform, timeout=10)
    jsonschema.validate(answer.json(), OAUTH_TOKEN)
    again = requests.post(f"{connect}/token", data=form, headers=platform, timeout=10)
    assert again.status_code == 400
    jsonschema.validate(again.json(), OAUTH_ERROR)


# The account a key authenticates as (resources.account; a standard account).
ACCOUNT = closed(
    id={"type": "string", "pattern": "^acct_[A-Za-z0-9]+$"},
    object={"const": "account"},
    business_profile={"type": "object"},
    business_type=TEXT,
    capabilities={"type": "object"},
    charges_enabled=BOOL,
    controller={"type": "object"},
    country={"type": "string"},
    created=INT,
    default_currency={"type": "string"},
    details_submitted=BOOL,
    email=TEXT,
    external_accounts={"type": "object", "properties": {"object": {"const": "list"}}},
    future_requirements={"type": "object"},
    metadata={"type": "object"},
    payouts_enabled=BOOL,
    requirements={"type": "object"},
    settings={"type": "object"},
    tos_acceptance=closed(date=maybe("integer"), ip=TEXT, user_agent=TEXT),
    type={"enum": ["standard", "express", "custom", "none"]},
)


def test_the_account_a_key_opens_meets_stripes_description(api, sandbox):
    jsonschema.validate(api.get(f"{sandbox.url}/stripe/v1/account", timeout=10).json(), ACCOUNT)


# Billing: subscription, subscription_item, invoice (with its line_item), checkout.session and
# billing_portal.session, as the same fixtures show them (Stripe's API reference for
# checkout.session's line items: /v1/checkout/sessions/{id}/line_items, object "item").

NUMBER = maybe("integer")
SUBSCRIPTION_ID = {"type": "string", "pattern": "^sub_[A-Za-z0-9]+$"}
INVOICE_ID = {"type": "string", "pattern": "^in_[A-Za-z0-9]+$"}
PLAN = closed(
    id={"type": "string"},
    object={"const": "plan"},
    active=BOOL,
    amount=NUMBER,
    amount_decimal=TEXT,
    billing_scheme={"enum": ["per_unit", "tiered"]},
    created=INT,
    currency={"type": "string"},
    interval={"enum": ["day", "week", "month", "year"]},
    interval_count=INT,
    livemode=BOOL,
    metadata=maybe("object"),
    meter=TEXT,
    nickname=TEXT,
    product=TEXT,
    tiers_mode=TEXT,
    transform_usage=OBJECT,
    trial_period_days=NUMBER,
    usage_type={"enum": ["licensed", "metered"]},
)
SUBSCRIPTION_ITEM = closed(
    id={"type": "string", "pattern": "^si_[A-Za-z0-9]+$"},
    object={"const": "subscription_item"},
    billing_thresholds=OBJECT,
    created=INT,
    current_period_end=INT,
    current_period_start=INT,
    discounts={"type": "array"},
    metadata=METADATA,
    plan=PLAN,
    price=PRICE,
    quantity=INT,
    subscription=SUBSCRIPTION_ID,
    tax_rates={"type": "array"},
)
SUBSCRIPTION = closed(
    id=SUBSCRIPTION_ID,
    object={"const": "subscription"},
    application=TEXT,
    application_fee_percent=maybe("number"),
    automatic_tax=OBJECT,
    billing_cycle_anchor=INT,
    billing_cycle_anchor_config=OBJECT,
    billing_mode=OBJECT,
    billing_schedules={"type": "array"},
    billing_thresholds=OBJECT,
    cancel_at=NUMBER,
    cancel_at_period_end=BOOL,
    canceled_at=NUMBER,
    cancellation_details=closed(
        comment=TEXT,
        feedback=TEXT,
        reason={"enum": [None, "cancellation_requested", "payment_disputed", "payment_failed"]},
    ),
    collection_method={"enum": ["charge_automatically", "send_invoice"]},
    created=INT,
    currency={"type": "string", "pattern": "^[a-z]{3}$"},
    customer=CUSTOMER_ID,
    customer_account=TEXT,
    days_until_due=NUMBER,
    default_payment_method=TEXT,
    default_source=TEXT,
    default_tax_rates={"type": "array"},
    description=TEXT,
    discounts={"type": "array"},
    ended_at=NUMBER,
    invoice_settings=OBJECT,
    items=closed(
        object={"const": "list"},
        data={"type": "array", "items": SUBSCRIPTION_ITEM, "minItems": 1},
        has_more=BOOL,
        url={"type": "string", "pattern": "^/v1/subscription_items"},
    ),
    latest_invoice={"oneOf": [{"type": "null"}, INVOICE_ID, {"type": "object"}]},
    livemode=BOOL,
    managed_payments=OBJECT,
    metadata=METADATA,
    next_pending_invoice_item_invoice=NUMBER,
    on_behalf_of=TEXT,
    pause_collection=OBJECT,
    payment_settings=OBJECT,
    pending_invoice_item_interval=OBJECT,
    pending_setup_intent=TEXT,
    pending_update=OBJECT,
    schedule=TEXT,
    start_date=INT,
    status={
        "enum": [
            "incomplete",
            "incomplete_expired",
            "trialing",
            "active",
            "past_due",
            "canceled",
            "unpaid",
            "paused",
        ]
    },
    test_clock=TEXT,
    transfer_data=OBJECT,
    trial_end=NUMBER,
    trial_settings=OBJECT,
    trial_start=NUMBER,
)
LINE_ITEM = closed(
    id={"type": "string", "pattern": "^il_[A-Za-z0-9]+$"},
    object={"const": "line_item"},
    amount=INT,
    currency={"type": "string"},
    description=TEXT,
    discount_amounts={"type": "array"},
    discountable=BOOL,
    discounts={"type": "array"},
    invoice=INVOICE_ID,
    livemode=BOOL,
    metadata=METADATA,
    parent=OBJECT,
    period=closed(end=INT, start=INT),
    pretax_credit_amounts=maybe("array"),
    pricing=OBJECT,
    quantity=NUMBER,
    quantity_decimal=TEXT,
    subscription=maybe("string"),
    subtotal=INT,
    taxes=maybe("array"),
)
INVOICE_NULLABLE_OBJECTS = [
    "automatic_tax",
    "customer_address",
    "customer_shipping",
    "from_invoice",
    "issuer",
    "last_finalization_error",
    "parent",
    "payment_settings",
    "rendering",
    "shipping_cost",
    "shipping_details",
]
INVOICE_NULLABLE_TEXT = [
    "account_country",
    "account_name",
    "application",
    "customer_account",
    "customer_email",
    "customer_name",
    "customer_phone",
    "default_payment_method",
    "default_source",
    "description",
    "footer",
    "hosted_invoice_url",
    "invoice_pdf",
    "latest_revision",
    "number",
    "on_behalf_of",
    "receipt_number",
    "statement_descriptor",
    "subscription",
    "test_clock",
]
INVOICE_NUMBERS = [
    "amount_due",
    "amount_overpaid",
    "amount_paid",
    "amount_remaining",
    "amount_shipping",
    "attempt_count",
    "created",
    "period_end",
    "period_start",
    "post_payment_credit_notes_amount",
    "pre_payment_credit_notes_amount",
    "starting_balance",
    "subtotal",
    "total",
]
INVOICE_MAYBE_NUMBERS = [
    "automatically_finalizes_at",
    "due_date",
    "effective_at",
    "ending_balance",
    "next_payment_attempt",
    "subtotal_excluding_tax",
    "total_excluding_tax",
    "webhooks_delivered_at",
]
INVOICE_ARRAYS = [
    "account_tax_ids",
    "custom_fields",
    "customer_tax_ids",
    "default_tax_rates",
    "discounts",
    "total_discount_amounts",
    "total_pretax_credit_amounts",
    "total_taxes",
]
INVOICE = closed(
    id=INVOICE_ID,
    object={"const": "invoice"},
    attempted=BOOL,
    auto_advance=BOOL,
    livemode=BOOL,
    billing_reason={
        "enum": [
            "automatic_pending_invoice_item_invoice",
            "manual",
            "quote_accept",
            "subscription",
            "subscription_create",
            "subscription_cycle",
            "subscription_threshold",
            "subscription_update",
            "upcoming",
        ]
    },
    collection_method={"enum": ["charge_automatically", "send_invoice"]},
    currency={"type": "string", "pattern": "^[a-z]{3}$"},
    customer=CUSTOMER_ID,
    customer_tax_exempt={"enum": ["exempt", "none", "reverse", None]},
    lines=closed(
        object={"const": "list"},
        data={"type": "array", "items": LINE_ITEM},
        has_more=BOOL,
        url={"type": "string", "pattern": "^/v1/invoices/in_[A-Za-z0-9]+/lines$"},
    ),
    metadata=METADATA,
    status={"enum": ["draft", "open", "paid", "uncollectible", "void"]},
    status_transitions=closed(
        finalized_at=NUMBER, marked_uncollectible_at=NUMBER, paid_at=NUMBER, voided_at=NUMBER
    ),
    **dict.fromkeys(INVOICE_NULLABLE_OBJECTS, OBJECT),
    **dict.fromkeys(INVOICE_NULLABLE_TEXT, TEXT),
    **dict.fromkeys(INVOICE_NUMBERS, INT),
    **dict.fromkeys(INVOICE_MAYBE_NUMBERS, NUMBER),
    **dict.fromkeys(INVOICE_ARRAYS, maybe("array")),
)
CHECKOUT_OBJECTS = [
    "adaptive_pricing",
    "after_expiration",
    "automatic_tax",
    "collected_information",
    "consent",
    "consent_collection",
    "currency_conversion",
    "custom_text",
    "customer_details",
    "invoice_creation",
    "managed_payments",
    "payment_method_configuration_details",
    "payment_method_options",
    "permissions",
    "phone_number_collection",
    "saved_payment_method_options",
    "shipping_address_collection",
    "shipping_cost",
    "total_details",
    "wallet_options",
]
CHECKOUT_TEXT = [
    "billing_address_collection",
    "cancel_url",
    "client_reference_id",
    "client_secret",
    "currency",
    "customer_account",
    "customer_creation",
    "customer_email",
    "integration_identifier",
    "locale",
    "origin_context",
    "payment_intent",
    "payment_link",
    "payment_method_collection",
    "recovered_from",
    "setup_intent",
    "submit_type",
    "success_url",
    "ui_mode",
    "url",
]
CHECKOUT_SESSION = closed(
    id={"type": "string", "pattern": "^cs_test_[A-Za-z0-9]+$"},
    object={"const": "checkout.session"},
    allow_promotion_codes=maybe("boolean"),
    amount_subtotal=NUMBER,
    amount_total=NUMBER,
    created=INT,
    custom_fields={"type": "array"},
    customer={"oneOf": [{"type": "null"}, CUSTOMER_ID, {"type": "object"}]},
    discounts=maybe("array"),
    expires_at=INT,
    invoice={"oneOf": [{"type": "null"}, INVOICE_ID, {"type": "object"}]},
    livemode=BOOL,
    metadata=METADATA,
    mode={"enum": ["payment", "setup", "subscription"]},
    payment_method_types={"type": "array", "items": {"type": "string"}},
    payment_status={"enum": ["no_payment_required", "paid", "unpaid"]},
    shipping_options={"type": "array"},
    status={"enum": ["complete", "expired", "open", None]},
    subscription={"oneOf": [{"type": "null"}, SUBSCRIPTION_ID, {"type": "object"}]},
    **dict.fromkeys(CHECKOUT_OBJECTS, OBJECT),
    **dict.fromkeys(CHECKOUT_TEXT, TEXT),
)
CHECKOUT_ITEM = closed(
    id={"type": "string", "pattern": "^li_[A-Za-z0-9]+$"},
    object={"const": "item"},
    amount_discount=INT,
    amount_subtotal=INT,
    amount_tax=INT,
    amount_total=INT,
    currency={"type": "string"},
    description=TEXT,
    price=PRICE,
    quantity=NUMBER,
)
BILLING_PORTAL_SESSION = closed(
    id={"type": "string", "pattern": "^bps_[A-Za-z0-9]+$"},
    object={"const": "billing_portal.session"},
    configuration={"type": "string", "pattern": "^bpc_"},
    created=INT,
    customer=CUSTOMER_ID,
    customer_account=TEXT,
    flow=OBJECT,
    livemode=BOOL,
    locale=TEXT,
    on_behalf_of=TEXT,
    return_url=TEXT,
    url={"type": "string", "format": "uri"},
)


def test_billing_objects_meet_stripes_description(sandbox, api, settings):
    settings.CSRF_COOKIE_SECURE = False
    v1 = f"{sandbox.url}/stripe/v1"
    product = api.post(f"{v1}/products", data={"name": "Pro"}, timeout=10).json()
    form = {
        "product": product["id"],
        "currency": "usd",
        "unit_amount": "2900",
        "recurring[interval]": "month",
    }
    price = api.post(f"{v1}/prices", data=form, timeout=10).json()
    customer = api.post(f"{v1}/customers", data={"email": "a@acme.example"}, timeout=10).json()

    form = {"customer": customer["id"], "items[0][price]": price["id"]}
    subscription = api.post(f"{v1}/subscriptions", data=form, timeout=10).json()
    jsonschema.validate(subscription, SUBSCRIPTION)
    expanded = api.get(
        f"{v1}/subscriptions/{subscription['id']}",
        params={"expand[]": "latest_invoice"},
        timeout=10,
    ).json()
    jsonschema.validate(expanded, SUBSCRIPTION)
    jsonschema.validate(expanded["latest_invoice"], INVOICE)
    jsonschema.validate(api.get(f"{v1}/subscriptions", timeout=10).json(), list_of(SUBSCRIPTION))
    jsonschema.validate(api.get(f"{v1}/invoices", timeout=10).json(), list_of(INVOICE))
    canceled = api.delete(f"{v1}/subscriptions/{subscription['id']}", timeout=10).json()
    jsonschema.validate(canceled, SUBSCRIPTION)

    form = {
        "mode": "subscription",
        "line_items[0][price]": price["id"],
        "line_items[0][quantity]": "1",
        "success_url": "https://crm.example.com/done",
    }
    session = api.post(f"{v1}/checkout/sessions", data=form, timeout=10).json()
    jsonschema.validate(session, CHECKOUT_SESSION)
    jsonschema.validate(
        api.get(f"{v1}/checkout/sessions", timeout=10).json(), list_of(CHECKOUT_SESSION)
    )
    items = api.get(f"{v1}/checkout/sessions/{session['id']}/line_items", timeout=10).json()
    jsonschema.validate(items, list_of(CHECKOUT_ITEM))
    expired = api.post(f"{v1}/checkout/sessions/{session['id']}/expire", timeout=10).json()
    jsonschema.validate(expired, CHECKOUT_SESSION)

    form = {"customer": customer["id"], "return_url": "https://crm.example.com/billing"}
    portal = api.post(f"{v1}/billing_portal/sessions", data=form, timeout=10).json()
    jsonschema.validate(portal, BILLING_PORTAL_SESSION)
    for answer in (
        api.get(f"{v1}/subscriptions/sub_missing", timeout=10),
        api.post(f"{v1}/subscriptions", data={"customer": customer["id"]}, timeout=10),
        api.post(f"{v1}/invoices/{expanded['latest_invoice']['id']}/pay", timeout=10),
        api.post(f"{v1}/checkout/sessions", data={"mode": "subscription"}, timeout=10),
        api.post(f"{v1}/billing_portal/sessions", data={}, timeout=10),
    ):
        assert answer.status_code in (400, 404)
        jsonschema.validate(answer.json(), ERROR)


# An invoice item (resources.invoiceitem).
INVOICE_ITEM = closed(
    id={"type": "string", "pattern": "^ii_[A-Za-z0-9]+$"},
    object={"const": "invoiceitem"},
    amount=INT,
    currency={"type": "string"},
    customer={"type": "string"},
    customer_account=TEXT,
    date=INT,
    description=TEXT,
    discountable=BOOL,
    discounts={"type": "array"},
    invoice=maybe("string"),
    livemode=BOOL,
    metadata=METADATA,
    net_amount=INT,
    parent=OBJECT,
    period=closed(end=INT, start=INT),
    pricing=OBJECT,
    proration=BOOL,
    quantity=INT,
    quantity_decimal=TEXT,
    tax_rates={"type": "array"},
    test_clock=TEXT,
)


def test_invoices_made_by_api_meet_stripes_description(sandbox, api):
    v1 = f"{sandbox.url}/stripe/v1"
    customer = api.post(f"{v1}/customers", data={"email": "ada@acme.example"}, timeout=10).json()
    draft = api.post(
        f"{v1}/invoices",
        data={
            "customer": customer["id"],
            "collection_method": "send_invoice",
            "days_until_due": 30,
        },
        timeout=10,
    ).json()
    jsonschema.validate(draft, INVOICE)
    item = api.post(
        f"{v1}/invoiceitems",
        data={
            "customer": customer["id"],
            "invoice": draft["id"],
            "unit_amount_decimal": "2500",
            "quantity": 2,
            "description": "Seats",
        },
        timeout=10,
    ).json()
    jsonschema.validate(item, INVOICE_ITEM)
    jsonschema.validate(api.get(f"{v1}/invoiceitems", timeout=10).json(), list_of(INVOICE_ITEM))
    for step in ("finalize", "send"):
        jsonschema.validate(
            api.post(f"{v1}/invoices/{draft['id']}/{step}", timeout=10).json(), INVOICE
        )
    voided = api.post(f"{v1}/invoices/{draft['id']}/void", timeout=10).json()
    jsonschema.validate(voided, INVOICE)
    again = api.post(f"{v1}/invoices/{draft['id']}/void", timeout=10)
    assert again.status_code == 400
    jsonschema.validate(again.json(), ERROR)
