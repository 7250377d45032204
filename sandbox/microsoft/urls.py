"""The microsoft sandbox routes, mounted under /sandbox/microsoft/ by sandbox/urls.py: the identity
platform under ``<tenant>/`` (MICROSOFT_AUTHORITY is .../microsoft/common, served over https by
the TLS front) and Graph under ``graph/v1.0/`` (MICROSOFT_GRAPH_URL)."""

from django.urls import path

from . import graph, identity

TENANT = "<str:tenant>/"
ME = "graph/v1.0/me"
FOLDER = ME + "/mailFolders/<str:folder>/messages"
MESSAGE = ME + "/messages/<str:message_id>"

urlpatterns = [
    path(
        TENANT + "v2.0/.well-known/openid-configuration",
        identity.openid_configuration,
        name="microsoft-openid-configuration",
    ),
    path(TENANT + "oauth2/v2.0/authorize", identity.authorize, name="microsoft-authorize"),
    path(TENANT + "oauth2/v2.0/token", identity.token, name="microsoft-token"),
    path(ME, graph.me, name="microsoft-me"),
    path(ME + "/sendMail", graph.send_mail, name="microsoft-send-mail"),
    path(FOLDER, graph.folder_messages, name="microsoft-folder-messages"),
    path(FOLDER + "/delta", graph.delta, name="microsoft-delta"),
    path(MESSAGE, graph.message, name="microsoft-message"),
    path(MESSAGE + "/$value", graph.message_value, name="microsoft-message-value"),
    path("graph/v1.0/subscriptions", graph.subscriptions, name="microsoft-subscriptions"),
    path(
        "graph/v1.0/subscriptions/<str:subscription_id>",
        graph.subscription,
        name="microsoft-subscription",
    ),
]
