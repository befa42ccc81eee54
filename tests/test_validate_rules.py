"""The validator's schema and rules on in-memory workbooks: one change each, exact findings.

Every case starts from the seed example with its own three problems corrected (报送日期,
存在的主要问题) and asserts the complete list of ``(sheet, cell, code)`` it then reports —
the framework's header notes, present in every workbook of this framework, aside.
Addresses are looked up through the template's defined names, never written by hand.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from evalbook.findings import Finding
from evalbook.framework import load_framework
from evalbook.validator import validate_data
from evalbook.workbook import WorkbookData
from tests.defects.builders import at, clean_inputs, data_from_inputs
from tests.helpers import seed_inputs

FW = load_framework()
NOTES = {"framework-header-mismatch", "framework-header-unknown"}
Key = tuple[str | None, str | None, str]


def table(name: str, row: int, col: str, value: object) -> Callable[[dict[str, Any]], None]:
    from evalbook.contract import TABLES_BY_NAME

    def change(inputs: dict[str, Any]) -> None:
        rows = inputs[name]
        while len(rows) <= row:
            rows.append([None] * len(TABLES_BY_NAME[name].columns))
        rows[row][TABLES_BY_NAME[name].index(col) - 1] = value

    return change


def run(data: WorkbookData) -> list[Key]:
    return [f.key() for f in validate_data(data, FW) if f.code not in NOTES]


def findings(data: WorkbookData) -> list[Finding]:
    return [f for f in validate_data(data, FW) if f.code not in NOTES]


def k(name: str, code: str, row: int = 0, col: int | str = 0) -> Key:
    return (*at(name, row, col), code)


def test_the_clean_seed_has_nothing_but_the_framework_notes() -> None:
    data = data_from_inputs(clean_inputs())
    assert run(data) == []
    notes = [f.key() for f in validate_data(data, FW)]
    assert [code for _, _, code in notes] == ["framework-header-mismatch"] * 2


def test_the_seed_reports_its_own_problems() -> None:
    keys = [f.key() for f in validate_data(data_from_inputs(seed_inputs()), FW)]
    assert keys == [
        k("EB_SUBMIT_DATE", "submit-before-report"),
        (*at("EB_SCORE_DUTY_XIAOKANG", 0, -6), "framework-header-mismatch"),  # 一级 产出
        (*at("EB_SCORE_DUTY_XIAOKANG", 0, -5), "framework-header-mismatch"),  # 二级 职责履行
        k("EB_PROBLEMS", "problems-none"),
    ]


# ---------------------------------------------------------------- one cell (schemas)

CELL_CASES: list[tuple[str, dict[str, Any], list[Key]]] = [
    ("full-width digits", {"EB_STAFF_QUOTA": "８"}, [k("EB_STAFF_QUOTA", "text-number")]),
    ("unit typed", {"EB_KEY_PROJECT_EXP": "20万元"}, [k("EB_KEY_PROJECT_EXP", "text-number")]),
    ("chinese numeral", {"EB_SANGONG_PREV": "六"},
     [k("EB_SANGONG_PREV", "not-a-number"), k("EB_SCORE_SANGONG_CHANGE", "score-not-computed")]),
    ("vague amount", {"EB_SATISFACTION": "约100"},
     [k("EB_SATISFACTION", "not-a-number"), k("EB_SCORE_SATISFACTION", "score-not-computed")]),
    ("five-digit code", {"EB_BUDGET_CODE": "14400"}, [k("EB_BUDGET_CODE", "invalid-budget-code")]),
    ("code typed as number", {"EB_BUDGET_CODE": 44001},
     [k("EB_BUDGET_CODE", "invalid-budget-code")]),
    ("code in full-width", {"EB_BUDGET_CODE": "１４４００１"},
     [k("EB_BUDGET_CODE", "text-normalised")]),
    ("bad phone", {"EB_FILLER_PHONE": "123456"}, [k("EB_FILLER_PHONE", "invalid-phone")]),
    ("ten-digit mobile", {"EB_FILLER_PHONE": "1397509733"},
     [k("EB_FILLER_PHONE", "invalid-phone")]),
    ("fixed line with area code", {"EB_CONTACT_PHONE": "0730-8422334"}, []),
    ("mobile typed as number", {"EB_FILLER_PHONE": 13975097338}, []),
    ("year in words", {"EB_YEAR": "二〇二〇"}, [k("EB_YEAR", "not-a-number")]),
    ("two-digit year", {"EB_YEAR": 20}, [k("EB_YEAR", "invalid-year")]),
    ("yes/no with another word", {"EB_CHECK_BUDGET_RULES": ["是", "对", "是"]},
     [k("EB_CHECK_BUDGET_RULES", "invalid-choice", 1),
      k("EB_SCORE_BUDGET_RULES", "score-not-computed")]),
    ("missing required text", {"EB_DEPT_NAME": "  "}, [k("EB_DEPT_NAME", "missing-value")]),
    ("impossible date", {"EB_REPORT_DATE": "2021-02-30"}, [k("EB_REPORT_DATE", "invalid-date")]),
    ("excel error value", {"EB_STAFF_ACTUAL": "#DIV/0!"},
     [k("EB_STAFF_ACTUAL", "cell-error-value"), k("EB_SCORE_STAFF_CONTROL", "score-not-computed")]),
    ("count not whole", {"EB_LATE_FUNDS": 1.5}, [k("EB_LATE_FUNDS", "not-an-integer")]),
    ("percent above 100", {"EB_SATISFACTION": 120}, [k("EB_SATISFACTION", "out-of-range")]),
    ("negative adjustment is allowed", {"EB_BUDGET_ADJUST": -2}, []),
    ("negative amount", {"EB_GP_ACTUAL": -2},
     [k("EB_GP_ACTUAL", "negative-amount")]),
]


@pytest.mark.parametrize(("changes", "expected"), [c[1:] for c in CELL_CASES],
                         ids=[c[0] for c in CELL_CASES])
def test_cells(changes: dict[str, Any], expected: list[Key]) -> None:
    assert run(data_from_inputs(clean_inputs(**changes))) == expected


TABLE_CASES: list[tuple[str, list[Callable[[dict[str, Any]], None]], list[Key]]] = [
    ("text with unit in a table", [table("EB_EXPENSE", 1, "personnel", "67.7万元")],
     [k("EB_EXPENSE", "text-number", 1, "personnel")]),
    ("negative amount in a table", [table("EB_INCOME", 1, "carryover", -5)],
     [k("EB_INCOME", "summary-sum-mismatch", 0, "carryover"),
      k("EB_INCOME", "row-sum-mismatch", 1, "total"),
      k("EB_INCOME", "negative-amount", 1, "carryover")]),
    ("row total off", [table("EB_EXPENSE", 1, "basic", 69)],
     [k("EB_EXPENSE", "summary-sum-mismatch", 0, "basic"),
      k("EB_EXPENSE", "row-sum-mismatch", 1, "total"),
      k("EB_EXPENSE", "row-sum-mismatch", 1, "basic")]),
    ("汇总 off", [table("EB_ASSETS", 0, "total", 41.19), table("EB_ASSETS", 0, "in_use", 41.19)],
     [k("EB_ASSETS", "summary-sum-mismatch", 0, "total"),
      k("EB_ASSETS", "summary-sum-mismatch", 0, "in_use")]),
    ("balance off", [table("EB_EXPENSE", 0, "balance_year", 1),
                     table("EB_EXPENSE", 1, "balance_year", 1)],
     [k("EB_EXPENSE", "balance-mismatch", 0, "balance_year"),
      k("EB_EXPENSE", "balance-mismatch", 1, "balance_year")]),
    ("blank cell in a used unit row", [table("EB_SANGONG", 1, "vehicle_ops", "")],
     [k("EB_SANGONG", "missing-value", 1, "vehicle_ops")]),
    ("a second unit", [table("EB_ASSETS", 2, "total", 1), table("EB_ASSETS", 2, "in_use", 1)],
     [k("EB_ASSETS", "summary-sum-mismatch", 0, "total"),
      k("EB_ASSETS", "summary-sum-mismatch", 0, "in_use"),
      k("EB_ASSETS", "missing-value", 2, "leased"),
      k("EB_ASSETS", "missing-value", 2, "other")]),
    ("comparator in words", [table("EB_TARGETS", 1, "comparator", "大于")],
     [k("EB_TARGETS", "invalid-choice", 1, "comparator")]),
    ("status in other words", [table("EB_TARGETS", 1, "status", "完成")],
     [k("EB_TARGETS", "invalid-choice", 1, "status")]),
    ("actual value missing", [table("EB_TARGETS", 0, "actual", "")],
     [k("EB_TARGETS", "missing-value", 0, "actual")]),
    ("link to no indicator", [table("EB_TARGETS", 0, "indicator", "招商引资")],
     [k("EB_TARGETS", "invalid-choice", 0, "indicator")]),
    ("status contradicts the values", [table("EB_TARGETS", 1, "status", "已完成")],
     [k("EB_TARGETS", "target-status-mismatch", 1, "status")]),
    ("evaluator without a name", [table("EB_EVALUATORS", 4, "title", "科员")],
     [k("EB_EVALUATORS", "missing-value", 4, "name")]),
]


@pytest.mark.parametrize(("changes", "expected"), [c[1:] for c in TABLE_CASES],
                         ids=[c[0] for c in TABLE_CASES])
def test_tables(changes: list[Callable[[dict[str, Any]], None]], expected: list[Key]) -> None:
    inputs = clean_inputs()
    for change in changes:
        change(inputs)
    assert run(data_from_inputs(inputs)) == expected


# ---------------------------------------------------------------- content rules

RULE_CASES: list[tuple[str, dict[str, Any], list[Key]]] = [
    ("staff over quota", {"EB_STAFF_ACTUAL": 10}, [k("EB_STAFF_ACTUAL", "staff-over-quota")]),
    ("report dated inside the year", {"EB_REPORT_DATE": "2020-12-01",
                                      "EB_SUBMIT_DATE": "2021-01-05"},
     [k("EB_REPORT_DATE", "date-in-eval-year")]),
    ("submitted before the report", {"EB_SUBMIT_DATE": "2021-07-01"},
     [k("EB_SUBMIT_DATE", "submit-before-report")]),
    ("problems 无 with points lost", {"EB_PROBLEMS": "无。", "EB_STAFF_ACTUAL": 10},
     [k("EB_STAFF_ACTUAL", "staff-over-quota"), k("EB_PROBLEMS", "problems-none")]),
    ("judged score above max", {"EB_SCORE_BENEFIT_ECONOMIC": 6},
     [k("EB_SCORE_BENEFIT_ECONOMIC", "score-out-of-range")]),
    ("judged score without reason", {"EB_SCORE_BENEFIT_ECONOMIC": 4},
     [k("EB_REASON_BENEFIT_ECONOMIC", "reason-missing")]),
    ("judged score with reason", {"EB_SCORE_BENEFIT_ECONOMIC": 4,
                                  "EB_REASON_BENEFIT_ECONOMIC": "招商引资目标完成 80%"}, []),
    ("judged score missing", {"EB_SCORE_BENEFIT_SOCIAL": ""},
     [k("EB_SCORE_BENEFIT_SOCIAL", "score-missing")]),
    ("judged score in words", {"EB_SCORE_BENEFIT_SOCIAL": "五"},
     [k("EB_SCORE_BENEFIT_SOCIAL", "not-a-number")]),
    ("judged score with unit", {"EB_SCORE_BENEFIT_SOCIAL": "5分"},
     [k("EB_SCORE_BENEFIT_SOCIAL", "text-number")]),
    ("unlinked personalised score missing", {"EB_SCORE_DUTY_OTHER": ""},
     [k("EB_SCORE_DUTY_OTHER", "score-missing")]),
    ("linked personalised typed differently", {"EB_SCORE_DUTY_LIVELIHOOD": 1},
     [k("EB_SCORE_DUTY_LIVELIHOOD", "score-mismatch")]),
    ("linked personalised typed the same", {"EB_SCORE_DUTY_LIVELIHOOD": 2}, []),
    ("rule cannot compute: manual score needed", {"EB_SANGONG_PREV": 0},
     [k("EB_MANUAL_SANGONG_CHANGE", "manual-score-missing")]),
    ("manual score without reason", {"EB_SANGONG_PREV": 0, "EB_MANUAL_SANGONG_CHANGE": 3},
     [k("EB_REASON_SANGONG_CHANGE", "reason-missing")]),
    ("manual score with reason", {"EB_SANGONG_PREV": 0, "EB_MANUAL_SANGONG_CHANGE": 3,
                                  "EB_REASON_SANGONG_CHANGE": "上年无三公经费"}, []),
]


@pytest.mark.parametrize(("changes", "expected"), [c[1:] for c in RULE_CASES],
                         ids=[c[0] for c in RULE_CASES])
def test_rules(changes: dict[str, Any], expected: list[Key]) -> None:
    assert run(data_from_inputs(clean_inputs(**changes))) == expected


# ---------------------------------------------------------------- score cells and structure


def clean() -> WorkbookData:
    return data_from_inputs(clean_inputs())


def typed_over_formula(name: str, value: object) -> Callable[[WorkbookData], None]:
    def change(data: WorkbookData) -> None:
        rng = data.names[name]
        assert rng.formulas is not None and rng.formulas[0][0] is not None
        rng.formulas[0][0] = None
        rng.values[0][0] = value

    return change


def cached(name: str, value: object) -> Callable[[WorkbookData], None]:
    def change(data: WorkbookData) -> None:
        data.names[name].values[0][0] = value

    return change


def live(name: str, value: object) -> Callable[[WorkbookData], None]:
    """As the add-in reads an open workbook: values only, formulas unknown."""
    def change(data: WorkbookData) -> None:
        data.names[name].formulas = None
        data.names[name].values[0][0] = value

    return change


def meta(name: str, value: str) -> Callable[[WorkbookData], None]:
    return cached(name, value)


def drop_sheet(sheet: str, broken: bool = True) -> Callable[[WorkbookData], None]:
    def change(data: WorkbookData) -> None:
        gone = [n for n, r in data.names.items() if r.sheet == sheet]
        for name in gone:
            del data.names[name]
            if broken:
                data.broken[name] = "#REF!"
        data.sheets.remove(sheet)

    return change


def rename_sheet(old: str, new: str) -> Callable[[WorkbookData], None]:
    """Excel renames: the defined names follow the sheet."""
    def change(data: WorkbookData) -> None:
        for rng in data.names.values():
            if rng.sheet == old:
                rng.sheet = new
        data.sheets[data.sheets.index(old)] = new

    return change


def drop_column(name: str) -> Callable[[WorkbookData], None]:
    def change(data: WorkbookData) -> None:
        for row in data.names[name].values:
            row.pop()

    return change


def merge(name: str, row: int, col: int, rows: int, cols: int) -> Callable[[WorkbookData], None]:
    def change(data: WorkbookData) -> None:
        rng = data.names[name]
        r, c = rng.first_row + row, rng.first_col + col
        data.merged.setdefault(rng.sheet, []).append((r, c, r + rows - 1, c + cols - 1))

    return change


FINANCE = "收支情况"
STRUCTURE_CASES: list[tuple[str, Callable[[WorkbookData], None], list[Key]]] = [
    ("formula overwritten", typed_over_formula("EB_SCORE_STAFF_CONTROL", 5),
     [k("EB_SCORE_STAFF_CONTROL", "formula-overwritten")]),
    ("formula cleared", typed_over_formula("EB_SCORE_PROCUREMENT", None),
     [k("EB_SCORE_PROCUREMENT", "formula-overwritten")]),
    ("value formula overwritten", typed_over_formula("EB_VALUE_OFFICIAL_CARD", 99),
     [k("EB_VALUE_OFFICIAL_CARD", "formula-overwritten")]),
    ("total overwritten", typed_over_formula("EB_TOTAL_SCORE", 100),
     [k("EB_TOTAL_SCORE", "formula-overwritten")]),
    ("grade overwritten", typed_over_formula("EB_GRADE", "优"), [k("EB_GRADE", "formula-overwritten")]),
    ("stale total", cached("EB_TOTAL_SCORE", 90), [k("EB_TOTAL_SCORE", "stale-value")]),
    ("current total", cached("EB_TOTAL_SCORE", 100), []),
    ("stale subtotal", cached("EB_SUBTOTAL_1", 14), [k("EB_SUBTOTAL_1", "stale-value")]),
    ("stale grade", cached("EB_GRADE", "良"), [k("EB_GRADE", "stale-value")]),
    ("score shows text", cached("EB_SCORE_STAFF_CONTROL", "待填写"), []),
    ("live workbook, score differs", live("EB_SCORE_STAFF_CONTROL", 4),
     [k("EB_SCORE_STAFF_CONTROL", "score-mismatch")]),
    ("live workbook, score agrees", live("EB_SCORE_STAFF_CONTROL", 5), []),
    ("unknown framework", meta("EB_META_FRAMEWORK_ID", "sample-other-region"),
     [k("EB_META_FRAMEWORK_ID", "framework-unknown")]),
    ("tampered framework", meta("EB_META_FRAMEWORK_SHA256", "0" * 64),
     [k("EB_META_FRAMEWORK_SHA256", "framework-tampered")]),
    ("old template", meta("EB_META_TEMPLATE_VERSION", "2020.1"),
     [k("EB_META_TEMPLATE_VERSION", "template-version")]),
    ("deleted sheet", drop_sheet(FINANCE), [(FINANCE, None, "sheet-missing")]),
    ("renamed sheet, names followed", rename_sheet(FINANCE, "收支"), [("收支", None, "sheet-renamed")]),
    ("table lost a column", drop_column("EB_SANGONG"),
     [k("EB_SANGONG", "range-shape")]),
    ("merged table cells", merge("EB_INCOME", 1, 2, 1, 2),
     [k("EB_INCOME", "merged-cells", 1, 2)]),
]


@pytest.mark.parametrize(("change", "expected"), [c[1:] for c in STRUCTURE_CASES],
                         ids=[c[0] for c in STRUCTURE_CASES])
def test_structure_and_score_cells(change: Callable[[WorkbookData], None],
                                   expected: list[Key]) -> None:
    data = clean()
    change(data)
    assert run(data) == expected


def test_meta_missing() -> None:
    data = clean()
    for name in ("EB_META_FRAMEWORK_ID", "EB_META_FRAMEWORK_SHA256", "EB_META_TEMPLATE_VERSION"):
        del data.names[name]
    assert run(data) == [("_evalbook", None, "meta-missing")] * 3


# ---------------------------------------------------------------- messages


def test_messages_name_the_offending_and_the_expected_value() -> None:
    inputs = clean_inputs()
    table("EB_EXPENSE", 1, "basic", 69)(inputs)
    messages = {f.key(): f.message for f in findings(data_from_inputs(inputs))}
    assert messages[k("EB_EXPENSE", "row-sum-mismatch", 1, "basic")] == (
        "年度支出和结余情况“局机关”行：基本支出为 69，而人员支出、公用支出之和为 68。")
    assert messages[k("EB_EXPENSE", "summary-sum-mismatch", 0, "basic")] == (
        "年度支出和结余情况汇总行的“基本支出”为 68，而各单位之和为 69。")
    text = findings(data_from_inputs(clean_inputs(EB_SANGONG_PREV="六")))[0].message
    assert text == "“上年度“三公”经费总额”填写为“六”，是中文数字，请填写阿拉伯数字；相关指标无法计算。"


def test_a_cleared_formula_says_blank() -> None:
    data = clean()
    typed_over_formula("EB_SCORE_PROCUREMENT", None)(data)
    [finding] = findings(data)
    assert finding.message == ("“政府采购执行率自评得分”的公式已被删除或改为常量（现为 空白）；"
                               "按原始数据重新计算应为 3。请恢复公式（可从模板复制）。")


def test_findings_carry_their_indicator() -> None:
    found = findings(data_from_inputs(clean_inputs(EB_SCORE_BENEFIT_ECONOMIC=6)))
    assert [(f.code, f.indicator) for f in found] == [("score-out-of-range", "benefit_economic")]


def test_one_bad_cell_hides_no_other_check() -> None:
    inputs = clean_inputs(EB_SATISFACTION="约100", EB_BUDGET_CODE="14400", EB_STAFF_ACTUAL=10)
    table("EB_EXPENSE", 1, "basic", 69)(inputs)
    codes = {code for _, _, code in run(data_from_inputs(inputs))}
    assert {"not-a-number", "invalid-budget-code", "staff-over-quota",
            "row-sum-mismatch"} <= codes


def test_validation_does_not_change_the_data() -> None:
    data = data_from_inputs(seed_inputs())
    before = copy.deepcopy(data)
    validate_data(data, FW)
    assert data == before
