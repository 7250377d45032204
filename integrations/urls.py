"""Routes of the integrations framework, included at the site's root by clianta/urls.py: the API
of credentials and sync logs, every provider's OAuth connect and callback, and the settings
page."""

from django.urls import include, path

from clianta.api.routers import Router

from . import views
from .api.views import IntegrationViewSet, SyncLogViewSet
from .oauth import views as oauth_views

router = Router()
router.register("integrations", IntegrationViewSet, basename="integration")
router.register("sync-logs", SyncLogViewSet, basename="sync-log")

urlpatterns = [
    path("api/integrations/<slug:provider>/connect", oauth_views.connect, name="oauth-connect"),
    path("api/integrations/<slug:provider>/connect/start", oauth_views.start, name="oauth-start"),
    path("api/integrations/<slug:provider>/callback", oauth_views.callback, name="oauth-callback"),
    path("api/", include(router.urls)),
    path("settings/integrations", views.integrations_page, name="settings-integrations"),
    path(
        "settings/integrations/<uuid:credential_id>/disconnect",
        views.disconnect,
        name="integration-disconnect",
    ),
]
