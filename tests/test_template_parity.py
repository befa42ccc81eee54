"""A real spreadsheet engine agrees with Python: LibreOffice recalculates filled workbooks.

Every score (EB_SCORE_*), value (EB_VALUE_*), subtotal, total and grade that LibreOffice
computes from the native formulas must equal evalbook.engine.score on the same JSON inputs,
to the cent; where the engine gives no score, the formula cell must show a text. The
money tables' live ✓/✗ must agree with an independent reconciliation written here.
All workbooks go through ONE soffice run.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from evalbook.contract import MONEY_TABLES, TARGETS, Table, score_name
from evalbook.engine import ScoreResult, score
from evalbook.fill import make_workbook
from evalbook.formulas import value_name
from evalbook.framework import load_framework, score_expr
from evalbook.numbers import round_half_up, to_decimal
from evalbook.rules import Personalised
from evalbook.template import Layout, Options, build
from tests.helpers import seed_inputs
from tests.support.libreoffice import read_names, recalculate, soffice_path

pytestmark = pytest.mark.skipif(soffice_path() is None, reason="LibreOffice is not installed")

FW = load_framework()
Inputs = dict[str, Any]
Edit = Callable[[Inputs], None]

# Positions inside the named table ranges (1-based, as in contract.Table.index).
SANGONG_TOTAL = ("EB_SANGONG", 2)
PROJECT = ("EB_EXPENSE", 6)
BALANCE_YEAR = ("EB_EXPENSE", 7)
CARRYOVER = ("EB_INCOME", 3)
ASSETS_TOTAL, ASSETS_IN_USE = ("EB_ASSETS", 2), ("EB_ASSETS", 3)


def cell(where: tuple[str, int], value: object) -> Edit:
    def edit(inputs: Inputs) -> None:
        inputs[where[0]][0][where[1] - 1] = value
    return edit


def put(**values: object) -> Edit:
    def edit(inputs: Inputs) -> None:
        for key, value in values.items():
            if value is None:
                inputs.pop(key, None)
            else:
                inputs[key] = value
    return edit


def target(row: int, target_value: object, actual: object, comparator: str, link: str) -> Edit:
    def edit(inputs: Inputs) -> None:
        line = inputs["EB_TARGETS"][row]
        line[TARGETS.index("target") - 1] = target_value
        line[TARGETS.index("actual") - 1] = actual
        line[TARGETS.index("comparator") - 1] = comparator
        line[TARGETS.index("indicator") - 1] = link
    return edit


# ---------------------------------------------------------------- explicit band edges

EDGES: list[tuple[str, list[Edit]]] = [
    ("seed", []),
    ("staff 100%", [put(EB_STAFF_QUOTA=100, EB_STAFF_ACTUAL=100)]),
    ("staff 100.5%", [put(EB_STAFF_QUOTA=200, EB_STAFF_ACTUAL=201)]),
    ("staff 112.5%", [put(EB_STAFF_QUOTA=8, EB_STAFF_ACTUAL=9)]),
    ("staff 300%", [put(EB_STAFF_QUOTA=1, EB_STAFF_ACTUAL=3)]),
    ("staff 0/0", [put(EB_STAFF_QUOTA=0, EB_STAFF_ACTUAL=0)]),
    ("staff x/0", [put(EB_STAFF_QUOTA=0, EB_STAFF_ACTUAL=5)]),
    ("staff x/0 manual", [put(EB_STAFF_QUOTA=0, EB_STAFF_ACTUAL=5,
                              EB_MANUAL_STAFF_CONTROL=3.5)]),
    ("staff x/0 manual>max", [put(EB_STAFF_QUOTA=0, EB_STAFF_ACTUAL=5,
                                  EB_MANUAL_STAFF_CONTROL=7)]),
    ("staff blank", [put(EB_STAFF_QUOTA=None)]),
    *[(f"key {v}", [cell(PROJECT, 100), put(EB_KEY_PROJECT_EXP=v)])
      for v in (89.99, 90, 79.99, 80, 70, 69.99, 60, 59.99, 0)],
    ("key 0/0", [cell(PROJECT, 0), put(EB_KEY_PROJECT_EXP=0)]),
    ("key x/0 manual", [cell(PROJECT, 0), put(EB_KEY_PROJECT_EXP=5,
                                              EB_MANUAL_KEY_SPENDING=4.25)]),
    *[(f"adjust {v}", [put(EB_BUDGET_INITIAL=100, EB_BUDGET_ADJUST=v)])
      for v in (0, 0.01, 10, 10.01, 20, 20.01, 30, 30.01, -10.01)],
    ("adjust 0/0", [put(EB_BUDGET_INITIAL=0, EB_BUDGET_ADJUST=0)]),
    *[(f"satisfaction {v}", [put(EB_SATISFACTION=v)])
      for v in (94.99, 95, 85, 84.99, 75, 74.99, 100)],
    *[(f"card {v}", [put(EB_CARD_ELIGIBLE=100, EB_CARD_PAID=v)]) for v in (49.9, 50, 0, 12.345)],
    ("card 0/0", [put(EB_CARD_ELIGIBLE=0, EB_CARD_PAID=0)]),
    *[(f"procurement {v}", [put(EB_GP_BUDGET=100, EB_GP_ACTUAL=v)]) for v in (99.5, 90, 120)],
    ("procurement x/0", [put(EB_GP_BUDGET=0, EB_GP_ACTUAL=3)]),
    ("sangong +50%", [put(EB_SANGONG_PREV=0.1), cell(SANGONG_TOTAL, 0.15)]),
    ("sangong +1%", [put(EB_SANGONG_PREV=1), cell(SANGONG_TOTAL, 1.01)]),
    ("sangong 0/0", [put(EB_SANGONG_PREV=0, EB_SANGONG_BUDGET=0), cell(SANGONG_TOTAL, 0)]),
    ("sangong x/0", [put(EB_SANGONG_PREV=0), cell(SANGONG_TOTAL, 0.12)]),
    ("sangong x/0 manual", [put(EB_SANGONG_PREV=0, EB_MANUAL_SANGONG_CHANGE=2),
                            cell(SANGONG_TOTAL, 0.12)]),
    ("sangong control 120%", [put(EB_SANGONG_BUDGET=0.1)]),
    ("sangong control 100.5%", [put(EB_SANGONG_BUDGET=2), cell(SANGONG_TOTAL, 2.01)]),
    ("assets 74.65%", [cell(ASSETS_TOTAL, 40.19), cell(ASSETS_IN_USE, 30)]),
    ("assets x/0", [cell(ASSETS_TOTAL, 0), cell(ASSETS_IN_USE, 1)]),
    ("balance none", [cell(BALANCE_YEAR, 0), cell(CARRYOVER, 0)]),
    ("balance within carryover", [cell(BALANCE_YEAR, 5), cell(CARRYOVER, 10)]),
    ("balance equals carryover", [cell(BALANCE_YEAR, 10), cell(CARRYOVER, 10)]),
    ("balance above carryover", [cell(BALANCE_YEAR, 10.01), cell(CARRYOVER, 10)]),
    ("balance, carryover blank", [cell(BALANCE_YEAR, 5), cell(CARRYOVER, None)]),
    ("checklists mixed", [put(EB_CHECK_BUDGET_RULES=["是", "否", "是"],
                              EB_CHECK_DISCLOSURE=["否", "是", "否", "是", "是"],
                              EB_CHECK_ASSET_RULES=["否", "是"])]),
    ("checklists all no", [put(EB_CHECK_BUDGET_RULES=["否"] * 3, EB_CHECK_DISCLOSURE=["否"] * 5,
                               EB_CHECK_ASSET_RULES=["否", "否"])]),
    ("checklist incomplete", [put(EB_CHECK_BUDGET_RULES=["是", "是"],
                                  EB_CHECK_ASSET_RULES=["是", "对"])]),
    *[(f"violations {n}", [put(EB_VIOLATIONS_FUND_USE=n, EB_VIOLATIONS_ASSET=n, EB_LATE_FUNDS=n)])
      for n in (1, 3, 7)],
    ("judged missing and partial", [put(EB_SCORE_BENEFIT_ECONOMIC=None,
                                        EB_SCORE_BENEFIT_SOCIAL=4.55,
                                        EB_SCORE_DUTY_OTHER=0)]),
    ("targets partial", [target(6, 100, 80, "≥", "duty_key_projects"),
                         target(8, 100, 125, "≤", "duty_livelihood"),
                         target(9, 10, 8, "=", "duty_livelihood")]),
    ("targets by name, aliases", [target(0, 10, 9.5, ">=", "其他工作实绩指标完成情况"),
                                  target(1, 3, 4, "≦", "其他工作实绩指标完成情况"),
                                  put(EB_SCORE_DUTY_OTHER=None)]),
    ("target missing actual", [target(6, 100, None, "≥", "duty_key_projects")]),
    ("target zero", [target(6, 0, 0, "≥", "duty_key_projects"),
                     target(7, 0, 5, "≤", "duty_key_projects")]),
    ("empty", [lambda inputs: inputs.clear()]),
]


# ---------------------------------------------------------------- seeded random inputs


def _amount(rng: random.Random, high: int = 10_000) -> float:
    return rng.randint(0, high * 100) / 100


def random_case(rng: random.Random) -> Inputs:
    inputs = seed_inputs()
    quota = rng.choice([0, 1, 8, 40, 200])
    inputs.update(EB_STAFF_QUOTA=quota, EB_STAFF_ACTUAL=rng.choice([0, quota, quota + 1,
                                                                   rng.randint(0, 300)]))
    for table, col in (SANGONG_TOTAL, PROJECT, BALANCE_YEAR, CARRYOVER, ASSETS_IN_USE):
        inputs[table][0][col - 1] = rng.choice([0, _amount(rng, 100), _amount(rng)])
    inputs["EB_ASSETS"][0][ASSETS_TOTAL[1] - 1] = rng.choice([0, _amount(rng), 40.19])
    for key in ("EB_SANGONG_PREV", "EB_SANGONG_BUDGET", "EB_KEY_PROJECT_EXP", "EB_BUDGET_INITIAL",
                "EB_GP_BUDGET", "EB_GP_ACTUAL", "EB_CARD_ELIGIBLE", "EB_CARD_PAID"):
        inputs[key] = rng.choice([0, _amount(rng, 10), _amount(rng, 1000)])
    inputs["EB_BUDGET_ADJUST"] = rng.choice([0, 0.01, -_amount(rng, 50), _amount(rng, 50)])
    inputs["EB_SATISFACTION"] = rng.choice([rng.randint(0, 10000) / 100, 95, 84.99, 74.99])
    for key in ("EB_VIOLATIONS_FUND_USE", "EB_VIOLATIONS_ASSET", "EB_LATE_FUNDS"):
        inputs[key] = rng.randint(0, 7)
    for key, size in (("EB_CHECK_BUDGET_RULES", 3), ("EB_CHECK_DISCLOSURE", 5),
                      ("EB_CHECK_ASSET_RULES", 2)):
        inputs[key] = [rng.choice(["是", "是", "否"]) for _ in range(size)]
    for ind in FW.indicators:
        if ind.judged and score_name(ind.id) in inputs:
            inputs[score_name(ind.id)] = rng.randint(0, int(ind.max * 100)) / 100
        if score_expr(ind, FW.settings) is not None and rng.random() < 0.3:
            inputs[f"EB_MANUAL_{ind.id.upper()}"] = rng.randint(0, int(ind.max * 100)) / 100
    for row in inputs["EB_TARGETS"]:
        row[TARGETS.index("actual") - 1] = rng.choice([row[3], _amount(rng, 200), 0])
        row[TARGETS.index("comparator") - 1] = rng.choice(["≥", "≤", "="])
    return inputs


def all_cases() -> list[tuple[str, Inputs]]:
    cases = []
    for label, edits in EDGES:
        inputs = seed_inputs()
        for edit in edits:
            edit(inputs)
        cases.append((label, inputs))
    rng = random.Random(20260101)
    cases += [(f"random {i}", random_case(rng)) for i in range(20)]
    return cases


# ---------------------------------------------------------------- comparing


def _cents(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return round_half_up(to_decimal(value), 2)


def _is_formula(ind_id: str, inputs: Inputs) -> bool:
    ind = FW.indicator(ind_id)
    if score_expr(ind, FW.settings) is not None:
        return True
    return isinstance(ind.rule, Personalised) and inputs.get(score_name(ind_id)) is None


def mismatches(label: str, names: dict[str, Any], inputs: Inputs, result: ScoreResult,
               layout: Layout) -> list[str]:
    out = []
    for r in result.indicators:
        shown = names.get(score_name(r.id))
        if r.score is None:
            blank = shown is None and not _is_formula(r.id, inputs)
            texty = isinstance(shown, str) and shown != "" and not shown.startswith("#")
            if not (texty or blank):
                out.append(f"{label}: {r.id} score {shown!r}, engine {r.status}")
        elif _cents(shown) != r.score:
            out.append(f"{label}: {r.id} score {shown!r} != {r.score} ({r.status})")
        value = names.get(value_name(r.id))
        if r.value is None and _cents(value) is not None:
            out.append(f"{label}: {r.id} value {value!r}, engine None")
        if r.value is not None and _cents(value) != round_half_up(r.value, 2):
            out.append(f"{label}: {r.id} value {value!r} != {r.value}")
    subtotal_names = {a.label: a.name for a in layout.areas.values() if a.kind == "subtotal"}
    for s in result.subtotals:
        shown = names.get(subtotal_names[s.name])
        if _cents(shown) != s.score:
            out.append(f"{label}: subtotal {s.name} {shown!r} != {s.score}")
    if _cents(names.get("EB_TOTAL_SCORE")) != result.total:
        out.append(f"{label}: total {names.get('EB_TOTAL_SCORE')!r} != {result.total}")
    if names.get("EB_GRADE") != result.grade:
        out.append(f"{label}: grade {names.get('EB_GRADE')!r} != {result.grade}")
    return out


def _n(value: object) -> Decimal:
    return _cents(value) or Decimal(0)


def reconciles(table: Table, rows: list[list[Any]]) -> bool:
    """Independent of formulas.py: 合计 = Σ parts in each row; 汇总 = Σ unit rows."""
    for row in rows:
        for total, parts in table.sums:
            if _n(row[table.index(total) - 1]) != sum(_n(row[table.index(p) - 1]) for p in parts):
                return False
    amount_cols = [i for i, c in enumerate(table.columns) if c.type == "amount"]
    return all(_n(rows[0][i]) == sum(_n(r[i]) for r in rows[1:]) for i in amount_cols)


def recon_mismatches(label: str, names: dict[str, Any], inputs: Inputs) -> list[str]:
    out = []
    for table in MONEY_TABLES:
        rows = [list(r) for r in names[table.name]]
        expected = "✓" if reconciles(table, rows) else "✗"
        shown = names.get(f"EB_RECON_{table.name.removeprefix('EB_')}")
        if shown != expected:
            out.append(f"{label}: {table.name} reconciliation {shown!r} != {expected}")
    return out


# ---------------------------------------------------------------- the test


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory: pytest.TempPathFactory
                 ) -> list[tuple[str, Inputs, dict[str, Any]]]:
    root = tmp_path_factory.mktemp("parity")
    cases = all_cases()
    paths = []
    for i, (_, inputs) in enumerate(cases):
        path = root / "in" / f"case_{i:03d}.xlsx"
        path.parent.mkdir(exist_ok=True)
        make_workbook(path, FW, Options(), inputs)
        paths.append(path)
    outputs = recalculate(paths, root / "out")  # ONE soffice run for every workbook
    return [(label, inputs, read_names(out))
            for (label, inputs), out in zip(cases, outputs, strict=True)]


def test_at_least_50_workbooks_hit_the_band_edges(
        recalculated: list[tuple[str, Inputs, dict[str, Any]]]) -> None:
    assert len(recalculated) >= 50
    statuses = {r.status for _, inputs, _ in recalculated for r in score(inputs, FW).indicators}
    assert {"ok", "missing-input", "needs-judgement", "invalid-input"} <= statuses


def test_libreoffice_scores_equal_the_engine(
        recalculated: list[tuple[str, Inputs, dict[str, Any]]]) -> None:
    _, layout = build(FW)
    problems = []
    for label, inputs, names in recalculated:
        problems += mismatches(label, names, inputs, score(inputs, FW), layout)
    assert problems == []


def test_seed_example_scores_100_and_excellent_in_libreoffice(
        recalculated: list[tuple[str, Inputs, dict[str, Any]]]) -> None:
    label, _, names = recalculated[0]
    assert label == "seed"
    assert (names["EB_TOTAL_SCORE"], names["EB_GRADE"]) == (100, "优")
    assert all(names[f"EB_RECON_{t.name.removeprefix('EB_')}"] == "✓" for t in MONEY_TABLES)


def test_reconciliation_marks_agree_with_the_tables(
        recalculated: list[tuple[str, Inputs, dict[str, Any]]]) -> None:
    problems = []
    for label, inputs, names in recalculated:
        problems += recon_mismatches(label, names, inputs)
    assert problems == []
    marks = {names["EB_RECON_EXPENSE"] for _, _, names in recalculated}
    assert marks == {"✓", "✗"}  # both outcomes are exercised
