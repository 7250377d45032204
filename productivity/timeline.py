"""The Notion kind of the timeline (``clianta.timeline``): shared pages naming the contact, at
their last edit."""

from django.db.models import F

from clianta.timeline import TimelineSource, columns

from .models import KnowledgePage


def _pages(workspace, contact_ids):
    naming = KnowledgePage.contacts.through.objects.filter(contact_id__in=contact_ids)
    return columns(
        KnowledgePage.objects.filter(
            workspace=workspace,
            pk__in=naming.values("knowledgepage_id"),
            gone=False,
            last_edited_time__isnull=False,
        ),
        at=F("last_edited_time"),
        kind="notion",
        integration="notion",
        title=F("title"),
    )


NOTION = TimelineSource(
    kind="notion",
    description="Notion pages shared with the workspace that name the contact.",
    rows=_pages,
    url_name="knowledge-detail",
)
