"""The project's URLs plus the example provider's webhook (tests set ROOT_URLCONF to this)."""

from django.urls import path

from clianta.urls import urlpatterns as project_urlpatterns
from tests.integrations.webhook_example import ExampleWebhookView

urlpatterns = [
    *project_urlpatterns,
    path("webhooks/example", ExampleWebhookView.as_view(), name="example-webhook"),
]
