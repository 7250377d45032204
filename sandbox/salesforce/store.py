"""The sandbox's Salesforce orgs: the default org and its users, record ids, finding and
rendering records, and the daily API request allocation.

Tests and the seeder use :func:`default_org`, :func:`set_daily_limit`, :func:`reset_usage`
and :func:`user_for`; ``tokens`` issues sessions and ``seed`` fills an org with records.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from . import ids, values
from .errors import SalesforceError, not_found
from .models import SalesforceOrg, SalesforceRecord, SalesforceUser
from .schema import COLUMNS, SObject, derived

DEFAULT_ORG = "Clianta Sandbox Org"
DEFAULT_USERNAME = "sandbox.user@example.com"
USAGE_PERIOD = timedelta(hours=24)


def now() -> datetime:
    return values.milliseconds(timezone.now())


def default_org() -> SalesforceOrg:
    """The sandbox's org (made on first use), which the consent page connects people to."""
    org = SalesforceOrg.objects.filter(name=DEFAULT_ORG).order_by("id").first()
    if org is None:
        org = SalesforceOrg.objects.create(
            org_id=ids.random_id(ids.ORG), name=DEFAULT_ORG, usage_since=timezone.now()
        )
    return org


def user_for(org: SalesforceOrg, username: str = DEFAULT_USERNAME) -> SalesforceUser:
    """The org's user with that username (an email), made if need be."""
    username = username.strip().lower()
    user = SalesforceUser.objects.filter(username=username).first()
    if user is not None:
        if user.org_id != org.pk:
            raise ValueError(f"{username} is a user of another org")
        return user
    local = username.split("@")[0].replace(".", " ").replace("_", " ").title().split()
    first, last = (local[0], " ".join(local[1:])) if len(local) > 1 else ("", local[0])
    try:
        with transaction.atomic():
            return SalesforceUser.objects.create(
                org=org,
                user_id=ids.random_id(ids.USER),
                username=username,
                email=username,
                first_name=first[:40],
                last_name=(last or "User")[:80],
            )
    except IntegrityError:  # made meanwhile by another request
        return user_for(org, username)


def take_sequences(org: SalesforceOrg, count: int) -> int:
    """Reserve ``count`` record sequence numbers of the org; returns the first."""
    with transaction.atomic():
        SalesforceOrg.objects.filter(pk=org.pk).update(next_sequence=F("next_sequence") + count)
        after = SalesforceOrg.objects.values_list("next_sequence", flat=True).get(pk=org.pk)
    return after - count


# --- Records -----------------------------------------------------------------------------------


def live(org: SalesforceOrg, sobject: SObject, *, deleted: bool = False):
    """The org's records of ``sobject``; with ``deleted``, also those still in the Recycle
    Bin (records deleted longer ago than the org keeps them are gone, as after a purge)."""
    rows = SalesforceRecord.objects.filter(org=org, sobject=sobject.name)
    if deleted:
        return rows.filter(Q(deleted_at__isnull=True) | Q(deleted_at__gte=purged_before(org)))
    return rows.filter(deleted_at__isnull=True)


def purged_before(org: SalesforceOrg) -> datetime:
    return timezone.now() - timedelta(days=org.deleted_retention_days)


def find(org: SalesforceOrg, sobject: SObject, value: str) -> SalesforceRecord:
    """The org's record of ``sobject`` with that id (15 or 18 characters), deleted or not;
    404 NOT_FOUND otherwise. An id that is no id at all reads as an external id, as there."""
    base = ids.base_of(value)
    if base is None:
        raise SalesforceError(
            404,
            "NOT_FOUND",
            f"Provided external ID field does not exist or is not accessible: {value[:80]}",
        )
    record = SalesforceRecord.objects.filter(
        org=org, sobject=sobject.name, record_id=ids.full(base)
    ).first()
    if record is None or (record.deleted_at and record.deleted_at < purged_before(org)):
        raise not_found()
    return record


def value_of(record: SalesforceRecord, sobject: SObject, name: str):
    """A field's value as stored (datetimes as datetimes); ``name`` is canonical."""
    if name == "Id":
        return record.record_id
    if name == "IsDeleted":
        return record.deleted_at is not None
    if name in COLUMNS:
        return getattr(record, COLUMNS[name])
    if name in record.values:
        return record.values[name]
    return derived(sobject, record.values).get(name)


def rest_value(record: SalesforceRecord, sobject: SObject, name: str):
    value = value_of(record, sobject, name)
    return values.rest_datetime(value) if isinstance(value, datetime) else value


def attributes(sobject: SObject, record_id: str, version: str) -> dict:
    return {
        "type": sobject.name,
        "url": f"/services/data/v{version}/sobjects/{sobject.name}/{record_id}",
    }


def as_rest(record: SalesforceRecord, sobject: SObject, names: list[str], version: str) -> dict:
    """The record as the REST API answers it: ``attributes``, then the fields asked for."""
    answer = {"attributes": attributes(sobject, record.record_id, version)}
    for name in names:
        answer[name] = rest_value(record, sobject, name)
    return answer


# --- The daily API request allocation ----------------------------------------------------------


def count_request(org: SalesforceOrg) -> tuple[int, int, bool]:
    """Count one API request against the org's daily allocation: ``(used, limit, allowed)``.
    A request past the limit is refused and not counted. The count starts again 24 hours
    after its period began.
    https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_api.htm
    """
    with transaction.atomic():
        locked = SalesforceOrg.objects.select_for_update().get(pk=org.pk)
        moment = timezone.now()
        if moment - locked.usage_since >= USAGE_PERIOD:
            locked.api_used, locked.usage_since = 0, moment
        allowed = locked.api_used < locked.daily_api_limit
        if allowed:
            locked.api_used += 1
        locked.save(update_fields=["api_used", "usage_since"])
    return locked.api_used, locked.daily_api_limit, allowed


def set_daily_limit(org: SalesforceOrg, limit: int) -> None:
    SalesforceOrg.objects.filter(pk=org.pk).update(daily_api_limit=limit)


def reset_usage(org: SalesforceOrg) -> None:
    """Start a new 24-hour period with nothing used, as when the day's period ends."""
    SalesforceOrg.objects.filter(pk=org.pk).update(api_used=0, usage_since=timezone.now())
