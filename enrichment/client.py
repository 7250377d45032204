"""The workspace's Apollo.io: its credential's key or, failing that, the APOLLO_API_KEY setting's;
Apollo's daily request figures noted from every answer. https://docs.apollo.io/reference"""

from __future__ import annotations

from integrations import credentials, health, registry
from integrations.errors import AuthExpired

from . import credits


class ApolloClient:
    def __init__(self, workspace_id):
        self.workspace_id = workspace_id
        self.credential = credentials.use(workspace_id, "apollo")
        self.apollo = registry.get("apollo").client(self.credential)

    def match_person(self, **identity) -> dict | None:
        """People enrichment; None when Apollo has no match (a 200 that costs no credit)."""
        return self._call("POST", "people/match", json=identity).get("person")

    def enrich_organization(self, domain: str) -> dict | None:
        return self._call("GET", "organizations/enrich", params={"domain": domain}).get(
            "organization"
        )

    def _call(self, method: str, path: str, **kwargs) -> dict:
        try:
            return self.apollo.request(method, path, **kwargs)
        except AuthExpired as exc:
            if self.credential is None:
                raise
            raise self._refused(exc) from exc
        finally:
            if self.apollo.daily:
                credits.note_daily_requests(self.workspace_id, self.apollo.daily)

    def _refused(self, exc: AuthExpired) -> AuthExpired:
        """The workspace's own key was deleted or replaced at Apollo: its credential needs a new
        key."""
        message = f"{exc.message} Reconnect Apollo with a new key (Settings → Integrations)."
        health.mark_needs_reconnect(self.credential, message)
        return AuthExpired(message, provider="apollo", status=401)
