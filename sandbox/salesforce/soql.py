"""The SOQL the sandbox understands, parsed into a tree (syntax only; ``query_plan`` gives the
names their meaning).

    SELECT field, … | COUNT() FROM Object
    [WHERE condition] [ORDER BY field [ASC|DESC] [NULLS FIRST|LAST], …] [LIMIT n]

Conditions: ``=  !=  <>  <  <=  >  >=``, ``[NOT] IN (…)``, ``LIKE``, joined by AND / OR / NOT
and parentheses (AND and OR cannot be mixed without parentheses, as in SOQL). Literals:
'strings' with backslash escapes, numbers, true/false, null, dates (2024-01-31) and datetimes
(2024-01-31T10:00:00Z, …+01:00, with or without milliseconds).
https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select.htm

Errors are Salesforce's: MALFORMED_QUERY with the place (``ERROR at Row:1:Column:29``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from .errors import malformed_query

MAX_LENGTH = 100_000  # characters in a SOQL statement
MAX_DEPTH = 100  # nested conditions; a limit of the sandbox's own
TOKEN = re.compile(
    r"""(?P<space>\s+)
    |(?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2}))
    |(?P<date>\d{4}-\d{2}-\d{2})(?![\dT])
    |(?P<number>-?\d+(?:\.\d+)?)(?![\w.])
    |(?P<name>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)
    |(?P<string>')
    |(?P<op><>|!=|<=|>=|=|<|>)
    |(?P<punct>[(),])""",
    re.VERBOSE,
)
ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
COMPARISONS = ("=", "!=", "<>", "<", "<=", ">", ">=")


@dataclass
class Token:
    kind: str
    text: str
    pos: int
    value: object = None
    pattern: str = ""  # a string's LIKE pattern, as a regular expression

    def word(self) -> str:
        return self.text.upper() if self.kind == "name" else ""


@dataclass
class Literal:
    kind: str  # string, number, date, datetime, boolean, null
    value: object
    pos: int
    pattern: str = ""


@dataclass
class Comparison:
    field: str
    pos: int
    op: str  # a comparison, "in", "not in" or "like"
    value: Literal | list[Literal]


@dataclass
class Junction:
    op: str  # AND, OR
    parts: list


@dataclass
class Negation:
    part: object


@dataclass
class Order:
    field: str
    pos: int
    descending: bool
    nulls_last: bool


@dataclass
class Query:
    fields: list[tuple[str, int]]
    count: bool
    sobject: str
    sobject_pos: int
    where: object | None
    order: list[Order]
    limit: int | None


def error_at(text: str, pos: int, message: str):
    """Salesforce's query error message: the line, a caret under the place, its row and
    column, then what is wrong."""
    row = text.count("\n", 0, pos) + 1
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line = text[start : end if end >= 0 else len(text)]
    column = pos - start + 1
    shown = f"\n{line}\n{' ' * (column - 1)}^\n" if len(line) <= 1000 else "\n"
    return f"{shown}ERROR at Row:{row}:Column:{column}\n{message}"


def tokens(text: str) -> list[Token]:
    found, pos = [], 0
    while pos < len(text):
        match = TOKEN.match(text, pos)
        if match is None:
            message = f"no viable alternative at character '{text[pos]}'"
            raise malformed_query(error_at(text, pos, message))
        kind = match.lastgroup
        if kind == "string":
            token, pos = _string(text, pos)
            found.append(token)
            continue
        if kind != "space":
            found.append(_literal_token(text, kind, match.group(), pos))
        pos = match.end()
    found.append(Token("end", "<EOF>", len(text)))
    return found


def _literal_token(text: str, kind: str, raw: str, pos: int) -> Token:
    token = Token(kind, raw, pos)
    try:
        if kind == "datetime":
            token.value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        elif kind == "date":
            token.value = date.fromisoformat(raw)
    except ValueError:
        raise malformed_query(error_at(text, pos, f"invalid date: {raw}")) from None
    if kind == "number":
        token.value = Decimal(raw)
    return token


def _string(text: str, start: int) -> tuple[Token, int]:
    """A quoted string from ``start``: its value, and its LIKE pattern (``%`` and ``_`` are
    wildcards unless escaped)."""
    value, pattern, pos = [], [], start + 1
    while pos < len(text):
        char = text[pos]
        if char == "'":
            token = Token("string", text[start : pos + 1], start, "".join(value))
            token.pattern = "".join(pattern)
            return token, pos + 1
        if char == "\\":
            escaped = text[pos + 1 : pos + 2]
            if escaped in ("%", "_"):
                value.append(escaped)
                pattern.append(re.escape(escaped))
            elif escaped in ESCAPES:
                value.append(ESCAPES[escaped])
                pattern.append(re.escape(ESCAPES[escaped]))
            else:
                message = "Invalid string literal: Illegal escape sequence"
                raise malformed_query(error_at(text, pos, message))
            pos += 2
            continue
        value.append(char)
        pattern.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
        pos += 1
    raise malformed_query(error_at(text, start, "unterminated string literal"))


class Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokens(text)
        self.at = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.at]

    def fail(self, token: Token | None = None):
        token = token or self.token
        shown = token.text if len(token.text) <= 80 else token.text[:80] + "…"
        raise malformed_query(error_at(self.text, token.pos, f"unexpected token: {shown}"))

    def take(self) -> Token:
        token = self.token
        self.at += 1
        return token

    def keyword(self, *words: str) -> bool:
        """Take the next token if it is one of these keywords."""
        if self.token.word() in words:
            self.at += 1
            return True
        return False

    def expect(self, *words: str) -> None:
        if not self.keyword(*words):
            self.fail()

    def punct(self, char: str) -> bool:
        if self.token.kind == "punct" and self.token.text == char:
            self.at += 1
            return True
        return False

    def name(self) -> Token:
        if self.token.kind != "name":
            self.fail()
        return self.take()

    # --- The statement ------------------------------------------------------------------------

    def query(self) -> Query:
        self.expect("SELECT")
        fields, count = self.select_list()
        self.expect("FROM")
        sobject = self.name()
        where = order = limit = None
        if self.keyword("WHERE"):
            where = self.condition(0)
        if self.keyword("ORDER"):
            self.expect("BY")
            order = self.order_list()
        if self.keyword("LIMIT"):
            if self.token.kind != "number" or not self.token.text.isdigit():
                self.fail()
            limit = int(self.take().text)
        if self.token.kind != "end":
            self.fail()
        return Query(fields, count, sobject.text, sobject.pos, where, order or [], limit)

    def select_list(self) -> tuple[list[tuple[str, int]], bool]:
        fields, count = [], False
        while True:
            if self.token.word() == "COUNT" and self.tokens[self.at + 1].text == "(":
                start = self.take()
                self.punct("(")
                if not self.punct(")"):
                    self.fail()  # COUNT(field) is an aggregate query: not in the sandbox
                if count or fields:
                    self.fail(start)
                count = True
            else:
                if count:
                    self.fail()
                field = self.name()
                fields.append((field.text, field.pos))
            if not self.punct(","):
                return fields, count

    def order_list(self) -> list[Order]:
        order = []
        while True:
            field = self.name()
            descending = self.keyword("ASC", "DESC") and self.tokens[self.at - 1].word() == "DESC"
            nulls_last = False
            if self.keyword("NULLS"):
                self.expect("FIRST", "LAST")
                nulls_last = self.tokens[self.at - 1].word() == "LAST"
            order.append(Order(field.text, field.pos, descending, nulls_last))
            if not self.punct(","):
                return order

    # --- Conditions ---------------------------------------------------------------------------

    def condition(self, depth: int):
        """Parts joined by one of AND / OR; mixing them needs parentheses."""
        parts, joiner = [self.unary(depth)], None
        while self.token.word() in ("AND", "OR"):
            if joiner not in (None, self.token.word()):
                self.fail()
            joiner = self.take().word()
            parts.append(self.unary(depth))
        return Junction(joiner, parts) if joiner else parts[0]

    def unary(self, depth: int):
        if depth > MAX_DEPTH:
            message = f"conditions nested deeper than {MAX_DEPTH} levels"
            raise malformed_query(error_at(self.text, self.token.pos, message))
        if self.keyword("NOT"):
            return Negation(self.unary(depth + 1))
        if self.punct("("):
            inner = self.condition(depth + 1)
            if not self.punct(")"):
                self.fail()
            return inner
        return self.comparison()

    def comparison(self) -> Comparison:
        field = self.name()
        if self.token.kind == "op":
            op = self.take().text
            return Comparison(field.text, field.pos, "!=" if op == "<>" else op, self.literal())
        if self.keyword("LIKE"):
            value = self.literal()
            if value.kind != "string":
                self.fail(self.tokens[self.at - 1])
            return Comparison(field.text, field.pos, "like", value)
        negated = self.keyword("NOT")
        self.expect("IN")
        if not self.punct("("):
            self.fail()
        values = [self.literal()]
        while self.punct(","):
            values.append(self.literal())
        if not self.punct(")"):
            self.fail()
        return Comparison(field.text, field.pos, "not in" if negated else "in", values)

    def literal(self) -> Literal:
        token = self.token
        if token.kind in ("string", "number", "date", "datetime"):
            self.at += 1
            return Literal(token.kind, token.value, token.pos, token.pattern)
        if self.keyword("TRUE", "FALSE"):
            return Literal("boolean", token.word() == "TRUE", token.pos)
        if self.keyword("NULL"):
            return Literal("null", None, token.pos)
        self.fail()


def parse(text: str) -> Query:
    """The query's tree; raises SalesforceError (MALFORMED_QUERY) for what SOQL refuses."""
    if len(text) > MAX_LENGTH:
        raise malformed_query(
            f"SOQL statements cannot be longer than {MAX_LENGTH} characters: this one has "
            f"{len(text)}."
        )
    if not text.strip():
        raise malformed_query(error_at(text, 0, "unexpected token: <EOF>"))
    return Parser(text).query()
