"""Routes of the outbound webhooks, included under /api/ by clianta/urls.py."""

from clianta.api.routers import Router

from .api import views

router = Router()
router.register("webhook-endpoints", views.EndpointViewSet, basename="webhook-endpoint")
router.register(
    r"webhook-endpoints/(?P<endpoint_pk>[^/.]+)/deliveries",
    views.DeliveryViewSet,
    basename="webhook-delivery",
)

urlpatterns = router.urls
