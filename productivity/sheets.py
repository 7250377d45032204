"""Google Sheets: contacts imported from a sheet (columns guessed from the header when no mapping
is given), and reports exported to one. Rows are read and written through
google-api-python-client; a whole import costs a fixed number of queries per chunk of rows."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from clianta.models import Company, Contact, Deal
from integrations import credentials
from integrations.providers.google.client import GoogleApi

from .models import SheetImport

FIELDS = ("email", "first_name", "last_name", "name", "phone", "title", "company")
HEADERS = {
    "email": ("email", "e-mail", "email address", "e-mail address", "mail"),
    "first_name": ("first name", "firstname", "first", "given name"),
    "last_name": ("last name", "lastname", "last", "surname", "family name"),
    "name": ("name", "full name", "contact", "contact name"),
    "phone": ("phone", "phone number", "mobile", "telephone", "tel"),
    "title": ("title", "job title", "position", "role"),
    "company": ("company", "company name", "organization", "organisation", "account"),
}
CHUNK = 500
BATCH_ROWS = 1000
_SHEET_URL = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]+)")


def spreadsheet_id(value: str) -> str:
    """An id, or the id inside a spreadsheet's URL."""
    found = _SHEET_URL.search(value)
    return found.group(1) if found else value.strip()


def guess_mapping(header: list[str]) -> dict[str, str]:
    """Column header -> contact field, from the usual ways people title their columns."""
    mapping = {}
    for column in header:
        label = re.sub(r"[\s_]+", " ", str(column)).strip().lower()
        for field, names in HEADERS.items():
            if label in names and field not in mapping.values():
                mapping[column] = field
                break
    return mapping


def client(workspace_id) -> GoogleApi:
    return GoogleApi("google_sheets", credentials.use(workspace_id, "google_sheets"))


def import_contacts(job: SheetImport) -> SheetImport:
    """Read the sheet and create or update contacts matched by email; a second run of the same
    sheet changes nothing."""
    api = client(job.workspace_id)
    sheet = job.sheet or _first_sheet(api, job.spreadsheet_id)
    answer = api.call(
        lambda service: (
            service.spreadsheets().values().get(spreadsheetId=job.spreadsheet_id, range=_a1(sheet))
        )
    )
    values = answer.get("values", [])
    header, rows = (values[0], values[1:]) if values else ([], [])
    mapping = job.mapping or guess_mapping(header)
    columns = {field: header.index(column) for column, field in mapping.items() if column in header}
    SheetImport.objects.filter(pk=job.pk).update(
        status=SheetImport.Status.RUNNING, total_rows=len(rows), mapping=mapping
    )
    if "email" not in columns:
        return finish(
            job, error='No email column: name one in the mapping (e.g. {"E-mail": "email"}).'
        )
    # A job delivered again after its worker died resumes after the chunks it committed (each
    # chunk's contacts and counts commit together); the rows before still mark duplicates.
    done = job.processed_rows
    seen = _first_rows(rows[:done], columns)
    for start in range(done, len(rows), CHUNK):
        _import_chunk(job, rows[start : start + CHUNK], start + 2, columns, seen)
    return finish(job)


def _first_rows(rows: list, columns: dict) -> dict[str, int]:
    """The sheet row number of each email's first row among the sheet's first data ``rows``."""
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        seen.setdefault(_cell(row, columns, "email").lower(), number)
    return seen


def _a1(sheet: str) -> str:
    """A sheet's whole data as an A1 range: its quoted name (quotes keep spaces and marks)."""
    return "'" + sheet.replace("'", "''") + "'"


def _first_sheet(api: GoogleApi, spreadsheet: str) -> str:
    meta = api.call(
        lambda service: service.spreadsheets().get(
            spreadsheetId=spreadsheet, fields="sheets.properties.title"
        )
    )
    return meta["sheets"][0]["properties"]["title"]


def _cell(row: list, columns: dict, field: str) -> str:
    index = columns.get(field)
    return str(row[index]).strip() if index is not None and index < len(row) else ""


def _import_chunk(job, rows, first_row_number, columns, seen) -> None:
    """One chunk of rows: validated, then created or updated in bulk (a fixed number of
    queries, whatever the chunk's size)."""
    wanted, rejected, skipped = {}, [], 0
    for offset, row in enumerate(rows):
        number = first_row_number + offset
        email = _cell(row, columns, "email").lower()
        try:
            validate_email(email)
        except ValidationError:
            reason = "no email address" if not email else f"invalid email address {email!r}"
            rejected.append({"row": number, "reason": reason})
            continue
        if email in seen:
            skipped += 1
            rejected.append({"row": number, "reason": f"duplicate of row {seen[email]}"})
            continue
        seen[email] = number
        first, last = _cell(row, columns, "first_name"), _cell(row, columns, "last_name")
        if not (first or last) and _cell(row, columns, "name"):
            first, _, last = _cell(row, columns, "name").partition(" ")
        wanted[email] = {
            "first_name": first[:100],
            "last_name": last[:100],
            "phone": _cell(row, columns, "phone")[:32],
            "title": _cell(row, columns, "title")[:200],
            "company": _cell(row, columns, "company")[:200],
        }
    created = updated = 0
    with transaction.atomic():
        companies = _companies(
            job.workspace_id, {v["company"] for v in wanted.values() if v["company"]}
        )
        existing = {
            c.email: c
            for c in Contact.objects.filter(workspace_id=job.workspace_id, email__in=wanted)
        }
        new, changed = [], []
        for email, values in wanted.items():
            company = companies.get(values.pop("company").lower())
            values = {k: v for k, v in values.items() if v}
            contact = existing.get(email)
            if contact is None:
                new.append(
                    Contact(workspace_id=job.workspace_id, email=email, company=company, **values)
                )
                continue
            if company is not None and contact.company_id is None:
                values["company_id"] = company.pk
            differs = {k: v for k, v in values.items() if getattr(contact, k) != v}
            if differs:
                for name, value in differs.items():
                    setattr(contact, name, value)
                changed.append(contact)
        Contact.objects.bulk_create(new, ignore_conflicts=True)
        Contact.objects.bulk_update(
            changed, ["first_name", "last_name", "phone", "title", "company"]
        )
        created, updated = len(new), len(changed)
        job.rejected = job.rejected + rejected
        job.created += created
        job.updated += updated
        job.skipped += skipped
        job.processed_rows += len(rows)
        job.save(update_fields=["rejected", "created", "updated", "skipped", "processed_rows"])


def _companies(workspace_id, names: Iterable[str]) -> dict[str, Company]:
    """The workspace's companies by lower-cased name, created where missing (two queries)."""
    names = {n.strip() for n in names if n.strip()}
    if not names:
        return {}
    lookup = Q()
    for name in names:
        lookup |= Q(name__iexact=name)
    found = {c.name.lower(): c for c in Company.objects.filter(lookup, workspace_id=workspace_id)}
    missing = [Company(workspace_id=workspace_id, name=n) for n in names if n.lower() not in found]
    Company.objects.bulk_create(missing)
    found.update({c.name.lower(): c for c in missing})
    return found


def finish(job: SheetImport, error: str = "") -> SheetImport:
    status = SheetImport.Status.FAILED if error else SheetImport.Status.DONE
    SheetImport.objects.filter(pk=job.pk).update(
        status=status, error=error, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


# --- Reports ---------------------------------------------------------------------------------


def contacts_report(workspace_id) -> list[list]:
    rows = [["Email", "First name", "Last name", "Title", "Phone", "Company"]]
    contacts = Contact.objects.filter(workspace_id=workspace_id).select_related("company")
    for c in contacts.order_by("email"):
        rows.append(
            [
                c.email,
                c.first_name,
                c.last_name,
                c.title,
                c.phone,
                c.company.name if c.company else "",
            ]
        )
    return rows


def deals_by_stage_report(workspace_id) -> list[list]:
    rows = [["Stage", "Deals", "Amount"]]
    totals = {
        t["stage"]: t
        for t in Deal.objects.filter(workspace_id=workspace_id)
        .values("stage")
        .annotate(deals=Count("id"), amount=Sum("amount"))
    }
    for stage in Deal.Stage.values:
        total = totals.get(stage, {})
        rows.append([stage, total.get("deals", 0), float(total.get("amount") or 0)])
    return rows


def email_activity_report(workspace_id) -> list[list]:
    rows = [["Contact", "Emails received", "Emails sent"]]
    contacts = (
        Contact.objects.filter(workspace_id=workspace_id)
        .annotate(
            received=Count("email_messages", filter=Q(email_messages__direction="inbound")),
            sent=Count("email_messages", filter=Q(email_messages__direction="outbound")),
        )
        .order_by("email")
    )
    rows += [[c.email, c.received, c.sent] for c in contacts]
    return rows


REPORTS = {
    "contacts": contacts_report,
    "deals_by_stage": deals_by_stage_report,
    "email_activity": email_activity_report,
}


def export_report(workspace_id, kind: str, target: str = "new") -> dict:
    """Write the report (header row, then the data in batches) to a new spreadsheet, or to a
    new sheet of an existing one (nothing there is overwritten); its id, URL and row count."""
    rows = REPORTS[kind](workspace_id)
    api = client(workspace_id)
    title = f"{kind.replace('_', ' ').capitalize()} {timezone.now():%Y-%m-%d %H.%M.%S}"
    if target == "new":
        body = {
            "properties": {"title": f"Clianta: {title}"},
            "sheets": [{"properties": {"title": title}}],
        }
        created = api.call(lambda s: s.spreadsheets().create(body=body))
        target, url = created["spreadsheetId"], created.get("spreadsheetUrl", "")
    else:
        target = spreadsheet_id(target)
        add = {"requests": [{"addSheet": {"properties": {"title": title}}}]}
        api.call(lambda s: s.spreadsheets().batchUpdate(spreadsheetId=target, body=add))
        url = f"https://docs.google.com/spreadsheets/d/{target}/edit"
    first = rows[:BATCH_ROWS]
    api.call(
        lambda s: (
            s.spreadsheets()
            .values()
            .update(
                spreadsheetId=target,
                range=_a1(title),
                valueInputOption="RAW",
                body={"values": first},
            )
        )
    )
    for start in range(BATCH_ROWS, len(rows), BATCH_ROWS):
        batch = rows[start : start + BATCH_ROWS]
        api.call(
            lambda s, batch=batch: (
                s.spreadsheets()
                .values()
                .append(
                    spreadsheetId=target,
                    range=_a1(title),
                    valueInputOption="RAW",
                    insertDataOption="INSERT_ROWS",
                    body={"values": batch},
                )
            )
        )
    return {"spreadsheet_id": target, "sheet": title, "url": url, "rows": len(rows) - 1}
