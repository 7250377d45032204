from rest_framework import serializers

from clianta.api.scoping import scoped
from clianta.api.strict import ListField, PhoneField, StrictModelSerializer, StrictSerializer
from clianta.models import Contact
from integrations.providers.twilio.errors import InvalidPhoneNumber

from .. import phones, voice_drops
from ..models import CallRecording, SmsMessage, VoiceDrop, VoiceDropCall

MAX_TARGETS = 1000


class SmsMessageSerializer(StrictModelSerializer):
    class Meta:
        model = SmsMessage
        fields = [
            "id",
            "direction",
            "sid",
            "from_number",
            "to_number",
            "body",
            "status",
            "error_code",
            "contact",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SendSmsSerializer(StrictSerializer):
    """Give ``to`` (a phone number in any format), or a ``contact`` that has a valid phone
    number (``to`` wins when both are given)."""

    to = PhoneField(required=False)
    body = serializers.CharField(max_length=1600)
    contact = scoped(Contact, required=False)

    schema_any_of = [{"required": ["to"]}, {"required": ["contact"]}]

    def validate(self, data):
        number = data.get("to") or (data["contact"].phone if data.get("contact") else "")
        if not number:
            raise serializers.ValidationError({"to": ["Give a number, or a contact with one."]})
        try:
            data["to"] = phones.normalise(number)
        except InvalidPhoneNumber as exc:
            raise serializers.ValidationError({"to": [exc.message]}) from None
        return data


class TwilioConnectSerializer(StrictSerializer):
    account_sid = serializers.RegexField(
        r"^AC[0-9a-fA-F]{32}$",
        error_messages={"invalid": "An Account SID is AC followed by 32 hexadecimal digits."},
        help_text="The account's SID (Twilio console, Account Info).",
    )
    auth_token = serializers.RegexField(
        r"^[0-9a-fA-F]{32}$",
        write_only=True,
        error_messages={"invalid": "An Auth Token is 32 hexadecimal digits."},
        help_text="The account's Auth Token; stored encrypted, never shown again.",
    )
    phone_number = PhoneField(help_text="A number of the account to send from, in any format.")


class TwilioConnectionSerializer(StrictSerializer):
    id = serializers.UUIDField()
    account_sid = serializers.CharField()
    account_name = serializers.CharField()
    phone_number = serializers.CharField()


class VoiceDropCallSerializer(StrictModelSerializer):
    class Meta:
        model = VoiceDropCall
        fields = ["to_number", "contact", "outcome", "call_status", "answered_by", "duration"]
        read_only_fields = fields


class VoiceDropSerializer(StrictModelSerializer):
    """A voice drop: ``contacts`` (ids) and/or ``numbers`` to call; ``progress`` counts the
    calls by outcome."""

    contacts = ListField(
        child=scoped(Contact), write_only=True, required=False, max_length=MAX_TARGETS
    )
    schema_any_of = [
        {"required": ["contacts"], "properties": {"contacts": {"minItems": 1}}},
        {"required": ["numbers"], "properties": {"numbers": {"minItems": 1}}},
    ]
    numbers = ListField(
        child=PhoneField(),
        write_only=True,
        required=False,
        max_length=MAX_TARGETS,
        help_text="Phone numbers in any format; each is checked and stored in E.164.",
    )
    progress = serializers.SerializerMethodField()
    calls = VoiceDropCallSerializer(many=True, read_only=True)

    class Meta:
        model = VoiceDrop
        fields = [
            "id",
            "audio_url",
            "contacts",
            "numbers",
            "scheduled_at",
            "record",
            "status",
            "progress",
            "calls",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = ["status", "started_at", "finished_at", "created_at"]

    def get_progress(self, drop) -> dict[str, int]:
        return voice_drops.progress(drop)

    def validate(self, data):
        targets: dict[str, Contact | None] = {}
        for number in data.pop("numbers", []):
            targets.setdefault(number, None)
        for contact in data.pop("contacts", []):
            number = phones.normalise_or_none(contact.phone)
            if number is None:
                message = f"Contact {contact.pk} has no valid phone number."
                raise serializers.ValidationError({"contacts": [message]})
            targets[number] = contact
        if not targets:
            raise serializers.ValidationError({"numbers": ["Give contacts or numbers to call."]})
        data["targets"] = targets
        return data

    def create(self, validated_data):
        return voice_drops.create(**validated_data)


class CallRecordingSerializer(StrictModelSerializer):
    class Meta:
        model = CallRecording
        fields = [
            "id",
            "recording_sid",
            "call_sid",
            "url",
            "duration",
            "status",
            "contact",
            "voice_drop_call",
            "created_at",
        ]
        read_only_fields = fields
