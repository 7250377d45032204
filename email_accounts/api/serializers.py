from django.core.validators import RegexValidator
from rest_framework import serializers

from clianta.api.scoping import scoped
from clianta.api.strict import (
    EmailAddressField,
    ListField,
    StrictModelSerializer,
    StrictSerializer,
    single_line,
)
from clianta.models import Membership
from integrations import push
from integrations.api.serializers import PersonSerializer, push_state_field
from integrations.health import Health, health_of
from integrations.providers.imap_smtp import mailbox as imap_smtp

from ..models import (
    BlockedSender,
    EmailAccount,
    EmailMessage,
    EmailSettings,
    EmailThread,
    MailboxDelegate,
)
from ..noise import DEFAULT_BLOCKED_LOCAL_PARTS

MAX_RECIPIENTS = 100
# Validators that the schema states as patterns too.
host_name = RegexValidator(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[?[0-9A-Fa-f:.]+\]?)\Z",
    "Give a host name or an IP address.",
)
address_or_domain = RegexValidator(
    r"^(?:[^\s@]+@)?[^\s@]*\.[^\s@]*\Z",
    "Give an address (news@shop.example) or a domain (shop.example).",
)


class EmailAccountSerializer(StrictModelSerializer):
    status = serializers.SerializerMethodField(help_text="The account's sync health.")
    connected_by = PersonSerializer(
        source="credential.connected_by",
        read_only=True,
        allow_null=True,
        help_text="The mailbox's owner: who connected it. Empty when unknown.",
    )

    class Meta:
        model = EmailAccount
        fields = [
            "id",
            "provider",
            "email",
            "connected_by",
            "sync_enabled",
            "last_sync_at",
            "status",
            "push",
            "created_at",
        ]
        read_only_fields = fields

    push = push_state_field()

    def get_status(self, account) -> str:
        return health_of(account.credential) if account.credential_id else Health.DISABLED

    def get_push(self, account) -> dict:
        return push.state_of(account.pk)


class MailServerSerializer(serializers.Serializer):
    host = serializers.CharField(max_length=255, validators=[host_name])
    port = serializers.IntegerField(
        min_value=1, max_value=65535, required=False, help_text="Defaults to the usual port."
    )
    security = serializers.ChoiceField(
        choices=imap_smtp.SECURITY,
        default="ssl",
        help_text="Implicit TLS, STARTTLS, or none (plain text: only to this machine).",
    )

    def validate(self, data):
        if data["security"] == "none" and not imap_smtp.plaintext_allowed(data["host"]):
            raise serializers.ValidationError(
                {"security": ["Plain text is only allowed to this machine."]}
            )
        return data


class ConnectAccountSerializer(serializers.Serializer):
    """Gmail and Outlook need only ``provider``; ``smtp`` (any IMAP/SMTP mailbox) needs the
    servers and the login too."""

    provider = serializers.ChoiceField(choices=EmailAccount.Provider.choices)
    email = EmailAddressField(required=False)
    username = serializers.CharField(
        max_length=255,
        required=False,
        validators=[single_line],
        help_text="Defaults to the email address.",
    )
    password = serializers.CharField(
        max_length=1024,
        required=False,
        write_only=True,
        trim_whitespace=False,
        validators=[single_line],
    )
    imap = MailServerSerializer(required=False)
    smtp = MailServerSerializer(required=False)

    schema_any_of = [
        {"properties": {"provider": {"pattern": "^(?:gmail|outlook)$"}}},
        {
            "required": ["provider", "email", "password", "imap", "smtp"],
            "properties": {"provider": {"pattern": "^smtp$"}},
        },
    ]

    def validate(self, data):
        if data["provider"] != "smtp":
            return data
        required = ("email", "password", "imap", "smtp")
        missing = {name: ["Required to connect an IMAP/SMTP mailbox."] for name in required}
        missing = {name: errors for name, errors in missing.items() if not data.get(name)}
        if missing:
            raise serializers.ValidationError(missing)
        servers = {
            protocol: imap_smtp.Server(
                data[protocol]["host"],
                data[protocol].get("port")
                or imap_smtp.DEFAULT_PORTS[protocol][data[protocol]["security"]],
                data[protocol]["security"],
            )
            for protocol in ("imap", "smtp")
        }
        data["login"] = imap_smtp.MailboxLogin(
            username=data.get("username") or data["email"],
            password=data["password"],
            imap=servers["imap"],
            smtp=servers["smtp"],
        )
        return data


class DelegateSerializer(StrictModelSerializer):
    """A member allowed to send from the mailbox, and who allowed it."""

    user = PersonSerializer(read_only=True)
    granted_by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = MailboxDelegate
        fields = ["id", "user", "granted_by", "created_at"]
        read_only_fields = fields


class NewDelegateSerializer(StrictSerializer):
    member = serializers.UUIDField(
        help_text="The membership id (from /api/workspaces/{id}/members) of the member who may "
        "send from the mailbox."
    )

    def validate_member(self, member):
        membership = Membership.objects.filter(
            pk=member, workspace=self.context["workspace"]
        ).first()
        if membership is None:
            raise serializers.ValidationError("Delegates must be members of the workspace.")
        return membership


class EmailMessageSerializer(StrictModelSerializer):
    class Meta:
        model = EmailMessage
        fields = [
            "id",
            "account",
            "thread",
            "provider_message_id",
            "provider_thread_id",
            "message_id",
            "in_reply_to",
            "direction",
            "from_address",
            "from_name",
            "to",
            "cc",
            "bcc",
            "subject",
            "sent_at",
            "snippet",
            "body_text",
            "body_html",
            "labels",
            "attachments",
            "contacts",
        ]
        read_only_fields = fields


class EmailThreadSerializer(StrictModelSerializer):
    message_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = EmailThread
        fields = ["id", "subject", "last_message_at", "message_count", "created_at"]
        read_only_fields = fields


class SendSerializer(StrictSerializer):
    to = ListField(child=EmailAddressField(), min_length=1, max_length=MAX_RECIPIENTS)
    cc = ListField(
        child=EmailAddressField(), required=False, default=list, max_length=MAX_RECIPIENTS
    )
    bcc = ListField(
        child=EmailAddressField(), required=False, default=list, max_length=MAX_RECIPIENTS
    )
    subject = serializers.CharField(
        max_length=998, required=False, allow_blank=True, default="", validators=[single_line]
    )
    body = serializers.CharField(max_length=1_000_000)
    html = serializers.CharField(max_length=2_000_000, required=False, allow_blank=True, default="")
    reply_to_message = scoped(
        EmailMessage, required=False, allow_null=True, help_text="Reply to this message."
    )

    def validate(self, data):
        if not data["subject"] and data.get("reply_to_message") is None:
            raise serializers.ValidationError({"subject": ["A new message needs a subject."]})
        return data


class SentSerializer(StrictSerializer):
    id = serializers.UUIDField()
    provider_message_id = serializers.CharField()
    message_id = serializers.CharField(help_text="The RFC 2822 Message-ID, to reply to it.")
    thread = serializers.UUIDField()
    provider_thread_id = serializers.CharField()


class BlockedSenderSerializer(StrictModelSerializer):
    class Meta:
        model = BlockedSender
        fields = ["id", "pattern", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {
            "pattern": {
                "validators": [address_or_domain],
                "help_text": "An address or a domain; each once per workspace.",
            }
        }

    def validate_pattern(self, pattern):
        pattern = pattern.lower()
        if BlockedSender.objects.filter(
            workspace=self.context["workspace"], pattern=pattern
        ).exists():
            raise serializers.ValidationError("This sender is already blocked.")
        return pattern


class EmailSettingsSerializer(StrictModelSerializer):
    default_blocked_senders = serializers.SerializerMethodField(
        help_text="Local parts always skipped, in every workspace."
    )

    class Meta:
        model = EmailSettings
        fields = ["contact_policy", "default_blocked_senders"]

    def get_default_blocked_senders(self, settings) -> list[str]:
        return sorted(f"{local}@*" for local in DEFAULT_BLOCKED_LOCAL_PARTS)
