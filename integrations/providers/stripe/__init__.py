"""Stripe: Clianta's own billing (its account, STRIPE_SECRET_KEY) and, through Connect, each
workspace's payments and invoices.

``client``: the REST API through the official stripe SDK, errors mapped into the error tree;
``webhooks``: Stripe's signed webhooks, verified by the SDK.
"""
