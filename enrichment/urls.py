"""Routes of Apollo enrichment, included under /api/ by clianta/urls.py."""

from clianta.api.routers import Router

from .api.views import ApolloViewSet, EnrichmentJobViewSet

router = Router()
router.register(
    r"workspaces/(?P<workspace_pk>[^/.]+)/apollo/jobs", EnrichmentJobViewSet, "apollo-job"
)
router.register(r"workspaces/(?P<workspace_pk>[^/.]+)/apollo", ApolloViewSet, basename="apollo")

urlpatterns = router.urls
