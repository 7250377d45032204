"""Routes of the calendars, included under /api/ by clianta/urls.py."""

from django.urls import path

from clianta.api.routers import Router

from . import push
from .api import views

router = Router()
router.register("calendar/integrations", views.CalendarIntegrationViewSet, "calendar")
router.register("calendar/events", views.CalendarEventViewSet, basename="calendar-event")

urlpatterns = [
    path("calendar/connect", views.ConnectView.as_view(), name="calendar-connect"),
    path("calendar/availability", views.AvailabilityView.as_view(), name="availability"),
    path("calendar/slots", views.SlotsView.as_view(), name="calendar-slots"),
    # Google calls it (no login: its channel token is checked); not part of the API schema.
    path("push/google-calendar", push.notification, name="calendar-push"),
    *router.urls,
]
