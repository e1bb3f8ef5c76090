"""A SOQL parser for the subset the stand-in runs: one object, parent fields, filters, order, pages.

The parser knows nothing of objects and fields; :mod:`standins.salesforce.data.querying` checks the
names against the schema. It reports errors the way Salesforce does: ``unexpected token: 'X'``
with the position of the token, so that the message can show the query with a caret under it.

Grammar (keywords in any letter case)::

    query     = SELECT items FROM name [alias] [WHERE or] [WITH SECURITY_ENFORCED]
                [ORDER BY order {, order}] [LIMIT int] [OFFSET int] [FOR VIEW | FOR REFERENCE]
    items     = COUNT() | path {, path}
    or        = and {OR and}           -- AND and OR may not be mixed without parentheses
    and       = not {AND not}
    not       = NOT not | ( or ) | path op value | path [NOT] IN ( value {, value} )
                | path LIKE string
    value     = string | number | TRUE | FALSE | NULL | date | datetime | DATE_LITERAL[:n]
    order     = path [ASC | DESC] [NULLS FIRST | NULLS LAST]
"""

import re
from dataclasses import dataclass
from decimal import Decimal

# Parts of SOQL that Salesforce supports and the stand-in does not: named in the error so a
# developer knows it is the stand-in, not their query, that falls short.
_UNSUPPORTED_CLAUSES = {
    "GROUP": "GROUP BY",
    "HAVING": "HAVING",
    "TYPEOF": "TYPEOF",
    "USING": "USING SCOPE",
    "UPDATE": "UPDATE TRACKING",
    "INCLUDES": "INCLUDES",
    "EXCLUDES": "EXCLUDES",
}
_AGGREGATES = frozenset(
    {"COUNT", "COUNT_DISTINCT", "SUM", "AVG", "MIN", "MAX", "FIELDS", "TOLABEL", "FORMAT"}
)
_KEYWORDS = frozenset(
    {
        "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER", "BY", "ASC", "DESC",
        "NULLS", "FIRST", "LAST", "LIMIT", "OFFSET", "TRUE", "FALSE", "NULL", "WITH", "FOR",
        "GROUP", "HAVING", "USING", "INCLUDES", "EXCLUDES", "TYPEOF", "UPDATE", "VIEW",
        "REFERENCE", "ALL", "ROWS",
    }
)  # fmt: skip
_OPERATORS = frozenset({"=", "!=", "<>", "<", "<=", ">", ">="})

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
    |(?P<string>'(?:[^'\\]|\\.)*')
    |(?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2}))
    |(?P<date>\d{4}-\d{2}-\d{2})(?![\w:])
    |(?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+))(?![\w])
    |(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
    |(?P<operator><=|>=|!=|<>|=|<|>)
    |(?P<punctuation>[(),:])
    |(?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_STRING_ESCAPES = {
    "'": "'", '"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f",
}  # fmt: skip


class SoqlSyntaxError(Exception):
    """The query cannot be parsed; ``position`` is the offset of the offending token."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    position: int

    @property
    def upper(self) -> str:
        return self.text.upper()

    def is_keyword(self, *words: str) -> bool:
        return self.kind == "name" and self.upper in words


@dataclass(frozen=True)
class Path:
    """A field reference as written: ``Name``, ``Account__r.Name``, ``Owner.Name``."""

    parts: tuple[str, ...]
    position: int

    @property
    def text(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class Literal:
    """A value in a filter.

    ``kind`` is one of string, number, boolean, null, date, datetime, date_literal. For strings
    ``raw`` keeps the text between the quotes with its escapes (LIKE needs them); for date
    literals ``value`` is the name and ``amount`` the ``:n`` part.
    """

    kind: str
    value: object
    position: int
    raw: str = ""
    amount: int | None = None


@dataclass(frozen=True)
class Comparison:
    path: Path
    operator: str  # = != < <= > >= LIKE IN NOT IN
    value: Literal | tuple[Literal, ...]
    position: int


@dataclass(frozen=True)
class Not:
    operand: "Condition"


@dataclass(frozen=True)
class Junction:
    operator: str  # AND or OR
    operands: tuple["Condition", ...]


Condition = Comparison | Not | Junction


@dataclass(frozen=True)
class Ordering:
    path: Path
    descending: bool
    nulls_last: bool | None  # None: Salesforce's default (first when ascending)


@dataclass(frozen=True)
class Query:
    text: str
    count_only: bool
    fields: tuple[Path, ...]
    sobject: str
    sobject_position: int
    alias: str | None
    where: Condition | None
    order_by: tuple[Ordering, ...]
    limit: int | None
    offset: int | None
    limit_position: int = 0
    offset_position: int = 0


def _tokens(text: str) -> list[Token]:
    tokens = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind == "space":
            continue
        if kind == "other" and match.group() == "'":
            raise SoqlSyntaxError("Unterminated string literal", match.start())
        tokens.append(Token(kind, match.group(), match.start()))
    tokens.append(Token("end", "", len(text)))
    return tokens


def _unescape(raw: str, position: int) -> str:
    result = []
    index = 0
    while index < len(raw):
        char = raw[index]
        if char != "\\":
            result.append(char)
            index += 1
            continue
        escaped = raw[index + 1 : index + 2]
        if escaped in _STRING_ESCAPES:
            result.append(_STRING_ESCAPES[escaped])
        elif escaped in {"%", "_"}:
            # LIKE's own escapes, kept for the LIKE translation.
            result.append("\\" + escaped)
        else:
            raise SoqlSyntaxError(
                f"Invalid string literal '{raw}'. Illegal character sequence '\\{escaped}' in "
                "string literal.",
                position,
            )
        index += 2
    return "".join(result)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.index = 0

    # Token helpers ---------------------------------------------------------------------------

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.current
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def unexpected(self, token: Token | None = None) -> SoqlSyntaxError:
        token = token or self.current
        if token.kind == "end":
            return SoqlSyntaxError("unexpected token: <EOF>", token.position)
        if token.is_keyword(*_UNSUPPORTED_CLAUSES):
            return SoqlSyntaxError(
                f"{_UNSUPPORTED_CLAUSES[token.upper]} is not supported by the local Salesforce",
                token.position,
            )
        return SoqlSyntaxError(f"unexpected token: '{token.text}'", token.position)

    def expect_keyword(self, *words: str) -> Token:
        if not self.current.is_keyword(*words):
            raise self.unexpected()
        return self.advance()

    def expect(self, text: str) -> Token:
        if self.current.text != text:
            raise self.unexpected()
        return self.advance()

    # Grammar ---------------------------------------------------------------------------------

    def query(self) -> Query:
        self.expect_keyword("SELECT")
        count_only, fields = self.select_items()
        self.expect_keyword("FROM")
        sobject = self.current
        if sobject.kind != "name" or "." in sobject.text or sobject.upper in _KEYWORDS:
            raise self.unexpected()
        self.advance()
        alias = None
        if self.current.kind == "name" and self.current.upper not in _KEYWORDS:
            alias = self.advance().text
        where = None
        if self.current.is_keyword("WHERE"):
            self.advance()
            where = self.condition()
        if self.current.is_keyword("WITH"):
            self.advance()
            if not self.current.is_keyword("SECURITY_ENFORCED"):
                raise SoqlSyntaxError(
                    f"WITH {self.current.text} is not supported by the local Salesforce",
                    self.current.position,
                )
            self.advance()
        order_by: list[Ordering] = []
        if self.current.is_keyword("ORDER"):
            self.advance()
            self.expect_keyword("BY")
            order_by.append(self.ordering())
            while self.current.text == ",":
                self.advance()
                order_by.append(self.ordering())
        limit = offset = None
        limit_position = offset_position = 0
        if self.current.is_keyword("LIMIT"):
            limit_position = self.advance().position
            limit = self.integer()
        if self.current.is_keyword("OFFSET"):
            offset_position = self.advance().position
            offset = self.integer()
        if self.current.is_keyword("FOR"):
            self.advance()
            self.expect_keyword("VIEW", "REFERENCE")
        if self.current.kind != "end":
            raise self.unexpected()
        return Query(
            text=self.text,
            count_only=count_only,
            fields=tuple(fields),
            sobject=sobject.text,
            sobject_position=sobject.position,
            alias=alias,
            where=where,
            order_by=tuple(order_by),
            limit=limit,
            offset=offset,
            limit_position=limit_position,
            offset_position=offset_position,
        )

    def select_items(self) -> tuple[bool, list[Path]]:
        if self.current.is_keyword("COUNT") and self.peek().text == "(":
            if self.peek(2).text != ")":
                raise SoqlSyntaxError(
                    "Aggregate functions are not supported by the local Salesforce",
                    self.current.position,
                )
            self.index += 3
            return True, []
        fields = [self.select_item()]
        while self.current.text == ",":
            self.advance()
            fields.append(self.select_item())
        return False, fields

    def select_item(self) -> Path:
        token = self.current
        if token.text == "(":
            raise SoqlSyntaxError(
                "Relationship subqueries are not supported by the local Salesforce",
                token.position,
            )
        if token.kind == "name" and token.upper in _AGGREGATES and self.peek().text == "(":
            raise SoqlSyntaxError(
                f"{token.upper}() is not supported by the local Salesforce", token.position
            )
        return self.path()

    def path(self) -> Path:
        token = self.current
        if token.kind != "name" or token.upper in _KEYWORDS:
            raise self.unexpected()
        self.advance()
        return Path(tuple(token.text.split(".")), token.position)

    def condition(self) -> Condition:
        first = self.conjunct()
        if not self.current.is_keyword("AND", "OR"):
            return first
        operator = self.current.upper
        operands = [first]
        while self.current.is_keyword("AND", "OR"):
            if self.current.upper != operator:
                # SOQL makes the reader spell out precedence.
                raise self.unexpected()
            self.advance()
            operands.append(self.conjunct())
        return Junction(operator, tuple(operands))

    def conjunct(self) -> Condition:
        if self.current.is_keyword("NOT"):
            self.advance()
            return Not(self.conjunct())
        if self.current.text == "(":
            self.advance()
            inner = self.condition()
            self.expect(")")
            return inner
        return self.comparison()

    def comparison(self) -> Comparison:
        if self.current.kind == "name" and self.peek().text == "(":
            raise SoqlSyntaxError(
                f"{self.current.text}() in a filter is not supported by the local Salesforce",
                self.current.position,
            )
        path = self.path()
        token = self.current
        if token.kind == "operator":
            self.advance()
            operator = "!=" if token.text == "<>" else token.text
            return Comparison(path, operator, self.value(), token.position)
        if token.is_keyword("LIKE"):
            self.advance()
            value = self.value()
            return Comparison(path, "LIKE", value, token.position)
        if token.is_keyword("NOT") and self.peek().is_keyword("IN"):
            self.advance()
            self.advance()
            return Comparison(path, "NOT IN", self.value_list(), token.position)
        if token.is_keyword("IN"):
            self.advance()
            return Comparison(path, "IN", self.value_list(), token.position)
        raise self.unexpected()

    def value_list(self) -> tuple[Literal, ...]:
        self.expect("(")
        if self.current.is_keyword("SELECT"):
            raise SoqlSyntaxError(
                "Semi-join subqueries are not supported by the local Salesforce",
                self.current.position,
            )
        values = [self.value()]
        while self.current.text == ",":
            self.advance()
            values.append(self.value())
        self.expect(")")
        return tuple(values)

    def value(self) -> Literal:
        token = self.advance()
        if token.kind == "string":
            raw = token.text[1:-1]
            return Literal("string", _unescape(raw, token.position), token.position, raw=raw)
        if token.kind == "number":
            return Literal("number", Decimal(token.text), token.position)
        if token.kind == "date":
            return Literal("date", token.text, token.position)
        if token.kind == "datetime":
            return Literal("datetime", token.text, token.position)
        if token.is_keyword("TRUE", "FALSE"):
            return Literal("boolean", token.upper == "TRUE", token.position)
        if token.is_keyword("NULL"):
            return Literal("null", None, token.position)
        if token.kind == "name" and "." not in token.text and token.upper not in _KEYWORDS:
            amount = None
            if self.current.text == ":":
                self.advance()
                number = self.advance()
                if number.kind != "number" or not number.text.isdigit():
                    raise self.unexpected(number)
                amount = int(number.text)
            return Literal("date_literal", token.upper, token.position, amount=amount)
        if token.kind == "punctuation" and token.text == ":":
            raise SoqlSyntaxError("Bind variables are only supported in Apex code", token.position)
        raise self.unexpected(token)

    def integer(self) -> int:
        token = self.advance()
        if token.kind != "number" or not token.text.isdigit():
            raise self.unexpected(token)
        return int(token.text)

    def ordering(self) -> Ordering:
        path = self.path()
        descending = False
        if self.current.is_keyword("ASC", "DESC"):
            descending = self.advance().upper == "DESC"
        nulls_last = None
        if self.current.is_keyword("NULLS"):
            self.advance()
            nulls_last = self.expect_keyword("FIRST", "LAST").upper == "LAST"
        return Ordering(path, descending, nulls_last)


def parse(text: str) -> Query:
    """Parse a SOQL query; raises :class:`SoqlSyntaxError` with the offending position."""
    return _Parser(text).query()
