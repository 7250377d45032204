"""The Stripe sandbox routes, mounted under /sandbox/stripe/ (STRIPE_API_URL is
<SANDBOX_URL>/stripe; the SDK appends /v1/...)."""

from django.urls import path

from . import api, catalog

urlpatterns = [
    path("v1/customers", api.customers, name="stripe-customers"),
    path("v1/customers/<str:object_id>", api.customer, name="stripe-customer"),
    path("v1/products", catalog.products, name="stripe-products"),
    path("v1/products/<str:object_id>", catalog.product, name="stripe-product"),
    path("v1/prices", catalog.prices, name="stripe-prices"),
    path("v1/prices/<str:object_id>", catalog.price, name="stripe-price"),
    path("v1/events", api.events, name="stripe-events"),
    path("v1/events/<str:object_id>", api.event, name="stripe-event"),
    path("v1/webhook_endpoints", api.webhook_endpoints, name="stripe-webhook-endpoints"),
    path(
        "v1/webhook_endpoints/<str:object_id>",
        api.webhook_endpoint,
        name="stripe-webhook-endpoint",
    ),
]

from . import connect, keys, payments  # noqa: E402

urlpatterns += [
    path("v1/payment_intents", payments.payment_intents, name="stripe-payment-intents"),
    path(
        "v1/payment_intents/<str:object_id>",
        payments.payment_intent,
        name="stripe-payment-intent",
    ),
    path("v1/charges", payments.charges, name="stripe-charges"),
    path("v1/charges/<str:object_id>", payments.charge, name="stripe-charge"),
    path("v1/refunds", payments.refunds, name="stripe-refunds"),
    path("v1/refunds/<str:object_id>", payments.refund, name="stripe-refund"),
    path("connect/oauth/authorize", connect.authorize, name="stripe-connect-authorize"),
    path("connect/oauth/token", connect.token, name="stripe-connect-token"),
    path("connect/oauth/deauthorize", connect.deauthorize, name="stripe-connect-deauthorize"),
    path("_keys", keys.keys_view, name="stripe-keys"),
    path("_keys/<str:key>", keys.key_view, name="stripe-key"),
    path("_keys/<str:key>/roll", keys.roll_view, name="stripe-key-roll"),
]

from . import account  # noqa: E402

urlpatterns += [path("v1/account", account.current, name="stripe-account")]

# Billing: subscriptions and their invoices.
from . import invoices, invoicing, subscriptions  # noqa: E402

urlpatterns += [
    path("v1/subscriptions", subscriptions.subscriptions, name="stripe-subscriptions"),
    path(
        "v1/subscriptions/<str:object_id>", subscriptions.subscription, name="stripe-subscription"
    ),
    path("v1/invoices", invoicing.invoices_route, name="stripe-invoices"),
    path("v1/invoices/<str:object_id>", invoicing.invoice_route, name="stripe-invoice"),
    path("v1/invoices/<str:object_id>/finalize", invoicing.finalize, name="stripe-finalize"),
    path("v1/invoices/<str:object_id>/send", invoicing.send, name="stripe-invoice-send"),
    path("v1/invoices/<str:object_id>/void", invoicing.void, name="stripe-invoice-void"),
    path("v1/invoiceitems", invoicing.items, name="stripe-invoice-items"),
    path("v1/invoiceitems/<str:object_id>", invoicing.item, name="stripe-invoice-item"),
    path("v1/invoices/<str:object_id>/pay", invoices.invoice_pay, name="stripe-invoice-pay"),
]

# Billing's clock: renewals and the end of payment retries, on request (not provider calls).
from . import lifecycle  # noqa: E402

urlpatterns += [
    path(
        "_control/subscriptions/<str:object_id>/renew",
        lifecycle.renew_view,
        name="stripe-control-renew",
    ),
    path(
        "_control/subscriptions/<str:object_id>/give_up",
        lifecycle.give_up_view,
        name="stripe-control-give-up",
    ),
]

# Checkout: sessions and their hosted page.
from . import checkout  # noqa: E402

urlpatterns += [
    path("v1/checkout/sessions", checkout.sessions, name="stripe-checkout-sessions"),
    path(
        "v1/checkout/sessions/<str:object_id>",
        checkout.session,
        name="stripe-checkout-session",
    ),
    path(
        "v1/checkout/sessions/<str:object_id>/expire",
        checkout.session_expire,
        name="stripe-checkout-session-expire",
    ),
    path(
        "v1/checkout/sessions/<str:object_id>/line_items",
        checkout.session_line_items,
        name="stripe-checkout-session-line-items",
    ),
    path("checkout/<str:object_id>", checkout.page, name="stripe-checkout-page"),
]

# The customer portal and hosted invoice pages.
from . import portal  # noqa: E402

urlpatterns += [
    path(
        "v1/billing_portal/sessions", portal.portal_sessions, name="stripe-billing-portal-sessions"
    ),
    path("portal/<str:object_id>/<str:secret>", portal.portal_page, name="stripe-portal-page"),
    path("invoice/<str:object_id>", portal.invoice_page, name="stripe-invoice-page"),
]
