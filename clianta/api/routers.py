"""The API's routers. Each app registers its viewsets on its own :class:`Router` in its urls.py,
included under /api/; the one API root, /api/, links the list route of every one of them."""

from django.urls import URLResolver, get_resolver, get_urlconf, path
from rest_framework.routers import APIRootView, DefaultRouter
from rest_framework.urlpatterns import format_suffix_patterns

API_PREFIX = "api/"


class Router(DefaultRouter):
    """An app's API router: paths without a trailing slash (the original service's), each also
    with a format suffix (``.json``). It adds no root view: :func:`root_urls` is the API's one."""

    include_root_view = False

    def __init__(self):
        super().__init__(trailing_slash="")


class ApiRootView(APIRootView):
    """GET /api/: a link to each list route under /api/ that takes no argument, as DRF's
    DefaultRouter gives for its own routes, here over the routers of all apps."""

    def get(self, request, *args, **kwargs):
        self.api_root_dict = dict(_list_routes(get_resolver(get_urlconf()).url_patterns))
        return super().get(request, *args, **kwargs)


def _list_routes(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _list_routes(entry.url_patterns, prefix + str(entry.pattern))
        elif (
            prefix == API_PREFIX
            and (entry.name or "").endswith("-list")
            and not entry.pattern.regex.groups
        ):
            yield str(entry.pattern).strip("^$"), entry.name


def root_urls() -> list:
    """/api/ and its format suffixes (/api/.json), named ``api-root``."""
    return format_suffix_patterns([path("", ApiRootView.as_view(), name="api-root")])
