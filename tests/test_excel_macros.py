"""The macros, run as xlwings Lite and Server run them: ``custom_scripts_call`` with the
workbook data Office.js sends (``xw.Book(json=...)``), on real workbooks made by
``evalbook template --udf --fill``.

A returned UDF workbook holds Excel's cached results; it is made here from the UDF workbook
and its native-formula twin recalculated by LibreOffice (tests/support/cached.py). The
actions a script returns are then applied to the file as Excel would apply them, so that
validate → clear → validate can be checked end to end.
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
from evalbook.excel import macros
from evalbook.formulas import value_name
from evalbook.validator import validate_path
from evalbook.xlsxutil import cells_in, split_sheet_ref
from tests.helpers import seed_inputs
from tests.support.cached import with_cached_values
from tests.support.keys import set_at
from tests.support.libreoffice import recalculate, soffice_path

pytestmark = pytest.mark.skipif(soffice_path() is None, reason="LibreOffice is not installed")

SCENARIOS: dict[str, dict[str, Any]] = {
    "seed": {},
    "defects": {
        "EB_STAFF_QUOTA": "8人", "EB_STAFF_ACTUAL": "六", "EB_INCOME.total": 90,
        "EB_CHECK_DISCLOSURE#3": "有", "EB_SATISFACTION": 120, "EB_BUDGET_CODE": "14400",
        "EB_SCORE_BENEFIT_SOCIAL": 4,
    },
}
RESULT = macros.RESULT_SHEET


def build(tmp: Path, scenario: str, variant: str) -> Path:
    inputs = seed_inputs()
    for key, value in SCENARIOS[scenario].items():
        set_at(inputs, key, value)
    fill = tmp / f"{scenario}.json"
    fill.write_text(json.dumps(inputs, ensure_ascii=False), encoding="utf-8")
    out = tmp / f"{scenario}_{variant}.xlsx"
    result = CliRunner().invoke(main, ["template", f"--{variant}", "--fill", str(fill),
                                       "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """Each scenario's UDF workbook and its native twin recalculated by LibreOffice."""
    tmp = tmp_path_factory.mktemp("macros")
    native = [build(tmp, s, "native") for s in SCENARIOS]
    recalculated = recalculate(native, tmp / "recalculated")
    return {s: (build(tmp, s, "udf"), r) for s, r in zip(SCENARIOS, recalculated, strict=True)}


@pytest.fixture(scope="module")
def returned(made: dict[str, tuple[Path, Path]]) -> dict[str, Path]:
    """Each scenario's UDF workbook as Excel with the add-in would have saved it."""
    return {s: with_cached_values(udf, values, udf.with_name(f"{udf.stem}_returned.xlsx"))
            for s, (udf, values) in made.items()}


def cli_report(path: Path) -> dict[str, Any]:
    """What ``evalbook validate FILE --format json`` reports for the file."""
    report: dict[str, Any] = validate_path(path).to_json()
    return report


def cli_findings(path: Path) -> list[dict[str, Any]]:
    findings: list[dict[str, Any]] = cli_report(path)["findings"]
    return findings


def run(path: Path, script: str) -> list[dict[str, Any]]:
    book = js.open_book(js.book_json(path))
    try:
        return js.run_script(macros, script, book)
    finally:
        book.close()


def sheet_names(path: Path) -> list[str]:
    return openpyxl.load_workbook(path, read_only=True).sheetnames


def by_sheet(actions: list[dict[str, Any]], names: list[str], func: str) -> set[tuple[str, str]]:
    return {(names[a["sheet_position"]], js.cell_range(a)) for a in actions if a["func"] == func}


def test_scripts_are_listed_with_chinese_names() -> None:
    meta = {m["function_name"]: m["name"] for m in js.custom_scripts_meta(macros)}
    assert meta == {"validate_workbook": "校验", "clear_marks": "清除标记",
                    "recalculate_scores": "重新计算"}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_validate_lists_and_marks_exactly_what_the_cli_reports(
        returned: dict[str, Path], scenario: str) -> None:
    path = returned[scenario]
    expected = cli_findings(path)
    actions = run(path, "validate_workbook")
    names = sheet_names(path)
    assert [a["args"] for a in actions if a["func"] == "addSheet"] == [[len(names), RESULT]]
    names.append(RESULT)

    marked = by_sheet(actions, names, "setRangeColor") - {(RESULT, "A2:G2")}
    cells = {(f["sheet"], f["cell"]) for f in expected if f["cell"]}
    assert marked == cells
    notes = [(names[a["sheet_position"]], a["args"][0].replace("$", ""), a["args"][1])
             for a in actions if a["func"] == "addNote"]
    assert {(s, c) for s, c, _ in notes} == {(s, c.split(":")[0]) for s, c in cells}
    for sheet, cell, text in notes:
        for f in expected:
            if (f["sheet"], f["cell"].split(":")[0] if f["cell"] else None) == (sheet, cell):
                assert f["message"] in text

    (table,) = [a["values"] for a in actions if a["func"] == "setValues"
                and names[a["sheet_position"]] == RESULT]
    assert table[1] == list(macros.HEADER)
    listed = [(row[2] or None, row[3] or None, row[5]) for row in table[2:]]
    assert listed == [(f["sheet"], f["cell"], f["code"]) for f in expected]
    report = cli_report(path)
    shown = (f"重新计算总分 {report['score']} 分，评价等次 {report['grade']}"
             if report["score"] is not None else "部分指标无法计算，暂无重新计算的总分")
    assert table[0][0].endswith(shown)


def test_defects_scenario_is_not_trivial(returned: dict[str, Path]) -> None:
    codes = {f["code"] for f in cli_findings(returned["defects"])}
    assert len(codes) >= 4


def fills(path: Path, cells: set[tuple[str, str]]) -> dict[tuple[str, str], str | None]:
    """The fill of every cell inside the given (sheet, range) places."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for sheet, ref in cells:
        for row, col in cells_in(ref):
            fill = wb[sheet].cell(row, col).fill
            out[(sheet, f"{row},{col}")] = fill.fgColor.rgb if fill.fill_type else None
    return out


def comments(path: Path) -> set[tuple[str, str]]:
    wb = openpyxl.load_workbook(path)
    return {(ws.title, c.coordinate) for ws in wb.worksheets for row in ws.iter_rows()
            for c in row if c.comment}


def test_validate_clear_validate_round_trip(returned: dict[str, Path], tmp_path: Path) -> None:
    path = returned["defects"]
    cells = {(f["sheet"], f["cell"]) for f in cli_findings(path) if f["cell"]}
    before = fills(path, cells)

    once = js.apply_actions(path, run(path, "validate_workbook"), tmp_path / "once.xlsx")
    assert RESULT in sheet_names(once)
    assert {c for c in comments(once)} >= {(s, r.split(":")[0]) for s, r in cells}
    assert all(v is not None and v.endswith(("FFC7CE", "FFEB9C", "DDEBF7"))
               for v in fills(once, cells).values())

    twice_actions = run(once, "validate_workbook")
    twice = js.apply_actions(once, twice_actions, tmp_path / "twice.xlsx")
    assert comments(twice) == comments(once)
    assert fills(twice, cells) == fills(once, cells)
    assert not any(a["func"] == "addSheet" for a in twice_actions)  # the sheet is reused

    cleared_actions = run(twice, "clear_marks")
    cleared = js.apply_actions(twice, cleared_actions, tmp_path / "cleared.xlsx")
    assert RESULT not in sheet_names(cleared)
    assert comments(cleared) == comments(path)
    assert fills(cleared, cells) == before  # the template's own fills are back
    alert = next(a["args"][0] for a in cleared_actions if a["func"] == "alert")
    assert alert == f"已清除 {len(cells)} 处校验标记。"


def test_clear_without_results_sheet_does_nothing_but_tell(returned: dict[str, Path]) -> None:
    actions = run(returned["seed"], "clear_marks")
    assert [a["func"] for a in actions] == ["alert"]
    assert actions[0]["args"][0] == "已清除 0 处校验标记。"


def _overwritten(made: dict[str, tuple[Path, Path]], changes: dict[str, object], out: Path
                 ) -> Path:
    """The returned seed workbook with some formula cells overwritten by constants."""
    udf, values = made["seed"]
    wb = openpyxl.load_workbook(udf)
    for name, value in changes.items():
        sheet, ref = split_sheet_ref(wb.defined_names[name].attr_text)
        wb[sheet][ref] = value
    staged = out.with_name(f"staged-{out.name}")
    wb.save(staged)
    return with_cached_values(staged, values, out)


def where(path: Path, name: str) -> tuple[str, str]:
    return split_sheet_ref(openpyxl.load_workbook(path).defined_names[name].attr_text)


def test_recalculate_rewrites_only_cells_that_disagree_with_the_engine(
        made: dict[str, tuple[Path, Path]], returned: dict[str, Path], tmp_path: Path) -> None:
    clean = run(returned["seed"], "recalculate_scores")
    assert [a["func"] for a in clean] == ["alert"]
    assert clean[0]["args"][0] == "重新计算完成：更新了 0 个单元格。"

    changes = {"EB_SCORE_STAFF_CONTROL": 1, value_name("sangong_change"): None,
               "EB_GRADE": "良"}
    broken = _overwritten(made, changes, tmp_path / "broken.xlsx")
    actions = run(broken, "recalculate_scores")
    names = sheet_names(broken)
    writes = {(names[a["sheet_position"]], js.cell_range(a)): a["values"] for a in actions
              if a["func"] == "setValues"}
    assert writes == {where(broken, "EB_SCORE_STAFF_CONTROL"): [[5.0]],
                      where(broken, value_name("sangong_change")): [[-20.0]],
                      where(broken, "EB_GRADE"): [["优"]]}


def test_every_script_alerts_in_chinese(returned: dict[str, Path]) -> None:
    for script in ("validate_workbook", "clear_marks", "recalculate_scores"):
        alerts = [a for a in run(returned["seed"], script) if a["func"] == "alert"]
        assert len(alerts) == 1 and re.search(r"[\u4e00-\u9fff]", alerts[0]["args"][0])
