from django.contrib.auth import get_user_model
from rest_framework import serializers

from clianta.models import Company, Contact, Deal, Membership, Note, Workspace

from .scoping import scoped
from .strict import ListField, PhoneField, StrictModelSerializer, StrictSerializer

User = get_user_model()


class WorkspaceSerializer(StrictModelSerializer):
    role = serializers.SerializerMethodField(help_text="Your role in this workspace.")

    class Meta:
        model = Workspace
        fields = ["id", "name", "role", "created_at"]

    def get_role(self, workspace) -> str:
        return next(
            (
                m.role
                for m in workspace.memberships.all()
                if m.user_id == self.context["request"].user.id
            ),
            "",
        )


class MembershipSerializer(StrictModelSerializer):
    # A user may have no email address: "" is a valid answer, so not an EmailField.
    email = serializers.CharField(source="user.email", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "email", "username", "role", "created_at"]
        read_only_fields = ["id", "created_at"]


class MemberInviteSerializer(StrictSerializer):
    """Whom to invite. Whether the address has an account, or is already a member, is never
    checked here: the answer must not tell."""

    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=Membership.Role.choices, default=Membership.Role.MEMBER)


class CompanySerializer(StrictModelSerializer):
    phone = PhoneField(max_length=32, required=False, allow_blank=True)
    technologies = ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        max_length=500,
        help_text="Technology names, as enrichment finds them.",
    )

    class Meta:
        model = Company
        fields = [
            "id",
            "name",
            "domain",
            "industry",
            "website",
            "phone",
            "employee_count",
            "revenue_range",
            "location",
            "technologies",
            "enriched_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "enriched_at", "created_at", "updated_at"]


class ContactSerializer(StrictModelSerializer):
    company = scoped(Company, required=False, allow_null=True)
    phone = PhoneField(max_length=32, required=False, allow_blank=True)

    class Meta:
        model = Contact
        fields = [
            "id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "title",
            "seniority",
            "linkedin_url",
            "location",
            "company",
            "enriched_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "enriched_at", "created_at", "updated_at"]
        extra_kwargs = {"email": {"help_text": "Unique among the workspace's contacts."}}

    def validate_email(self, email):
        email = email.strip().lower()
        if email:
            taken = Contact.objects.filter(workspace=self.context["workspace"], email=email)
            if self.instance is not None:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                raise serializers.ValidationError("A contact with this email already exists.")
        return email


class DealSerializer(StrictModelSerializer):
    contact = scoped(Contact, required=False, allow_null=True)
    company = scoped(Company, required=False, allow_null=True)
    owner = scoped(
        User,
        lookup="memberships__workspace",
        required=False,
        allow_null=True,
        help_text="A member of the workspace.",
    )
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)

    class Meta:
        model = Deal
        fields = [
            "id",
            "name",
            "stage",
            "amount",
            "currency",
            "owner",
            "contact",
            "company",
            "close_date",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


class NoteSerializer(StrictModelSerializer):
    contact = scoped(Contact)
    author = serializers.CharField(
        source="author.username", read_only=True, default="", help_text="Who wrote it."
    )

    class Meta:
        model = Note
        fields = ["id", "contact", "body", "author", "created_at"]
        read_only_fields = ["id", "created_at"]
