from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from clianta.api import views
from clianta.api.health import HealthView
from integrations.api.views import CredentialViewSet

# The one API router; paths follow the original service's (no trailing slash).
router = DefaultRouter(trailing_slash="")
router.register("workspaces", views.WorkspaceViewSet, basename="workspace")
router.register(
    r"workspaces/(?P<workspace_pk>[^/.]+)/members", views.MembershipViewSet, basename="member"
)
router.register("companies", views.CompanyViewSet, basename="company")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("deals", views.DealViewSet, basename="deal")
router.register("integrations/credentials", CredentialViewSet, basename="credential")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/health", HealthView.as_view(), name="health"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/", include(router.urls)),
]

if settings.SANDBOX_PROVIDERS:
    urlpatterns.append(path("sandbox/", include("integrations.sandbox.urls")))
