from rest_framework import serializers

from clianta.api.strict import StrictModelSerializer, StrictSerializer

from ..models import KnowledgePage, SheetImport
from ..sheets import FIELDS, REPORTS

MAX_COLUMNS = 200


class ImportRequestSerializer(StrictSerializer):
    spreadsheet = serializers.CharField(max_length=500, help_text="Spreadsheet id or URL.")
    sheet = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    mapping = serializers.DictField(
        child=serializers.ChoiceField(choices=FIELDS),
        required=False,
        default=dict,
        help_text="Column header -> contact field; guessed from the headers when left out.",
    )

    def validate_mapping(self, mapping):
        if len(mapping) > MAX_COLUMNS:
            raise serializers.ValidationError(f"Map at most {MAX_COLUMNS} columns.")
        return mapping


class SheetImportSerializer(StrictModelSerializer):
    class Meta:
        model = SheetImport
        fields = [
            "id",
            "spreadsheet_id",
            "sheet",
            "mapping",
            "status",
            "total_rows",
            "processed_rows",
            "created",
            "updated",
            "skipped",
            "rejected",
            "error",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class ExportRequestSerializer(StrictSerializer):
    report = serializers.ChoiceField(choices=sorted(REPORTS))
    spreadsheet = serializers.CharField(
        max_length=500, default="new", help_text='A spreadsheet id or URL, or "new".'
    )


class ExportAnswerSerializer(StrictSerializer):
    spreadsheet_id = serializers.CharField()
    sheet = serializers.CharField(help_text="The sheet the report was written to.")
    url = serializers.URLField()
    rows = serializers.IntegerField()


class NotionConnectSerializer(StrictSerializer):
    token = serializers.RegexField(
        r"^[!-~]+$",  # printable ASCII: it travels in an HTTP header
        required=False,
        max_length=200,
        help_text="An internal integration token; without it the answer is the OAuth consent URL.",
    )


class NotionExportSerializer(StrictSerializer):
    """``meeting_notes`` needs ``event`` and ``parent_page``; ``report`` needs ``report`` and
    ``database``."""

    kind = serializers.ChoiceField(choices=["meeting_notes", "report"])
    event = serializers.UUIDField(required=False, help_text="meeting_notes: the calendar event")
    parent_page = serializers.CharField(required=False, max_length=64)
    report = serializers.ChoiceField(choices=sorted(REPORTS), required=False)
    database = serializers.CharField(required=False, max_length=64)

    schema_any_of = [
        {
            "required": ["kind", "event", "parent_page"],
            "properties": {"kind": {"pattern": "^meeting_notes$"}},
        },
        {
            "required": ["kind", "report", "database"],
            "properties": {"kind": {"pattern": "^report$"}},
        },
    ]

    def validate(self, data):
        needed = (
            ("event", "parent_page") if data["kind"] == "meeting_notes" else ("report", "database")
        )
        missing = [name for name in needed if not data.get(name)]
        if missing:
            raise serializers.ValidationError(
                {name: ["This field is required."] for name in missing}
            )
        return data


class KnowledgePageSerializer(StrictModelSerializer):
    class Meta:
        model = KnowledgePage
        fields = [
            "id",
            "page_id",
            "title",
            "url",
            "last_edited_time",
            "text",
            "markdown",
            "gone",
            "contacts",
            "companies",
        ]
        read_only_fields = fields
