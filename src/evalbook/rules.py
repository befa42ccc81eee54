"""Rule kinds: small, pure declarations that build a score expression and describe themselves.

Each rule turns the indicator's computed value (an :class:`~evalbook.expr.Expr`) into an
unclamped score expression, and renders its 评分标准 text from the same parameters, so the
text shown in the workbook and the arithmetic cannot disagree. The engine clamps to
[0, 分值] and rounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar, Literal

from evalbook import expr as E
from evalbook.numbers import fmt

Mode = Literal["proportional", "started", "whole"]
Direction = Literal["above", "below"]

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"


def _pts(value: Decimal) -> str:
    return f"{fmt(value)}分"


def _count_points(excess: E.Expr, mode: Mode) -> E.Expr:
    if mode == "started":
        return E.Func("ROUNDUP", (excess, E.num(0)))
    if mode == "whole":
        return E.Func("ROUNDDOWN", (excess, E.num(0)))
    return excess


_MODE_TEXT: dict[Mode, str] = {
    "proportional": "",
    "started": "（不足一个百分点的按一个百分点计）",
    "whole": "（不足一个百分点的不扣分）",
}


@dataclass(frozen=True)
class Rule:
    kind: ClassVar[str]
    #: the score cell is typed by the evaluator (judged / personalised without targets)
    judged: ClassVar[bool] = False

    def score(self, value: E.Expr, max_score: Decimal) -> E.Expr:
        raise NotImplementedError

    def describe(self, subject: str, max_score: Decimal) -> str:
        raise NotImplementedError

    def requires(self) -> tuple[str, ...]:
        """Inputs the rule reads besides the indicator's value (guarded with the value's)."""
        return ()


@dataclass(frozen=True)
class Linear(Rule):
    """Deduct ``per_point`` for each percentage point above/below ``standard``."""

    kind: ClassVar[str] = "linear"
    standard: Decimal
    direction: Direction
    per_point: Decimal
    mode: Mode = "proportional"

    def excess(self, value: E.Expr) -> E.Expr:
        diff = (E.sub(value, E.num(self.standard)) if self.direction == "above"
                else E.sub(E.num(self.standard), value))
        return E.Func("MAX", (E.num(0), E.rnd(diff, 2)))

    def score(self, value: E.Expr, max_score: Decimal) -> E.Expr:
        points = _count_points(self.excess(value), self.mode)
        return E.sub(E.num(max_score), E.rnd(E.mul(points, E.num(self.per_point)), 6))

    def describe(self, subject: str, max_score: Decimal) -> str:
        std = f"{fmt(self.standard)}%"
        if self.direction == "above":
            head = f"以{std}为标准。{subject}≤{std}，计{_pts(max_score)}；每超过一个百分点"
        else:
            head = f"{subject}≥{std}的，计{_pts(max_score)}；每低于一个百分点"
        return f"{head}扣{_pts(self.per_point)}{_MODE_TEXT[self.mode]}，扣完为止。"


@dataclass(frozen=True)
class Stepped(Rule):
    """Deduct ``deduction`` for every ``step`` percentage points above/below ``standard``."""

    kind: ClassVar[str] = "stepped"
    standard: Decimal
    direction: Direction
    step: Decimal
    deduction: Decimal
    count: Mode = "whole"

    def score(self, value: E.Expr, max_score: Decimal) -> E.Expr:
        excess = Linear(self.standard, self.direction, Decimal(1)).excess(value)
        steps = _count_points(E.rnd(E.div(excess, E.num(self.step)), 6), self.count)
        return E.sub(E.num(max_score), E.rnd(E.mul(steps, E.num(self.deduction)), 6))

    def describe(self, subject: str, max_score: Decimal) -> str:
        std = f"{fmt(self.standard)}%"
        word = "超过" if self.direction == "above" else "低于"
        cmp = "≤" if self.direction == "above" else "≥"
        extra = {"proportional": "（按比例计算）", "started": "（不足一档的按一档计）",
                 "whole": "（不足一档的不扣分）"}[self.count]
        return (f"{subject}{cmp}{std}，计{_pts(max_score)}；每{word}{fmt(self.step)}%"
                f"扣{_pts(self.deduction)}{extra}，扣完为止。")


@dataclass(frozen=True)
class Band:
    score: Decimal
    gt: Decimal | None = None
    ge: Decimal | None = None
    lt: Decimal | None = None
    le: Decimal | None = None
    eq: Decimal | None = None

    def condition(self, value: E.Expr) -> E.Expr | None:
        tests: list[E.Expr] = []
        for op, bound in (("=", self.eq), (">", self.gt), (">=", self.ge), ("<", self.lt),
                          ("<=", self.le)):
            if bound is not None:
                tests.append(E.Compare(op, value, E.num(bound)))
        if not tests:
            return None
        return tests[0] if len(tests) == 1 else E.And(tuple(tests))

    def describe(self, subject: str, unit: str) -> str:
        def u(v: Decimal) -> str:
            return f"{fmt(v)}{unit}"

        if self.eq is not None:
            rng = f"{subject}={u(self.eq)}"
        else:
            low = (f"{u(self.ge)}（含）" if self.ge is not None
                   else u(self.gt) if self.gt is not None else None)
            high = (f"{u(self.le)}（含）" if self.le is not None
                    else u(self.lt) if self.lt is not None else None)
            if low and high:
                rng = f"{low}-{high}"
            elif low:
                rng = f"{subject}≥{u(self.ge)}" if self.ge is not None else f"大于{u(self.gt)}"  # type: ignore[arg-type]
            elif high:
                rng = f"低于{u(self.lt)}" if self.lt is not None else f"不高于{u(self.le)}"  # type: ignore[arg-type]
            else:
                rng = "其他情况"
        result = "不得分" if self.score == 0 else f"计{_pts(self.score)}"
        return f"{rng}，{result}"


@dataclass(frozen=True)
class Bands(Rule):
    """The first band whose bounds hold gives the score; none holds: 0."""

    kind: ClassVar[str] = "bands"
    bands: tuple[Band, ...]
    unit: str = "%"

    def score(self, value: E.Expr, max_score: Decimal) -> E.Expr:
        result: E.Expr = E.num(0)
        for band in reversed(self.bands):
            cond = band.condition(value)
            result = E.num(band.score) if cond is None else E.If(cond, E.num(band.score), result)
        return result

    def describe(self, subject: str, max_score: Decimal) -> str:
        return "；".join(b.describe(subject, self.unit) for b in self.bands) + "。"


@dataclass(frozen=True)
class Checklist(Rule):
    """Points for each item answered 是; the value is already the sum of points."""

    kind: ClassVar[str] = "checklist"
    field: str
    points: tuple[Decimal, ...]
    items: tuple[str, ...] = ()

    def value(self) -> E.Expr:
        keys = tuple(f"{self.field}#{i}" for i in range(1, len(self.points) + 1))
        total: E.Expr = E.num(0)
        for key, pts in zip(keys, self.points, strict=True):
            hit = E.If(E.Compare("=", E.TextRef(key), E.Const("是")), E.num(pts), E.num(0))
            total = E.add(total, hit)
        return E.RequireChoices(keys, ("是", "否"), total)

    def score(self, value: E.Expr, max_score: Decimal) -> E.Expr:
        return value

    def describe(self, subject: str, max_score: Decimal) -> str:
        lines = [f"{CIRCLED[i]}{item}，{_pts(p)}；" for i, (item, p)
                 in enumerate(zip(self.items, self.points, strict=True))]
        if lines:
            lines[-1] = lines[-1][:-1] + "。"
        return "\n".join(lines)


@dataclass(frozen=True)
class Violations(Rule):
    """Deduct ``deduction`` per counted violation."""

    kind: ClassVar[str] = "violations"
    deduction: Decimal
    unit_text: str = "一例不符合要求的"
    criteria: tuple[str, ...] = ()
    preamble: str = ""

    def score(self, value: E.Expr, max_score: Decimal) -> E.Expr:
        return E.sub(E.num(max_score), E.rnd(E.mul(value, E.num(self.deduction)), 6))

    def describe(self, subject: str, max_score: Decimal) -> str:
        parts = [self.preamble] if self.preamble else []
        parts += [f"{CIRCLED[i]}{c}；" for i, c in enumerate(self.criteria)]
        lead = "以上情况" if self.criteria else ""
        parts.append(f"{lead}每出现{self.unit_text}扣{_pts(self.deduction)}，扣完为止。")
        return "\n".join(parts)


@dataclass(frozen=True)
class Proportional(Rule):
    """分值 × min(1, value / full_at)."""

    kind: ClassVar[str] = "proportional"
    full_at: Decimal = Decimal(100)

    def score(self, value: E.Expr, max_score: Decimal) -> E.Expr:
        share = E.Func("MIN", (E.num(1), E.div(value, E.num(self.full_at))))
        return E.mul(E.num(max_score), share)

    def describe(self, subject: str, max_score: Decimal) -> str:
        return (f"得分=分值×{subject}/{fmt(self.full_at)}%，{subject}达到{fmt(self.full_at)}%"
                f"（含）以上的计{_pts(max_score)}。")


@dataclass(frozen=True)
class Comparison(Rule):
    """Value compared with another figure: none / within / above (资金结余 vs 上年结转)."""

    kind: ClassVar[str] = "comparison"
    against: str
    against_label: str
    none_score: Decimal
    within_score: Decimal
    above_score: Decimal
    value_label: str = "结余"

    def score(self, value: E.Expr, max_score: Decimal) -> E.Expr:
        return E.RequireNumbers(
            (self.against,),
            E.If(E.Compare("<=", value, E.num(0)), E.num(self.none_score),
                 E.If(E.Compare("<=", value, E.Ref(self.against)), E.num(self.within_score),
                      E.num(self.above_score))),
        )

    def requires(self) -> tuple[str, ...]:
        return (self.against,)

    def describe(self, subject: str, max_score: Decimal) -> str:
        def s(v: Decimal) -> str:
            return "不得分" if v == 0 else _pts(v)

        v = self.value_label
        return (f"无{v}，{s(self.none_score)}；有{v}，但不超过{self.against_label}，"
                f"{s(self.within_score)}；{v}超过{self.against_label}，{s(self.above_score)}。")


@dataclass(frozen=True)
class Judged(Rule):
    """The evaluator enters a score within [0, 分值]."""

    kind: ClassVar[str] = "judged"
    judged: ClassVar[bool] = True
    guidance: str = ""

    def score(self, value: E.Expr, max_score: Decimal) -> E.Expr:
        return value

    def describe(self, subject: str, max_score: Decimal) -> str:
        lead = f"{self.guidance}\n" if self.guidance else ""
        return f"{lead}由评价人员根据实际情况在0-{fmt(max_score)}分之间评分，扣分须说明原因。"


@dataclass(frozen=True)
class Personalised(Rule):
    """分值 × min(1, 完成率) over linked quantitative targets; judged when none is linked."""

    kind: ClassVar[str] = "personalised"
    judged: ClassVar[bool] = True
    guidance: str = ""

    def score(self, value: E.Expr, max_score: Decimal) -> E.Expr:
        return Proportional().score(value, max_score)

    def describe(self, subject: str, max_score: Decimal) -> str:
        lead = f"{self.guidance}\n" if self.guidance else ""
        return (f"{lead}按关联的定量绩效目标完成率计分：得分=分值×完成率（最高{_pts(max_score)}）；"
                f"未关联目标的由评价人员评分，扣分须说明原因。")


RULE_KINDS: dict[str, type[Rule]] = {
    cls.kind: cls
    for cls in (Linear, Stepped, Bands, Checklist, Violations, Proportional, Comparison, Judged,
                Personalised)
}


COMPARATOR_ALIASES = {"≥": "≥", ">=": "≥", "≧": "≥", "＞＝": "≥", "": "≥",
                      "≤": "≤", "<=": "≤", "≦": "≤", "＜＝": "≤", "=": "=", "＝": "="}


def normalise_comparator(comparator: str) -> str:
    """≥ ≤ or = for a comparator as typed; anything unrecognised (or blank) counts as ≥."""
    op = COMPARATOR_ALIASES.get(comparator.strip(), comparator.strip())
    return op if op in ("≤", "=") else "≥"


def completion_expr(target: E.Expr, actual: E.Expr, op: str) -> E.Expr:
    """Completion rate (0..1) of one quantitative target under a normalised comparator.

    One expression for both back ends: the engine evaluates it with decimals and the
    workbook's 完成率 column is compiled from it.
    """
    one, zero = E.num(1), E.num(0)
    if op == "≤":
        return E.If(E.Compare("<=", actual, target), one,
                    E.If(E.And((E.Compare(">", target, zero), E.Compare(">", actual, zero))),
                         E.div(target, actual), zero))
    if op == "=":
        low, high = E.Func("MIN", (actual, target)), E.Func("MAX", (actual, target))
        return E.If(E.Compare("=", actual, target), one,
                    E.If(E.Compare(">", low, zero), E.div(low, high), zero))
    return E.If(E.Compare(">=", actual, target), one,
                E.If(E.And((E.Compare(">", actual, zero), E.Compare(">", target, zero))),
                     E.div(actual, target), zero))


def completion_value(total: E.Expr, count: E.Expr) -> E.Expr:
    """目标完成率 (%) of a personalised indicator: the mean completion of its linked targets."""
    return E.rnd(E.mul(E.div(total, count), E.num(100)))


_COMPLETION = {op: completion_expr(E.Ref("target"), E.Ref("actual"), op).compile()
               for op in ("≥", "≤", "=")}


def target_completion(target: Decimal, actual: Decimal, comparator: str) -> Decimal:
    """Completion rate (0..1) of one quantitative target under its comparator (≥ ≤ =)."""
    env = E.MappingEnv({"target": target, "actual": actual})
    rate = _COMPLETION[normalise_comparator(comparator)](env)
    if not isinstance(rate, Decimal):  # pragma: no cover - the expression yields numbers
        raise TypeError(f"completion rate is not a number: {rate!r}")
    return rate
