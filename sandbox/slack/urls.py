"""The slack sandbox routes, mounted under /sandbox/slack/ by sandbox/urls.py
(SLACK_AUTHORIZE_URL is <SANDBOX_URL>/slack/oauth/v2/authorize, SLACK_API_URL
<SANDBOX_URL>/slack/api/)."""

from django.urls import path

from . import api, control, oauth

urlpatterns = [
    path("oauth/v2/authorize", oauth.authorize, name="slack-authorize"),
    path("api/oauth.v2.access", oauth.access, name="slack-oauth-access"),
    path("api/<str:method>", api.api_method, name="slack-api"),
    path("_messages", control.messages_view, name="slack-messages"),
    path("_commands", control.commands_view, name="slack-commands"),
    path("_deliveries/<str:key>", control.delivery_view, name="slack-delivery"),
    path("_responses/<str:key>", control.response_view, name="slack-response"),
]
