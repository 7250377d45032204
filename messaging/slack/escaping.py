"""Outside data put into a Slack message is text, never markup.

Slack reads ``&``, ``<`` and ``>`` as control characters in message text (mrkdwn and plain text
of Block Kit, and the fallback ``text``): ``<!channel>`` notifies a whole channel and
``<https://…|label>`` becomes a link. Its "Escaping text" rules replace exactly those three
with HTML entities: https://docs.slack.dev/messaging/formatting-message-text#escaping
Every value from a contact, a deal, an event or a Slack user goes through :func:`escape`; only
our own template text may carry Slack markup.
"""

from __future__ import annotations

ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def escape(value) -> str:
    """``value`` as text Slack shows as written."""
    text = str(value)
    # "&" first, so that the entities the other two become are not escaped again.
    for character, entity in ENTITIES.items():
        text = text.replace(character, entity)
    return text
