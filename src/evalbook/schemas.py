"""Cell typing and pandera schemas: a workbook's inputs -> a typed :class:`Submission`.

Two stages, so that one bad cell is one finding and hides nothing else:

1. every input cell is typed on its own (:func:`coerce`): numbers through
   :func:`evalbook.numbers.parse_number` — unambiguous text such as "88.00万元" or "８８" is
   read with a warning, ambiguous text ("六", "约100") is an error and the cell becomes
   unreadable; dates through :func:`~evalbook.numbers.parse_date`; Excel error values are
   errors;
2. the typed values are validated lazily with pandera: the rules of the scalar fields (from
   their declarations in the contract and the framework) and of each table
   (:data:`TABLE_RULES`) become columns of one frame with a row per input cell, validated
   by one ``DataFrameModel`` (:class:`InputCells`) — a single validation per workbook, as
   pandera's fixed cost per call would otherwise exceed the time to read the file. Each
   check is named by the finding code it produces, and every failure case (a row) is
   mapped back to its sheet and cell through the defined names.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from evalbook.contract import (
    ASSETS,
    COMPARATORS,
    EVALUATORS,
    EXPENSE,
    FORM_FIELDS,
    INCOME,
    SANGONG,
    TABLES_BY_NAME,
    TARGET_CATEGORIES,
    TARGET_KINDS,
    TARGET_STATUSES,
    TARGETS,
    Field,
    Table,
)
from evalbook.findings import Finding, make, make_with
from evalbook.framework import Framework
from evalbook.numbers import NotANumber, fmt, parse_date, parse_number
from evalbook.rules import COMPARATOR_ALIASES
from evalbook.workbook import (
    NamedRange,
    Submission,
    TypedCell,
    WorkbookData,
    cell_text,
    is_blank,
    is_error,
    row_name,
)

NUMERIC_TYPES = frozenset({"amount", "count", "percent", "year", "number", "score"})
CODE_TYPES = frozenset({"phone", "code"})
YES_NO = ("是", "否")
PHONE_PATTERN = r"(1\d{10}|(0\d{2,3}-?)?[2-9]\d{6,7})"
CODE_PATTERN = r"\d{6}"
YEAR_RANGE = (2000, 2100)


# ---------------------------------------------------------------- stage 1: one cell


@dataclass(frozen=True)
class Problem:
    code: str
    values: dict[str, str]


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def coerce(raw: object, ftype: str) -> tuple[object, Problem | None]:
    """Type one cell as ``ftype``: (typed value or None, the problem found or None)."""
    if is_error(raw):
        return None, Problem("cell-error-value", {"found": str(raw)})
    if is_blank(raw):
        return None, None
    if ftype in NUMERIC_TYPES:
        return _number(raw)
    if ftype == "date":
        try:
            return parse_date(raw), None
        except NotANumber:
            return None, Problem("invalid-date", {"found": cell_text(raw)})
    if ftype in CODE_TYPES:
        return _code(raw)
    if isinstance(raw, str):
        return _normalise(raw) if ftype in ("yesno", "checklist") else raw.strip(), None
    return cell_text(raw), None


def _number(raw: object) -> tuple[object, Problem | None]:
    try:
        parsed = parse_number(raw)
    except NotANumber as exc:
        return None, Problem("not-a-number", {"found": cell_text(raw), "why": exc.why})
    if parsed.note:
        return parsed.value, Problem("text-number",
                                     {"found": cell_text(raw), "expected": fmt(parsed.value)})
    return parsed.value, None


def _code(raw: object) -> tuple[object, Problem | None]:
    """Phone numbers and codes are digit strings; a cell typed as a number is one too."""
    if isinstance(raw, bool):
        return cell_text(raw), None
    if isinstance(raw, int | float):
        return cell_text(raw), None
    text = str(raw).strip()
    clean = _normalise(text).replace(" ", "")
    if clean != text:
        return clean, Problem("text-normalised", {"found": text, "expected": clean})
    return clean, None


# ---------------------------------------------------------------- stage 2: the schema


CHOICE_SETS: dict[str, tuple[str, ...]] = {
    "yesno": YES_NO,
    "category": TARGET_CATEGORIES,
    "kind": TARGET_KINDS,
    "comparator": tuple(k for k in COMPARATOR_ALIASES if k),
    "status": TARGET_STATUSES,
}
#: What a message lists as the accepted values (comparator aliases such as ">=" are accepted
#: silently but not advertised).
CHOICE_TEXT: dict[str, tuple[str, ...]] = {**CHOICE_SETS, "comparator": COMPARATORS}


@dataclass(frozen=True)
class ColumnRule:
    """What one table column requires in a used row."""

    required: bool = False
    signed: bool = False  # may be negative
    choices: str | None = None  # a key of CHOICE_SETS


def _money(table: Table, signed: tuple[str, ...] = ()) -> dict[str, ColumnRule]:
    return {c.key: ColumnRule(required=c.type == "amount", signed=c.key in signed)
            for c in table.columns}


#: The rules of each table, column by column. Every amount of a used money-table row is
#: required and not negative, except the two 结余 columns (a deficit is possible); targets
#: and actual values may be negative (变动率).
TABLE_RULES: dict[str, dict[str, ColumnRule]] = {
    INCOME.name: _money(INCOME),
    EXPENSE.name: _money(EXPENSE, signed=("balance_year", "balance_cumulative")),
    SANGONG.name: _money(SANGONG),
    ASSETS.name: _money(ASSETS),
    TARGETS.name: {
        "category": ColumnRule(choices="category"),
        "kind": ColumnRule(choices="kind"),
        "name": ColumnRule(required=True),
        "target": ColumnRule(required=True, signed=True),
        "unit": ColumnRule(),
        "comparator": ColumnRule(required=True, choices="comparator"),
        "actual": ColumnRule(required=True, signed=True),
        "status": ColumnRule(choices="status"),
        "indicator": ColumnRule(),
    },
    EVALUATORS.name: {"name": ColumnRule(required=True), "title": ColumnRule(),
                      "org": ColumnRule()},
}


def _text_values(df: pd.DataFrame) -> list[object]:
    return list(df["text"].tolist())


def _has_text(df: pd.DataFrame) -> np.ndarray:
    return np.fromiter((isinstance(t, str) for t in _text_values(df)), bool, len(df))


def _ok(df: pd.DataFrame, bad: np.ndarray) -> Series[bool]:
    return pd.Series(~bad, index=df.index)  # type: ignore[return-value]


def _pattern_check(df: pd.DataFrame, ftype: str, pattern: str) -> Series[bool]:
    regex = re.compile(pattern)
    types = df["type"].to_numpy()
    bad = np.fromiter(((ty == ftype and isinstance(t, str) and regex.fullmatch(t) is None)
                       for ty, t in zip(types, _text_values(df), strict=True)), bool, len(df))
    return _ok(df, bad)


class InputCells(pa.DataFrameModel):
    """Every input cell of a workbook, one row per cell, already typed.

    Columns (built by :func:`slots_frame`, whose dtypes a test pins): ``type`` the field
    type (contract.FieldType); ``num`` numbers (float, NaN when blank); ``text`` texts
    (dates as ``YYYY-MM-DD``; None when blank); ``bad`` marks cells that could not be typed
    (they have a finding already and are not checked again); ``required``, ``signed``,
    ``min``, ``max`` and ``choices`` come from the field declarations and
    :data:`TABLE_RULES`.

    Only frame-wide checks are declared: each is named by the finding code it reports,
    handles blanks itself (``ignore_na=False``) and works on numpy arrays. Per-column
    components (dtype and null checks of a frame this module builds itself) would cost
    pandera more than reading the whole workbook takes.
    """

    @pa.dataframe_check(name="missing-value", ignore_na=False)
    def filled(cls, df: pd.DataFrame) -> Series[bool]:
        required = df["required"].to_numpy() & ~df["bad"].to_numpy()
        return _ok(df, required & np.isnan(df["num"].to_numpy()) & ~_has_text(df))

    @pa.dataframe_check(name="negative-amount", ignore_na=False)
    def non_negative(cls, df: pd.DataFrame) -> Series[bool]:
        amount = (df["type"].to_numpy() == "amount") & ~df["signed"].to_numpy()
        return _ok(df, amount & (df["num"].to_numpy() < 0))

    @pa.dataframe_check(name="not-an-integer", ignore_na=False)
    def whole(cls, df: pd.DataFrame) -> Series[bool]:
        num = df["num"].to_numpy()
        return _ok(df, (df["type"].to_numpy() == "count") & (num != np.floor(num))
                   & ~np.isnan(num))

    @pa.dataframe_check(name="out-of-range", ignore_na=False)
    def in_range(cls, df: pd.DataFrame) -> Series[bool]:
        num, low, high = (df[c].to_numpy() for c in ("num", "min", "max"))
        return _ok(df, (num < low) | (num > high))

    @pa.dataframe_check(name="invalid-year", ignore_na=False)
    def year(cls, df: pd.DataFrame) -> Series[bool]:
        num = df["num"].to_numpy()
        low, high = YEAR_RANGE
        wrong = (num != np.floor(num)) | (num < low) | (num > high)
        return _ok(df, (df["type"].to_numpy() == "year") & wrong & ~np.isnan(num))

    @pa.dataframe_check(name="invalid-budget-code", ignore_na=False)
    def budget_code(cls, df: pd.DataFrame) -> Series[bool]:
        return _pattern_check(df, "code", CODE_PATTERN)

    @pa.dataframe_check(name="invalid-phone", ignore_na=False)
    def phone(cls, df: pd.DataFrame) -> Series[bool]:
        return _pattern_check(df, "phone", PHONE_PATTERN)

    @pa.dataframe_check(name="invalid-choice", ignore_na=False)
    def choice(cls, df: pd.DataFrame) -> Series[bool]:
        pairs = zip(df["choices"].tolist(), _text_values(df), strict=True)
        bad = np.fromiter(((isinstance(c, str) and isinstance(t, str) and t not in CHOICE_SETS[c])
                           for c, t in pairs), bool, len(df))
        return _ok(df, bad)


@functools.cache
def input_schema() -> pa.DataFrameSchema:
    return InputCells.to_schema()


def failure_cases(frame: pd.DataFrame) -> list[tuple[str, int]]:
    """(finding code, row) of every failure, validating lazily; [] when the frame is clean."""
    try:
        input_schema().validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        # a failing row is reported once per column: keep one case per (check, row)
        pairs = zip(cases["check"], cases["index"], strict=True)
        return list(dict.fromkeys((str(code), int(row)) for code, row in pairs))
    return []


# ---------------------------------------------------------------- building the submission


@dataclass(frozen=True)
class Slot:
    """One input cell with its declared rules: a row of the :class:`InputCells` frame."""

    cell: TypedCell
    type: str
    required: bool = False
    signed: bool = False
    min: str | None = None
    max: str | None = None
    choices: str | None = None


def scalar_fields(framework: Framework | None) -> tuple[Field, ...]:
    """The single-cell fields: the form's, and the framework's base data (if it applies)."""
    return (*FORM_FIELDS, *(framework.fields if framework is not None else ()))


class Typer:
    """Types a workbook's inputs cell by cell, collecting findings and schema slots."""

    def __init__(self, data: WorkbookData, framework: Framework | None) -> None:
        self.data, self.framework = data, framework
        self.findings: list[Finding] = []
        self.slots: list[Slot] = []
        self.sub = Submission()

    def typed(self, raw: object, ftype: str, sheet: str, cell: str, label: str) -> TypedCell:
        value, problem = coerce(raw, ftype)
        if problem is not None:
            self.findings.append(make_with(problem.code, sheet, cell,
                                           {"label": label, **problem.values}))
        return TypedCell(value, raw, sheet, cell, label, problem is not None and value is None)

    def scalars(self) -> None:
        signed = self.framework.signed_fields() if self.framework is not None else frozenset()
        for f in scalar_fields(self.framework):
            rng = self.data.names.get(f.name)
            if rng is None:
                continue
            items = range(f.size) if f.type == "checklist" else range(1)
            for i in items:
                row, col = (i, 0) if rng.cols == 1 else (0, i)
                if row >= rng.rows or col >= rng.cols:
                    continue
                key = f"{f.name}#{i + 1}" if f.type == "checklist" else f.name
                label = f"{f.label}第{i + 1}项" if f.type == "checklist" else f.label
                cell = self.typed(rng.value(row, col), f.type, rng.sheet,
                                  rng.address(row, col), label)
                self.sub.scalars[key] = cell
                choices = "yesno" if f.type in ("yesno", "checklist") else None
                self.slots.append(Slot(cell, f.type, f.required, f.name in signed, f.min, f.max,
                                       choices))

    def tables(self) -> None:
        for name, rules in TABLE_RULES.items():
            table = TABLES_BY_NAME[name]
            rng = self.data.names.get(name)
            if rng is None:
                continue
            used = [r for r in range(rng.rows) if _used(table, r, rng.values[r])]
            rows = [self._row(table, rng, r) if r in used else [] for r in range(rng.rows)]
            self.sub.cells[name] = rows
            self.sub.used_rows[name] = used
            for r in used:
                for cell, col in zip(rows[r], table.columns, strict=True):
                    rule = rules[col.key]
                    self.slots.append(Slot(cell, col.type, rule.required, rule.signed,
                                           choices=rule.choices))

    def _row(self, table: Table, rng: NamedRange, r: int) -> list[TypedCell]:
        row_label = row_name(table, rng.value(r, 0), r)
        return [self.typed(rng.value(r, c), col.type, rng.sheet, rng.address(r, c),
                           f"{table.title}（{row_label}）{col.label}")
                for c, col in enumerate(table.columns)]


def _used(table: Table, row: int, values: list[object]) -> bool:
    """The 汇总 row always counts; other rows when any input beyond their labels is filled
    (blank unit rows are ignored: a department may have fewer units than the template)."""
    if table.has_summary_row:
        return row == 0 or any(not is_blank(v) for v, col in zip(values, table.columns,
                                                                  strict=False)
                               if col.type != "text")
    return any(not is_blank(v) for v in values)


def _number_or_nan(value: object) -> float:
    return float(value) if isinstance(value, Decimal) else np.nan


def _text_or_none(value: object) -> str | None:
    if isinstance(value, str):
        return value
    return value.isoformat() if isinstance(value, dt.date) else None


def _bound(limit: str | None) -> float:
    return np.nan if limit is None else float(limit)


def slots_frame(slots: list[Slot]) -> pd.DataFrame:
    """The :class:`InputCells` frame of the slots (row i = slot i)."""
    return pd.DataFrame({
        "type": pd.Series([s.type for s in slots], dtype=object),
        "required": np.fromiter((s.required for s in slots), bool, len(slots)),
        "signed": np.fromiter((s.signed for s in slots), bool, len(slots)),
        "bad": np.fromiter((s.cell.bad for s in slots), bool, len(slots)),
        "num": np.fromiter((_number_or_nan(s.cell.value) for s in slots), float, len(slots)),
        "text": pd.Series([_text_or_none(s.cell.value) for s in slots], dtype=object),
        "min": np.fromiter((_bound(s.min) for s in slots), float, len(slots)),
        "max": np.fromiter((_bound(s.max) for s in slots), float, len(slots)),
        "choices": pd.Series([s.choices for s in slots], dtype=object),
    })


def _expected(code: str, slot: Slot) -> str:
    if code == "invalid-choice" and slot.choices is not None:
        return "、".join(f"“{c}”" for c in CHOICE_TEXT[slot.choices])
    if code == "out-of-range":
        return f"{slot.min or ''}-{slot.max or ''}"
    return ""


def schema_findings(slots: list[Slot]) -> list[Finding]:
    findings = []
    for code, row in failure_cases(slots_frame(slots)):
        slot = slots[row]
        cell = slot.cell
        found = fmt(cell.value) if isinstance(cell.value, Decimal) else cell_text(cell.raw)
        findings.append(make(code, cell.sheet, cell.cell, label=cell.label, found=found,
                             expected=_expected(code, slot)))
    return findings


def type_submission(data: WorkbookData, framework: Framework | None
                    ) -> tuple[Submission, list[Finding]]:
    """Type every readable input cell, then validate all of them with one schema.

    ``framework`` None: the workbook belongs to another framework, so its base-data fields
    are not checked (the framework-independent form fields and tables still are).
    """
    typer = Typer(data, framework)
    typer.scalars()
    typer.tables()
    return typer.sub, typer.findings + schema_findings(typer.slots)
