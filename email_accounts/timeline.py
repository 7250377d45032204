"""The email kind of the timeline (``clianta.timeline``): messages in and out naming a contact."""

from django.db.models import F

from clianta.timeline import TimelineSource, columns

from .models import EmailMessage


def _emails(workspace, contact_ids):
    naming = EmailMessage.contacts.through.objects.filter(contact_id__in=contact_ids)
    return columns(
        EmailMessage.objects.filter(
            workspace=workspace, pk__in=naming.values("emailmessage_id"), sent_at__isnull=False
        ),
        at=F("sent_at"),
        kind="email",
        integration=F("account__provider"),
        direction=F("direction"),
        title=F("subject"),
        detail=F("snippet"),
    )


EMAIL = TimelineSource(
    kind="email",
    description="Emails in and out (subject and snippet; the thread in the message's URL).",
    rows=_emails,
    url_name="email-message-detail",
)
