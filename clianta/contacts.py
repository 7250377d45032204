"""Contacts by email address, shared by every integration that meets people (mail, calendar,
imports): one contact per address per workspace, however many create it at once."""

from __future__ import annotations

from collections.abc import Iterable

from .models import Contact, Workspace


def find(workspace: Workspace | str, addresses: Iterable[str]) -> dict[str, Contact]:
    """The workspace's contacts among ``addresses``, by lower-cased address (one query)."""
    wanted = {a.strip().lower() for a in addresses if a}
    if not wanted:
        return {}
    contacts = Contact.objects.filter(workspace=workspace, email__in=wanted)
    return {contact.email: contact for contact in contacts}


def ensure(workspace: Workspace | str, people: dict[str, str]) -> dict[str, Contact]:
    """Contacts for ``{address: display name}``, created where missing.

    The insert skips addresses that exist or that a concurrent writer creates meanwhile (the
    unique index decides), then everything is read back: two queries, whatever the count.
    """
    people = {a.strip().lower(): name for a, name in people.items() if a and "@" in a}
    if not people:
        return {}
    workspace_id = getattr(workspace, "pk", workspace)
    new = []
    for address, name in people.items():
        first, _, last = (name or "").strip().partition(" ")
        new.append(
            Contact(workspace_id=workspace_id, email=address, first_name=first, last_name=last)
        )
    Contact.objects.bulk_create(new, ignore_conflicts=True)
    return find(workspace_id, people)
