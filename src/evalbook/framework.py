"""The scoring framework as data: loading, validating and compiling it to expressions.

A framework file (TOML, see docs/framework.md) declares the indicators with their levels,
分值, value formation and rule, the base-data fields the rules need, grade bands and the
ambiguity settings. Nothing region-specific lives in code.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any, get_args

from evalbook import expr as E
from evalbook import rules as R
from evalbook.contract import Field, manual_name
from evalbook.numbers import fmt

DEFAULT_FRAMEWORK = "yueyang_yunxi_2020"
VALUE_KINDS = ("ratio", "change", "field", "checklist", "targets", "none")
FIELD_TYPES = ("amount", "count", "percent", "yesno", "checklist", "text", "date")


class FrameworkError(Exception):
    """A framework file that cannot be used; ``problems`` are Chinese sentences."""

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(source, problems)
        self.source = source
        self.problems = problems

    def __str__(self) -> str:
        return f"评分框架《{self.source}》有误：\n" + "\n".join(f"  - {p}" for p in self.problems)


@dataclass(frozen=True)
class Note:
    """Something the loader noticed and corrected (e.g. a header that disagrees with items)."""

    code: str
    message: str
    key: str = ""  # what the note is about, e.g. the header "产出" (locates it in a workbook)


@dataclass(frozen=True)
class Settings:
    per_point: R.Mode = "proportional"
    zero_over_zero: str = "full"  # full | zero | judged
    nonzero_over_zero: str = "judged"  # judged | zero
    places: int = 2


@dataclass(frozen=True)
class ValueSpec:
    """How an indicator's computed value is formed from fields and table figures."""

    kind: str
    num: str = ""
    den: str = ""
    absolute: bool = False
    field: str = ""
    label: str = ""
    unit: str = "%"

    def operands(self) -> tuple[str, ...]:
        if self.kind in ("ratio", "change"):
            return (self.num, self.den)
        if self.kind == "field":
            return (self.field,)
        return ()


@dataclass(frozen=True)
class Indicator:
    id: str
    level1: str
    level2: str
    name: str
    max: Decimal
    value: ValueSpec
    rule: R.Rule
    description: str = ""

    @property
    def judged(self) -> bool:
        return self.rule.judged

    @property
    def subject(self) -> str:
        return self.value.label or self.name

    def criteria_text(self) -> str:
        """评分标准, rendered from the rule's parameters."""
        text = self.rule.describe(self.subject, self.max)
        return f"{self.description}\n{text}" if self.description else text


@dataclass(frozen=True)
class Grade:
    label: str
    min: Decimal


@dataclass(frozen=True)
class Framework:
    id: str
    name: str
    version: str
    indicators: tuple[Indicator, ...]
    fields: tuple[Field, ...]
    grades: tuple[Grade, ...]
    settings: Settings
    sha256: str
    source: str
    notes: tuple[Note, ...] = ()
    headers: Mapping[str, Decimal] = field(default_factory=dict)

    @property
    def total_max(self) -> Decimal:
        return sum((i.max for i in self.indicators), Decimal(0))

    def indicator(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    def signed_fields(self) -> frozenset[str]:
        """Amount fields read through ABS() (预算调整数: 调增或调减), which may be negative."""
        return frozenset(i.value.num for i in self.indicators if i.value.absolute)

    def level_max(self) -> dict[str, Decimal]:
        """分值 of every level (一级 "投入" and 二级 "投入/预算配置") as the sum of its items."""
        out: dict[str, Decimal] = {}
        for ind in self.indicators:
            for key in (ind.level1, f"{ind.level1}/{ind.level2}"):
                out[key] = out.get(key, Decimal(0)) + ind.max
        return out

    def grade_expr(self, total: E.Expr) -> E.Expr:
        """评价等次 from a total score: the first band (highest first) whose minimum is met."""
        ordered = sorted(self.grades, key=lambda g: g.min, reverse=True)
        result: E.Expr = E.Const(ordered[-1].label)
        for grade in reversed(ordered[:-1]):
            result = E.If(E.Compare(">=", total, E.num(grade.min)), E.Const(grade.label), result)
        return result

    def grade_for(self, total: Decimal) -> str:
        label = self.grade_expr(E.Ref("total")).evaluate(E.MappingEnv({"total": total}))
        return str(label)


# ---------------------------------------------------------------- compiling to expressions


@dataclass(frozen=True)
class Manual(E.Expr):
    """The evaluator's score for a computed indicator that cannot compute (EB_MANUAL_<ID>)."""

    indicator_id: str
    max: Decimal
    why: str

    def compile(self) -> E.Compiled:
        key = manual_name(self.indicator_id)
        bounded = self._bounded().compile()

        def manual(env: E.Env) -> E.Value:
            try:
                value = env.number(key)
            except E.CannotCompute as exc:
                if exc.status == "missing-input":
                    raise E.CannotCompute(
                        "needs-judgement", f"{self.why}，需评价人员人工评分并说明原因", (key,)
                    ) from None
                raise
            return bounded(_Single(key, value))

        return manual

    def _bounded(self) -> E.Expr:
        return E.rnd(E.clamp(E.Ref(manual_name(self.indicator_id)), E.num(0), E.num(self.max)))

    def excel(self, refs: E.Refs) -> str:
        ref = refs(manual_name(self.indicator_id))
        return f'IF(ISNUMBER({ref}),{self._bounded().excel(refs)},"需人工评分")'

    def keys(self) -> set[str]:
        return {manual_name(self.indicator_id)}


class _Single:
    def __init__(self, key: str, value: Decimal) -> None:
        self.key, self.value = key, value

    def number(self, key: str) -> Decimal:
        return self.value

    def text(self, key: str) -> str:  # pragma: no cover - never asked
        raise KeyError(key)


def _zero_case(policy: str, ind: Indicator, why: str) -> E.Expr:
    if policy == "full":
        return E.num(ind.max)
    if policy == "zero":
        return E.num(0)
    return Manual(ind.id, ind.max, why)


def value_expr(ind: Indicator) -> E.Expr | None:
    """The computed value (a rate in %, a count, checklist points), rounded; None if judged."""
    spec = ind.value
    if spec.kind == "ratio":
        num: E.Expr = E.Ref(spec.num)
        if spec.absolute:
            num = E.Func("ABS", (num,))
        return E.rnd(E.mul(E.div(num, E.Ref(spec.den)), E.num(100)))
    if spec.kind == "change":
        diff = E.sub(E.Ref(spec.num), E.Ref(spec.den))
        return E.rnd(E.mul(E.div(diff, E.Ref(spec.den)), E.num(100)))
    if spec.kind == "field":
        return E.Ref(spec.field)
    if spec.kind == "checklist" and isinstance(ind.rule, R.Checklist):
        return ind.rule.value()
    return None


def score_expr(ind: Indicator, settings: Settings) -> E.Expr | None:
    """The full score expression of a computed indicator: guards, zero cases, clamp, round."""
    value = value_expr(ind)
    if value is None:
        return None
    # A checklist's 是/否 guard must stay outermost: inside MIN/ROUND its 待填写 text
    # would make Excel show #VALUE!. Python raises the same CannotCompute either way.
    guard = value if isinstance(value, E.RequireChoices) else None
    if guard is not None:
        value = guard.body
    body: E.Expr = E.rnd(E.clamp(ind.rule.score(value, ind.max), E.num(0), E.num(ind.max)),
                         settings.places)
    if guard is not None:
        body = E.RequireChoices(guard.required, guard.choices, body, guard.message)
    spec = ind.value
    if spec.kind in ("ratio", "change"):
        zero_den = E.Compare("=", E.Ref(spec.den), E.num(0))
        zero_num = E.Compare("=", E.Ref(spec.num), E.num(0))
        label = spec.label or ind.name
        body = E.If(
            zero_den,
            E.If(zero_num, _zero_case(settings.zero_over_zero, ind, f"{label}的分母为0"),
                 _zero_case(settings.nonzero_over_zero, ind, f"{label}的分母为0，无法计算")),
            body,
        )
    # The rule's own inputs join the outer guard: a 待填写 text nested inside MIN/ROUND
    # would make Excel show #VALUE! (Python raises the same CannotCompute either way).
    operands = tuple(dict.fromkeys(spec.operands() + ind.rule.requires()))
    return E.RequireNumbers(operands, body) if operands else body


def value_display_expr(ind: Indicator) -> E.Expr | None:
    """The value as shown beside the score: guarded so a zero denominator shows text."""
    value = value_expr(ind)
    if value is None:
        return None
    spec = ind.value
    if spec.kind in ("ratio", "change"):
        value = E.If(E.Compare("=", E.Ref(spec.den), E.num(0)), E.Const("无法计算"), value)
    operands = spec.operands()
    return E.RequireNumbers(operands, value) if operands else value


# ---------------------------------------------------------------- loading


def _decimal(raw: Any, where: str, problems: list[str]) -> Decimal:
    try:
        if isinstance(raw, bool):
            raise InvalidOperation
        return Decimal(str(raw))
    except (InvalidOperation, ValueError):
        problems.append(f"{where} 应为数字，实际为 {raw!r}")
        return Decimal(0)


def _band(raw: Any, where: str, problems: list[str]) -> R.Band:
    if not isinstance(raw, dict) or "score" not in raw:
        problems.append(f"{where} 的分档缺少参数 score")
        return R.Band(Decimal(0))
    unknown = set(raw) - {"score", "gt", "ge", "lt", "le", "eq"}
    if unknown:
        problems.append(f"{where} 的分档有未知参数 {sorted(unknown)}")
    kwargs = {k: _decimal(v, where, problems) for k, v in raw.items() if k != "score"
              and k not in unknown}
    return R.Band(_decimal(raw["score"], where, problems), **kwargs)


def _convert(name: str, type_text: str, raw: Any, where: str, problems: list[str]) -> Any:
    if type_text.startswith("Decimal"):
        return _decimal(raw, f"{where} 参数 {name}", problems)
    if type_text.startswith("tuple[Decimal"):
        return tuple(_decimal(v, f"{where} 参数 {name}", problems) for v in raw)
    if type_text.startswith("tuple[str"):
        return tuple(str(v) for v in raw)
    if type_text.startswith("tuple[Band"):
        return tuple(_band(v, f"{where}", problems) for v in raw)
    choices = {"R.Mode": get_args(R.Mode), "Mode": get_args(R.Mode),
               "Direction": get_args(R.Direction), "R.Direction": get_args(R.Direction)}
    if type_text in choices and raw not in choices[type_text]:
        allowed = "/".join(choices[type_text])
        problems.append(f"{where} 参数 {name} 只能是 {allowed}，实际为 {raw!r}")
    return str(raw)


def _rule(raw: Any, where: str, settings: Settings, problems: list[str]) -> R.Rule:
    if not isinstance(raw, dict) or "kind" not in raw:
        problems.append(f"{where} 缺少评分规则 rule.kind")
        return R.Judged()
    kind = raw["kind"]
    cls = R.RULE_KINDS.get(kind)
    if cls is None:
        problems.append(f"{where} 的规则类型 {kind!r} 未知（可用：{'、'.join(R.RULE_KINDS)}）")
        return R.Judged()
    kwargs: dict[str, Any] = {}
    params = {f.name: f for f in dataclasses.fields(cls)}
    unknown = set(raw) - set(params) - {"kind"}
    if unknown:
        problems.append(f"{where} 的规则 {kind} 有未知参数 {sorted(unknown)}")
    for name, f in params.items():
        if name in raw:
            kwargs[name] = _convert(name, str(f.type), raw[name], where, problems)
        elif name == "mode" and cls is R.Linear:
            kwargs[name] = settings.per_point
        elif f.default is dataclasses.MISSING:
            problems.append(f"{where} 的规则 {kind} 缺少参数 {name}")
            return R.Judged()
    return cls(**kwargs)


def _value(raw: Any, where: str, problems: list[str]) -> ValueSpec:
    if raw is None:
        return ValueSpec("none")
    if not isinstance(raw, dict) or raw.get("kind") not in VALUE_KINDS:
        problems.append(f"{where} 的计算值 value.kind 应为 {'/'.join(VALUE_KINDS)}")
        return ValueSpec("none")
    spec = ValueSpec(
        kind=raw["kind"], num=str(raw.get("num", "")), den=str(raw.get("den", "")),
        absolute=bool(raw.get("absolute", False)), field=str(raw.get("field", "")),
        label=str(raw.get("label", "")), unit=str(raw.get("unit", "%")),
    )
    if spec.kind in ("ratio", "change") and not (spec.num and spec.den):
        problems.append(f"{where} 的计算值 {spec.kind} 需要 num 和 den")
    if spec.kind == "field" and not spec.field:
        problems.append(f"{where} 的计算值 field 需要 field")
    return spec


def _field(raw: Any, problems: list[str]) -> Field:
    name = str(raw.get("name", ""))
    if not name.startswith("EB_"):
        problems.append(f"基础数据字段 {name!r} 的名称须以 EB_ 开头")
    ftype = raw.get("type", "amount")
    if ftype not in FIELD_TYPES:
        problems.append(f"基础数据字段 {name} 的类型 {ftype!r} 未知")
    items = tuple(str(i) for i in raw.get("items", ()))
    return Field(
        name=name, label=str(raw.get("label", name)), type=ftype, unit=str(raw.get("unit", "")),
        required=bool(raw.get("required", True)), size=len(items) or 1, items=items,
        min=None if raw.get("min") is None else str(raw["min"]),
        max=None if raw.get("max") is None else str(raw["max"]), hint=str(raw.get("hint", "")),
    )


def _check_refs(indicators: list[Indicator], fields: list[Field], problems: list[str]) -> None:
    from evalbook.contract import FORM_FIELDS, TABLES_BY_NAME

    known = {f.name for f in fields} | {f.name for f in FORM_FIELDS}
    for ind in indicators:
        refs = list(ind.value.operands())
        if isinstance(ind.rule, R.Comparison):
            refs.append(ind.rule.against)
        for ref in refs:
            table, _, column = ref.partition(".")
            if column:
                t = TABLES_BY_NAME.get(table)
                if t is None or column not in {c.key for c in t.columns}:
                    problems.append(f"指标 {ind.id} 引用的表格数据 {ref} 不存在")
            elif ref not in known:
                problems.append(f"指标 {ind.id} 引用的字段 {ref} 未在 fields 中声明")
        if isinstance(ind.rule, R.Checklist):
            decl = next((f for f in fields if f.name == ind.rule.field), None)
            if decl is None:
                problems.append(f"指标 {ind.id} 的清单字段 {ind.rule.field} 未声明")
            elif len(decl.items) != len(ind.rule.points):
                problems.append(f"指标 {ind.id} 的清单有 {len(decl.items)} 项，但给出了 "
                                f"{len(ind.rule.points)} 个分值")


def parse_framework(data: Mapping[str, Any], source: str, sha256: str) -> Framework:
    """Validate framework data; every problem is reported as a :class:`FrameworkError`."""
    try:
        return _parse_framework(data, source, sha256)
    except FrameworkError:
        raise
    except (TypeError, AttributeError, KeyError, ValueError) as exc:
        # a table where a list belongs, a number where a table belongs, ...
        raise FrameworkError(source, [f"文件结构不符合评分框架格式（{type(exc).__name__}: {exc}），"
                                      f"请对照 docs/framework.md 检查"]) from None


def _parse_framework(data: Mapping[str, Any], source: str, sha256: str) -> Framework:
    problems: list[str] = []
    notes: list[Note] = []
    raw_settings = dict(data.get("settings", {}))
    settings = Settings(**{k: v for k, v in raw_settings.items()
                           if k in {f.name for f in dataclasses.fields(Settings)}})
    if settings.per_point not in get_args(R.Mode):
        problems.append(f"settings.per_point 只能是 {'/'.join(get_args(R.Mode))}")
    fields = [_field(f, problems) for f in data.get("fields", [])]
    indicators: list[Indicator] = []
    seen: set[str] = set()
    for n, raw in enumerate(data.get("indicators", []), start=1):
        ind_id = str(raw.get("id", ""))
        where = f"第{n}个指标 {ind_id or '(无 id)'}"
        if not ind_id or not ind_id.replace("_", "").isalnum() or not ind_id.isascii():
            problems.append(f"{where} 的 id 须为英文字母、数字和下划线")
        if ind_id in seen:
            problems.append(f"指标 id {ind_id} 重复")
        seen.add(ind_id)
        for key in ("level1", "level2", "name", "max"):
            if key not in raw:
                problems.append(f"{where} 缺少 {key}")
        rule = _rule(raw.get("rule"), where, settings, problems)
        checklist_value = {"kind": "checklist"} if isinstance(rule, R.Checklist) else None
        value = _value(raw.get("value", checklist_value), where, problems)
        if isinstance(rule, R.Checklist) and not rule.items:
            decl = next((f for f in fields if f.name == rule.field), None)
            if decl is not None:
                rule = dataclasses.replace(rule, items=decl.items)
        indicators.append(Indicator(
            id=ind_id, level1=str(raw.get("level1", "")), level2=str(raw.get("level2", "")),
            name=str(raw.get("name", "")), max=_decimal(raw.get("max", 0), where, problems),
            value=value, rule=rule, description=str(raw.get("description", "")),
        ))
    if not indicators:
        problems.append("没有任何指标（indicators）")
    _check_refs(indicators, fields, problems)
    grades = tuple(Grade(str(g["label"]), _decimal(g["min"], "grades", problems))
                   for g in data.get("grades", []))
    if not grades:
        problems.append("没有评价等次（grades）")
    if problems:
        raise FrameworkError(source, problems)
    fw = Framework(
        id=str(data.get("id", "")), name=str(data.get("name", "")),
        version=str(data.get("version", "1")), indicators=tuple(indicators),
        fields=tuple(fields), grades=grades, settings=settings, sha256=sha256, source=source,
    )
    headers = {str(k): _decimal(v, "headers", problems) for k, v in data.get("headers", {}).items()}
    sums = fw.level_max()
    for key, declared in headers.items():
        actual = sums.get(key)
        if actual is None:
            notes.append(Note("framework-header-unknown", f"表头“{key}”没有对应的指标", key))
        elif actual != declared:
            notes.append(Note(
                "framework-header-mismatch",
                f"表头“{key}（{fmt(declared)}分）”与其下各项分值之和 {fmt(actual)} 分不一致，"
                f"已按各项之和 {fmt(actual)} 分计算",
                key,
            ))
    return dataclasses.replace(fw, notes=tuple(notes), headers=headers)


def load_framework(path: str | Path | None = None) -> Framework:
    """Load and validate a framework file; ``None`` loads the bundled seed framework."""
    if path is None:
        ref = resources.files("evalbook") / "frameworks" / f"{DEFAULT_FRAMEWORK}.toml"
        raw = ref.read_bytes()
        source = f"{DEFAULT_FRAMEWORK}.toml"
    else:
        p = Path(path)
        try:
            raw = p.read_bytes()
        except OSError as exc:
            raise FrameworkError(p.name, [f"无法读取文件：{exc.strerror or exc}"]) from None
        source = p.name
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise FrameworkError(source, [f"不是有效的 UTF-8 TOML 文件：{exc}"]) from None
    return parse_framework(data, source, hashlib.sha256(raw).hexdigest())


def bundled_frameworks() -> dict[str, str]:
    """Known framework hashes by id (to match returned workbooks)."""
    return {fw_id: fw.sha256 for fw_id, fw in bundled().items()}


@functools.cache
def bundled() -> dict[str, Framework]:
    """The frameworks shipped with evalbook, by id (loaded once)."""
    out: dict[str, Framework] = {}
    for ref in (resources.files("evalbook") / "frameworks").iterdir():
        if ref.name.endswith(".toml"):
            fw = load_framework(Path(str(ref)))
            out[fw.id] = fw
    return out


# ---------------------------------------------------------------- addressing cells


def excel_ref(key: str) -> str:
    """The Excel expression for a reference key, through defined names only.

    ``EB_X`` -> ``EB_X``; ``EB_T.col`` -> the 汇总 row's cell ``INDEX(EB_T,1,n)``;
    ``EB_T@r.col`` -> ``INDEX(EB_T,r+1,n)``; ``EB_CHECK#i`` -> ``INDEX(EB_CHECK,i)``.
    """
    from evalbook.contract import TABLES_BY_NAME

    name, _, column = key.partition(".")
    if column:
        name, _, row = name.partition("@")
        return f"INDEX({name},{int(row or 0) + 1},{TABLES_BY_NAME[name].index(column)})"
    name, _, item = key.partition("#")
    if item:
        return f"INDEX({name},{int(item)})"
    return key


def operands(ind: Indicator, settings: Settings) -> tuple[str, ...]:
    """Every input key the indicator's score reads, in a stable order (UDF argument order)."""
    expr = score_expr(ind, settings)
    if expr is None:
        return ()
    ordered = list(ind.value.operands())
    if isinstance(ind.rule, R.Checklist):
        ordered += [f"{ind.rule.field}#{i}" for i in range(1, len(ind.rule.points) + 1)]
    if isinstance(ind.rule, R.Comparison):
        ordered.append(ind.rule.against)
    ordered += sorted(expr.keys() - set(ordered))
    return tuple(dict.fromkeys(ordered))
