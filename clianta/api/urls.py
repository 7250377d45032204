"""Routes of the CRM core's API and the API root, included under /api/ by clianta/urls.py."""

from clianta.tokens.views import ApiTokenViewSet

from . import invitations, views
from .audit import AuditEventViewSet
from .routers import Router, root_urls

router = Router()
router.register("workspaces", views.WorkspaceViewSet, basename="workspace")
router.register("tokens", ApiTokenViewSet, basename="api-token")
router.register(
    r"workspaces/(?P<workspace_pk>[^/.]+)/members", views.MembershipViewSet, basename="member"
)
router.register(
    r"workspaces/(?P<workspace_pk>[^/.]+)/invitations",
    invitations.WorkspaceInvitationViewSet,
    basename="workspace-invitation",
)
router.register("invitations", invitations.ReceivedInvitationViewSet, basename="invitation")
router.register("companies", views.CompanyViewSet, basename="company")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("deals", views.DealViewSet, basename="deal")
router.register("notes", views.NoteViewSet, basename="note")
router.register("audit-log", AuditEventViewSet, basename="audit-event")

urlpatterns = [*router.urls, *root_urls()]
