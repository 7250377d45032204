"""The apollo sandbox routes, mounted under /sandbox/apollo/ by sandbox/urls.py: the Apollo.io
REST API v1 (APOLLO_BASE_URL is <SANDBOX_URL>/apollo/api/v1) and the control endpoint that
delivers pending webhooks."""

from django.urls import path

from . import api

API = "api/v1/"

urlpatterns = [
    path(API + "people/match", api.people_match, name="apollo-people-match"),
    path(API + "people/bulk_match", api.people_bulk_match, name="apollo-people-bulk-match"),
    path(API + "organizations/enrich", api.organizations_enrich, name="apollo-org-enrich"),
    path(
        API + "organizations/bulk_enrich",
        api.organizations_bulk_enrich,
        name="apollo-org-bulk-enrich",
    ),
    path(API + "usage_stats/api_usage_stats", api.api_usage_stats, name="apollo-usage-stats"),
    path(
        API + "webhook_result/<str:request_id>",
        api.webhook_result,
        name="apollo-webhook-result",
    ),
    path("_deliver_webhooks", api.deliver_webhooks_view, name="apollo-deliver"),
]
