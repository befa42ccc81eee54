"""Per-cell typing (stage 1) and the pandera schema of typed input cells (stage 2)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from evalbook.contract import TABLES_BY_NAME
from evalbook.framework import load_framework
from evalbook.schemas import (
    TABLE_RULES,
    InputCells,
    Slot,
    Typer,
    coerce,
    failure_cases,
    slots_frame,
)
from evalbook.workbook import TypedCell
from tests.defects.builders import seed_data

FW = load_framework()


@pytest.mark.parametrize(("raw", "ftype", "value", "problem"), [
    (88.0, "amount", Decimal("88.0"), None),
    ("88.00万元", "amount", Decimal("88.00"), "text-number"),
    ("８８", "amount", Decimal(88), "text-number"),
    ("１００％", "percent", Decimal(100), "text-number"),
    ("≦0", "amount", Decimal(0), "text-number"),
    ("1,234.50", "amount", Decimal("1234.50"), "text-number"),
    ("六", "amount", None, "not-a-number"),
    ("约100", "amount", None, "not-a-number"),
    ("95%以上", "percent", None, "not-a-number"),
    (True, "count", None, "not-a-number"),
    ("#DIV/0!", "amount", None, "cell-error-value"),
    ("#NAME?", "text", None, "cell-error-value"),
    ("", "amount", None, None),
    ("   ", "text", None, None),
    (None, "date", None, None),
    (dt.datetime(2021, 7, 30), "date", dt.date(2021, 7, 30), None),
    ("2021年7月30日", "date", dt.date(2021, 7, 30), None),
    ("2021-02-30", "date", None, "invalid-date"),
    (44407, "date", None, "invalid-date"),
    (144001.0, "code", "144001", None),
    ("１４４００１", "code", "144001", "text-normalised"),
    (13975097338, "phone", "13975097338", None),
    (" 是 ", "checklist", "是", None),
    ("２０２０", "year", Decimal(2020), "text-number"),
    (2020.0, "text", "2020", None),
])
def test_coerce(raw: object, ftype: str, value: object, problem: str | None) -> None:
    got, found = coerce(raw, ftype)
    assert (got, found.code if found else None) == (value, problem)


def typed_slots() -> list[Slot]:
    typer = Typer(seed_data(), FW)
    typer.scalars()
    typer.tables()
    return typer.slots


def test_the_frame_has_the_columns_and_dtypes_the_checks_expect() -> None:
    frame = slots_frame(typed_slots())
    assert {c: str(t) for c, t in frame.dtypes.items()} == {
        "type": "object", "required": "bool", "signed": "bool", "bad": "bool",
        "num": "float64", "text": "object", "min": "float64", "max": "float64",
        "choices": "object"}
    assert len(frame) > 150
    assert failure_cases(frame) == []


def test_every_check_reports_its_own_code() -> None:
    def slot(value: object, ftype: str, **rules: object) -> Slot:
        return Slot(TypedCell(value, value, "S", "A1", "x"), ftype, **rules)  # type: ignore[arg-type]

    slots = [
        slot(None, "text", required=True),
        slot(Decimal(-1), "amount"),
        slot(Decimal(-1), "amount", signed=True),
        slot(Decimal("1.5"), "count"),
        slot(Decimal(101), "percent", min="0", max="100"),
        slot(Decimal(20), "year"),
        slot("12345", "code"),
        slot("123", "phone"),
        slot("0730-8422334", "phone"),
        slot("对", "checklist", choices="yesno"),
        slot("大于", "text", choices="comparator"),
        slot(">=", "text", choices="comparator"),
    ]
    assert sorted(failure_cases(slots_frame(slots)), key=lambda c: c[1]) == [
        ("missing-value", 0), ("negative-amount", 1), ("not-an-integer", 3),
        ("out-of-range", 4), ("invalid-year", 5), ("invalid-budget-code", 6),
        ("invalid-phone", 7), ("invalid-choice", 9), ("invalid-choice", 10)]


def test_table_rules_cover_every_column_of_every_table() -> None:
    for name, rules in TABLE_RULES.items():
        assert list(rules) == [c.key for c in TABLES_BY_NAME[name].columns]


def test_the_model_is_a_pandera_model_with_named_checks() -> None:
    names = {c.name for c in InputCells.to_schema().checks}
    assert names == {"missing-value", "negative-amount", "not-an-integer", "out-of-range",
                     "invalid-year", "invalid-budget-code", "invalid-phone", "invalid-choice"}


def test_a_submission_gives_one_typed_frame_per_table() -> None:
    typer = Typer(seed_data(), FW)
    typer.scalars()
    typer.tables()
    frame = typer.sub.frame(TABLES_BY_NAME["EB_EXPENSE"])
    assert list(frame.index) == [0, 1]  # 汇总 and 局机关; blank unit rows ignored
    assert frame.loc[1, "personnel"] == Decimal("67.7")
    targets = typer.sub.frame(TABLES_BY_NAME["EB_TARGETS"])
    assert len(targets) == 11 and targets.loc[1, "actual"] == Decimal(99)
