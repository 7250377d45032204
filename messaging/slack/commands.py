"""The ``/clianta`` slash command: ``find contact <email or name>`` and ``help``; anything else
answers help. Answers are ephemeral Block Kit messages
(https://docs.slack.dev/interactivity/implementing-slash-commands); every value from a contact or
from the command's text in them is escaped (escaping.py)."""

from __future__ import annotations

from django.conf import settings

from . import services
from .escaping import escape
from .models import SlackIntegration

COMMAND = "/clianta"
DESCRIPTION = "Look up Clianta contacts"
USAGE_HINT = "find contact <email or name> | help"
MAX_RESULTS = 10
HELP = (
    "*Clianta commands*\n"
    f"• `{COMMAND} find contact <email or name>`: look up contacts\n"
    f"• `{COMMAND} help`: this list"
)


def _ephemeral(text: str, blocks: list | None = None) -> dict:
    return {
        "response_type": "ephemeral",
        "text": text,
        "blocks": blocks or [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
    }


def _contact_block(contact) -> dict:
    name = escape(contact.full_name or contact.email or "")
    lines = [f"*{name or 'Unnamed contact'}*"]
    details = [escape(d) for d in (contact.title, contact.company.name if contact.company else "")]
    if any(details):
        lines.append(" · ".join(d for d in details if d))
    reach = [escape(v) for v in (contact.email, contact.phone) if v]
    lines.append(" · ".join(reach) or "No email or phone")
    return {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}}


def find_contact(integration: SlackIntegration, query: str) -> dict:
    if not query:
        return _ephemeral(f"Tell me whom to look for: `{COMMAND} find contact <email or name>`.")
    found = services.find_contacts(integration.workspace_id, query, MAX_RESULTS + 1)
    asked = escape(query)
    if not found:
        return _ephemeral(f"No contact matches “{asked}”.")
    shown = found[:MAX_RESULTS]
    title = f"{len(shown)} contact{'s' if len(shown) != 1 else ''} matching “{asked}”"
    if len(found) > MAX_RESULTS:
        title += f" (first {MAX_RESULTS}; narrow the search for more)"
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": title[:150]}}]
    for contact in shown:
        blocks += [_contact_block(contact), {"type": "divider"}]
    blocks.append(
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f"<{settings.PUBLIC_URL}|Open Clianta>"}],
        }
    )
    return _ephemeral(title, blocks)


def answer(payload: dict) -> dict:
    """The reply to a verified command of ``payload["team_id"]``'s workspace."""
    integration = SlackIntegration.objects.filter(team_id=payload.get("team_id") or "").first()
    if integration is None:
        return _ephemeral("This Slack team is not connected to a Clianta workspace yet.")
    words = (payload.get("text") or "").split()
    if [w.lower() for w in words[:2]] == ["find", "contact"]:
        return find_contact(integration, " ".join(words[2:]))
    return _ephemeral(HELP)
