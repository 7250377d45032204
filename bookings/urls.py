"""Routes of booking links, included at the site's root by clianta/urls.py: the API under
/api/ and the public pages under /book/."""

from django.urls import include, path

from clianta.api.routers import Router

from . import public
from .api import views

router = Router()
router.register("booking-links", views.BookingLinkViewSet, basename="booking-link")
router.register("bookings", views.BookingViewSet, basename="booking")

urlpatterns = [
    path("api/", include(router.urls)),
    path("book/manage/<str:token>", public.manage, name="booking-manage"),
    path("book/<str:slug>", public.page, name="booking-page"),
]
