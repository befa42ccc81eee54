"""The add-in's macros: 校验 (validate), 清除标记 (clear marks), 重新计算 (recalculate).

Each macro is a plain function of an ``xw.Book`` (:func:`validate`, :func:`clear`,
:func:`recalculate`) that only uses what every xlwings runtime supports — values, names,
fill colours, notes, adding and clearing sheets — so it behaves the same in the desktop
add-in (COM), in xlwings Lite and under xlwings Server. The ``@xw.script`` wrappers are what
Lite and Server list as scripts; the desktop ribbon calls :func:`run_desktop`.

Marks are undone from the 校验结果 sheet itself (it lists every marked cell), so nothing is
stored elsewhere; a cleared cell gets back the fill the template builder gives it (light
yellow for inputs, light green for formulas), as fills cannot be read on Office.js.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import xlwings as xw

from evalbook.contract import GRADE, TOTAL_SCORE, score_name
from evalbook.engine import ScoreResult, score
from evalbook.excel.book import workbook_data
from evalbook.excel.cells import FRAMEWORK_ENV, Unusable, bindings, shown_score, shown_value
from evalbook.findings import SEVERITY_LABELS, Finding
from evalbook.formulas import value_name
from evalbook.framework import Framework
from evalbook.numbers import fmt
from evalbook.reader import inputs_from_data
from evalbook.template import build
from evalbook.validator import framework_for, validate_scored
from evalbook.workbook import NamedRange, WorkbookData
from evalbook.xlsxform import Options
from evalbook.xlsxutil import cell_ref, cells_in, parse_range

RESULT_SHEET = "校验结果"
HEADER = ("序号", "级别", "工作表", "单元格", "问题说明", "代码", "标记")
COL_SHEET, COL_CELL, COL_MARK = 2, 3, 6  # 0-based columns of HEADER read back by clear()
FIRST_FINDING_ROW = 3  # row 1: summary, row 2: HEADER
MARK_FILLS = {"error": "#FFC7CE", "warning": "#FFEB9C", "info": "#DDEBF7"}
HEADER_FILL = "#D9E1F2"
MARKED = "已标记"
MARKED_NO_NOTE = "已标记（单元格原有批注，未另加）"
NOTE_HEAD = "【evalbook 校验】"
_FORMULA_START = ("=", "+", "-", "@")


def as_text(value: object) -> object:
    """A value safe to write into a cell: text that Excel would read as a formula is quoted."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# ---------------------------------------------------------------- 校验


@dataclass(frozen=True)
class Mark:
    """One marked place: the range to colour, the cell carrying the note, the messages."""

    sheet: str
    ref: str
    severity: str
    messages: tuple[str, ...]

    @property
    def note_cell(self) -> str:
        r1, c1, _, _ = parse_range(self.ref)
        return cell_ref(r1, c1)


_RANK = {"error": 0, "warning": 1, "info": 2}


def marks_of(findings: Iterable[Finding], sheets: Sequence[str]) -> list[Mark]:
    """Findings grouped by (sheet, range): the worst severity colours, all messages noted."""
    grouped: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if f.sheet is not None and f.sheet in sheets and f.cell:
            grouped.setdefault((f.sheet, f.cell.replace("$", "").upper()), []).append(f)
    marks = []
    for (sheet, ref), group in grouped.items():
        worst = min(group, key=lambda f: _RANK[f.severity]).severity
        lines = tuple(f"[{SEVERITY_LABELS[f.severity]}] {f.message}" for f in group)
        marks.append(Mark(sheet, ref, worst, lines))
    return marks


def _summary(findings: Sequence[Finding], result: ScoreResult | None) -> str:
    counts = {s: sum(1 for f in findings if f.severity == s) for s in MARK_FILLS}
    head = (f"校验结果：错误 {counts['error']} 个，警告 {counts['warning']} 个，"
            f"提示 {counts['info']} 个；")
    if result is None or not result.complete:
        return head + "部分指标无法计算，暂无重新计算的总分"
    return head + f"按填报数据重新计算总分 {fmt(result.total)} 分，评价等次 {result.grade}"


def framework_of(data: WorkbookData) -> Framework:
    """The framework ``evalbook validate`` would use, unless $EVALBOOK_FRAMEWORK names one."""
    if os.environ.get(FRAMEWORK_ENV, "").strip():
        return bindings().framework
    return framework_for(data)


def _results_sheet(book: xw.Book) -> Any:
    if RESULT_SHEET in [s.name for s in book.sheets]:
        sheet = book.sheets[RESULT_SHEET]
        sheet.clear()
        return sheet
    return book.sheets.add(RESULT_SHEET, after=book.sheets[len(book.sheets) - 1])


def _put_mark(book: xw.Book, mark: Mark) -> str:
    sheet = book.sheets[mark.sheet]
    sheet[mark.ref].color = MARK_FILLS[mark.severity]
    cell = sheet[mark.note_cell]
    if cell.note is not None:
        return MARKED_NO_NOTE
    cell.add_note(NOTE_HEAD + "\n" + "\n".join(mark.messages))
    return MARKED


def _finding_rows(findings: Sequence[Finding], marked: dict[tuple[str, str], str]
                  ) -> list[list[object]]:
    rows: list[list[object]] = []
    for n, f in enumerate(findings, start=1):
        ref = (f.cell or "").replace("$", "").upper()
        state = marked.get((f.sheet or "", ref), "")
        rows.append([n, SEVERITY_LABELS[f.severity], f.sheet or "", ref, as_text(f.message),
                     f.code, state])
    return rows


def validate(book: xw.Book) -> list[Finding]:
    """校验: run the CLI's validator on the open workbook, list and mark every finding."""
    data = workbook_data(book)
    clear(book, data, keep_sheet=True)
    data.sheets = [s for s in data.sheets if s != RESULT_SHEET]
    findings, result = validate_scored(data, framework_of(data))
    marks = marks_of(findings, data.sheets)
    marked = {(m.sheet, m.ref): _put_mark(book, m) for m in marks}
    sheet = _results_sheet(book)
    rows: list[list[object]] = [[_summary(findings, result)], list(HEADER),
                                *_finding_rows(findings, marked)]
    width = len(HEADER)
    sheet["A1"].value = [row + [""] * (width - len(row)) for row in rows]
    sheet.range((2, 1), (2, width)).color = HEADER_FILL
    sheet.range((2, 1), (2, width)).font.bold = True
    sheet.activate()
    return findings


# ---------------------------------------------------------------- 清除标记


def _count(data: WorkbookData, name: str, default: int) -> int:
    value = data.scalar(name)
    try:
        return int(str(value)) if value is not None else default
    except ValueError:
        return default


def template_fills(data: WorkbookData, framework: Framework) -> Callable[[str, str], str | None]:
    """Each cell's fill in a blank template like this workbook (same framework, same rows).

    Office.js cannot read a cell's fill, so the fill a mark replaced is taken from the
    template builder itself rather than remembered.
    """
    defaults = Options()
    options = Options(
        units=_count(data, "EB_META_UNITS", defaults.units),
        target_rows=_count(data, "EB_META_TARGET_ROWS", defaults.target_rows),
        evaluator_rows=_count(data, "EB_META_EVALUATOR_ROWS", defaults.evaluator_rows))
    blank, _ = build(framework, options)

    def fill(sheet: str, cell: str) -> str | None:
        if sheet not in blank.sheetnames:
            return None
        pattern = blank[sheet][cell].fill
        return f"#{pattern.fgColor.rgb[-6:]}" if pattern.fill_type == "solid" else None

    return fill


def _listed_marks(book: xw.Book) -> list[tuple[str, str, str]]:
    """(sheet, range, mark state) of every marked row of the 校验结果 sheet."""
    values = book.sheets[RESULT_SHEET].used_range.options(ndim=2).value
    rows = values[FIRST_FINDING_ROW - 1:]
    return [(str(r[COL_SHEET]), str(r[COL_CELL]), str(r[COL_MARK])) for r in rows
            if len(r) > COL_MARK and r[COL_MARK] in (MARKED, MARKED_NO_NOTE)]


def clear(book: xw.Book, data: WorkbookData | None = None, keep_sheet: bool = False) -> int:
    """清除标记: undo the marks listed on 校验结果 and remove that sheet; returns marks undone."""
    sheet_names = [s.name for s in book.sheets]
    if RESULT_SHEET not in sheet_names:
        return 0
    listed = _listed_marks(book)
    if listed and data is None:
        data = workbook_data(book)
    fill = template_fills(data, framework_of(data)) if data is not None else None
    done: set[tuple[str, str]] = set()
    for sheet_name, ref, state in listed:
        if fill is None or sheet_name not in sheet_names or (sheet_name, ref) in done:
            continue
        done.add((sheet_name, ref))
        sheet = book.sheets[sheet_name]
        for row, col in cells_in(ref):
            sheet.range((row, col)).color = fill(sheet_name, cell_ref(row, col))
        note_cell = sheet[Mark(sheet_name, ref, "info", ()).note_cell]
        if state == MARKED and note_cell.note is not None:
            note_cell.note.delete()
    if not keep_sheet:
        book.sheets[RESULT_SHEET].delete()
    return len(done)


# ---------------------------------------------------------------- 重新计算


def _writes(result: ScoreResult, framework: Framework) -> dict[str, object]:
    """Every output name with what the engine says it should show."""
    found = result.by_id()
    out: dict[str, object] = {TOTAL_SCORE: float(result.total), GRADE: result.grade}
    for ind in framework.indicators:
        r = found[ind.id]
        out[value_name(ind.id)] = shown_value(r, ind)
        if not ind.judged or r.value is not None:  # personalised with linked targets
            out[score_name(ind.id)] = shown_score(r)
    return out


def is_stale(rng: NamedRange, wanted: object) -> bool:
    """True if the cell is no live formula and does not already show the engine's result."""
    if rng.formula() is not None:
        return False
    have = rng.scalar
    if isinstance(have, bool):  # TRUE is no score, although Python says True == 1
        return True
    if isinstance(wanted, float) and isinstance(have, int | float):
        return abs(float(have) - wanted) > 1e-9
    return have != wanted and not (have is None and wanted == "")


def recalculate(book: xw.Book) -> list[str]:
    """重新计算: write the engine's scores into score cells that hold no live formula.

    Returns the names written. Cells whose formula is known to be live are left alone; where
    the runtime cannot see formulas (Office.js), a cell is only written when it does not
    already show the engine's result.
    """
    data = workbook_data(book)
    framework = framework_of(data)
    result = score(inputs_from_data(data, framework), framework)
    written = []
    for name, wanted in _writes(result, framework).items():
        rng = data.names.get(name)
        if rng is None or not is_stale(rng, wanted):
            continue
        book.sheets[rng.sheet][rng.address()].value = wanted
        written.append(name)
    return written


# ---------------------------------------------------------------- entry points


def _alert(book: xw.Book, text: str) -> None:
    book.app.alert(text, title="evalbook 绩效自评")


def validate_action(book: xw.Book) -> str:
    findings = validate(book)
    errors = sum(1 for f in findings if f.severity == "error")
    return (f"校验完成：发现 {len(findings)} 个问题（其中错误 {errors} 个），"
            f"详见“{RESULT_SHEET}”工作表。")


def clear_action(book: xw.Book) -> str:
    return f"已清除 {clear(book)} 处校验标记。"


def recalculate_action(book: xw.Book) -> str:
    return f"重新计算完成：更新了 {len(recalculate(book))} 个单元格。"


ACTIONS: dict[str, Callable[[xw.Book], str]] = {
    "validate_workbook": validate_action,
    "clear_marks": clear_action,
    "recalculate_scores": recalculate_action,
}


def run(name: str, book: xw.Book) -> None:
    """Run one macro and tell the user how it went (a framework error is told, not raised)."""
    try:
        message = ACTIONS[name](book)
    except Unusable as exc:
        message = exc.text
    _alert(book, message)


def run_desktop(name: str) -> None:
    """Entry point of the desktop ribbon buttons (called through RunPython)."""
    run(name, xw.Book.caller())


@xw.script(name="校验")
def validate_workbook(book: xw.Book) -> None:
    """校验：列出全部问题，并在有问题的单元格上加填充色和批注。"""
    run("validate_workbook", book)


@xw.script(name="清除标记")
def clear_marks(book: xw.Book) -> None:
    """清除标记：撤销校验时加的填充色和批注，并删除“校验结果”工作表。"""
    run("clear_marks", book)


@xw.script(name="重新计算")
def recalculate_scores(book: xw.Book) -> None:
    """重新计算：把按评分框架算出的得分写入没有公式的得分单元格。"""
    run("recalculate_scores", book)
