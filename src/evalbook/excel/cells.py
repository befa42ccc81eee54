"""What the Excel functions show, as pure functions of cell values (no xlwings here).

The UDFs in :mod:`evalbook.excel.udfs` only forward their arguments to these functions, so
the arithmetic stays in the engine and the texts a cell shows are decided in one place.
A cell shows a number, or the Chinese text the native formula shows in the same situation
(待填写 / 需人工评分), or — where the native formula can only say 待填写 — a precise
输入有误：… taken from the engine.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from evalbook.contract import GRADE, TARGETS, TOTAL_SCORE, score_name
from evalbook.engine import IndicatorResult, Scorer, ScoreResult, inputs_from_operands, scorer_for
from evalbook.framework import Framework, FrameworkError, Indicator, load_framework, operands
from evalbook.numbers import NotANumber, parse_number

FRAMEWORK_ENV = "EVALBOOK_FRAMEWORK"
"""Environment variable naming another framework file for the add-in (default: bundled)."""

Shown = float | str
"""What a cell shows: a number, or a Chinese text."""

WAITING = "待填写"
NEEDS_JUDGEMENT = "需人工评分"
NO_VALUE = "无法计算"
_STATUS_TEXT = {"missing-input": WAITING, "needs-judgement": NEEDS_JUDGEMENT}
_INVALID = ("invalid-input", "out-of-range")


class Unusable(Exception):
    """The add-in cannot score at all (framework file broken); ``text`` is shown in cells."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


@dataclass(frozen=True)
class Bindings:
    """A framework compiled for cell-by-cell use: its scorer and each indicator's operands."""

    framework: Framework

    @cached_property
    def scorer(self) -> Scorer:
        return scorer_for(self.framework)

    @cached_property
    def operand_keys(self) -> dict[str, tuple[str, ...]]:
        settings = self.framework.settings
        return {i.id: operands(i, settings) for i in self.framework.indicators}

    @cached_property
    def indicators(self) -> dict[str, Indicator]:
        return {i.id: i for i in self.framework.indicators}


_BINDINGS: dict[str, Bindings] = {}


def bindings() -> Bindings:
    """The framework the add-in scores with: $EVALBOOK_FRAMEWORK, or the bundled one."""
    path = os.environ.get(FRAMEWORK_ENV, "").strip()
    found = _BINDINGS.get(path)
    if found is None:
        try:
            framework = load_framework(Path(path) if path else None)
        except FrameworkError as exc:
            raise Unusable(f"评分框架有误：{'；'.join(exc.problems)}") from None
        found = _BINDINGS[path] = Bindings(framework)
    return found


def flatten(values: Iterable[object]) -> tuple[object, ...]:
    """Arguments as single cells: a range passed as one argument counts cell by cell."""
    out: list[object] = []
    for value in values:
        if isinstance(value, list | tuple):
            out.extend(flatten(value))
        else:
            out.append(value)
    return tuple(out)


def status_text(result: IndicatorResult) -> str:
    """The text a score cell shows when the indicator has no score."""
    fixed = _STATUS_TEXT.get(result.status)
    if fixed is not None:
        return fixed
    if result.status in _INVALID:
        return f"输入有误：{result.reason}"
    return f"{NO_VALUE}：{result.reason}"


def shown_score(result: IndicatorResult) -> Shown:
    return status_text(result) if result.score is None else float(result.score)


def shown_value(result: IndicatorResult, ind: Indicator) -> Shown:
    """计算值 as the native formula shows it: the value, 待填写, 无法计算; blank if judged."""
    if result.value is not None:
        return float(result.value)
    if ind.judged:
        return ""
    if result.status in ("missing-input", *_INVALID):
        return status_text(result)
    return NO_VALUE


def _indicator_result(indicator_id: object, values: Sequence[object], b: Bindings
                      ) -> IndicatorResult | str:
    ind_id = str(indicator_id or "").strip()
    keys = b.operand_keys.get(ind_id)
    if keys is None:
        return f"输入有误：未知指标“{ind_id}”"
    cells = flatten(values)
    if len(cells) != len(keys):
        name = b.indicators[ind_id].name
        return f"输入有误：“{name}”需要 {len(keys)} 个单元格参数，实际为 {len(cells)} 个"
    return b.scorer.indicator(ind_id, inputs_from_operands(keys, cells))


def score_cell(indicator_id: object, values: Sequence[object]) -> Shown:
    """自评得分 of one indicator from its operand cells (EB_SCORE)."""
    try:
        result = _indicator_result(indicator_id, values, bindings())
    except Unusable as exc:
        return exc.text
    return result if isinstance(result, str) else shown_score(result)


def value_cell(indicator_id: object, values: Sequence[object]) -> Shown:
    """计算值 of one indicator from the same operand cells (EB_VALUE)."""
    try:
        b = bindings()
    except Unusable as exc:
        return exc.text
    result = _indicator_result(indicator_id, values, b)
    if isinstance(result, str):
        return result
    return shown_value(result, b.indicators[result.id])


def score_block(rows: Sequence[Sequence[object]]) -> list[list[Shown]]:
    """Every score from a two-column block of (reference key, cell value) rows (EB_SCORES).

    Returns one row per indicator, ``[id, score or text]``, in framework order, then
    ``[EB_TOTAL_SCORE, 总分]`` and ``[EB_GRADE, 评价等次]``.
    """
    try:
        b = bindings()
    except Unusable as exc:
        return [[exc.text, ""]]
    keys: list[str] = []
    values: list[object] = []
    for row in rows:
        key = str(row[0] or "").strip() if row else ""
        if key:
            keys.append(key)
            values.append(row[1] if len(row) > 1 else None)
    result = b.scorer.score(inputs_from_operands(tuple(keys), tuple(values)))
    return block_rows(result)


def block_rows(result: ScoreResult) -> list[list[Shown]]:
    rows: list[list[Shown]] = [[r.id, shown_score(r)] for r in result.indicators]
    rows.append([TOTAL_SCORE, float(result.total)])
    rows.append([GRADE, result.grade])
    return rows


def grade_cell(total: object) -> str:
    """评价等次 of a total score (EB_GRADE)."""
    try:
        framework = bindings().framework
    except Unusable as exc:
        return exc.text
    if total is None or (isinstance(total, str) and not total.strip()):
        return WAITING
    try:
        value = parse_number(total).value
    except NotANumber as exc:
        return f"输入有误：总分“{total}”{exc.why}"
    return framework.grade_for(value)


def rule_text(indicator_id: object) -> str:
    """评分标准 of an indicator, rendered from its rule (EB_RULE_TEXT)."""
    try:
        b = bindings()
    except Unusable as exc:
        return exc.text
    ind = b.indicators.get(str(indicator_id or "").strip())
    if ind is None:
        return f"输入有误：未知指标“{indicator_id}”"
    return ind.criteria_text()


def block_keys(framework: Framework, target_rows: int = 12) -> tuple[str, ...]:
    """Every reference key a full EB_SCORES block needs, in a stable order.

    The operands of every computed indicator, the typed score of every judged one, and the
    cells of the 绩效目标 table that personalised indicators are scored from.
    """
    keys: list[str] = []
    settings = framework.settings
    for ind in framework.indicators:
        keys += operands(ind, settings)
        if ind.judged:
            keys.append(score_name(ind.id))
    for row in range(target_rows):
        keys += [f"{TARGETS.name}@{row}.{c.key}" for c in TARGETS.columns]
    return tuple(dict.fromkeys(keys))
