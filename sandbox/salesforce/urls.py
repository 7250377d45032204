"""The salesforce sandbox routes, mounted under /sandbox/salesforce/: the login host
(SALESFORCE_LOGIN_URL is <SANDBOX_URL>/salesforce) and every org's instance (its https front,
SANDBOX_TLS_URL + /salesforce) share them, as simple-salesforce builds
``https://<instance>/services/data/vXX.X/…``. Paths take a trailing slash or not, as the SDK
sends both."""

from django.urls import path, re_path

from . import api, bulk, composite, identity, oauth, query, records

DATA = r"^services/data/v(?P<version>\d{1,3}\.\d)/"
SOBJECT = DATA + r"sobjects/(?P<sobject>\w+)/"

urlpatterns = [
    path("services/oauth2/authorize", oauth.authorize, name="salesforce-authorize"),
    path("services/oauth2/token", oauth.token, name="salesforce-token"),
    path("services/oauth2/revoke", oauth.revoke, name="salesforce-revoke"),
    path("services/oauth2/userinfo", identity.userinfo, name="salesforce-userinfo"),
    path("id/<str:org_id>/<str:user_id>", identity.identity, name="salesforce-identity"),
    re_path(DATA + r"query/?$", query.query_view, name="salesforce-query"),
    re_path(DATA + r"queryAll/?$", query.query_all_view, name="salesforce-query-all"),
    re_path(
        DATA + r"(?P<endpoint>query|queryAll)/(?P<locator>[\w-]+)/?$",
        query.query_more_view,
        name="salesforce-query-more",
    ),
    re_path(DATA + r"sobjects/?$", records.sobjects_view, name="salesforce-sobjects"),
    re_path(SOBJECT + r"describe/?$", records.describe_view, name="salesforce-describe"),
    re_path(SOBJECT + r"updated/?$", records.updated_view, name="salesforce-updated"),
    re_path(SOBJECT + r"deleted/?$", records.deleted_view, name="salesforce-deleted"),
    re_path(SOBJECT[:-1] + r"/?$", records.sobject_view, name="salesforce-sobject"),
    re_path(SOBJECT + r"(?P<record_id>[^/]+)/?$", records.record_view, name="salesforce-record"),
    re_path(
        DATA + r"composite/sobjects/?$",
        composite.collections_view,
        name="salesforce-collections",
    ),
    re_path(DATA + r"limits/?$", records.limits_view, name="salesforce-limits"),
    re_path(DATA + r"jobs/query/?$", bulk.jobs_view, name="salesforce-bulk-jobs"),
    re_path(DATA + r"jobs/query/(?P<job_id>\w+)/?$", bulk.job_view, name="salesforce-bulk-job"),
    re_path(
        DATA + r"jobs/query/(?P<job_id>\w+)/results/?$",
        bulk.results_view,
        name="salesforce-bulk-results",
    ),
    re_path(DATA, api.unknown_resource, name="salesforce-unknown"),
]
