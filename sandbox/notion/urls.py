"""The notion sandbox routes, mounted under /sandbox/notion/ by sandbox/urls.py (NOTION_API_URL
is <SANDBOX_URL>/notion; notion-client appends /v1/)."""

from django.urls import path

from . import api, oauth

V1 = "v1/"

urlpatterns = [
    path(V1 + "oauth/authorize", oauth.authorize, name="notion-authorize"),
    path(V1 + "oauth/token", oauth.token, name="notion-token"),
    path(V1 + "search", api.search, name="notion-search"),
    path(V1 + "pages", api.pages, name="notion-pages"),
    path(V1 + "pages/<str:page_id>", api.page, name="notion-page"),
    path(V1 + "blocks/<str:block_id>", api.block, name="notion-block"),
    path(
        V1 + "blocks/<str:block_id>/children",
        api.block_children,
        name="notion-block-children",
    ),
    path(V1 + "databases/<str:database_id>", api.database, name="notion-database"),
    path(
        V1 + "databases/<str:database_id>/query",
        api.database_query,
        name="notion-database-query",
    ),
    path(V1 + "users/me", api.me, name="notion-me"),
]
