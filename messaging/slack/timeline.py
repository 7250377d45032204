"""The Slack kind of the timeline (``clianta.timeline``): messages the contact posted in the
workspace's linked channels (``channel_messages``)."""

from django.db.models import F

from clianta.timeline import TimelineSource, columns

from .models import SlackMessage


def _messages(workspace, contact_ids):
    return columns(
        SlackMessage.objects.filter(workspace=workspace, contact_id__in=contact_ids),
        at=F("posted_at"),
        kind="slack",
        integration="slack",
        direction="inbound",
        title=F("user_name"),
        detail=F("text"),
    )


SLACK = TimelineSource(
    kind="slack",
    description="Messages the contact posted in a linked Slack channel.",
    rows=_messages,
    url_name="slack-message-detail",
)
