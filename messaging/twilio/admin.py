from django import forms
from django.contrib import admin
from django.db.models import Count, Q

from integrations.providers.twilio.errors import InvalidPhoneNumber

from . import phones, voice_drops
from .models import (
    CallRecording,
    SmsMessage,
    SmsOptOut,
    TwilioNumber,
    UnroutedSms,
    VoiceDrop,
    VoiceDropCall,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows Twilio's callbacks write: staff read and search them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SmsMessage)
class SmsMessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "direction", "from_number", "to_number", "status", "workspace"]
    list_filter = ["direction", "status"]
    search_fields = ["sid", "from_number", "to_number", "body"]
    list_select_related = ["workspace"]


@admin.register(SmsOptOut)
class SmsOptOutAdmin(admin.ModelAdmin):
    """Staff may remove an opt-out (a person opting in by other means)."""

    list_display = ["phone", "keyword", "created_at", "workspace"]
    search_fields = ["phone"]
    readonly_fields = ["workspace", "phone", "keyword"]

    def has_add_permission(self, request, obj=None):
        return False


class VoiceDropCallInline(admin.TabularInline):
    model = VoiceDropCall
    fields = ["to_number", "contact", "outcome", "call_status", "answered_by", "duration", "sid"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(VoiceDrop)
class VoiceDropAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "status", "calls_done", "voicemails", "audio_url", "workspace"]
    list_filter = ["status"]
    readonly_fields = ["progress"]
    inlines = [VoiceDropCallInline]

    def get_queryset(self, request):
        finished = Q(calls__outcome__in=VoiceDropCall.FINISHED)
        return (
            super()
            .get_queryset(request)
            .select_related("workspace")
            .annotate(
                total=Count("calls"),
                done=Count("calls", filter=finished),
                left=Count("calls", filter=Q(calls__outcome=VoiceDropCall.Outcome.VOICEMAIL)),
            )
        )

    @admin.display(description="calls done")
    def calls_done(self, drop):
        return f"{drop.done} / {drop.total}"

    @admin.display(description="voicemails left")
    def voicemails(self, drop):
        return drop.left

    @admin.display(description="progress")
    def progress(self, drop):
        counts = voice_drops.progress(drop)
        return ", ".join(f"{outcome}: {count}" for outcome, count in counts.items() if count)


@admin.register(CallRecording)
class CallRecordingAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "call_sid", "duration", "contact", "workspace"]
    search_fields = ["recording_sid", "call_sid"]
    list_select_related = ["contact", "workspace"]


class TwilioNumberForm(forms.ModelForm):
    class Meta:
        model = TwilioNumber
        fields = ["workspace", "phone_number"]

    def clean_phone_number(self):
        """In E.164 before the uniqueness check, so that one number written two ways is one."""
        try:
            return phones.normalise(self.cleaned_data["phone_number"])
        except InvalidPhoneNumber as exc:
            raise forms.ValidationError(exc.message) from None


@admin.register(TwilioNumber)
class TwilioNumberAdmin(admin.ModelAdmin):
    """Numbers of the shared Twilio account (TWILIO_* settings), each assigned to one workspace:
    it sends from the number, and texts to it are its own. A number assigned to a workspace
    cannot be assigned to another until it is removed here."""

    form = TwilioNumberForm
    list_display = ["phone_number", "workspace", "assigned_by", "created_at"]
    search_fields = ["phone_number", "workspace__name"]
    autocomplete_fields = ["workspace"]
    list_select_related = ["workspace", "assigned_by"]

    def get_readonly_fields(self, request, obj=None):
        # Moving a number means removing it first: a deliberate step, never an edit.
        return ["workspace", "phone_number"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if not change:
            obj.assigned_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(UnroutedSms)
class UnroutedSmsAdmin(ReadOnlyAdmin):
    """Texts to numbers no workspace owns (or several claim): kept here, given to no one."""

    list_display = ["received_at", "from_number", "to_number", "body", "reason", "account_sid"]
    search_fields = ["from_number", "to_number", "body", "message_sid"]
    readonly_fields = [
        "received_at",
        "from_number",
        "to_number",
        "body",
        "reason",
        "account_sid",
        "message_sid",
    ]
