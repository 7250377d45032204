"""``GET /api/contacts/{id}/timeline`` and ``GET /api/companies/{id}/timeline``: the timeline
(``clianta.timeline``) of a contact, or of all a company's contacts, for any member."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from clianta import timeline

from .filters import aware_datetime_param, period_parameters

MAX_PAGE_SIZE = 200


def _kinds_help() -> str:
    described = timeline.sources().items()
    kinds = " ".join(f"`{kind}`: {source.description}" for kind, source in described)
    return f"Only these kinds (repeat the parameter for several). {kinds}"


class TimelineQuerySerializer(serializers.Serializer):
    cursor = serializers.CharField(
        required=False, help_text="Where to go on: the cursor in the previous answer's `next`."
    )
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=50
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The kinds the installed apps declare (known once the apps are loaded).
        self.fields["kind"] = serializers.ListField(
            child=serializers.ChoiceField(choices=list(timeline.sources())),
            required=False,
            help_text=_kinds_help(),
        )

    def validate_cursor(self, cursor):
        try:
            return timeline.decode_cursor(cursor)
        except timeline.BadCursor as exc:
            raise serializers.ValidationError(str(exc)) from exc


class TimelineItemSerializer(serializers.Serializer):
    kind = serializers.CharField(source="t_kind")
    occurred_at = serializers.DateTimeField(source="t_at")
    direction = serializers.SerializerMethodField(
        help_text='"inbound" or "outbound"; null for a kind without one.'
    )
    summary = serializers.SerializerMethodField(help_text="One line describing it.")
    status = serializers.CharField(
        source="t_status", help_text="Delivery status or outcome, where the kind has one."
    )
    id = serializers.CharField(source="t_id", help_text="The source object's id.")
    url = serializers.SerializerMethodField(help_text="The source object's API URL.")
    integration = serializers.CharField(source="t_integration")

    def get_direction(self, row) -> str | None:
        return row["t_direction"] or None

    def get_summary(self, row) -> str:
        parts = (row["t_title"], row["t_detail"], row["t_status"])
        return " · ".join(" ".join(part.split()) for part in parts if part and part.strip())[:300]

    def get_url(self, row) -> str:
        path = reverse(timeline.sources()[row["t_kind"]].url_name, kwargs={"pk": row["t_ref"]})
        return self.context["request"].build_absolute_uri(path)


class TimelinePageSerializer(serializers.Serializer):
    results = TimelineItemSerializer(many=True)
    next = serializers.URLField(
        allow_null=True, help_text="The next (older) page; null on the last page."
    )


class TimelineMixin:
    """Adds ``GET {id}/timeline`` to a workspace-scoped viewset; ``timeline_contact_ids(obj)``
    gives the contacts whose items it shows."""

    def timeline_contact_ids(self, obj):
        raise NotImplementedError

    @extend_schema(
        summary="Timeline: every interaction, newest first",
        description=(
            "Every interaction, newest first, one page at a time: follow `next` (a keyset cursor; "
            "items arriving meanwhile never shift a page). Any member may read it."
        ),
        parameters=[TimelineQuerySerializer, *period_parameters("Items that happened")],
        responses=TimelinePageSerializer,
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def timeline(self, request, pk=None):
        obj = self.get_object()
        query = TimelineQuerySerializer(
            data={**request.query_params.dict(), "kind": request.query_params.getlist("kind")}
        )
        query.is_valid(raise_exception=True)
        params = query.validated_data
        rows, last = timeline.page(
            self.workspace,
            self.timeline_contact_ids(obj),
            kinds=params.get("kind", ()),
            after=aware_datetime_param(request.query_params, "after"),
            before=aware_datetime_param(request.query_params, "before"),
            cursor=params.get("cursor"),
            size=params["page_size"],
        )
        next_url = (
            replace_query_param(
                request.build_absolute_uri(), "cursor", timeline.encode_cursor(*last)
            )
            if last
            else None
        )
        items = TimelineItemSerializer(rows, many=True, context={"request": request}).data
        return Response({"results": items, "next": next_url})
