"""What mail is noise (blocked senders) and whose mail creates contacts (the workspace's
policy)."""

from __future__ import annotations

from .models import BlockedSender, EmailSettings

#: Senders skipped in every workspace: automated mail nobody answers.
DEFAULT_BLOCKED_LOCAL_PARTS = frozenset(
    {
        "noreply",
        "no-reply",
        "no_reply",
        "donotreply",
        "do-not-reply",
        "mailer-daemon",
        "postmaster",
        "bounce",
        "bounces",
    }
)
BLOCKED_REASON = "blocked sender"


class Blocklist:
    """A workspace's blocked addresses and domains, loaded once per sync page."""

    def __init__(self, workspace_id):
        patterns = BlockedSender.objects.filter(workspace_id=workspace_id).values_list(
            "pattern", flat=True
        )
        self.addresses = {p.lower() for p in patterns if "@" in p}
        self.domains = {
            p.lower().lstrip("@") for p in patterns if "@" not in p or p.startswith("@")
        }

    def blocks(self, address: str) -> bool:
        address = (address or "").lower()
        local, _, domain = address.partition("@")
        if local in DEFAULT_BLOCKED_LOCAL_PARTS or address in self.addresses:
            return True
        # A domain blocks its subdomains too.
        parts = domain.split(".")
        return any(".".join(parts[i:]) in self.domains for i in range(len(parts) - 1))


def contact_policy(workspace_id) -> str:
    settings = EmailSettings.objects.filter(workspace_id=workspace_id).first()
    return settings.contact_policy if settings else EmailSettings.ContactPolicy.SENT
