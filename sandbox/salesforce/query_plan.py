"""A parsed query given its meaning: the object and fields it names (INVALID_TYPE,
INVALID_FIELD), its literals checked against the fields' types, and its conditions made into
tests of a record's values.

Salesforce's semantics: text compares case-insensitively; ids by their 15 case-sensitive
characters (either form may be written); a field that is null equals only null, so ``!=`` and
``NOT IN`` match it and ``<``/``>`` do not. Nulls sort first unless NULLS LAST says otherwise.
https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_comparisonoperators.htm
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import ids, schema, soql
from .errors import SalesforceError
from .schema import ID_TYPES, NUMBER_TYPES, TEXT_TYPES, Field, SObject

NO_COLUMN = (
    "No such column '{}' on entity '{}'. If you are attempting to use a custom field, be sure to "
    "append the '__c' after the custom field name. Please reference your WSDL or the describe "
    "call for the appropriate names."
)
NO_TYPE = (
    "sObject type '{}' is not supported. If you are attempting to use a custom object, be sure "
    "to append the '__c' after the entity name. Please reference your WSDL or the describe call "
    "for the appropriate names."
)
# The type SOQL names in its message about a literal of the wrong kind.
SOQL_TYPE = {"int": "double", "currency": "double", "percent": "double", "datetime": "dateTime"}
LITERAL_KIND = {"date": "date", "datetime": "datetime", "boolean": "boolean"}


@dataclass
class Test:
    field: Field
    op: str  # = != < <= > >= in, not in, like
    value: object  # a comparable value, a list of them, or a compiled LIKE pattern


@dataclass
class Plan:
    sobject: SObject
    fields: list[str]
    count: bool
    where: object | None  # Test, soql.Junction or soql.Negation of them
    order: list[tuple[Field, bool, bool]]  # field, descending, nulls last
    limit: int | None


def plan(text: str) -> Plan:
    """The query ``text`` ready to run; raises SalesforceError as Salesforce answers it."""
    query = soql.parse(text)
    sobject = schema.sobject(query.sobject)
    if sobject is None:
        raise SalesforceError(
            400,
            "INVALID_TYPE",
            soql.error_at(text, query.sobject_pos, NO_TYPE.format(query.sobject)),
        )
    resolve = _Resolver(text, sobject)
    names = []
    for name, pos in query.fields:
        field = resolve.field(name, pos)
        if field.name in names:
            message = f"duplicate field selected: {field.name}"
            raise SalesforceError(400, "MALFORMED_QUERY", soql.error_at(text, pos, message))
        names.append(field.name)
    order = []
    for item in query.order:
        field = resolve.field(item.field, item.pos)
        if not field.filterable:
            resolve.invalid(item.pos, f"field '{field.name}' can not be sorted in a query call")
        order.append((field, item.descending, item.nulls_last))
    where = resolve.condition(query.where) if query.where is not None else None
    return Plan(sobject, names, query.count, where, order, query.limit)


class _Resolver:
    def __init__(self, text: str, sobject: SObject):
        self.text, self.sobject = text, sobject

    def invalid(self, pos: int, message: str, code: str = "INVALID_FIELD"):
        raise SalesforceError(400, code, soql.error_at(self.text, pos, message))

    def field(self, name: str, pos: int) -> Field:
        field = self.sobject.field(name)
        if field is None:
            self.invalid(pos, NO_COLUMN.format(name, self.sobject.name))
        return field

    def condition(self, node):
        if isinstance(node, soql.Junction):
            return soql.Junction(node.op, [self.condition(part) for part in node.parts])
        if isinstance(node, soql.Negation):
            return soql.Negation(self.condition(node.part))
        field = self.field(node.field, node.pos)
        if not field.filterable:
            self.invalid(node.pos, f"field '{field.name}' can not be filtered in a query call")
        if node.op == "like":
            if field.type not in TEXT_TYPES:
                self.invalid(node.pos, f"invalid operator on {_soql_type(field)} field")
            return Test(field, "like", re.compile(node.value.pattern, re.IGNORECASE | re.DOTALL))
        if node.op in ("in", "not in"):
            return Test(field, node.op, [self.value(field, literal) for literal in node.value])
        return Test(field, node.op, self.value(field, node.value))

    def value(self, field: Field, literal: soql.Literal):
        """The literal as a comparable value of the field's type (see values.comparable)."""
        if literal.kind == "null":
            return None
        if field.type in ID_TYPES:
            base = ids.base_of(literal.value) if literal.kind == "string" else None
            if base is None:
                message = f"invalid ID field: {literal.value}"
                self.invalid(literal.pos, message, "INVALID_QUERY_FILTER_OPERATOR")
            return base
        if field.type in TEXT_TYPES:
            if literal.kind != "string":
                self._wrong_literal(field, literal, quoted=True)
            return literal.value.casefold()
        wanted = "number" if field.type in NUMBER_TYPES else LITERAL_KIND[field.type]
        if literal.kind != wanted:
            self._wrong_literal(field, literal, quoted=False)
        if wanted == "number":
            return float(literal.value)
        return literal.value

    def _wrong_literal(self, field: Field, literal: soql.Literal, *, quoted: bool):
        how = "be enclosed in quotes" if quoted else "not be enclosed in quotes"
        message = (
            f"value of filter criterion for field '{field.name}' must be of type "
            f"{_soql_type(field)} and should {how}"
        )
        self.invalid(literal.pos, message)


def _soql_type(field: Field) -> str:
    if field.type in TEXT_TYPES:
        return "string"
    return SOQL_TYPE.get(field.type, field.type)


# --- Evaluating a condition on one record ------------------------------------------------------


def _compare(value, op: str, wanted) -> bool:
    if op == "=":
        return value == wanted
    if op == "!=":
        return value != wanted
    if value is None or wanted is None:
        return False
    if op == "<":
        return value < wanted
    if op == "<=":
        return value <= wanted
    if op == ">":
        return value > wanted
    return value >= wanted


def matches(node, read) -> bool:
    """Whether a record passes ``node``; ``read(field)`` gives its comparable value."""
    if isinstance(node, soql.Junction):
        parts = (matches(part, read) for part in node.parts)
        return all(parts) if node.op == "AND" else any(parts)
    if isinstance(node, soql.Negation):
        return not matches(node.part, read)
    value = read(node.field)
    if node.op == "like":
        return value is not None and node.value.fullmatch(value) is not None
    if node.op == "in":
        return value in node.value
    if node.op == "not in":
        return value not in node.value
    return _compare(value, node.op, node.value)


def sort(rows: list, order: list[tuple[Field, bool, bool]], read) -> list:
    """``rows`` in the query's order (stable: ties keep their order); ``read(row, field)``."""
    for field, descending, nulls_last in reversed(order):
        present = [row for row in rows if read(row, field) is not None]
        absent = [row for row in rows if read(row, field) is None]
        present.sort(key=lambda row, field=field: read(row, field), reverse=descending)
        rows = present + absent if nulls_last else absent + present
    return rows
