"""The standard workbook's structure: sheets, defined names (SPEC section 4), inputs,
validation, protection, formulas compiled from the rules, print setup, determinism."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.workbook.workbook import Workbook

from evalbook import TEMPLATE_VERSION
from evalbook import expr as E
from evalbook.contract import (
    COVER_FIELDS,
    EVALUATORS,
    GOAL_FIELDS,
    MONEY_TABLES,
    OPINION_FIELDS,
    PROFILE_FIELDS,
    SUMMARY_FIELDS,
    SUMMARY_ROW_LABEL,
    TARGETS,
    manual_name,
    reason_name,
    score_name,
)
from evalbook.fill import make_workbook
from evalbook.formulas import value_name
from evalbook.framework import (
    Framework,
    excel_ref,
    load_framework,
    operands,
    score_expr,
    value_display_expr,
)
from evalbook.rules import Personalised
from evalbook.template import SHEETS, Layout, Options
from evalbook.xlsxutil import cells_in, parse_range, split_sheet_ref
from scripts.regen_templates import TARGETS as REGEN_TARGETS
from scripts.regen_templates import content_signature, differences
from tests.helpers import OTHER_FRAMEWORK

FW = load_framework()
INPUT_FILL = "00FFF2CC"

# SPEC section 4: every name and the sheet it must live on.
SPEC_SCALARS = {
    **{n: "封面与报送" for n in ("EB_DEPT_NAME", "EB_BUDGET_CODE", "EB_YEAR", "EB_EVAL_METHOD",
                            "EB_EVAL_ORG", "EB_REPORT_DATE", "EB_SUBMIT_DATE", "EB_FILLER",
                            "EB_FILLER_PHONE")},
    **{n: "基本概况" for n in ("EB_CONTACT", "EB_CONTACT_PHONE", "EB_STAFF_QUOTA",
                           "EB_STAFF_ACTUAL", "EB_DUTIES", "EB_MAIN_WORK", "EB_ACHIEVEMENTS")},
    "EB_PROBLEMS": "评价报告综述", "EB_MEASURES": "评价报告综述",
    **{n: "基础数据" for n in ("EB_SANGONG_PREV", "EB_SANGONG_BUDGET", "EB_KEY_PROJECT_EXP",
                           "EB_BUDGET_INITIAL", "EB_BUDGET_ADJUST", "EB_LATE_FUNDS",
                           "EB_GP_BUDGET", "EB_GP_ACTUAL", "EB_CARD_ELIGIBLE", "EB_CARD_PAID",
                           "EB_SATISFACTION", "EB_VIOLATIONS_FUND_USE",
                           "EB_VIOLATIONS_ASSET")},
    "EB_TOTAL_SCORE": "评分表", "EB_GRADE": "评分表",
}
SPEC_CHECKLISTS = {"EB_CHECK_BUDGET_RULES": 3, "EB_CHECK_DISCLOSURE": 5, "EB_CHECK_ASSET_RULES": 2}
SPEC_TABLES = {"EB_INCOME": "收支情况", "EB_EXPENSE": "收支情况", "EB_SANGONG": "收支情况",
               "EB_ASSETS": "收支情况", "EB_TARGETS": "绩效目标", "EB_EVALUATORS": "评价人员与意见"}
META = {"EB_META_TEMPLATE_VERSION": TEMPLATE_VERSION, "EB_META_FRAMEWORK_ID": FW.id,
        "EB_META_FRAMEWORK_SHA256": FW.sha256, "EB_META_VARIANT": "native", "EB_META_UNITS": 3}


def built(tmp: Path, framework: Framework = FW, **options: Any) -> tuple[Workbook, Layout]:
    path = tmp / f"book_{len(list(tmp.iterdir()))}.xlsx"
    layout, _ = make_workbook(path, framework, Options(**options))
    return load_workbook(path), layout


@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workbook, Layout]:
    return built(tmp_path_factory.mktemp("blank"))


def where(wb: Workbook, name: str) -> tuple[str, str]:
    dn = wb.defined_names[name]
    assert dn.localSheetId is None, f"{name} must be workbook-scoped"
    return split_sheet_ref(dn.attr_text)


def formula(wb: Workbook, name: str) -> Any:
    sheet, ref = where(wb, name)
    return wb[sheet][ref].value


# ---------------------------------------------------------------- sheets and names


def test_sheets_in_order_and_meta_hidden(blank: tuple[Workbook, Layout]) -> None:
    wb, _ = blank
    assert wb.sheetnames == list(SHEETS)
    assert [ws.sheet_state for ws in wb.worksheets] == ["visible"] * 8 + ["hidden"]


@pytest.mark.parametrize(("name", "sheet"), sorted(SPEC_SCALARS.items()))
def test_spec_scalars_resolve_to_one_cell_on_their_sheet(
        blank: tuple[Workbook, Layout], name: str, sheet: str) -> None:
    wb, _ = blank
    found_sheet, ref = where(wb, name)
    assert (found_sheet, ":" in ref) == (sheet, False)


def test_every_form_field_of_the_contract_is_named_on_its_sheet(
        blank: tuple[Workbook, Layout]) -> None:
    wb, _ = blank
    expected = {**{f.name: "封面与报送" for f in COVER_FIELDS},
                **{f.name: "基本概况" for f in PROFILE_FIELDS},
                **{f.name: "绩效目标" for f in GOAL_FIELDS},
                **{f.name: "评价人员与意见" for f in OPINION_FIELDS},
                **{f.name: "评价报告综述" for f in SUMMARY_FIELDS},
                **{f.name: "基础数据" for f in FW.fields}}
    assert {name: where(wb, name)[0] for name in expected} == expected


@pytest.mark.parametrize(("name", "size"), sorted(SPEC_CHECKLISTS.items()))
def test_checklists_are_vertical_ranges(blank: tuple[Workbook, Layout], name: str,
                                        size: int) -> None:
    wb, _ = blank
    sheet, ref = where(wb, name)
    r1, c1, r2, c2 = parse_range(ref)
    assert (sheet, c1 == c2, r2 - r1 + 1) == ("基础数据", True, size)


@pytest.mark.parametrize("ind_id", [i.id for i in FW.indicators])
def test_every_indicator_has_score_reason_and_value_names(
        blank: tuple[Workbook, Layout], ind_id: str) -> None:
    wb, _ = blank
    rows = {parse_range(where(wb, n(ind_id))[1])[0] for n in (score_name, reason_name,
                                                              value_name)}
    assert len(rows) == 1  # one row of the 评分表
    assert where(wb, score_name(ind_id))[0] == "评分表"


@pytest.mark.parametrize("units", [1, 3, 5])
def test_table_names_cover_the_data_blocks(tmp_path: Path, units: int) -> None:
    wb, _ = built(tmp_path, units=units)
    for table in (*MONEY_TABLES, TARGETS, EVALUATORS):
        sheet, ref = where(wb, table.name)
        r1, c1, r2, c2 = parse_range(ref)
        rows = {"EB_TARGETS": 12, "EB_EVALUATORS": 6}.get(table.name, units + 1)
        assert (sheet, r2 - r1 + 1, c2 - c1 + 1) == (SPEC_TABLES[table.name], rows,
                                                      len(table.columns))
        if table in MONEY_TABLES:
            names = [wb[sheet].cell(r, c1).value for r in range(r1, r2 + 1)]
            assert names == [SUMMARY_ROW_LABEL, "局机关",
                             *(f"二级机构{i}" for i in range(1, units))]


def test_meta_sheet_records_version_framework_and_variant(blank: tuple[Workbook, Layout]) -> None:
    wb, _ = blank
    assert {name: formula(wb, name) for name in META} == META
    assert all(where(wb, name)[0] == "_evalbook" for name in META)


# ---------------------------------------------------------------- inputs


def _validated(ws: Any) -> set[tuple[int, int]]:
    covered: set[tuple[int, int]] = set()
    for dv in ws.data_validations.dataValidation:
        for rng in str(dv.sqref).split():
            covered.update(cells_in(rng))
    return covered


def test_every_input_is_unlocked_coloured_and_validated(blank: tuple[Workbook, Layout]) -> None:
    wb, layout = blank
    problems = []
    for area in layout.inputs:
        ws = wb[area.sheet]
        covered = _validated(ws)
        for row, col in cells_in(area.ref):
            cell = ws.cell(row, col)
            # openpyxl does not read back the fill of a merged range's other cells
            coloured = isinstance(cell, MergedCell) or cell.fill.fgColor.rgb == INPUT_FILL
            if cell.protection.locked or (row, col) not in covered or not coloured:
                problems.append((area.sheet, cell.coordinate, area.name))
    assert problems == []
    assert len(layout.inputs) > 100


def test_no_cell_outside_the_inputs_is_unlocked(blank: tuple[Workbook, Layout]) -> None:
    wb, layout = blank
    inputs = {(a.sheet, rc) for a in layout.inputs for rc in cells_in(a.ref)}
    stray = [(ws.title, c.coordinate) for ws in wb.worksheets for row in ws.iter_rows()
             for c in row if not c.protection.locked and (ws.title, (c.row, c.column))
             not in inputs]
    assert stray == []


def test_every_sheet_is_protected_without_password_by_default(
        blank: tuple[Workbook, Layout], tmp_path: Path) -> None:
    wb, _ = blank
    assert all(ws.protection.sheet and not ws.protection.password for ws in wb.worksheets)
    locked, _ = built(tmp_path, password="财政局2026")
    assert all(ws.protection.sheet and ws.protection.password for ws in locked.worksheets)


def test_validation_messages_are_chinese_and_within_excel_limits(
        blank: tuple[Workbook, Layout]) -> None:
    wb, _ = blank
    dvs = [dv for ws in wb.worksheets for dv in ws.data_validations.dataValidation]
    assert dvs
    for dv in dvs:
        assert dv.showErrorMessage and dv.showInputMessage and dv.allow_blank
        assert len(dv.promptTitle) <= 32 and len(dv.errorTitle) <= 32
        assert len(dv.prompt) <= 255 and len(dv.error) <= 255
        assert re.search("[\u4e00-\u9fff]", dv.prompt) and re.search("[\u4e00-\u9fff]", dv.error)
        assert dv.formula1 is None or len(dv.formula1) <= 255


def _dv_of(wb: Workbook, name: str) -> Any:
    sheet, ref = where(wb, name)
    row, col = parse_range(ref)[:2]
    for dv in wb[sheet].data_validations.dataValidation:
        if any((row, col) in cells_in(r) for r in str(dv.sqref).split()):
            return dv
    raise AssertionError(f"{name} has no validation")


@pytest.mark.parametrize(("name", "kind", "pattern"), [
    ("EB_BUDGET_CODE", "custom", r'LEN\(C\d+\)=6,TEXT\(--C\d+,"000000"\)'),
    ("EB_FILLER_PHONE", "custom", r"LEN\(SUBSTITUTE"),
    ("EB_STAFF_QUOTA", "whole", r"^0$"),
    ("EB_YEAR", "whole", r"^2000$"),
    ("EB_REPORT_DATE", "date", r"^36526$"),
    ("EB_SANGONG_PREV", "custom", r"ISNUMBER\(C\d+\),C\d+>=0,ROUND\(C\d+,2\)=C\d+"),
    ("EB_BUDGET_ADJUST", "custom", r"^AND\(ISNUMBER\(C\d+\),ROUND"),  # 调减 may be negative
    ("EB_SATISFACTION", "custom", r">=0,C\d+<=100,ROUND"),
    ("EB_LATE_FUNDS", "whole", r"^0$"),
    ("EB_CHECK_DISCLOSURE", "list", r'^"是,否"$'),
    ("EB_SCORE_BENEFIT_ECONOMIC", "custom", r"G\d+<=5,ROUND\(G\d+,2\)"),
    ("EB_SCORE_DUTY_GROWTH_POLE", "custom", r"G\d+<=7,"),
    ("EB_MANUAL_STAFF_CONTROL", "custom", r"H\d+<=5,"),
    ("EB_DUTIES", "textLength", r"^32767$"),
    ("EB_REASON_STAFF_CONTROL", "textLength", r"^255$"),
])
def test_validation_of_each_field_type(blank: tuple[Workbook, Layout], name: str, kind: str,
                                       pattern: str) -> None:
    wb, _ = blank
    dv = _dv_of(wb, name)
    assert dv.type == kind
    assert re.search(pattern, dv.formula1), dv.formula1


def test_target_table_lists(blank: tuple[Workbook, Layout]) -> None:
    wb, layout = blank
    formulas = {a.label: _dv_for_area(wb, a.sheet, a.ref).formula1
                for a in layout.inputs_of("EB_TARGETS")}
    assert formulas["目标类别"] == '"产出目标,效益目标"'
    assert formulas["比较方式"] == '"≥,≤,="'
    assert formulas["关联评分指标"] == "EB_LIST_LINKS"
    sheet, ref = where(wb, "EB_LIST_LINKS")
    choices = [c.value for row in wb[sheet][ref] for c in row]
    personal = [i for i in FW.indicators if isinstance(i.rule, Personalised)]
    assert choices == [i.name for i in personal] + [i.id for i in personal]


def _dv_for_area(wb: Workbook, sheet: str, ref: str) -> Any:
    first = parse_range(ref)[:2]
    for dv in wb[sheet].data_validations.dataValidation:
        if any(first in cells_in(r) for r in str(dv.sqref).split()):
            return dv
    raise AssertionError(ref)


# ---------------------------------------------------------------- formulas


@pytest.mark.parametrize("ind", FW.indicators, ids=lambda i: i.id)
def test_score_cells_hold_formulas_compiled_from_the_rule(blank: tuple[Workbook, Layout],
                                                          ind: Any) -> None:
    wb, layout = blank
    expr = score_expr(ind, FW.settings)
    score_area = layout.area(score_name(ind.id))
    if expr is not None:
        assert formula(wb, score_name(ind.id)) == "=" + expr.excel(excel_ref)
        display = value_display_expr(ind)
        assert display is not None
        assert formula(wb, value_name(ind.id)) == "=" + display.excel(excel_ref)
        assert not score_area.input and layout.area(manual_name(ind.id)).input
    elif isinstance(ind.rule, Personalised):
        assert score_area.input
        assert formula(wb, score_name(ind.id)).startswith("=IF(SUMPRODUCT(")
        assert manual_name(ind.id) not in layout.areas
    else:
        assert score_area.input and formula(wb, score_name(ind.id)) is None


def test_total_and_grade(blank: tuple[Workbook, Layout]) -> None:
    wb, _ = blank
    first = parse_range(where(wb, score_name(FW.indicators[0].id))[1])[0]
    last = parse_range(where(wb, score_name(FW.indicators[-1].id))[1])[0]
    assert formula(wb, "EB_TOTAL_SCORE") == f"=ROUND(SUM(G{first}:G{last}),2)"
    expected = FW.grade_expr(E.Ref("EB_TOTAL_SCORE"))
    assert formula(wb, "EB_GRADE") == "=" + expected.excel(excel_ref)
    assert formula(wb, "EB_GRADE") == ('=IF((EB_TOTAL_SCORE>=90),"优",IF((EB_TOTAL_SCORE>=80),'
                                        '"良",IF((EB_TOTAL_SCORE>=60),"中","差")))')


def test_udf_variant_calls_the_add_in_with_explicit_cells(tmp_path: Path) -> None:
    wb, _ = built(tmp_path, variant="udf")
    for ind in FW.indicators:
        if score_expr(ind, FW.settings) is None:
            continue
        args = "".join(f",{excel_ref(k)}" for k in operands(ind, FW.settings))
        assert formula(wb, score_name(ind.id)) == f'=EB_SCORE("{ind.id}"{args})'
        assert formula(wb, value_name(ind.id)) == f'=EB_VALUE("{ind.id}"{args})'
    assert formula(wb, "EB_GRADE") == "=EB_GRADE(EB_TOTAL_SCORE)"
    assert formula(wb, "EB_META_VARIANT") == "udf"
    assert formula(wb, "EB_SCORE_STAFF_CONTROL") == (
        '=EB_SCORE("staff_control",EB_STAFF_ACTUAL,EB_STAFF_QUOTA,EB_MANUAL_STAFF_CONTROL)')


def test_scoring_sheet_text_is_rendered_from_the_rules(blank: tuple[Workbook, Layout]) -> None:
    wb, _ = blank
    ws = wb["评分表"]
    for ind in FW.indicators:
        row = parse_range(where(wb, score_name(ind.id))[1])[0]
        assert (ws.cell(row, 3).value, ws.cell(row, 4).value, ws.cell(row, 5).value) == (
            ind.name, ind.criteria_text(), int(ind.max))
    labels = {c.value for c in ws["A"] if isinstance(c.value, str)}
    assert {"投入\n（15分）", "过程\n（40分）", "产出\n（25分）", "效果\n（20分）"} <= labels
    notes = [c.value for c in ws["A"] if isinstance(c.value, str) and c.value.startswith("注：")]
    assert notes == [f"注：{n.message}" for n in FW.notes]


def test_each_money_table_has_a_live_reconciliation(blank: tuple[Workbook, Layout]) -> None:
    wb, layout = blank
    for table in MONEY_TABLES:
        check = f"EB_RECON_{table.name.removeprefix('EB_')}"
        assert formula(wb, check).startswith('=IF(COUNTIF(')
        sheet, ref = where(wb, table.name)
        r1, _, r2, _ = parse_range(ref)
        marks = [wb[sheet].cell(r, 9).value for r in range(r1, r2 + 1)]
        assert all(m.startswith("=IF(AND(ROUND(N(") for m in marks)
        assert not layout.area(check).input


# ---------------------------------------------------------------- page and build


def test_print_setup_is_a4_fit_to_width(blank: tuple[Workbook, Layout]) -> None:
    wb, _ = blank
    for ws in wb.worksheets[:-1]:
        setup = ws.page_setup
        assert (int(setup.paperSize), int(setup.fitToWidth), int(setup.fitToHeight)) == (9, 1, 0)
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert str(ws.print_area).startswith(f"'{ws.title}'!$A$2:")
        assert setup.orientation == ("landscape" if ws.title == "评分表" else "portrait")
    assert wb["评分表"].print_title_rows == "$4:$4"
    assert wb["评分表"].freeze_panes == "A5"
    assert wb["评分表"]["D5"].font.name == "宋体"
    assert len(wb["评分表"].row_breaks.brk) >= 2


def test_build_is_deterministic(tmp_path: Path) -> None:
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    make_workbook(a, FW)
    make_workbook(b, FW)
    assert differences(content_signature(a), content_signature(b)) == []
    core = zipfile.ZipFile(a).read("docProps/core.xml").decode()
    assert "2026-01-01T00:00:00Z</dcterms:created>" in core
    assert "2026-01-01T00:00:00Z</dcterms:modified>" in core


def test_committed_workbooks_are_current() -> None:
    for target in REGEN_TARGETS:
        assert target.path.is_file(), target.path


def test_content_check_notices_a_changed_cell(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    make_workbook(path, FW)
    before = content_signature(path)
    wb = load_workbook(path)
    wb["评分表"]["D5"] = "改过的评分标准"
    wb.save(path)
    assert differences(before, content_signature(path)) == ["评分表:cells"]


def test_another_framework_builds_from_its_declarations(tmp_path: Path) -> None:
    other = load_framework(OTHER_FRAMEWORK)
    wb, layout = built(tmp_path, other)
    base = {f.name for f in other.fields}
    assert {n for n, a in layout.areas.items() if a.sheet == "基础数据"} == base
    assert formula(wb, "EB_META_FRAMEWORK_ID") == other.id
    for ind in other.indicators:
        expr = score_expr(ind, other.settings)
        if expr is not None:
            assert formula(wb, score_name(ind.id)) == "=" + expr.excel(excel_ref)
    assert '"优"' in formula(wb, "EB_GRADE") and ">=85" in formula(wb, "EB_GRADE")
