"""The validator's rules: one module per rule, each with its ``ID``, a docstring that is its
documentation (with a passing and a failing example) and a ``check(ctx)`` generator that
yields findings. :data:`RULES` is the explicit registry, in the order rules run.

Cell-level problems (types, formats, ranges, required fields) are found by the schemas
(:mod:`evalbook.schemas`) before the rules run.
"""

from __future__ import annotations

from evalbook.checks import (
    balance,
    dates,
    framework_meta,
    framework_notes,
    judged_scores,
    problems,
    row_sums,
    score_cells,
    staffing,
    structure,
    summary_rows,
    targets,
    totals,
)
from evalbook.checks.base import Context, Rule

RULES: dict[str, Rule] = {
    m.ID: m
    for m in (
        structure, framework_meta, framework_notes, row_sums, summary_rows, balance, staffing,
        dates, targets, problems, score_cells, judged_scores, totals,
    )
}

__all__ = ["RULES", "Context", "Rule"]
