"""Running a query plan over an org's records: the primary keys of the records it selects, in
its order (or how many there are, for COUNT()).

What the database can answer it answers: conditions and orderings on the record's columns (Id,
CreatedDate, LastModifiedDate, SystemModstamp, IsDeleted) become SQL, so the usual sync query
(``WHERE SystemModstamp > … OR (SystemModstamp = … AND Id > …) ORDER BY SystemModstamp, Id``)
runs on an index however large the org. Conditions and orderings on other fields are evaluated
here on the rows the SQL part leaves. Ties are broken by Id, so pages are stable.
"""

from __future__ import annotations

from django.db.models import F, Q

from . import ids, store, values
from .models import SalesforceOrg, SalesforceRecord
from .query_plan import Plan, Test, matches, sort
from .schema import COLUMNS, Field, SObject
from .soql import Junction, Negation

EVERYTHING, NOTHING = Q(pk__isnull=False), Q(pk__isnull=True)
LOOKUPS = {"<": "lt", "<=": "lte", ">": "gt", ">=": "gte"}


def _id_q(sobject: SObject, op: str, wanted) -> Q:
    """A test of Id as SQL on the sequence number its ids are made of (see ``ids``)."""
    if op in ("in", "not in"):
        sequences = [ids.sequence_of(base, sobject.key_prefix) for base in wanted if base]
        q = Q(sequence__in=[number for number in sequences if number is not None])
        return ~q if op == "not in" else q
    if wanted is None:
        return NOTHING if op != "!=" else EVERYTHING
    number = ids.sequence_of(wanted, sobject.key_prefix)
    if number is None:
        # Another object's id: every id of ours sorts on one side of it.
        ours_above = wanted[:5] < sobject.key_prefix + ids.INSTANCE
        answer = {"=": False, "!=": True, "<": not ours_above, "<=": not ours_above}
        return EVERYTHING if answer.get(op, ours_above) else NOTHING
    if op == "=":
        return Q(sequence=number)
    if op == "!=":
        return ~Q(sequence=number)
    return Q(**{f"sequence__{LOOKUPS[op]}": number})


def _column_q(column: str, op: str, wanted) -> Q:
    if op in ("in", "not in"):
        q = Q(**{f"{column}__in": [value for value in wanted if value is not None]})
        return ~q if op == "not in" else q
    if wanted is None:  # these columns are never null
        return NOTHING if op != "!=" else EVERYTHING
    if op == "=":
        return Q(**{column: wanted})
    if op == "!=":
        return ~Q(**{column: wanted})
    return Q(**{f"{column}__{LOOKUPS[op]}": wanted})


def _deleted_q(op: str, wanted) -> Q:
    if op in ("in", "not in"):
        q = Q(pk__isnull=True)
        for value in wanted:
            if value is not None:
                q |= Q(deleted_at__isnull=not value)
        return ~q if op == "not in" else q
    if wanted is None:
        return NOTHING if op == "=" else EVERYTHING
    q = Q(deleted_at__isnull=not wanted)
    return q if op == "=" else ~q


def as_sql(node, sobject: SObject) -> Q | None:
    """``node`` as a filter on the record columns; None when it reads other fields."""
    if isinstance(node, Junction):
        parts = [as_sql(part, sobject) for part in node.parts]
        if any(part is None for part in parts):
            return None
        combined = parts[0]
        for part in parts[1:]:
            combined = combined & part if node.op == "AND" else combined | part
        return combined
    if isinstance(node, Negation):
        inner = as_sql(node.part, sobject)
        return None if inner is None else ~inner
    if not isinstance(node, Test) or node.op == "like":
        return None
    if node.field.name == "Id":
        return _id_q(sobject, node.op, node.value)
    if node.field.name == "IsDeleted":
        return _deleted_q(node.op, node.value)
    if node.field.name in COLUMNS:
        return _column_q(COLUMNS[node.field.name], node.op, node.value)
    return None


def _split(plan: Plan) -> tuple[Q, object | None]:
    """The WHERE clause as (SQL filter, what is left to test here)."""
    if plan.where is None:
        return EVERYTHING, None
    whole = as_sql(plan.where, plan.sobject)
    if whole is not None:
        return whole, None
    if isinstance(plan.where, Junction) and plan.where.op == "AND":
        sql, rest = EVERYTHING, []
        for part in plan.where.parts:
            q = as_sql(part, plan.sobject)
            if q is None:
                rest.append(part)
            else:
                sql &= q
        return sql, Junction("AND", rest)
    return EVERYTHING, plan.where


def _sql_order(order: list[tuple[Field, bool, bool]]) -> list | None:
    """The ORDER BY as database ordering, ending with Id; None when it sorts other fields."""
    ordering = []
    for field, descending, _nulls_last in order:
        if field.name not in COLUMNS:
            return None
        column = F(COLUMNS[field.name])
        ordering.append(column.desc() if descending else column.asc())
    return [*ordering, "sequence"]


def _reader(sobject: SObject):
    def read(record: SalesforceRecord, field: Field):
        return values.comparable(field, store.value_of(record, sobject, field.name))

    return read


def _fields_read(node) -> set[str]:
    if isinstance(node, Junction):
        return set().union(*(_fields_read(part) for part in node.parts))
    if isinstance(node, Negation):
        return _fields_read(node.part)
    return {node.field.name} if isinstance(node, Test) else set()


def _columns(rest, order) -> list[str]:
    """The record's columns the evaluation reads: the rest stay in the database (loading
    50,000 rows' dates costs more than testing them)."""
    names = _fields_read(rest) | {field.name for field, _, _ in order}
    columns = {"values", *(COLUMNS[name] for name in names if name in COLUMNS)}
    columns |= {"record_id"} if "Id" in names else set()
    columns |= {"deleted_at"} if "IsDeleted" in names else set()
    return sorted(columns)


def keys(org: SalesforceOrg, plan: Plan, *, deleted: bool) -> list[int]:
    """The primary keys of the records the query selects, in its order, up to its LIMIT."""
    sql, rest = _split(plan)
    rows = store.live(org, plan.sobject, deleted=deleted).filter(sql)
    ordering = _sql_order(plan.order)
    if rest is None and ordering is not None:
        return list(rows.order_by(*ordering).values_list("pk", flat=True)[: plan.limit])
    read = _reader(plan.sobject)
    rows = rows.only(*_columns(rest, plan.order))
    if ordering is not None:  # test in the database's order, up to the limit
        found = []
        for record in rows.order_by(*ordering).iterator(chunk_size=2000):
            if matches(rest, lambda field, record=record: read(record, field)):
                found.append(record.pk)
                if plan.limit is not None and len(found) >= plan.limit:
                    break
        return found
    candidates = list(rows.order_by("sequence"))
    if rest is not None:
        candidates = [
            record
            for record in candidates
            if matches(rest, lambda field, record=record: read(record, field))
        ]
    ordered = sort(candidates, plan.order, read)
    return [record.pk for record in ordered[: plan.limit]]


def count(org: SalesforceOrg, plan: Plan, *, deleted: bool) -> int:
    """How many records the query selects (SELECT COUNT()), up to its LIMIT."""
    sql, rest = _split(plan)
    if rest is None:
        total = store.live(org, plan.sobject, deleted=deleted).filter(sql).count()
        return total if plan.limit is None else min(total, plan.limit)
    return len(keys(org, plan, deleted=deleted))
