"""The headless validator: a returned workbook -> cell-precise findings and the recomputed score.

Steps: read the workbook through its defined names (:mod:`evalbook.reader`); type every
input cell and validate it with the schema (:mod:`evalbook.schemas`); recompute every score
from the raw inputs with the engine; run the rules (:mod:`evalbook.checks`). A file that
cannot be read gets one file-level finding; nothing here raises on bad input.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from evalbook.checks import RULES, Context
from evalbook.checks.framework_meta import FRAMEWORK_ID, meta_value, same_framework
from evalbook.checks.structure import misshapen
from evalbook.engine import ScoreResult, scorer_for
from evalbook.findings import CATALOGUE, Finding, SeverityCounts, make
from evalbook.framework import Framework, bundled, load_framework
from evalbook.reader import WorkbookError, inputs_from_data, read_workbook
from evalbook.schemas import type_submission
from evalbook.workbook import WorkbookData, cell_text, is_blank
from evalbook.xlsxutil import parse_cell

log = logging.getLogger(__name__)


@dataclass
class FileReport(SeverityCounts):
    """The validation of one file (picklable: batch validates in a process pool).

    ``score`` is the recomputed total (None when the file could not be read, belongs to
    another framework, or an indicator could not be computed); ``readable`` is False when
    the file could not be read at all (exit status 2). ``scores`` holds each indicator's
    recomputed score by id; ``dept_name`` and ``budget_code`` are as typed (for summaries).
    """

    file: str
    ok: bool
    score: Decimal | None
    grade: str | None
    findings: list[Finding] = field(default_factory=list)
    readable: bool = True
    framework: str | None = None
    dept_name: str | None = None
    budget_code: str | None = None
    scores: dict[str, Decimal | None] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """SPEC section 5: {"file", "ok", "score", "grade", "findings"}."""
        return {"file": self.file, "ok": self.ok, "score": _number(self.score),
                "grade": self.grade, "findings": [f.to_json() for f in self.findings]}


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# ---------------------------------------------------------------- validating data


def validate_scored(data: WorkbookData, framework: Framework
                    ) -> tuple[list[Finding], ScoreResult | None]:
    """Findings and the recomputed scores of a read workbook (the 校验 macro shows both)."""
    scored = same_framework(data, framework)
    fw_if_scored = framework if scored else None
    broken = misshapen(data, fw_if_scored)
    usable = dataclasses.replace(
        data, names={k: v for k, v in data.names.items() if k not in broken})
    sub, findings = type_submission(usable, fw_if_scored)
    inputs = inputs_from_data(usable, framework)
    result = scorer_for(framework).score(inputs) if scored else None
    ctx = Context(original=data, data=usable, framework=framework, sub=sub, inputs=inputs,
                  result=result)
    for rule in RULES.values():
        if ctx.scored or not rule.NEEDS_SCORES:
            findings.extend(rule.check(ctx))
    return sort_findings(findings, data.sheets), result


def validate_data(data: WorkbookData, framework: Framework) -> list[Finding]:
    """Every finding of a read workbook, in sheet and cell order."""
    return validate_scored(data, framework)[0]


def sort_findings(findings: list[Finding], sheets: list[str]) -> list[Finding]:
    """Unique findings, file-level first, then by sheet (tab order), row, column."""
    order = {name: i for i, name in enumerate(sheets)}

    def key(f: Finding) -> tuple[int, int, int, int]:
        sheet = -1 if f.sheet is None else order.get(f.sheet, len(order))
        try:
            row, col = parse_cell(f.cell) if f.cell else (0, 0)
        except ValueError:
            row, col = 0, 0
        return sheet, row, col, _SEVERITY_ORDER[f.severity]

    return sorted(dict.fromkeys(findings), key=key)


_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


# ---------------------------------------------------------------- validating files


def framework_for(data: WorkbookData) -> Framework:
    """The bundled framework the workbook names, else the default one."""
    found = meta_value(data, FRAMEWORK_ID)
    frameworks = bundled()
    if found is not None and found in frameworks:
        return frameworks[found]
    return load_framework()


def validate_path(path: Path, framework: Framework | None = None) -> FileReport:
    """Validate one file; never raises on bad input (a file-level finding instead)."""
    shown = str(path)
    try:
        data = read_workbook(path)
    except WorkbookError as exc:
        kind = CATALOGUE.get(exc.code)
        return _unreadable(shown, Finding(exc.code, kind.severity if kind else "error", None,
                                          None, exc.message))
    try:
        fw = framework or framework_for(data)
        findings, result = validate_scored(data, fw)
    except MemoryError:  # not a bug: the caller's memory guard reports it (batch pool)
        raise
    except Exception as exc:  # a bug must not stop a batch; the log keeps the traceback
        log.exception("validating %s failed", shown)
        return _unreadable(shown, make("internal-error", file=Path(path).name,
                                       detail=type(exc).__name__))
    ok = not any(f.severity == "error" for f in findings)
    complete = result is not None and result.complete
    return FileReport(
        shown, ok, result.total if complete and result else None,
        result.grade if complete and result else None, findings, True, fw.id,
        dept_name=_text(data, "EB_DEPT_NAME"), budget_code=_text(data, "EB_BUDGET_CODE"),
        scores={r.id: r.score for r in result.indicators} if result else {},
    )


def _text(data: WorkbookData, name: str) -> str | None:
    value = data.scalar(name)
    return None if is_blank(value) else cell_text(value).strip()


def _unreadable(file: str, finding: Finding) -> FileReport:
    return FileReport(file, False, None, None, [finding], readable=False)
