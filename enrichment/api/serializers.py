from rest_framework import serializers

from clianta.api.scoping import scoped
from clianta.api.serializers import CompanySerializer, ContactSerializer
from clianta.api.strict import ListField, StrictModelSerializer, StrictSerializer
from clianta.models import Contact

from ..models import ApolloUsage, EnrichmentJob


class EnrichRequestSerializer(StrictSerializer):
    """Give an ``email``, or a ``contact`` that has an email address."""

    email = serializers.EmailField(required=False)
    contact = scoped(Contact, required=False)
    overwrite = serializers.BooleanField(
        default=False, help_text="Replace values people typed (by default only empty fields fill)."
    )

    schema_any_of = [{"required": ["email"]}, {"required": ["contact"]}]

    def validate(self, data):
        if not data.get("email") and not data.get("contact"):
            raise serializers.ValidationError({"email": ["Give an email or a contact."]})
        if data.get("contact") and not data["contact"].email:
            raise serializers.ValidationError({"contact": ["This contact has no email address."]})
        return data


class EnrichAnswerSerializer(StrictSerializer):
    found = serializers.BooleanField()
    cached = serializers.BooleanField(help_text="Answered from the cache: no credit used.")
    person = serializers.DictField(allow_null=True)
    contact = ContactSerializer(allow_null=True)


class FindEmailRequestSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    domain = serializers.CharField(max_length=253)


class FindEmailAnswerSerializer(StrictSerializer):
    email = serializers.EmailField(allow_null=True)
    cached = serializers.BooleanField()


class CompanyRequestSerializer(StrictSerializer):
    domain = serializers.RegexField(r"^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$", max_length=253)
    overwrite = serializers.BooleanField(default=False)


class CompanyAnswerSerializer(StrictSerializer):
    found = serializers.BooleanField()
    cached = serializers.BooleanField()
    organization = serializers.DictField(allow_null=True)
    company = CompanySerializer(allow_null=True)


class UsageSerializer(StrictModelSerializer):
    credits_limit = serializers.IntegerField(
        read_only=True, help_text="The month's credits of the workspace's plan."
    )

    class Meta:
        model = ApolloUsage
        fields = [
            "credits_used",
            "credits_limit",
            "reset_date",
            "daily_requests_limit",
            "daily_requests_used",
            "daily_requests_left",
            "daily_requests_seen_at",
        ]


MAX_CONTACTS = 1000


class BulkRequestSerializer(StrictSerializer):
    """Give ``contacts``, or ``missing_data`` true."""

    contacts = ListField(child=scoped(Contact), required=False, max_length=MAX_CONTACTS)
    missing_data = serializers.BooleanField(
        default=False, help_text="Every contact with an email and no title yet."
    )

    schema_any_of = [
        {"required": ["contacts"], "properties": {"contacts": {"minItems": 1}}},
        # true: "not false" (an enum here would become a component of its own)
        {"required": ["missing_data"], "properties": {"missing_data": {"not": {"enum": [False]}}}},
    ]

    def validate(self, data):
        if not data.get("contacts") and not data["missing_data"]:
            raise serializers.ValidationError({"contacts": ["Give contacts or missing_data."]})
        return data


class EnrichmentJobSerializer(StrictModelSerializer):
    class Meta:
        model = EnrichmentJob
        fields = [
            "id",
            "status",
            "total",
            "enriched",
            "not_found",
            "failed",
            "stop_reason",
            "report",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields
