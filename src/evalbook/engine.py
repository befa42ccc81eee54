"""The scoring engine: raw inputs keyed by defined names -> scores, subtotals, total, grade.

Inputs are taken as a person typed them; numbers are read with :func:`parse_number`, every
interpretation is recorded as a note, and an indicator that cannot be computed gets a status
that says why — the engine never raises on bad input.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from evalbook import expr as E
from evalbook import rules as R
from evalbook.contract import TABLES_BY_NAME, TARGETS, reason_name, score_name
from evalbook.framework import Framework, Indicator, score_expr, value_expr
from evalbook.numbers import NotANumber, fmt, parse_number, round_half_up


@dataclass(frozen=True)
class InputNote:
    """How an input was read: ``key`` is a defined name, ``row``/``col`` 0-based inside it."""

    key: str
    code: str
    severity: str
    message: str
    row: int | None = None
    col: int | None = None


@dataclass(frozen=True)
class IndicatorResult:
    id: str
    name: str
    level1: str
    level2: str
    max: Decimal
    value: Decimal | None
    score: Decimal | None
    status: str
    reason: str
    keys: tuple[str, ...] = ()  # inputs behind a non-ok status

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "max": _j(self.max), "value": _j(self.value),
                "score": _j(self.score), "status": self.status, "reason": self.reason}


@dataclass(frozen=True)
class Subtotal:
    level: int
    name: str
    max: Decimal
    score: Decimal


@dataclass(frozen=True)
class ScoreResult:
    framework: Framework
    indicators: tuple[IndicatorResult, ...]
    subtotals: tuple[Subtotal, ...]
    total: Decimal
    grade: str
    complete: bool
    notes: tuple[InputNote, ...] = field(default=())

    def by_id(self) -> dict[str, IndicatorResult]:
        return {r.id: r for r in self.indicators}

    def to_json(self) -> dict[str, Any]:
        fw = self.framework
        return {
            "framework": {"id": fw.id, "name": fw.name, "sha256": fw.sha256},
            "indicators": [r.to_json() for r in self.indicators],
            "subtotals": [{"level": s.level, "name": s.name, "max": _j(s.max),
                           "score": _j(s.score)} for s in self.subtotals],
            "total": _j(self.total),
            "grade": self.grade,
            "complete": self.complete,
            "notes": [{"key": n.key, "row": n.row, "col": n.col, "code": n.code,
                       "severity": n.severity, "message": n.message} for n in self.notes],
        }


def _j(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


@functools.cache
def _parse_key(key: str) -> tuple[str, int | None, int | None]:
    """``EB_X`` / ``EB_T.col`` / ``EB_T@r.col`` / ``EB_CHECK#i`` -> (name, row, col), 0-based."""
    name, _, column = key.partition(".")
    if column:
        name, _, row_text = name.partition("@")
        return name, int(row_text or 0), TABLES_BY_NAME[name].index(column) - 1
    name, _, item = key.partition("#")
    if item:
        return name, int(item) - 1, None
    return key, None, None


def _blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "")


class InputEnv:
    """Reads numbers and texts from raw inputs by reference key, recording notes once."""

    def __init__(self, inputs: Mapping[str, Any], labels: Mapping[str, str] | None = None):
        self.inputs = inputs
        self.labels = labels or {}
        self.notes: dict[tuple[str, int | None, int | None], InputNote] = {}
        self._numbers: dict[str, Decimal] = {}

    def _locate(self, key: str) -> tuple[str, int | None, int | None, object]:
        name, row, col = _parse_key(key)
        if row is None:
            return name, None, None, self.inputs.get(name)
        values = self.inputs.get(name)
        if not isinstance(values, list) or row >= len(values):
            return name, row, col, None
        if col is None:
            return name, row, None, values[row]
        line = values[row]
        return name, row, col, line[col] if isinstance(line, list) and col < len(line) else None

    def label(self, key: str) -> str:
        name, _, column = key.partition(".")
        if column:
            name, _, row_text = name.partition("@")
            table = TABLES_BY_NAME[name]
            where = f"第{int(row_text) + 1}行" if row_text else "汇总行"
            return f"{table.title}{where}的{table.columns[table.index(column) - 1].label}"
        return self.labels.get(key.partition("#")[0], key)

    def number(self, key: str) -> Decimal:
        cached = self._numbers.get(key)
        if cached is not None:
            return cached
        name, row, col, raw = self._locate(key)
        if _blank(raw):
            raise E.CannotCompute("missing-input", f"缺少“{self.label(key)}”", (key,))
        try:
            parsed = parse_number(raw)
        except NotANumber as exc:
            self.notes[(name, row, col)] = InputNote(
                name, "not-a-number", "error", f"“{self.label(key)}”填写为“{raw}”，{exc.why}",
                row, col)
            raise E.CannotCompute("invalid-input",
                                  f"“{self.label(key)}”无法识别为数字（“{raw}”）", (key,)) from None
        if parsed.note:
            self.notes[(name, row, col)] = InputNote(
                name, "text-number", "warning", f"“{self.label(key)}”{parsed.note}", row, col)
        self._numbers[key] = parsed.value
        return parsed.value

    def text(self, key: str) -> str:
        _, _, _, raw = self._locate(key)
        if _blank(raw):
            raise E.CannotCompute("missing-input", f"缺少“{self.label(key)}”", (key,))
        return str(raw).strip()


class Scorer:
    """A framework compiled once; :meth:`score` is then cheap per department."""

    def __init__(self, framework: Framework) -> None:
        self.framework = framework
        self.score_exprs = {i.id: _compiled(score_expr(i, framework.settings))
                            for i in framework.indicators}
        self.value_exprs = {i.id: _compiled(value_expr(i)) for i in framework.indicators}
        self.level_max = framework.level_max()
        self.labels = {f.name: f.label for f in framework.fields}
        from evalbook.contract import FORM_FIELDS

        self.labels.update({f.name: f.label for f in FORM_FIELDS})
        self._value_ref = E.Ref("value")

    def score(self, inputs: Mapping[str, Any]) -> ScoreResult:
        env = InputEnv(inputs, self.labels)
        links = target_links(inputs)
        results = tuple(self._indicator(ind, env, inputs, links)
                        for ind in self.framework.indicators)
        return self._summarise(results, tuple(env.notes.values()))

    def indicator(self, indicator_id: str, inputs: Mapping[str, Any]) -> IndicatorResult:
        """Score a single indicator (UDFs score one cell at a time)."""
        ind = self.framework.indicator(indicator_id)
        return self._indicator(ind, InputEnv(inputs, self.labels), inputs, target_links(inputs))

    # ------------------------------------------------------------ one indicator

    def _indicator(self, ind: Indicator, env: InputEnv, inputs: Mapping[str, Any],
                   links: Mapping[str, list[int]]) -> IndicatorResult:
        if isinstance(ind.rule, R.Personalised):
            linked = links.get(ind.id, []) + links.get(ind.name, [])
            if linked:
                return self._personalised(ind, linked, env, inputs)
        expr = self.score_exprs[ind.id]
        if expr is None:
            return self._judged(ind, env, inputs)
        value: Decimal | None = None
        vexpr = self.value_exprs[ind.id]
        try:
            if vexpr is not None:
                try:
                    value = _number(vexpr(env))
                except ArithmeticError:
                    value = None
            score = _number(expr(env))
        except E.CannotCompute as exc:
            return self._failed(ind, value, exc)
        except ArithmeticError:  # pragma: no cover - inputs are bounded by parse_number
            return self._failed(ind, None, E.CannotCompute("cannot-compute", "数值异常，无法计算"))
        return self._done(ind, value, score, inputs)

    def _done(self, ind: Indicator, value: Decimal | None, score: Decimal,
              inputs: Mapping[str, Any]) -> IndicatorResult:
        given = inputs.get(reason_name(ind.id))
        reason = "" if _blank(given) else str(given).strip()
        if not reason and score < ind.max:
            shown = "" if value is None else f"{ind.subject}为{fmt(value)}{ind.value.unit}，"
            reason = f"{shown}按评分标准扣{fmt(ind.max - score)}分"
        return IndicatorResult(ind.id, ind.name, ind.level1, ind.level2, ind.max, value, score,
                               "ok", reason)

    @staticmethod
    def _failed(ind: Indicator, value: Decimal | None, exc: E.CannotCompute) -> IndicatorResult:
        return IndicatorResult(ind.id, ind.name, ind.level1, ind.level2, ind.max, value, None,
                               exc.status, exc.message, exc.keys)

    def _judged(self, ind: Indicator, env: InputEnv, inputs: Mapping[str, Any]
                ) -> IndicatorResult:
        key = score_name(ind.id)
        try:
            score = env.number(key)
        except E.CannotCompute as exc:
            if exc.status == "missing-input":
                exc = E.CannotCompute("needs-judgement", "未填写自评得分（需评价人员评分）", (key,))
            return self._failed(ind, None, exc)
        if not Decimal(0) <= score <= ind.max:
            return self._failed(ind, None, E.CannotCompute(
                "out-of-range", f"自评得分 {fmt(score)} 超出 0-{fmt(ind.max)} 分", (key,)))
        return self._done(ind, None, round_half_up(score, self.framework.settings.places), inputs)

    def _personalised(self, ind: Indicator, linked: list[int], env: InputEnv,
                      inputs: Mapping[str, Any]) -> IndicatorResult:
        rates: list[Decimal] = []
        try:
            for row in linked:
                target = env.number(f"{TARGETS.name}@{row}.target")
                actual = env.number(f"{TARGETS.name}@{row}.actual")
                comparator = str(inputs[TARGETS.name][row][TARGETS.index("comparator") - 1] or "")
                rates.append(R.target_completion(target, actual, comparator))
        except E.CannotCompute as exc:
            return self._failed(ind, None, exc)
        value = E.evaluate_number(R.completion_value(E.num(sum(rates, Decimal(0))),
                                                     E.num(len(rates))), E.MappingEnv({}))
        body = E.rnd(E.clamp(ind.rule.score(self._value_ref, ind.max), E.num(0), E.num(ind.max)))
        score = E.evaluate_number(body, E.MappingEnv({"value": value}))
        return self._done(ind, value, score, inputs)

    # ------------------------------------------------------------ totals

    def _summarise(self, results: tuple[IndicatorResult, ...], notes: tuple[InputNote, ...]
                   ) -> ScoreResult:
        fw = self.framework
        maxima = self.level_max
        sums: dict[str, Decimal] = {}
        for r in results:
            for key in (r.level1, f"{r.level1}/{r.level2}"):
                sums[key] = sums.get(key, Decimal(0)) + (r.score or Decimal(0))
        subtotals = tuple(Subtotal(key.count("/") + 1, key, maxima[key], sums[key])
                          for key in maxima)
        total = round_half_up(sum((r.score or Decimal(0) for r in results), Decimal(0)))
        complete = all(r.status == "ok" for r in results)
        return ScoreResult(fw, results, subtotals, total, fw.grade_for(total), complete, notes)


def _compiled(expr: E.Expr | None) -> E.Compiled | None:
    return None if expr is None else expr.compile()


def _number(value: E.Value) -> Decimal:
    if isinstance(value, Decimal):
        return value
    raise TypeError(f"expected a number, got {value!r}")


_LINK_COL = TARGETS.index("indicator") - 1


def target_links(inputs: Mapping[str, Any]) -> dict[str, list[int]]:
    """Rows of the 绩效目标 table by the indicator they are linked to (its id or 三级指标 name)."""
    rows = inputs.get(TARGETS.name)
    links: dict[str, list[int]] = {}
    if not isinstance(rows, list):
        return links
    for i, row in enumerate(rows):
        if isinstance(row, list) and len(row) > _LINK_COL and row[_LINK_COL]:
            links.setdefault(str(row[_LINK_COL]).strip(), []).append(i)
    return links


_SCORERS: dict[int, Scorer] = {}


def scorer_for(framework: Framework) -> Scorer:
    """The compiled scorer of a framework (compiled once and cached)."""
    scorer = _SCORERS.get(id(framework))
    if scorer is None or scorer.framework is not framework:
        scorer = _SCORERS[id(framework)] = Scorer(framework)
    return scorer


def score(inputs: Mapping[str, Any], framework: Framework) -> ScoreResult:
    """Score one department's inputs."""
    return scorer_for(framework).score(inputs)


def inputs_from_operands(keys: tuple[str, ...], values: tuple[object, ...]) -> dict[str, Any]:
    """Rebuild a raw-inputs mapping from reference keys and cell values (UDF arguments)."""
    inputs: dict[str, Any] = {}
    for key, value in zip(keys, values, strict=False):
        name, _, column = key.partition(".")
        if column:
            name, _, row_text = name.partition("@")
            row, col = int(row_text or 0), TABLES_BY_NAME[name].index(column) - 1
            rows = inputs.setdefault(name, [])
            while len(rows) <= row:
                rows.append([None] * len(TABLES_BY_NAME[name].columns))
            rows[row][col] = value
            continue
        name, _, item = key.partition("#")
        if item:
            items = inputs.setdefault(name, [])
            while len(items) < int(item):
                items.append(None)
            items[int(item) - 1] = value
            continue
        inputs[key] = value
    return inputs
