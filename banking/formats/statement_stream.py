"""Events of a statement file read as a stream.

Statement readers yield, in file order, an :class:`ItemRead` for every item, an
:class:`~banking.formats.statement.EntryError` for every entry that could not be read, and a
:class:`StatementRead` when a statement ends. A statement's items and errors come before its
``StatementRead``, which carries the header and balances (its ``items`` are left empty so that
nothing accumulates). Consumers that want everything at once use ``parse_statement_file``.
"""

from dataclasses import dataclass

from banking.formats.statement import EntryError, Statement, StatementItem


@dataclass(frozen=True, slots=True)
class ItemRead:
    """An item of the statement being read."""

    item: StatementItem


@dataclass(frozen=True, slots=True)
class StatementRead:
    """The end of a statement: its header, balances and totals, without its items."""

    statement: Statement


StatementEvent = ItemRead | StatementRead | EntryError
