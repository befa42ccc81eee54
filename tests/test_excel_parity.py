"""The UDF workbook and the native-formula workbook show the same scores.

For each scenario both variants are built with ``evalbook template --fill``; the native one
is recalculated by LibreOffice (the real spreadsheet engine is the judge); every EB_SCORE /
EB_VALUE / EB_GRADE formula of the UDF one is evaluated by calling the UDF through
xlwings' Office.js dispatch with its cell arguments resolved from the workbook.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

import tests.support.officejs as js  # first: enables xlwings' Office.js decorators
from evalbook.cli import main
from evalbook.contract import GRADE, TOTAL_SCORE
from evalbook.excel import udfs
from evalbook.framework import load_framework
from evalbook.xlsxutil import parse_range, split_sheet_ref
from tests.helpers import seed_inputs
from tests.support.keys import set_at
from tests.support.libreoffice import read_names, recalculate, soffice_path

pytestmark = pytest.mark.skipif(soffice_path() is None, reason="LibreOffice is not installed")

SCENARIOS: dict[str, dict[str, Any]] = {
    "seed": {},
    "deductions": {
        "EB_STAFF_QUOTA": 200, "EB_STAFF_ACTUAL": 205, "EB_SANGONG_PREV": 0.1,
        "EB_SANGONG_BUDGET": 0.1, "EB_KEY_PROJECT_EXP": 15, "EB_BUDGET_ADJUST": -13.2,
        "EB_LATE_FUNDS": 3, "EB_GP_ACTUAL": 1.9, "EB_CARD_PAID": 0.4,
        "EB_ASSETS.in_use": 38.5, "EB_SATISFACTION": 84.99, "EB_VIOLATIONS_FUND_USE": 2,
        "EB_VIOLATIONS_ASSET": 7, "EB_EXPENSE.balance_year": 3, "EB_INCOME.carryover": 1,
        "EB_CHECK_DISCLOSURE#2": "否", "EB_CHECK_ASSET_RULES#1": "否",
    },
    "zero denominators": {
        "EB_SANGONG_PREV": 0, "EB_BUDGET_INITIAL": 0, "EB_BUDGET_ADJUST": 0,
        "EB_GP_BUDGET": 0, "EB_GP_ACTUAL": 1, "EB_MANUAL_PROCUREMENT": 2.5,
        "EB_CARD_ELIGIBLE": 0, "EB_CARD_PAID": 0, "EB_EXPENSE.balance_year": 0,
    },
    "missing inputs": {
        "EB_STAFF_ACTUAL": None, "EB_SATISFACTION": None, "EB_LATE_FUNDS": None,
        "EB_SANGONG.total": None, "EB_CHECK_BUDGET_RULES#3": None,
    },
}

CALL = re.compile(r"^=(EB_SCORE|EB_VALUE|EB_GRADE)\((.*)\)$", re.S)
INDEX = re.compile(r"^INDEX\((\w+),(\d+)(?:,(\d+))?\)$")


def split_args(text: str) -> list[str]:
    """Top-level comma-separated arguments of a formula call."""
    args, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in "(,)":
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            elif depth == 0:
                args.append(text[start:i])
                start = i + 1
    return [*args, text[start:]]


class Resolver:
    """Values of the cells a formula argument refers to, through the workbook's names."""

    def __init__(self, path: Path, values_from: Path | None = None) -> None:
        self.formulas = openpyxl.load_workbook(path)
        self.values = openpyxl.load_workbook(values_from or path, data_only=True)

    def cell(self, name: str, row: int = 1, col: int = 1) -> Any:
        sheet, ref = split_sheet_ref(self.formulas.defined_names[name].attr_text)
        r1, c1, _, _ = parse_range(ref)
        return self.values[sheet].cell(r1 + row - 1, c1 + col - 1).value

    def argument(self, text: str) -> Any:
        if text.startswith('"'):
            return text[1:-1].replace('""', '"')
        m = INDEX.match(text)
        if m:
            return self.cell(m[1], int(m[2]), int(m[3] or 1))
        return self.cell(text)

    def formula(self, name: str) -> str:
        sheet, ref = split_sheet_ref(self.formulas.defined_names[name].attr_text)
        value = self.formulas[sheet][ref].value
        return value if isinstance(value, str) else ""


def evaluate(resolver: Resolver, name: str) -> Any:
    """Call the UDF of a cell's formula with its resolved arguments (via Office.js dispatch)."""
    m = CALL.match(resolver.formula(name))
    assert m, f"{name} holds no UDF call"
    first, *rest = [resolver.argument(a) for a in split_args(m[2])]
    args = (first, tuple(rest)) if m[1] != "EB_GRADE" else (first,)
    ((shown,),) = js.call(udfs, m[1], *args)
    return shown


def same(udf_value: Any, native_value: Any) -> bool:
    if isinstance(udf_value, float) and isinstance(native_value, int | float):
        return abs(udf_value - native_value) < 1e-9
    return udf_value == (native_value if native_value is not None else "")


def build(tmp_path: Path, scenario: str, variant: str) -> Path:
    inputs = seed_inputs()
    for key, value in SCENARIOS[scenario].items():
        set_at(inputs, key, value)
    slug = re.sub(r"\W", "_", scenario)
    fill = tmp_path / f"{slug}.json"
    fill.write_text(json.dumps(inputs, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / f"{slug}_{variant}.xlsx"
    result = CliRunner().invoke(main, ["template", f"--{variant}", "--fill", str(fill),
                                       "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    tmp = tmp_path_factory.mktemp("parity")
    udf = {s: build(tmp, s, "udf") for s in SCENARIOS}
    native = {s: build(tmp, s, "native") for s in SCENARIOS}
    recalculated = recalculate(list(native.values()), tmp / "recalculated")
    return {s: (udf[s], r) for s, r in zip(SCENARIOS, recalculated, strict=True)}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_udf_formulas_show_what_native_formulas_show(
        workbooks: dict[str, tuple[Path, Path]], scenario: str) -> None:
    udf_path, native_path = workbooks[scenario]
    native = read_names(native_path)
    resolver = Resolver(udf_path)
    udf_cells = [n for n in resolver.formulas.defined_names
                 if n.startswith(("EB_SCORE_", "EB_VALUE_")) and CALL.match(resolver.formula(n))]
    computed = [i for i in load_framework().indicators if not i.judged]
    assert len(udf_cells) == 2 * len(computed)  # every computed indicator: score and value
    differences = {n: (evaluate(resolver, n), native[n]) for n in udf_cells
                   if not same(evaluate(resolver, n), native[n])}
    assert differences == {}
    total = native[TOTAL_SCORE]
    ((grade,),) = js.call(udfs, "EB_GRADE", total)
    assert grade == native[GRADE]
    assert resolver.formula(GRADE) == f"=EB_GRADE({TOTAL_SCORE})"
