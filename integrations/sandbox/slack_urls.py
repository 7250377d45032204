"""The slack sandbox routes, mounted under /sandbox/slack/ by urls.py (SLACK_AUTHORIZE_URL is
<SANDBOX_URL>/slack/oauth/v2/authorize, SLACK_API_URL <SANDBOX_URL>/slack/api/)."""

from django.urls import path

from . import slack, slack_control, slack_oauth

urlpatterns = [
    path("oauth/v2/authorize", slack_oauth.authorize, name="slack-authorize"),
    path("api/oauth.v2.access", slack_oauth.access, name="slack-oauth-access"),
    path("api/<str:method>", slack.api_method, name="slack-api"),
    path("_messages", slack_control.messages_view, name="slack-messages"),
    path("_commands", slack_control.commands_view, name="slack-commands"),
    path("_deliveries/<str:key>", slack_control.delivery_view, name="slack-delivery"),
    path("_responses/<str:key>", slack_control.response_view, name="slack-response"),
]
