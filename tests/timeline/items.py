"""Timeline items of every kind for a contact, at chosen times (tests and bench/timeline.py)."""

from datetime import datetime

from calendars.models import CalendarEvent, CalendarIntegration, Meeting
from clianta.models import Contact, CrmEvent, Membership, Note
from email_accounts.models import EmailAccount, EmailMessage, EmailThread
from integrations.models import IntegrationCredential
from messaging.slack.models import SlackIntegration, SlackMessage
from messaging.twilio.models import CallRecording, SmsMessage, VoiceDrop, VoiceDropCall
from productivity.models import KnowledgePage

KINDS = (
    "crm",
    "note",
    "email",
    "sms",
    "voice_drop",
    "call_recording",
    "meeting",
    "slack",
    "notion",
)


def _connected(workspace, model, provider: str):
    """The workspace's ``model`` (a mailbox or a calendar) its owner connected, made once."""
    found = model.objects.filter(workspace=workspace).first()
    if found:
        return found
    owner = workspace.memberships.get(role=Membership.Role.OWNER).user
    credential = IntegrationCredential.objects.create(
        workspace=workspace, provider=provider, account="me@clianta.example", connected_by=owner
    )
    return model.objects.create(
        workspace=workspace, provider=provider, email="me@clianta.example", credential=credential
    )


def _slack(workspace) -> SlackIntegration:
    """The workspace's Slack, installed once."""
    found = SlackIntegration.objects.filter(workspace=workspace).first()
    if found:
        return found
    credential = IntegrationCredential.objects.create(
        workspace=workspace, provider="slack", account=f"T{workspace.pk.hex[:8]}"
    )
    return SlackIntegration.objects.create(
        workspace=workspace, credential=credential, team_id=f"T{workspace.pk.hex[:8]}"
    )


def add_item(kind: str, contact: Contact, at: datetime, n: int = 0):
    """One item of ``kind`` concerning ``contact`` that happened at ``at``; ``n`` makes its
    unique fields unique."""
    workspace = contact.workspace
    tag = f"{contact.pk.hex[:8]}-{n}-{at.timestamp()}"
    if kind == "crm":
        return CrmEvent.objects.create(
            workspace=workspace,
            type="deal.stage_changed",
            contact=contact,
            data={"stage": "proposal"},
            occurred_at=at,
        )
    if kind == "note":
        note = Note.objects.create(workspace=workspace, contact=contact, body=f"Call back {n}")
        Note.objects.filter(pk=note.pk).update(created_at=at)
        return note
    if kind == "email":
        account = _connected(workspace, EmailAccount, "gmail")
        thread = EmailThread.objects.create(workspace=workspace, subject=f"Proposal {n}")
        message = EmailMessage.objects.create(
            workspace=workspace,
            account=account,
            thread=thread,
            provider_message_id=tag,
            subject=f"Proposal {n}",
            snippet="Here are the figures",
            direction="inbound",
            from_address=contact.email,
            sent_at=at,
        )
        message.contacts.add(contact)
        return message
    if kind == "meeting":
        meeting = Meeting.objects.create(
            workspace=workspace, ical_uid=tag, title=f"Demo {n}", start=at, end=at
        )
        event = CalendarEvent.objects.create(
            workspace=workspace,
            integration=_connected(workspace, CalendarIntegration, "google_calendar"),
            meeting=meeting,
            provider_event_id=tag,
            title=meeting.title,
            start=at,
            end=at,
        )
        event.contacts.add(contact)
        return meeting
    if kind == "slack":
        return SlackMessage.objects.create(
            workspace=workspace,
            integration=_slack(workspace),
            channel_id="C1",
            ts=tag,
            user_id="U1",
            user_name="Ada",
            text=f"Can we talk {n}?",
            posted_at=at,
            contact=contact,
        )
    if kind == "notion":
        page = KnowledgePage.objects.create(
            workspace=workspace, page_id=tag, title=f"Account plan {n}", last_edited_time=at
        )
        page.contacts.add(contact)
        return page
    if kind == "sms":
        model, fields = (
            SmsMessage,
            {
                "workspace": workspace,
                "contact": contact,
                "direction": "outbound",
                "sid": f"SM{tag}",
                "from_number": "+15550001111",
                "to_number": "+15550002222",
                "body": f"Hello {n}",
                "status": "delivered",
            },
        )
    elif kind == "voice_drop":
        drop = VoiceDrop.objects.create(workspace=workspace, audio_url="https://a.example/x.mp3")
        model, fields = (
            VoiceDropCall,
            {
                "voice_drop": drop,
                "contact": contact,
                "to_number": "+15550002222",
                "outcome": "voicemail",
            },
        )
    else:
        model, fields = (
            CallRecording,
            {
                "workspace": workspace,
                "contact": contact,
                "recording_sid": f"RE{tag}",
                "call_sid": f"CA{tag}",
                "url": "https://api.twilio.example/r.mp3",
                "duration": 42,
                "status": "completed",
            },
        )
    item = model.objects.create(**fields)
    # created_at/updated_at are set on save: put the time it happened in place.
    stamp = "updated_at" if kind == "voice_drop" else "created_at"
    model.objects.filter(pk=item.pk).update(**{stamp: at})
    return item
