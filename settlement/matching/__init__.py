"""The matching engine: which open items (invoices, bills) a bank statement item pays.

Pure domain code: it imports no Django, Celery or network client, takes and returns frozen
dataclasses, reads no clock and gives the same answer for the same input.

    from settlement import matching

    result = matching.match_items(statement_items, open_items, configuration)
    document = matching.render_match_result(result)
"""

from settlement.matching.configuration import InvalidConfiguration, MatchingConfiguration, Template
from settlement.matching.engine import match_items
from settlement.matching.jsonio import (
    MatchRequest,
    match_json,
    parse_match_request,
    parse_match_result,
    render_match_request,
    render_match_result,
)
from settlement.matching.model import (
    Allocation,
    Alternative,
    Band,
    Criterion,
    Evidence,
    InputProblem,
    InvalidMatchingInput,
    MatchingError,
    MatchResult,
    MatchStatistics,
    OpenItem,
    Reversal,
    Span,
    StatementItem,
    Suggestion,
)

__all__ = [
    "Allocation",
    "Alternative",
    "Band",
    "Criterion",
    "Evidence",
    "InputProblem",
    "InvalidConfiguration",
    "InvalidMatchingInput",
    "MatchRequest",
    "MatchResult",
    "MatchStatistics",
    "MatchingConfiguration",
    "MatchingError",
    "OpenItem",
    "Reversal",
    "Span",
    "StatementItem",
    "Suggestion",
    "Template",
    "match_items",
    "match_json",
    "parse_match_request",
    "parse_match_result",
    "render_match_request",
    "render_match_result",
]
