"""Routes of the CRM sync, included under /api/ by clianta/urls.py."""

from django.urls import path

from clianta.api.routers import Router

from .api import views

router = Router()
router.register("salesforce/mappings", views.FieldMappingViewSet, basename="salesforce-mapping")
router.register("salesforce/conflicts", views.ConflictViewSet, basename="salesforce-conflict")
router.register("salesforce/push-errors", views.PushErrorViewSet, basename="salesforce-push-error")

urlpatterns = [
    path("salesforce", views.ConnectionView.as_view(), name="salesforce"),
    path("salesforce/sync", views.SyncView.as_view(), name="salesforce-sync"),
    *router.urls,
]
