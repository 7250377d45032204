"""Workspace scoping for every API view.

A view acts on one workspace: the ``workspace_pk`` in its path (``/api/workspaces/{id}/...``),
else the one named by the ``X-Workspace`` header, else the requester's only workspace. A workspace
the requester is not a member of answers 404, as does any object outside the chosen workspace.
"""

from __future__ import annotations

import uuid

from django.db.models import Model
from django.http import Http404
from django.utils.functional import cached_property
from rest_framework import exceptions, permissions, serializers, viewsets

from clianta import logcontext
from clianta.models import Membership, Workspace
from clianta.tokens.auth import token_workspace_id

WORKSPACE_HEADER = "X-Workspace"


class WorkspaceRequired(exceptions.APIException):
    status_code = 400
    default_code = "workspace_required"
    default_detail = (
        f"You belong to several workspaces: send the {WORKSPACE_HEADER} header with the id of "
        "the workspace to act on."
    )


def _parse_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise Http404 from exc


def requester_memberships(request):
    """The requester's memberships; only the one workspace its API token is limited to, if it
    is (the others then answer 404 like any workspace the requester is not in)."""
    memberships = Membership.objects.filter(user=request.user)
    limited_to = token_workspace_id(request)
    if limited_to is not None:
        memberships = memberships.filter(workspace_id=limited_to)
    return memberships


class WorkspaceScopedMixin:
    """Resolves ``self.workspace`` and ``self.membership`` for the request, and limits
    ``queryset`` (a model with a ``workspace`` foreign key) to that workspace."""

    #: On a view whose reads are open to members but whose writes (any method other than GET,
    #: HEAD, OPTIONS) need an owner or admin: what a write does, completing "Only the
    #: workspace's owners and admins can …".
    managers_write: str = ""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.managers_write and request.method not in permissions.SAFE_METHODS:
            self.require_manager(self.managers_write)

    @cached_property
    def membership(self) -> Membership:
        memberships = requester_memberships(self.request).select_related("workspace")
        chosen = self.kwargs.get("workspace_pk") or self.request.headers.get(WORKSPACE_HEADER)
        if chosen:
            membership = memberships.filter(workspace_id=_parse_id(chosen)).first()
        else:
            found = list(memberships[:2])
            if len(found) > 1:
                raise WorkspaceRequired()
            membership = found[0] if found else None
        if membership is None:
            raise Http404("No such workspace.")
        logcontext.bind(workspace_id=membership.workspace_id)
        return membership

    @property
    def workspace(self) -> Workspace:
        return self.membership.workspace

    def require_manager(self, doing: str) -> None:
        """Refuse (403) unless the requester is an owner or admin of the workspace; ``doing``
        completes "Only the workspace's owners and admins can …"."""
        if not self.membership.is_manager:
            raise exceptions.PermissionDenied(
                f"Only the workspace's owners and admins can {doing}."
            )

    def require_owner_or_manager(self, owner_id, doing: str) -> None:
        """Refuse (403) unless the requester owns the object (``owner_id``, the user id of the
        person who connected it) or is an owner or admin of the workspace."""
        if not self.membership.may_manage(owner_id):
            raise exceptions.PermissionDenied(
                f"Only the person who connected it and the workspace's owners and admins can "
                f"{doing}."
            )

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):  # schema generation has no request user
            return queryset.none()
        return queryset.filter(workspace=self.workspace)

    def perform_create(self, serializer):
        serializer.save(workspace=self.workspace)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["workspace"] = self.workspace
        return context


class WorkspaceModelViewSet(WorkspaceScopedMixin, viewsets.ModelViewSet):
    """CRUD over a model with a ``workspace`` foreign key, limited to the resolved workspace."""


class WorkspaceRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key that only accepts objects of the request's workspace: another workspace's
    id reads as an id that does not exist."""

    def __init__(self, *, lookup: str = "workspace", **kwargs):
        self.lookup = lookup
        super().__init__(**kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        workspace = self.context.get("workspace")
        if workspace is None:
            return queryset.none()
        return queryset.filter(**{self.lookup: workspace})


def scoped(model: type[Model], lookup: str = "workspace", **kwargs) -> WorkspaceRelatedField:
    return WorkspaceRelatedField(queryset=model._default_manager.all(), lookup=lookup, **kwargs)


def memberships_of(user, chosen: str | None) -> tuple[list[Membership], Membership | None]:
    """For browser views: the user's memberships, and the one of workspace ``chosen`` (an id
    from the query string) when the user has it."""
    memberships = list(Membership.objects.filter(user=user).select_related("workspace"))
    picked = (
        next((m for m in memberships if str(m.workspace_id) == chosen), None) if chosen else None
    )
    return memberships, picked
