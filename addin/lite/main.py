"""evalbook 绩效自评：xlwings Lite 版（由 `evalbook addin lite` 生成，请勿手工修改）。

用法：把本文件的全部内容粘贴到 xlwings Lite 的 main.py，把同目录 requirements.txt 的内容
粘贴到 requirements.txt。工作表函数：EB_SCORE、EB_VALUE、EB_SCORES、EB_GRADE、EB_RULE_TEXT；
脚本：校验、清除标记、重新计算。下面内嵌了 evalbook 0.1.0 的源代码和评分框架文件，
所以不需要本机 Python，也不需要另外下载 evalbook。详见 docs/addin.md。
"""

import sys
import tempfile
from pathlib import Path

_DIGEST = "6d5e5ff4ad9f86d6"
_FILES = {
    'evalbook/__init__.py': """\"\"\"evalbook: 部门整体支出绩效评价自评 workbooks, live scores and validation.\"\"\"

__version__ = "0.1.0"
TEMPLATE_VERSION = "2026.1"
""",
    'evalbook/atomic.py': """\"\"\"Atomic file output: write a temporary file in the target's directory, then ``os.replace``.

A reader (or a crash) never sees a half-written workbook or report: the target either keeps
its old content or gets the complete new one. The temporary file lives in the same
directory so that the final rename stays on one file system.
\"\"\"

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path


def _final_mode(target: Path) -> int:
    \"\"\"Keep an existing file's permissions; new files get the usual 0666 & ~umask.\"\"\"
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    \"\"\"Yield a temporary path beside ``target``; on success it replaces ``target``.

    The temporary name keeps the target's suffix (libraries such as openpyxl look at it).
    If the body raises, the temporary file is removed and ``target`` is left untouched.
    \"\"\"
    final = Path(target)
    fd, name = tempfile.mkstemp(dir=final.parent, prefix=f".{final.stem}.",
                                suffix=f".tmp{final.suffix}")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:  # flush to disk before the rename makes it visible
            os.fsync(handle.fileno())
        os.chmod(tmp, _final_mode(final))
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


def write_with(target: str | os.PathLike[str], writer: Callable[[Path], object]) -> Path:
    \"\"\"Call ``writer(tmp_path)`` and atomically move the result to ``target``.\"\"\"
    with atomic_path(target) as tmp:
        writer(tmp)
    return Path(target)


def write_bytes(target: str | os.PathLike[str], data: bytes) -> Path:
    return write_with(target, lambda tmp: tmp.write_bytes(data))


def write_text(target: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    return write_with(target, lambda tmp: tmp.write_text(text, encoding=encoding))
""",
    'evalbook/checks/__init__.py': """\"\"\"The validator's rules: one module per rule, each with its ``ID``, a docstring that is its
documentation (with a passing and a failing example) and a ``check(ctx)`` generator that
yields findings. :data:`RULES` is the explicit registry, in the order rules run.

Cell-level problems (types, formats, ranges, required fields) are found by the schemas
(:mod:`evalbook.schemas`) before the rules run.
\"\"\"

from __future__ import annotations

from evalbook.checks import (
    balance,
    dates,
    framework_meta,
    framework_notes,
    judged_scores,
    problems,
    row_sums,
    score_cells,
    staffing,
    structure,
    summary_rows,
    targets,
    totals,
)
from evalbook.checks.base import Context, Rule

RULES: dict[str, Rule] = {
    m.ID: m
    for m in (
        structure, framework_meta, framework_notes, row_sums, summary_rows, balance, staffing,
        dates, targets, problems, score_cells, judged_scores, totals,
    )
}

__all__ = ["RULES", "Context", "Rule"]
""",
    'evalbook/checks/balance.py': """\"\"\"当年结余核对（balance）。

年度支出和结余情况中每一行的“当年结余”必须等于同一单位的收入合计减去支出合计
（两张表的同一行：汇总行对汇总行，局机关对局机关……），按分比较。

通过的例子::

    收入合计 88.00；支出合计 88.00；当年结余 0

不通过的例子（报告在“当年结余”单元格，代码 ``balance-mismatch``）::

    收入合计 88.00；支出合计 80.00；当年结余 0（应为 8.00）
\"\"\"

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from evalbook.checks.base import Context, cents
from evalbook.contract import EXPENSE, INCOME
from evalbook.findings import Finding, make
from evalbook.numbers import fmt
from evalbook.workbook import row_name

ID = "balance"
NEEDS_SCORES = False


def check(ctx: Context) -> Iterator[Finding]:
    income_rows = set(ctx.sub.used_rows.get(INCOME.name, []))
    expense = ctx.sub.cells.get(EXPENSE.name)
    if expense is None:
        return
    col = EXPENSE.index("balance_year") - 1
    for r in ctx.sub.used_rows[EXPENSE.name]:
        if r not in income_rows:
            continue
        income = ctx.table_number(INCOME.name, r, INCOME.index("total") - 1)
        spent = ctx.table_number(EXPENSE.name, r, EXPENSE.index("total") - 1)
        balance = expense[r][col]
        if income is None or spent is None or not isinstance(balance.value, Decimal):
            continue
        expected = cents(income - spent)
        if cents(balance.value) != expected:
            yield make("balance-mismatch", balance.sheet, balance.cell,
                       row=row_name(EXPENSE, expense[r][0].value, r), found=fmt(balance.value),
                       income=fmt(income), expense=fmt(spent), expected=fmt(expected))
""",
    'evalbook/checks/base.py': """\"\"\"What every rule sees: the read workbook, its typed inputs and the recomputed scores.\"\"\"

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from evalbook.engine import ScoreResult
from evalbook.findings import Finding, make
from evalbook.framework import Framework
from evalbook.numbers import fmt, round_half_up, to_decimal
from evalbook.workbook import Submission, TypedCell, WorkbookData, cell_text


@dataclass
class Context:
    \"\"\"Input of every rule.

    ``scored`` is False when the workbook was built from another framework than the one
    validating it: the framework's fields, scores and totals are then not checked and
    ``result`` is None. ``data`` is the workbook without the ranges that cannot be read by
    position (a table with the wrong number of columns); ``original`` is all of it.
    \"\"\"

    original: WorkbookData
    data: WorkbookData
    framework: Framework
    sub: Submission
    inputs: dict[str, Any]
    result: ScoreResult | None

    @property
    def scored(self) -> bool:
        return self.result is not None

    def number(self, key: str) -> Decimal | None:
        \"\"\"A typed scalar's number (None if blank, unreadable or not a number).\"\"\"
        cell = self.sub.scalars.get(key)
        return cell.value if cell is not None and isinstance(cell.value, Decimal) else None

    def table_number(self, table: str, row: int, col: int) -> Decimal | None:
        cell = self.sub.cell(table, row, col)
        return cell.value if cell is not None and isinstance(cell.value, Decimal) else None


class Rule(Protocol):
    \"\"\"A rule module: ``ID``, a docstring (its documentation) and ``check``.\"\"\"

    ID: str
    NEEDS_SCORES: bool
    __doc__: str | None

    def check(self, ctx: Context) -> Iterator[Finding]: ...


def cents(value: Decimal) -> Decimal:
    return round_half_up(value, 2)


def summed(cells: list[TypedCell | None]) -> Decimal | None:
    \"\"\"The sum of some input cells, blanks counting 0; None if any is unreadable.\"\"\"
    total = Decimal(0)
    for cell in cells:
        if cell is None or cell.bad:
            return None
        if isinstance(cell.value, Decimal):
            total += cell.value
    return total


def shown_number(value: object) -> Decimal | None:
    \"\"\"What a cell shows, if it is a number.\"\"\"
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    return to_decimal(value)


def unreadable(ctx: Context, keys: tuple[str, ...]) -> bool:
    \"\"\"Whether every input behind a status is unreadable (already reported as structure).\"\"\"
    names = {key.partition(".")[0].partition("@")[0].partition("#")[0] for key in keys}
    return bool(names) and all(n not in ctx.data.names for n in names)


def output_cell(ctx: Context, name: str, label: str, expected: Decimal | str | None,
                indicator: str | None = None) -> Iterator[Finding]:
    \"\"\"Compare a formula cell with its recomputed value.

    No formula where the template has one: ``formula-overwritten``. A formula whose cached
    value differs: ``stale-value`` (no cached value — files written by openpyxl — is not
    stale). Formulas unknown (a live workbook): a differing value is ``score-mismatch``.
    \"\"\"
    rng = ctx.data.names.get(name)
    if rng is None:
        return
    value = rng.scalar
    wanted = _shown(expected)
    if rng.formulas is not None and rng.formula() is None:
        yield make("formula-overwritten", rng.sheet, rng.address(), indicator=indicator,
                   label=label, found="空白" if value is None else _shown(value),
                   expected=wanted)
        return
    if _differs(value, expected):
        code = "stale-value" if rng.formulas is not None else "score-mismatch"
        yield make(code, rng.sheet, rng.address(), indicator=indicator, label=label,
                   found=_shown(value), expected=wanted)


def _shown(value: object) -> str:
    if value is None:
        return "无法计算"
    number = shown_number(value)
    return fmt(number) if number is not None else cell_text(value).strip()


def _differs(value: object, expected: Decimal | str | None) -> bool:
    \"\"\"A cached number or text that disagrees with the recomputed one (blanks never do).\"\"\"
    number = shown_number(value)
    if isinstance(expected, str):
        return isinstance(value, str) and value.strip() != "" and value.strip() != expected
    if number is None:
        return False
    return expected is None or cents(number) != cents(expected)
""",
    'evalbook/checks/dates.py': """\"\"\"日期（dates）。

报送函的日期（报送日期）不得早于自评报告的日期（报告日期）；表中的各个日期（报告日期、
报送日期、签字和意见日期）都应在评价年度结束之后。同一单元格只报告一个问题。

通过的例子::

    评价年度 2020；报告日期 2021-07-30；报送日期 2021-07-30

不通过的例子（报告在“报送日期”单元格，代码 ``submit-before-report``）::

    评价年度 2020；报告日期 2021-07-30；报送日期 2020-07-30

（评价年度 2020 而报告日期为 2020-12-01：代码 ``date-in-eval-year``。）
\"\"\"

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from evalbook.checks.base import Context
from evalbook.contract import FORM_FIELDS
from evalbook.findings import Finding, make
from evalbook.numbers import fmt

ID = "dates"
NEEDS_SCORES = False

REPORT, SUBMIT, YEAR = "EB_REPORT_DATE", "EB_SUBMIT_DATE", "EB_YEAR"


def _date(ctx: Context, name: str) -> dt.date | None:
    cell = ctx.sub.scalars.get(name)
    return cell.value if cell is not None and isinstance(cell.value, dt.date) else None


def check(ctx: Context) -> Iterator[Finding]:
    flagged: set[str] = set()
    report, submit = _date(ctx, REPORT), _date(ctx, SUBMIT)
    if report is not None and submit is not None and submit < report:
        cell = ctx.sub.scalars[SUBMIT]
        flagged.add(SUBMIT)
        yield make("submit-before-report", cell.sheet, cell.cell, found=submit.isoformat(),
                   expected=report.isoformat())
    year = ctx.number(YEAR)
    if year is None or year != year.to_integral_value():
        return
    for f in FORM_FIELDS:
        day = _date(ctx, f.name)
        if f.type != "date" or f.name in flagged or day is None or day.year > year:
            continue
        cell = ctx.sub.scalars[f.name]
        yield make("date-in-eval-year", cell.sheet, cell.cell, label=f.label,
                   found=day.isoformat(), expected=fmt(year))
""",
    'evalbook/checks/framework_meta.py': """\"\"\"模板信息与评分框架（framework-meta）。

隐藏工作表“_evalbook”记录了工作簿的模板版本、评分框架标识及其 SHA-256 校验值。校验时：
找不到这些信息是错误 ``meta-missing``；评分框架不是已知框架（内置框架或 --framework 指定
的框架）是错误 ``framework-unknown``；是另一个已知框架是错误 ``framework-mismatch``
（此时跳过与评分框架有关的检查）；标识相同而校验值不同（评分表被改动或版本不同）是错误
``framework-tampered``；模板版本不同是警告 ``template-version``。

通过的例子::

    EB_META_FRAMEWORK_ID = yueyang-yunxi-2020；EB_META_FRAMEWORK_SHA256 = 内置框架的校验值

不通过的例子（代码 ``framework-unknown``）::

    EB_META_FRAMEWORK_ID = sample-other-region
\"\"\"

from __future__ import annotations

from collections.abc import Iterator

from evalbook import TEMPLATE_VERSION
from evalbook.checks.base import Context
from evalbook.findings import Finding, make
from evalbook.framework import Framework, bundled_frameworks
from evalbook.workbook import WorkbookData, cell_text, is_blank
from evalbook.xlsxform import META

ID = "framework-meta"
NEEDS_SCORES = False

FRAMEWORK_ID = "EB_META_FRAMEWORK_ID"
FRAMEWORK_SHA = "EB_META_FRAMEWORK_SHA256"
VERSION = "EB_META_TEMPLATE_VERSION"
LABELS = {FRAMEWORK_ID: "评分框架标识", FRAMEWORK_SHA: "评分框架校验值", VERSION: "模板版本"}


def meta_value(data: WorkbookData, name: str) -> str | None:
    rng = data.names.get(name)
    if rng is None or is_blank(rng.scalar):
        return None
    return cell_text(rng.scalar).strip()


def known(framework: Framework) -> dict[str, str]:
    \"\"\"Framework id -> sha256 of the frameworks a workbook may come from.\"\"\"
    return {**bundled_frameworks(), framework.id: framework.sha256}


def same_framework(data: WorkbookData, framework: Framework) -> bool:
    \"\"\"False only when the workbook names another framework (unknown: assume the same).\"\"\"
    found = meta_value(data, FRAMEWORK_ID)
    return found is None or found == framework.id


def check(ctx: Context) -> Iterator[Finding]:
    data = ctx.data
    for name in (FRAMEWORK_ID, FRAMEWORK_SHA, VERSION):
        if meta_value(data, name) is None:
            sheet, cell = data.where(name)
            yield make("meta-missing", sheet or META, cell, field=LABELS[name], sheet_name=META)
    found = meta_value(data, FRAMEWORK_ID)
    if found is not None:
        yield from _framework(ctx, found)
    version = meta_value(data, VERSION)
    if version is not None and version != TEMPLATE_VERSION:
        sheet, cell = data.where(VERSION)
        yield make("template-version", sheet, cell, found=version, expected=TEMPLATE_VERSION)


def _framework(ctx: Context, found: str) -> Iterator[Finding]:
    data, fw = ctx.data, ctx.framework
    sheet, cell = data.where(FRAMEWORK_ID)
    frameworks = known(fw)
    if found not in frameworks:
        yield make("framework-unknown", sheet, cell, found=found,
                   expected="、".join(sorted(frameworks)))
    elif found != fw.id:
        yield make("framework-mismatch", sheet, cell, found=found, expected=fw.id)
    else:
        sha = meta_value(data, FRAMEWORK_SHA)
        if sha is not None and sha.lower() != fw.sha256:
            sha_sheet, sha_cell = data.where(FRAMEWORK_SHA)
            yield make("framework-tampered", sha_sheet, sha_cell, framework=found,
                       found=sha[:12] + "…", expected=fw.sha256[:12] + "…")
""",
    'evalbook/checks/framework_notes.py': """\"\"\"评分框架的提示（framework-notes）。

评分框架文件加载时发现并已更正的问题（如原表“产出（20分）”而其下各项之和为 25 分，
按各项之和计分）报告在评分表中该级指标的表头单元格上，提醒填表人和财政局核对原表。

通过的例子::

    表头“投入（15分）”，其下各项分值之和 15 分

不通过的例子（代码 ``framework-header-mismatch``）::

    表头“产出（20分）”，其下各项分值之和 25 分
\"\"\"

from __future__ import annotations

from collections.abc import Iterator

from evalbook.checks.base import Context
from evalbook.contract import score_name
from evalbook.findings import CATALOGUE, Finding, make
from evalbook.scoresheet import COL_L1, COL_L2, COL_SCORE
from evalbook.xlsxform import SCORING
from evalbook.xlsxutil import cell_ref

ID = "framework-notes"
NEEDS_SCORES = True


def check(ctx: Context) -> Iterator[Finding]:
    for note in ctx.framework.notes:
        if note.code not in CATALOGUE:
            continue
        sheet, cell = _header_cell(ctx, note.key)
        yield make(note.code, sheet, cell, message=note.message)


def _header_cell(ctx: Context, key: str) -> tuple[str, str | None]:
    \"\"\"The 一级/二级 header of ``key``: in the row of its first indicator, found through that
    indicator's score cell (the headers themselves carry no defined name).\"\"\"
    top, _, sub = key.partition("/")
    for ind in ctx.framework.indicators:
        if ind.level1 == top and (not sub or ind.level2 == sub):
            rng = ctx.data.names.get(score_name(ind.id))
            if rng is None:
                break
            col = rng.first_col - COL_SCORE + (COL_L2 if sub else COL_L1)
            return rng.sheet, cell_ref(rng.first_row, col) if col >= 1 else None
    return SCORING, None
""",
    'evalbook/checks/judged_scores.py': """\"\"\"评价人员评分（judged-scores）。

由评价人员评分的指标（如经济效益、社会效益、生态效益，以及未关联定量目标的个性化指标）：
得分必须填写，且在 0 到分值之间；得分低于分值时必须填写扣分原因。得分单元格中仍是模板
预置的公式（显示“需人工评分”）时视为未评分。计算得分的指标填写了“人工评分”的
（规则无法计算时使用），同样须在 0 到分值之间、低于分值时说明原因。

通过的例子::

    经济效益 分值 5 | 自评得分 4 | 扣分原因：招商引资目标完成 80%

不通过的例子（代码 ``reason-missing``，报告在扣分原因单元格）::

    经济效益 分值 5 | 自评得分 4 | 扣分原因：（空白）

（自评得分 6：``score-out-of-range``；空白：``score-missing``。）
\"\"\"

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from evalbook.checks.base import Context, shown_number
from evalbook.contract import manual_name, reason_name, score_name
from evalbook.engine import target_links
from evalbook.findings import Finding, make, make_with
from evalbook.framework import Indicator
from evalbook.numbers import fmt
from evalbook.schemas import coerce
from evalbook.workbook import is_blank

ID = "judged-scores"
NEEDS_SCORES = True


def check(ctx: Context) -> Iterator[Finding]:
    links = target_links(ctx.inputs)
    for ind in ctx.framework.indicators:
        if ind.judged and ind.id not in links and ind.name not in links:
            yield from _indicator(ctx, ind, score_name(ind.id), f"{ind.name}自评得分", True)
        elif not ind.judged:
            yield from _indicator(ctx, ind, manual_name(ind.id), f"{ind.name}人工评分", False)


def _indicator(ctx: Context, ind: Indicator, name: str, label: str, required: bool
               ) -> Iterator[Finding]:
    rng = ctx.data.names.get(name)
    if rng is None:
        return
    raw = rng.scalar
    if rng.formula() is not None and shown_number(raw) is None:
        raw = None  # the template's default formula, showing 需人工评分
    if raw is None and not required:
        return
    sheet, cell = rng.sheet, rng.address()
    value, problem = coerce(raw, "score")
    if problem is not None:
        yield make_with(problem.code, sheet, cell, {"label": label, **problem.values}, ind.id)
    if not isinstance(value, Decimal):
        if problem is None:
            yield make("score-missing", sheet, cell, indicator=ind.id, label=label,
                       expected=fmt(ind.max))
        return
    if not Decimal(0) <= value <= ind.max:
        yield make("score-out-of-range", sheet, cell, indicator=ind.id, label=label,
                   found=fmt(value), expected=fmt(ind.max))
    elif value < ind.max:
        yield from _reason(ctx, ind, value, (sheet, cell))


def _reason(ctx: Context, ind: Indicator, value: Decimal, fallback: tuple[str, str]
            ) -> Iterator[Finding]:
    reason = ctx.data.names.get(reason_name(ind.id))
    if reason is not None and not is_blank(reason.scalar):
        return
    sheet, cell = (reason.sheet, reason.address()) if reason is not None else fallback
    yield make("reason-missing", sheet, cell, indicator=ind.id, label=ind.name,
               found=fmt(value), expected=fmt(ind.max))


""",
    'evalbook/checks/problems.py': """\"\"\"“存在的主要问题”填写为“无”（problems-none）。

评价报告综述中的“存在的主要问题”填写为“无”（或“没有”“暂无”等）时，若有指标被扣分、
或有定量绩效目标未完成，则提示：自评发现的问题应如实写明。

通过的例子::

    所有指标满分，所有目标完成；存在的主要问题：无

不通过的例子（报告在“存在的主要问题”单元格，代码 ``problems-none``）::

    公务卡刷卡率 目标 ≥100，实际 99（未完成）；存在的主要问题：无
\"\"\"

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from evalbook.checks.base import Context
from evalbook.checks.targets import NOT_DONE, met
from evalbook.contract import TARGETS
from evalbook.findings import Finding, make
from evalbook.numbers import fmt

ID = "problems-none"
NEEDS_SCORES = False

FIELD = "EB_PROBLEMS"
NONE_WORDS = frozenset({"无", "没有", "暂无", "无问题", "没有问题", "不存在", "/", "-", "—"})
_PUNCTUATION = " 。.，,；;！!"


def says_none(text: str) -> bool:
    return unicodedata.normalize("NFKC", text).strip(_PUNCTUATION) in NONE_WORDS


def check(ctx: Context) -> Iterator[Finding]:
    cell = ctx.sub.scalars.get(FIELD)
    if cell is None or not isinstance(cell.value, str) or not says_none(cell.value):
        return
    evidence = _missed_targets(ctx) + _lost_points(ctx)
    if evidence:
        yield make("problems-none", cell.sheet, cell.cell, found=cell.value.strip(),
                   expected="；".join(evidence))


def _missed_targets(ctx: Context) -> list[str]:
    rows = ctx.sub.cells.get(TARGETS.name, [])
    missed = []
    for r in ctx.sub.used_rows.get(TARGETS.name, []):
        row = rows[r]
        status = row[TARGETS.index("status") - 1].value
        if met(row) is False or (met(row) is None and status == NOT_DONE):
            name = row[TARGETS.index("name") - 1].value or f"第{r + 1}行"
            missed.append(f"绩效目标“{name}”未完成")
    return missed


def _lost_points(ctx: Context) -> list[str]:
    if ctx.result is None:
        return []
    lost = [r for r in ctx.result.indicators if r.score is not None and r.score < r.max]
    if not lost:
        return []
    more = f"等 {len(lost)} 项指标" if len(lost) > 1 else ""
    return [f"“{lost[0].name}”{more}被扣分（总分 {fmt(ctx.result.total)}）"]
""",
    'evalbook/checks/row_sums.py': """\"\"\"合计与明细核对（row-sums）。

收支情况的每张表中，每一已填写的行（汇总行和各单位行）的合计必须等于其组成项之和：
收入合计 = 上年结转 + 公共财政拨款 + 政府基金拨款 + 纳入专户管理的非税收入拨款 + 其他收入；
支出合计 = 基本支出 + 项目支出，基本支出 = 人员支出 + 公用支出；三公经费合计 = 四项之和；
固定资产合计 = 在用 + 出租 + 其他。规则取自 ``contract.Table.sums``，按分（两位小数）比较，
空白的组成项按 0 计；无法识别的单元格已单独报告，所在规则不再核对。

通过的例子::

    支出合计 88.00 | 基本支出 68.00 | 人员支出 67.70 | 公用支出 0.30 | 项目支出 20.00

不通过的例子（报告在“基本支出”单元格，代码 ``row-sum-mismatch``）::

    支出合计 88.00 | 基本支出 68.00 | 人员支出 67.70 | 公用支出 3.00 | 项目支出 20.00
\"\"\"

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from evalbook.checks.base import Context, cents, summed
from evalbook.contract import MONEY_TABLES, Table
from evalbook.findings import Finding, make
from evalbook.numbers import fmt
from evalbook.workbook import TypedCell, row_name

ID = "row-sums"
NEEDS_SCORES = False


def check(ctx: Context) -> Iterator[Finding]:
    for table in MONEY_TABLES:
        rows = ctx.sub.cells.get(table.name)
        if rows is None:
            continue
        for r in ctx.sub.used_rows[table.name]:
            yield from _row(table, rows[r], row_name(table, rows[r][0].value, r))


def _row(table: Table, row: list[TypedCell], name: str) -> Iterator[Finding]:
    def cell(key: str) -> TypedCell:
        return row[table.index(key) - 1]

    def label(key: str) -> str:
        return table.columns[table.index(key) - 1].label

    for total_key, parts in table.sums:
        total, expected = cell(total_key), summed([cell(p) for p in parts])
        if expected is None or not isinstance(total.value, Decimal):
            continue
        if cents(total.value) != cents(expected):
            yield make("row-sum-mismatch", total.sheet, total.cell, table=table.title, row=name,
                       total=label(total_key), found=fmt(total.value),
                       components="、".join(label(p) for p in parts),
                       expected=fmt(cents(expected)))
""",
    'evalbook/checks/score_cells.py': """\"\"\"计算得分的单元格（score-cells）。

每个指标的得分都由评分框架从原始数据重新计算（从不采信单元格中的数字），再与工作簿中的
单元格比较：

* 由公式计算的“自评得分”“计算值”单元格，公式被改成了数字（或被清空）：错误
  ``formula-overwritten``，并给出重新计算的值；
* 公式仍在、但保存的显示值与重新计算的值不同：警告 ``stale-value``（工作簿未重新计算）；
  用 openpyxl 等程序生成、从未在电子表格软件中打开过的文件没有保存显示值，不算过期；
* 无法看到公式时（加载项从打开的工作簿读取），显示值不同：错误 ``score-mismatch``；
* 关联了定量目标的个性化指标按目标完成率计分；手工填写的得分与之不同：``score-mismatch``；
* 规则无法计算（如分母为 0）时须人工评分：``manual-score-missing``；因输入有误而无法计算：
  警告 ``score-not-computed``（输入单元格的问题另行报告）。

通过的例子::

    自评得分 =IF(COUNT(EB_STAFF_ACTUAL,EB_STAFF_QUOTA)<2,"待填写",…)   （公式仍在）

不通过的例子（代码 ``formula-overwritten``）::

    自评得分 5   （公式被改成了数字）
\"\"\"

from __future__ import annotations

from collections.abc import Iterator

from evalbook import rules as R
from evalbook.checks.base import Context, cents, output_cell, shown_number, unreadable
from evalbook.contract import manual_name, score_name
from evalbook.engine import IndicatorResult, target_links
from evalbook.findings import Finding, make
from evalbook.formulas import value_name
from evalbook.framework import Framework, Indicator, score_expr, value_display_expr
from evalbook.numbers import fmt
from evalbook.workbook import cell_text

ID = "score-cells"
NEEDS_SCORES = True


_FORMULA_CELLS: dict[int, tuple[Framework, dict[str, tuple[bool, bool]]]] = {}


def formula_cells(framework: Framework) -> dict[str, tuple[bool, bool]]:
    \"\"\"Indicator id -> (score cell holds a formula, value cell holds a formula), computed
    once per framework (building the expressions is not free).\"\"\"
    cached = _FORMULA_CELLS.get(id(framework))
    if cached is None or cached[0] is not framework:
        kinds = {i.id: (score_expr(i, framework.settings) is not None,
                        value_display_expr(i) is not None) for i in framework.indicators}
        cached = _FORMULA_CELLS[id(framework)] = (framework, kinds)
    return cached[1]


def check(ctx: Context) -> Iterator[Finding]:
    assert ctx.result is not None
    results = ctx.result.by_id()
    links = target_links(ctx.inputs)
    kinds = formula_cells(ctx.framework)
    for ind in ctx.framework.indicators:
        res = results[ind.id]
        if isinstance(ind.rule, R.Personalised):
            if ind.id in links or ind.name in links:
                yield from _linked(ctx, ind, res)
            continue
        has_score, has_value = kinds[ind.id]
        if not has_score:
            continue  # judged: see judged-scores
        yield from output_cell(ctx, score_name(ind.id), f"{ind.name}自评得分", res.score, ind.id)
        if has_value:
            yield from output_cell(ctx, value_name(ind.id), f"{ind.name}计算值", res.value,
                                   ind.id)
        yield from _status(ctx, ind, res)


def _linked(ctx: Context, ind: Indicator, res: IndicatorResult) -> Iterator[Finding]:
    \"\"\"A personalised indicator scored from its targets; its cell holds a default formula
    that the evaluator may overwrite — with the same score only.\"\"\"
    rng = ctx.data.names.get(score_name(ind.id))
    yield from output_cell(ctx, value_name(ind.id), f"{ind.name}计算值", res.value, ind.id)
    if rng is not None and rng.formula() is None and rng.formulas is not None:
        shown = shown_number(rng.scalar)
        if shown is None or res.score is None or cents(shown) != res.score:
            found = fmt(shown) if shown is not None else (cell_text(rng.scalar) or "（空白）")
            yield make("score-mismatch", rng.sheet, rng.address(), indicator=ind.id,
                       label=f"{ind.name}自评得分", found=found,
                       expected="无法计算" if res.score is None else fmt(res.score))
    else:
        yield from output_cell(ctx, score_name(ind.id), f"{ind.name}自评得分", res.score,
                               ind.id)
    yield from _status(ctx, ind, res)


def _status(ctx: Context, ind: Indicator, res: IndicatorResult) -> Iterator[Finding]:
    if res.status == "ok" or unreadable(ctx, res.keys):
        return
    manual = ctx.data.names.get(manual_name(ind.id))
    if res.status == "needs-judgement" and manual is not None:
        yield make("manual-score-missing", manual.sheet, manual.address(), indicator=ind.id,
                   label=ind.name, why=res.reason)
        return
    rng = ctx.data.names.get(score_name(ind.id))
    if rng is not None:
        yield make("score-not-computed", rng.sheet, rng.address(), indicator=ind.id,
                   label=f"{ind.name}自评得分", why=res.reason)
""",
    'evalbook/checks/staffing.py': """\"\"\"实有人数与编制（staffing）。

基本概况中的实有人数超过人员编制时提示（财政供养人员控制率将因此扣分，应确认数字无误）。

通过的例子::

    人员编制 8；实有人数 6

不通过的例子（报告在“实有人数”单元格，代码 ``staff-over-quota``）::

    人员编制 8；实有人数 10
\"\"\"

from __future__ import annotations

from collections.abc import Iterator

from evalbook.checks.base import Context
from evalbook.findings import Finding, make
from evalbook.numbers import fmt

ID = "staffing"
NEEDS_SCORES = False


def check(ctx: Context) -> Iterator[Finding]:
    quota, actual = ctx.number("EB_STAFF_QUOTA"), ctx.number("EB_STAFF_ACTUAL")
    if quota is None or actual is None or actual <= quota:
        return
    cell = ctx.sub.scalars["EB_STAFF_ACTUAL"]
    yield make("staff-over-quota", cell.sheet, cell.cell, found=fmt(actual), expected=fmt(quota))
""",
    'evalbook/checks/structure.py': """\"\"\"工作表与定义名称（structure）。

工作簿的每一项数据都通过定义名称读取，而不是固定的单元格地址，所以插入行、移动区域都
不影响校验。但工作表被删除或改名（其他软件改名时不会同步更新定义名称），或定义名称被删除、
指向 #REF!，相应的数据就无法读取。每个工作表报告一次，列出无法读取的数据：工作表已不存在
是 ``sheet-missing``，工作表还在是 ``fields-unreadable``。Excel 中改名时定义名称会随之
更新，数据仍可读取，只提示 ``sheet-renamed``。表格区域的列数（或清单的项数）与模板不符是
``range-shape``（该表格不再按列读取）；表格中的单元格被合并是 ``merged-cells``；启用宏的
工作簿（.xlsm）提示 ``macros-present``——校验从不运行宏。

通过的例子::

    定义名称 EB_INCOME -> '收支情况'!$A$7:$G$10，工作表“收支情况”存在

不通过的例子（代码 ``sheet-missing``）::

    工作表“收支情况”被删除：EB_INCOME 等定义名称指向 #REF!
\"\"\"

from __future__ import annotations

from collections.abc import Iterator

from evalbook.checks.base import Context
from evalbook.contract import (
    COVER_FIELDS,
    EVALUATORS,
    GOAL_FIELDS,
    GRADE,
    MONEY_TABLES,
    OPINION_FIELDS,
    PROFILE_FIELDS,
    SUMMARY_FIELDS,
    TABLES_BY_NAME,
    TARGETS,
    TOTAL_SCORE,
    Field,
    reason_name,
    score_name,
)
from evalbook.findings import Finding, make
from evalbook.framework import Framework
from evalbook.workbook import NamedRange, WorkbookData
from evalbook.xlsxform import (
    BASE,
    COVER,
    FINANCE,
    GOALS,
    OPINIONS,
    PROFILE,
    SCORING,
    SUMMARY,
)
from evalbook.xlsxutil import range_ref

ID = "structure"
NEEDS_SCORES = False
MAX_LISTED = 6


def expected_names(framework: Framework | None) -> dict[str, tuple[str, str]]:
    \"\"\"Defined name -> (the sheet the template puts it on, its Chinese label). The
    framework's names (base data, scores) only when the workbook is scored with it.\"\"\"
    out: dict[str, tuple[str, str]] = {}

    def add(sheet: str, fields: tuple[Field, ...]) -> None:
        out.update({f.name: (sheet, f.label) for f in fields})

    add(COVER, COVER_FIELDS)
    add(PROFILE, PROFILE_FIELDS)
    out.update({t.name: (FINANCE, t.title) for t in MONEY_TABLES})
    add(GOALS, GOAL_FIELDS)
    out[TARGETS.name] = (GOALS, TARGETS.title)
    add(OPINIONS, OPINION_FIELDS)
    out[EVALUATORS.name] = (OPINIONS, EVALUATORS.title)
    add(SUMMARY, SUMMARY_FIELDS)
    if framework is not None:
        add(BASE, framework.fields)
        for ind in framework.indicators:
            out[score_name(ind.id)] = (SCORING, f"{ind.name}自评得分")
            out[reason_name(ind.id)] = (SCORING, f"{ind.name}扣分原因")
        out[TOTAL_SCORE] = (SCORING, "总分")
        out[GRADE] = (SCORING, "评价等次")
    return out


def misshapen(data: WorkbookData, framework: Framework | None) -> dict[str, Finding]:
    \"\"\"Tables whose column count, and checklists whose size, differ from the template.\"\"\"
    sizes: dict[str, tuple[str, int, bool]] = {
        name: (t.title, len(t.columns), True) for name, t in TABLES_BY_NAME.items()}
    if framework is not None:
        sizes.update({f.name: (f.label, f.size, False) for f in framework.fields
                      if f.type == "checklist"})
    out: dict[str, Finding] = {}
    for name, (label, size, by_columns) in sizes.items():
        rng = data.names.get(name)
        if rng is None:
            continue
        actual = rng.cols if by_columns else rng.rows * rng.cols
        if actual != size:
            shape = f"{rng.rows}行×{rng.cols}列"
            wanted = f"{size}列" if by_columns else f"{size}个单元格"
            out[name] = make("range-shape", rng.sheet, rng.address(), label=label,
                             found=rng.ref, size=shape, expected=wanted)
    return out


def check(ctx: Context) -> Iterator[Finding]:
    data = ctx.data
    if data.macros:
        yield make("macros-present")
    framework = ctx.framework if ctx.scored else None
    yield from misshapen(ctx.original, framework).values()
    expected = expected_names(framework)
    by_sheet: dict[str, list[str]] = {}
    for name, (sheet, _) in expected.items():
        by_sheet.setdefault(sheet, []).append(name)
    for sheet, names in by_sheet.items():
        yield from _sheet(ctx, sheet, names, expected)
    yield from _merged(ctx)


def _sheet(ctx: Context, sheet: str, names: list[str],
           expected: dict[str, tuple[str, str]]) -> Iterator[Finding]:
    readable = [n for n in names if n in ctx.original.names]
    lost = [n for n in names if n not in ctx.original.names]
    if lost:
        labels = [expected[n][1] for n in lost]
        listed = "、".join(labels[:MAX_LISTED]) + ("等" if len(labels) > MAX_LISTED else "")
        code = "fields-unreadable" if sheet in ctx.original.sheets else "sheet-missing"
        yield make(code, sheet, None, sheet_name=sheet, count=len(lost), fields=listed)
    moved = {ctx.original.names[n].sheet for n in readable} - {sheet}
    if sheet not in ctx.original.sheets and moved:
        for found in sorted(moved):
            yield make("sheet-renamed", found, None, expected=sheet, found=found)


def _merged(ctx: Context) -> Iterator[Finding]:
    for name, rng in ctx.original.names.items():
        if rng.rows * rng.cols < 2:
            continue  # a merge cannot hide a second cell of a one-cell range
        for area in ctx.original.merged.get(rng.sheet, ()):
            cell = _inside(rng, area)
            if cell is not None:
                label = TABLES_BY_NAME[name].title if name in TABLES_BY_NAME else name
                yield make("merged-cells", rng.sheet, cell, label=label,
                           found=_ref(area))


def _inside(rng: NamedRange, area: tuple[int, int, int, int]) -> str | None:
    \"\"\"The first cell of a merged area that spans two or more cells of a named range.\"\"\"
    r1, c1, r2, c2 = area
    top, left = max(r1, rng.first_row), max(c1, rng.first_col)
    bottom = min(r2, rng.first_row + rng.rows - 1)
    right = min(c2, rng.first_col + rng.cols - 1)
    if bottom < top or right < left or (bottom - top + 1) * (right - left + 1) < 2:
        return None
    return rng.address(top - rng.first_row, left - rng.first_col)


def _ref(area: tuple[int, int, int, int]) -> str:
    return range_ref(*area)
""",
    'evalbook/checks/summary_rows.py': """\"\"\"汇总行核对（summary-rows）。

收支情况每张表的汇总行（局机关及二级机构汇总）的每个金额，必须等于已填写的各单位行之和。
未填写任何单位行时不核对（只报送汇总数的部门）。空白按 0 计，按分比较。

通过的例子::

    汇总   收入合计 88.00
    局机关 收入合计 88.00

不通过的例子（报告在汇总行的单元格，代码 ``summary-sum-mismatch``）::

    汇总      收入合计 90.00
    局机关    收入合计 88.00
    二级机构1 收入合计  1.00
\"\"\"

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from evalbook.checks.base import Context, cents, summed
from evalbook.contract import MONEY_TABLES
from evalbook.findings import Finding, make
from evalbook.numbers import fmt

ID = "summary-rows"
NEEDS_SCORES = False


def check(ctx: Context) -> Iterator[Finding]:
    for table in MONEY_TABLES:
        rows = ctx.sub.cells.get(table.name)
        units = [r for r in ctx.sub.used_rows.get(table.name, []) if r > 0]
        if rows is None or not units:
            continue
        for c, col in enumerate(table.columns):
            if col.type != "amount":
                continue
            summary, expected = rows[0][c], summed([rows[r][c] for r in units])
            if expected is None or not isinstance(summary.value, Decimal):
                continue
            if cents(summary.value) != cents(expected):
                yield make("summary-sum-mismatch", summary.sheet, summary.cell,
                           table=table.title, column=col.label, found=fmt(summary.value),
                           expected=fmt(cents(expected)))
""",
    'evalbook/checks/targets.py': """\"\"\"绩效目标完成情况（targets）。

定量目标表中每一已填写的行，按比较方式（≥ ≤ =）比较实际完成值与目标值，得出是否完成，
与所填的“完成情况”（已完成/未完成）核对；“关联评分指标”须为评分表中的个性化指标
（按三级指标名称或指标编号），否则该目标不会计入任何指标。

通过的例子::

    公务卡刷卡率 | 目标值 100 | ≥ | 实际完成值 99 | 未完成

不通过的例子（报告在“完成情况”单元格，代码 ``target-status-mismatch``）::

    公务卡刷卡率 | 目标值 100 | ≥ | 实际完成值 99 | 已完成
\"\"\"

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from evalbook import rules as R
from evalbook.checks.base import Context
from evalbook.contract import TARGET_STATUSES, TARGETS
from evalbook.findings import Finding, make
from evalbook.framework import Framework
from evalbook.numbers import fmt
from evalbook.workbook import TypedCell

ID = "targets"
DONE, NOT_DONE = TARGET_STATUSES  # 已完成, 未完成
NEEDS_SCORES = False


def _cell(row: list[TypedCell], key: str) -> TypedCell:
    return row[TARGETS.index(key) - 1]


def met(row: list[TypedCell]) -> bool | None:
    \"\"\"Whether a target row reached its target; None if it cannot be told.\"\"\"
    target, actual = _cell(row, "target").value, _cell(row, "actual").value
    comparator = _cell(row, "comparator").value
    if not (isinstance(target, Decimal) and isinstance(actual, Decimal)
            and isinstance(comparator, str) and comparator in R.COMPARATOR_ALIASES):
        return None
    return R.target_completion(target, actual, comparator) >= 1


def check(ctx: Context) -> Iterator[Finding]:
    rows = ctx.sub.cells.get(TARGETS.name)
    if rows is None:
        return
    links = _link_choices(ctx.framework) if ctx.scored else None
    for r in ctx.sub.used_rows[TARGETS.name]:
        yield from _status(rows[r])
        link = _cell(rows[r], "indicator")
        if links is not None and isinstance(link.value, str) and link.value not in links:
            yield make("invalid-choice", link.sheet, link.cell, label=link.label,
                       found=link.value, expected="、".join(f"“{c}”" for c in links))


def _status(row: list[TypedCell]) -> Iterator[Finding]:
    reached, status = met(row), _cell(row, "status")
    goal, actual = _cell(row, "target").value, _cell(row, "actual").value
    if reached is None or status.value not in TARGET_STATUSES:
        return
    assert isinstance(goal, Decimal) and isinstance(actual, Decimal)  # met() checked them
    expected = DONE if reached else NOT_DONE
    if status.value != expected:
        yield make("target-status-mismatch", status.sheet, status.cell,
                   target=_cell(row, "name").value or "", goal=fmt(goal),
                   comparator=R.normalise_comparator(str(_cell(row, "comparator").value)),
                   actual=fmt(actual), expected=expected, found=status.value)


def _link_choices(framework: Framework) -> list[str]:
    \"\"\"Targets count toward personalised indicators, named by 三级指标 or id.\"\"\"
    personal = [i for i in framework.indicators if isinstance(i.rule, R.Personalised)]
    return [i.name for i in personal] + [i.id for i in personal]
""",
    'evalbook/checks/totals.py': """\"\"\"总分、分项得分和评价等次（totals）。

评分表的总分（EB_TOTAL_SCORE）、各一级和二级指标的分项得分（EB_SUBTOTAL_<n>、
EB_SUBTOTAL_<n>_<m>）和评价等次（EB_GRADE）都由公式计算；与单个指标的得分一样，与按原始
数据重新计算的结果比较：公式被改为常量是错误 ``formula-overwritten``，保存的显示值不同是
警告 ``stale-value``。

通过的例子::

    总分 =ROUND(SUM(G5:G29),2) 显示 100；评价等次 显示 优

不通过的例子（代码 ``formula-overwritten``）::

    总分 100   （公式被改成了数字）
\"\"\"

from __future__ import annotations

from collections.abc import Iterator

from evalbook.checks.base import Context, output_cell
from evalbook.contract import GRADE, TOTAL_SCORE
from evalbook.findings import Finding
from evalbook.framework import Framework

ID = "totals"
NEEDS_SCORES = True


def subtotal_names(framework: Framework) -> dict[str, str]:
    \"\"\"EB_SUBTOTAL_<n>[_<m>] -> the level it sums ("投入", "投入/预算配置"), in the order
    the levels first appear among the indicators.\"\"\"
    level1: list[str] = []
    level2: dict[str, list[str]] = {}
    for ind in framework.indicators:
        if ind.level1 not in level1:
            level1.append(ind.level1)
        children = level2.setdefault(ind.level1, [])
        if f"{ind.level1}/{ind.level2}" not in children:
            children.append(f"{ind.level1}/{ind.level2}")
    out: dict[str, str] = {}
    for n, top in enumerate(level1, start=1):
        out[f"EB_SUBTOTAL_{n}"] = top
        out.update({f"EB_SUBTOTAL_{n}_{m}": key for m, key in enumerate(level2[top], start=1)})
    return out


def check(ctx: Context) -> Iterator[Finding]:
    result = ctx.result
    assert result is not None
    subtotals = {s.name: s.score for s in result.subtotals}
    for name, level in subtotal_names(ctx.framework).items():
        if level in subtotals:
            yield from output_cell(ctx, name, f"{level}分项得分", subtotals[level])
    yield from output_cell(ctx, TOTAL_SCORE, "总分", result.total)
    yield from output_cell(ctx, GRADE, "评价等次", result.grade)
""",
    'evalbook/contract.py': """\"\"\"The workbook contract: defined names, table columns and form fields (SPEC section 4).

Everything outside the scoring rules that a workbook must hold is declared here once;
the template builder writes these names, the reader and validator address cells only
through them. Base-data fields needed by the rules are declared by the framework instead.
\"\"\"

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldType = Literal[
    "text", "longtext", "amount", "count", "percent", "date", "phone", "code", "year", "yesno",
    "checklist",
]


@dataclass(frozen=True)
class Field:
    \"\"\"One named input: a defined name, its Chinese label and how it is typed.\"\"\"

    name: str
    label: str
    type: FieldType
    unit: str = ""
    required: bool = True
    size: int = 1  # number of cells (checklists)
    items: tuple[str, ...] = ()  # checklist item labels
    min: str | None = None
    max: str | None = None
    hint: str = ""


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    type: FieldType = "amount"


@dataclass(frozen=True)
class Table:
    \"\"\"A data block: the 汇总 row first, then one row per unit (SPEC section 2).\"\"\"

    name: str
    title: str
    columns: tuple[Column, ...]
    unit: str = "万元"
    # (total column, component columns) pairs that must reconcile in every row
    sums: tuple[tuple[str, tuple[str, ...]], ...] = ()
    has_summary_row: bool = True

    def index(self, key: str) -> int:
        \"\"\"1-based column position of ``key`` inside the named range.\"\"\"
        for i, col in enumerate(self.columns, start=1):
            if col.key == key:
                return i
        raise KeyError(f"{self.name} has no column {key!r}")


NAME_COLUMN = Column("name", "机构名称", "text")

COVER_FIELDS: tuple[Field, ...] = (
    Field("EB_DEPT_NAME", "部门(单位)名称", "text"),
    Field("EB_BUDGET_CODE", "预算编码", "code", hint="6位数字"),
    Field("EB_YEAR", "评价年度", "year", hint="4位年份，如 2020"),
    Field("EB_EVAL_METHOD", "评价方式", "text"),
    Field("EB_EVAL_ORG", "评价机构", "text"),
    Field("EB_REPORT_DATE", "报告日期", "date"),
    Field("EB_SUBMIT_DATE", "报送日期", "date", hint="报送函落款日期"),
    Field("EB_FILLER", "填报人", "text"),
    Field("EB_FILLER_PHONE", "联系电话", "phone"),
)

PROFILE_FIELDS: tuple[Field, ...] = (
    Field("EB_CONTACT", "联系人", "text"),
    Field("EB_CONTACT_PHONE", "联络电话", "phone"),
    Field("EB_STAFF_QUOTA", "人员编制", "count", unit="人"),
    Field("EB_STAFF_ACTUAL", "实有人数", "count", unit="人"),
    Field("EB_DUTIES", "职能职责概述", "longtext"),
    Field("EB_MAIN_WORK", "年度主要工作内容", "longtext"),
    Field("EB_ACHIEVEMENTS", "年度总体运行情况及取得的成绩", "longtext"),
)

GOAL_FIELDS: tuple[Field, ...] = (
    Field("EB_GOALS_EXPECTED", "定性目标：预期目标", "longtext", required=False),
    Field("EB_GOALS_ACTUAL", "定性目标：实际完成", "longtext", required=False),
)

OPINION_FIELDS: tuple[Field, ...] = (
    Field("EB_TEAM_LEADER", "评价组组长", "text", required=False),
    Field("EB_TEAM_DATE", "评价组组长签字日期", "date", required=False),
    Field("EB_DEPT_OPINION", "部门(单位)意见", "longtext", required=False),
    Field("EB_DEPT_OPINION_DATE", "部门(单位)意见日期", "date", required=False),
    Field("EB_FINANCE_OPINION", "财政部门归口业务科室意见", "longtext", required=False),
    Field("EB_FINANCE_OPINION_DATE", "财政部门意见日期", "date", required=False),
)

SUMMARY_FIELDS: tuple[Field, ...] = (
    Field("EB_SUMMARY_OVERVIEW", "一、单位概况", "longtext", required=False),
    Field("EB_SUMMARY_SCALE", "整体支出规模、使用方向和主要内容", "longtext", required=False),
    Field("EB_SUMMARY_BASIC", "（一）基本支出", "longtext", required=False),
    Field("EB_SUMMARY_SPECIAL", "（二）专项支出（安排、使用、管理）", "longtext", required=False),
    Field("EB_SUMMARY_IMPLEMENT", "三、专项组织实施情况", "longtext", required=False),
    Field("EB_SUMMARY_PERFORMANCE", "四、整体支出绩效情况", "longtext", required=False),
    Field("EB_PROBLEMS", "五、存在的主要问题", "longtext"),
    Field("EB_MEASURES", "六、改进措施和有关建议", "longtext"),
)

INCOME = Table(
    "EB_INCOME",
    "年度收入情况",
    (
        NAME_COLUMN,
        Column("total", "收入合计"),
        Column("carryover", "上年结转"),
        Column("public_finance", "公共财政拨款"),
        Column("gov_fund", "政府基金拨款"),
        Column("special_account", "纳入专户管理的非税收入拨款"),
        Column("other", "其他收入"),
    ),
    sums=(("total", ("carryover", "public_finance", "gov_fund", "special_account", "other")),),
)

EXPENSE = Table(
    "EB_EXPENSE",
    "年度支出和结余情况",
    (
        NAME_COLUMN,
        Column("total", "支出合计"),
        Column("basic", "基本支出"),
        Column("personnel", "人员支出"),
        Column("public_use", "公用支出"),
        Column("project", "项目支出"),
        Column("balance_year", "当年结余"),
        Column("balance_cumulative", "累计结余"),
    ),
    sums=(("total", ("basic", "project")), ("basic", ("personnel", "public_use"))),
)

SANGONG = Table(
    "EB_SANGONG",
    "“三公”经费情况",
    (
        NAME_COLUMN,
        Column("total", "三公经费合计"),
        Column("reception", "公务接待费"),
        Column("vehicle_ops", "公务用车运维费"),
        Column("vehicle_purchase", "公务用车购置费"),
        Column("overseas", "因公出国费"),
    ),
    sums=(("total", ("reception", "vehicle_ops", "vehicle_purchase", "overseas")),),
)

ASSETS = Table(
    "EB_ASSETS",
    "固定资产情况",
    (
        NAME_COLUMN,
        Column("total", "固定资产合计"),
        Column("in_use", "在用固定资产"),
        Column("leased", "出租固定资产"),
        Column("other", "其他"),
    ),
    sums=(("total", ("in_use", "leased", "other")),),
)

TARGETS = Table(
    "EB_TARGETS",
    "整体支出绩效定量目标",
    (
        Column("category", "目标类别", "text"),
        Column("kind", "指标类型", "text"),
        Column("name", "指标名称", "text"),
        Column("target", "目标值", "amount"),
        Column("unit", "单位", "text"),
        Column("comparator", "比较方式", "text"),
        Column("actual", "实际完成值", "amount"),
        Column("status", "完成情况", "text"),
        Column("indicator", "关联评分指标", "text"),
    ),
    unit="",
    has_summary_row=False,
)

EVALUATORS = Table(
    "EB_EVALUATORS",
    "评价人员",
    (
        Column("name", "姓名", "text"),
        Column("title", "职务/职称", "text"),
        Column("org", "单位", "text"),
    ),
    unit="",
    has_summary_row=False,
)

MONEY_TABLES: tuple[Table, ...] = (INCOME, EXPENSE, SANGONG, ASSETS)
TABLES: tuple[Table, ...] = (*MONEY_TABLES, TARGETS, EVALUATORS)
TABLES_BY_NAME = {t.name: t for t in TABLES}

TARGET_CATEGORIES = ("产出目标", "效益目标")
TARGET_KINDS = ("数量指标", "质量指标", "时效指标", "成本指标", "社会效益", "经济效益", "生态效益",
                "满意度")
COMPARATORS = ("≥", "≤", "=")
TARGET_STATUSES = ("已完成", "未完成")
SUMMARY_ROW_LABEL = "局机关及二级机构汇总"

FORM_FIELDS: tuple[Field, ...] = (
    *COVER_FIELDS, *PROFILE_FIELDS, *GOAL_FIELDS, *OPINION_FIELDS, *SUMMARY_FIELDS,
)

#: Base-data names that SPEC section 4 lists for every workbook; a framework may declare more.
SPEC_BASE_NAMES = (
    "EB_SANGONG_PREV", "EB_SANGONG_BUDGET", "EB_KEY_PROJECT_EXP", "EB_BUDGET_INITIAL",
    "EB_BUDGET_ADJUST", "EB_LATE_FUNDS", "EB_GP_BUDGET", "EB_GP_ACTUAL", "EB_CARD_ELIGIBLE",
    "EB_CARD_PAID", "EB_SATISFACTION", "EB_VIOLATIONS_FUND_USE", "EB_VIOLATIONS_ASSET",
    "EB_CHECK_BUDGET_RULES", "EB_CHECK_DISCLOSURE", "EB_CHECK_ASSET_RULES",
)

TOTAL_SCORE = "EB_TOTAL_SCORE"
GRADE = "EB_GRADE"


def score_name(indicator_id: str) -> str:
    return f"EB_SCORE_{indicator_id.upper()}"


def reason_name(indicator_id: str) -> str:
    return f"EB_REASON_{indicator_id.upper()}"


def manual_name(indicator_id: str) -> str:
    \"\"\"Input cell used when a computed rule cannot compute (e.g. 上年三公经费为 0).\"\"\"
    return f"EB_MANUAL_{indicator_id.upper()}"
""",
    'evalbook/engine.py': """\"\"\"The scoring engine: raw inputs keyed by defined names -> scores, subtotals, total, grade.

Inputs are taken as a person typed them; numbers are read with :func:`parse_number`, every
interpretation is recorded as a note, and an indicator that cannot be computed gets a status
that says why — the engine never raises on bad input.
\"\"\"

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from evalbook import expr as E
from evalbook import rules as R
from evalbook.contract import TABLES_BY_NAME, TARGETS, reason_name, score_name
from evalbook.framework import Framework, Indicator, score_expr, value_expr
from evalbook.numbers import NotANumber, fmt, parse_number, round_half_up


@dataclass(frozen=True)
class InputNote:
    \"\"\"How an input was read: ``key`` is a defined name, ``row``/``col`` 0-based inside it.\"\"\"

    key: str
    code: str
    severity: str
    message: str
    row: int | None = None
    col: int | None = None


@dataclass(frozen=True)
class IndicatorResult:
    id: str
    name: str
    level1: str
    level2: str
    max: Decimal
    value: Decimal | None
    score: Decimal | None
    status: str
    reason: str
    keys: tuple[str, ...] = ()  # inputs behind a non-ok status

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "max": _j(self.max), "value": _j(self.value),
                "score": _j(self.score), "status": self.status, "reason": self.reason}


@dataclass(frozen=True)
class Subtotal:
    level: int
    name: str
    max: Decimal
    score: Decimal


@dataclass(frozen=True)
class ScoreResult:
    framework: Framework
    indicators: tuple[IndicatorResult, ...]
    subtotals: tuple[Subtotal, ...]
    total: Decimal
    grade: str
    complete: bool
    notes: tuple[InputNote, ...] = field(default=())

    def by_id(self) -> dict[str, IndicatorResult]:
        return {r.id: r for r in self.indicators}

    def to_json(self) -> dict[str, Any]:
        fw = self.framework
        return {
            "framework": {"id": fw.id, "name": fw.name, "sha256": fw.sha256},
            "indicators": [r.to_json() for r in self.indicators],
            "subtotals": [{"level": s.level, "name": s.name, "max": _j(s.max),
                           "score": _j(s.score)} for s in self.subtotals],
            "total": _j(self.total),
            "grade": self.grade,
            "complete": self.complete,
            "notes": [{"key": n.key, "row": n.row, "col": n.col, "code": n.code,
                       "severity": n.severity, "message": n.message} for n in self.notes],
        }


def _j(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


@functools.cache
def _parse_key(key: str) -> tuple[str, int | None, int | None]:
    \"\"\"``EB_X`` / ``EB_T.col`` / ``EB_T@r.col`` / ``EB_CHECK#i`` -> (name, row, col), 0-based.\"\"\"
    name, _, column = key.partition(".")
    if column:
        name, _, row_text = name.partition("@")
        return name, int(row_text or 0), TABLES_BY_NAME[name].index(column) - 1
    name, _, item = key.partition("#")
    if item:
        return name, int(item) - 1, None
    return key, None, None


def _blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "")


class InputEnv:
    \"\"\"Reads numbers and texts from raw inputs by reference key, recording notes once.\"\"\"

    def __init__(self, inputs: Mapping[str, Any], labels: Mapping[str, str] | None = None):
        self.inputs = inputs
        self.labels = labels or {}
        self.notes: dict[tuple[str, int | None, int | None], InputNote] = {}
        self._numbers: dict[str, Decimal] = {}

    def _locate(self, key: str) -> tuple[str, int | None, int | None, object]:
        name, row, col = _parse_key(key)
        if row is None:
            return name, None, None, self.inputs.get(name)
        values = self.inputs.get(name)
        if not isinstance(values, list) or row >= len(values):
            return name, row, col, None
        if col is None:
            return name, row, None, values[row]
        line = values[row]
        return name, row, col, line[col] if isinstance(line, list) and col < len(line) else None

    def label(self, key: str) -> str:
        name, _, column = key.partition(".")
        if column:
            name, _, row_text = name.partition("@")
            table = TABLES_BY_NAME[name]
            where = f"第{int(row_text) + 1}行" if row_text else "汇总行"
            return f"{table.title}{where}的{table.columns[table.index(column) - 1].label}"
        return self.labels.get(key.partition("#")[0], key)

    def number(self, key: str) -> Decimal:
        cached = self._numbers.get(key)
        if cached is not None:
            return cached
        name, row, col, raw = self._locate(key)
        if _blank(raw):
            raise E.CannotCompute("missing-input", f"缺少“{self.label(key)}”", (key,))
        try:
            parsed = parse_number(raw)
        except NotANumber as exc:
            self.notes[(name, row, col)] = InputNote(
                name, "not-a-number", "error", f"“{self.label(key)}”填写为“{raw}”，{exc.why}",
                row, col)
            raise E.CannotCompute("invalid-input",
                                  f"“{self.label(key)}”无法识别为数字（“{raw}”）", (key,)) from None
        if parsed.note:
            self.notes[(name, row, col)] = InputNote(
                name, "text-number", "warning", f"“{self.label(key)}”{parsed.note}", row, col)
        self._numbers[key] = parsed.value
        return parsed.value

    def text(self, key: str) -> str:
        _, _, _, raw = self._locate(key)
        if _blank(raw):
            raise E.CannotCompute("missing-input", f"缺少“{self.label(key)}”", (key,))
        return str(raw).strip()


class Scorer:
    \"\"\"A framework compiled once; :meth:`score` is then cheap per department.\"\"\"

    def __init__(self, framework: Framework) -> None:
        self.framework = framework
        self.score_exprs = {i.id: _compiled(score_expr(i, framework.settings))
                            for i in framework.indicators}
        self.value_exprs = {i.id: _compiled(value_expr(i)) for i in framework.indicators}
        self.level_max = framework.level_max()
        self.labels = {f.name: f.label for f in framework.fields}
        from evalbook.contract import FORM_FIELDS

        self.labels.update({f.name: f.label for f in FORM_FIELDS})
        self._value_ref = E.Ref("value")

    def score(self, inputs: Mapping[str, Any]) -> ScoreResult:
        env = InputEnv(inputs, self.labels)
        links = target_links(inputs)
        results = tuple(self._indicator(ind, env, inputs, links)
                        for ind in self.framework.indicators)
        return self._summarise(results, tuple(env.notes.values()))

    def indicator(self, indicator_id: str, inputs: Mapping[str, Any]) -> IndicatorResult:
        \"\"\"Score a single indicator (UDFs score one cell at a time).\"\"\"
        ind = self.framework.indicator(indicator_id)
        return self._indicator(ind, InputEnv(inputs, self.labels), inputs, target_links(inputs))

    # ------------------------------------------------------------ one indicator

    def _indicator(self, ind: Indicator, env: InputEnv, inputs: Mapping[str, Any],
                   links: Mapping[str, list[int]]) -> IndicatorResult:
        if isinstance(ind.rule, R.Personalised):
            linked = links.get(ind.id, []) + links.get(ind.name, [])
            if linked:
                return self._personalised(ind, linked, env, inputs)
        expr = self.score_exprs[ind.id]
        if expr is None:
            return self._judged(ind, env, inputs)
        value: Decimal | None = None
        vexpr = self.value_exprs[ind.id]
        try:
            if vexpr is not None:
                try:
                    value = _number(vexpr(env))
                except ArithmeticError:
                    value = None
            score = _number(expr(env))
        except E.CannotCompute as exc:
            return self._failed(ind, value, exc)
        except ArithmeticError:  # pragma: no cover - inputs are bounded by parse_number
            return self._failed(ind, None, E.CannotCompute("cannot-compute", "数值异常，无法计算"))
        return self._done(ind, value, score, inputs)

    def _done(self, ind: Indicator, value: Decimal | None, score: Decimal,
              inputs: Mapping[str, Any]) -> IndicatorResult:
        given = inputs.get(reason_name(ind.id))
        reason = "" if _blank(given) else str(given).strip()
        if not reason and score < ind.max:
            shown = "" if value is None else f"{ind.subject}为{fmt(value)}{ind.value.unit}，"
            reason = f"{shown}按评分标准扣{fmt(ind.max - score)}分"
        return IndicatorResult(ind.id, ind.name, ind.level1, ind.level2, ind.max, value, score,
                               "ok", reason)

    @staticmethod
    def _failed(ind: Indicator, value: Decimal | None, exc: E.CannotCompute) -> IndicatorResult:
        return IndicatorResult(ind.id, ind.name, ind.level1, ind.level2, ind.max, value, None,
                               exc.status, exc.message, exc.keys)

    def _judged(self, ind: Indicator, env: InputEnv, inputs: Mapping[str, Any]
                ) -> IndicatorResult:
        key = score_name(ind.id)
        try:
            score = env.number(key)
        except E.CannotCompute as exc:
            if exc.status == "missing-input":
                exc = E.CannotCompute("needs-judgement", "未填写自评得分（需评价人员评分）", (key,))
            return self._failed(ind, None, exc)
        if not Decimal(0) <= score <= ind.max:
            return self._failed(ind, None, E.CannotCompute(
                "out-of-range", f"自评得分 {fmt(score)} 超出 0-{fmt(ind.max)} 分", (key,)))
        return self._done(ind, None, round_half_up(score, self.framework.settings.places), inputs)

    def _personalised(self, ind: Indicator, linked: list[int], env: InputEnv,
                      inputs: Mapping[str, Any]) -> IndicatorResult:
        rates: list[Decimal] = []
        try:
            for row in linked:
                target = env.number(f"{TARGETS.name}@{row}.target")
                actual = env.number(f"{TARGETS.name}@{row}.actual")
                comparator = str(inputs[TARGETS.name][row][TARGETS.index("comparator") - 1] or "")
                rates.append(R.target_completion(target, actual, comparator))
        except E.CannotCompute as exc:
            return self._failed(ind, None, exc)
        value = E.evaluate_number(R.completion_value(E.num(sum(rates, Decimal(0))),
                                                     E.num(len(rates))), E.MappingEnv({}))
        body = E.rnd(E.clamp(ind.rule.score(self._value_ref, ind.max), E.num(0), E.num(ind.max)))
        score = E.evaluate_number(body, E.MappingEnv({"value": value}))
        return self._done(ind, value, score, inputs)

    # ------------------------------------------------------------ totals

    def _summarise(self, results: tuple[IndicatorResult, ...], notes: tuple[InputNote, ...]
                   ) -> ScoreResult:
        fw = self.framework
        maxima = self.level_max
        sums: dict[str, Decimal] = {}
        for r in results:
            for key in (r.level1, f"{r.level1}/{r.level2}"):
                sums[key] = sums.get(key, Decimal(0)) + (r.score or Decimal(0))
        subtotals = tuple(Subtotal(key.count("/") + 1, key, maxima[key], sums[key])
                          for key in maxima)
        total = round_half_up(sum((r.score or Decimal(0) for r in results), Decimal(0)))
        complete = all(r.status == "ok" for r in results)
        return ScoreResult(fw, results, subtotals, total, fw.grade_for(total), complete, notes)


def _compiled(expr: E.Expr | None) -> E.Compiled | None:
    return None if expr is None else expr.compile()


def _number(value: E.Value) -> Decimal:
    if isinstance(value, Decimal):
        return value
    raise TypeError(f"expected a number, got {value!r}")


_LINK_COL = TARGETS.index("indicator") - 1


def target_links(inputs: Mapping[str, Any]) -> dict[str, list[int]]:
    \"\"\"Rows of the 绩效目标 table by the indicator they are linked to (its id or 三级指标 name).\"\"\"
    rows = inputs.get(TARGETS.name)
    links: dict[str, list[int]] = {}
    if not isinstance(rows, list):
        return links
    for i, row in enumerate(rows):
        if isinstance(row, list) and len(row) > _LINK_COL and row[_LINK_COL]:
            links.setdefault(str(row[_LINK_COL]).strip(), []).append(i)
    return links


_SCORERS: dict[int, Scorer] = {}


def scorer_for(framework: Framework) -> Scorer:
    \"\"\"The compiled scorer of a framework (compiled once and cached).\"\"\"
    scorer = _SCORERS.get(id(framework))
    if scorer is None or scorer.framework is not framework:
        scorer = _SCORERS[id(framework)] = Scorer(framework)
    return scorer


def score(inputs: Mapping[str, Any], framework: Framework) -> ScoreResult:
    \"\"\"Score one department's inputs.\"\"\"
    return scorer_for(framework).score(inputs)


def inputs_from_operands(keys: tuple[str, ...], values: tuple[object, ...]) -> dict[str, Any]:
    \"\"\"Rebuild a raw-inputs mapping from reference keys and cell values (UDF arguments).\"\"\"
    inputs: dict[str, Any] = {}
    for key, value in zip(keys, values, strict=False):
        name, _, column = key.partition(".")
        if column:
            name, _, row_text = name.partition("@")
            row, col = int(row_text or 0), TABLES_BY_NAME[name].index(column) - 1
            rows = inputs.setdefault(name, [])
            while len(rows) <= row:
                rows.append([None] * len(TABLES_BY_NAME[name].columns))
            rows[row][col] = value
            continue
        name, _, item = key.partition("#")
        if item:
            items = inputs.setdefault(name, [])
            while len(items) < int(item):
                items.append(None)
            items[int(item) - 1] = value
            continue
        inputs[key] = value
    return inputs
""",
    'evalbook/excel/__init__.py': """\"\"\"Excel bindings: worksheet functions (:mod:`.udfs`) and macros (:mod:`.macros`).

This is the only part of evalbook that imports xlwings. It runs in the desktop add-in
(classic xlwings), in xlwings Lite (Pyodide) and under xlwings Server; see docs/addin.md.
\"\"\"
""",
    'evalbook/excel/book.py': """\"\"\"An open workbook (``xw.Book``) as :class:`~evalbook.workbook.WorkbookData`.

The same adapter serves the desktop add-in (COM) and the Office.js runtimes (xlwings Lite,
xlwings Server), so the 校验 macro sees exactly what ``evalbook validate`` sees in a file.
Each sheet is read once as a block and every defined name is cut out of it, which keeps
COM round trips to a few per sheet. Office.js sends no formulas and no merge state:
there every range's ``formulas`` is None and ``merged`` stays empty.
\"\"\"

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import xlwings as xw

from evalbook.workbook import NamedRange, WorkbookData, meta_from_names
from evalbook.xlsxutil import parse_range, split_sheet_ref

Grid = list[list[Any]]
MACRO_SUFFIXES = (".xlsm", ".xlsb", ".xlam")


def _grid(raw: Any) -> Grid:
    \"\"\"A value or formula read of a range as a 2D list (COM gives tuples or a scalar).\"\"\"
    if isinstance(raw, list | tuple):
        if raw and isinstance(raw[0], list | tuple):
            return [list(row) for row in raw]
        return [list(raw)]
    return [[raw]]


def _value(value: Any) -> Any:
    # Excel has no date type apart from a format: a date cell arrives as midnight; the file
    # reader gives a date, and so must this adapter.
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date()
    return value


class SheetCache:
    \"\"\"Each sheet's used block (from A1), read once: values and, where readable, formulas.\"\"\"

    def __init__(self, book: xw.Book) -> None:
        self.book = book
        self.values: dict[str, Grid] = {}
        self.formulas: dict[str, Grid | None] = {}

    def load(self, sheet_name: str) -> None:
        if sheet_name in self.values:
            return
        sheet = self.book.sheets[sheet_name]
        last = sheet.used_range.last_cell
        block = sheet.range((1, 1), (last.row, last.column))
        values = _grid(block.options(ndim=2, err_to_str=True).value)
        self.values[sheet_name] = [[_value(v) for v in row] for row in values]
        try:
            self.formulas[sheet_name] = _grid(block.formula)
        except NotImplementedError:  # Office.js sends values only
            self.formulas[sheet_name] = None

    def cut(self, grid: Grid, r1: int, c1: int, r2: int, c2: int) -> Grid:
        rows = []
        for r in range(r1 - 1, r2):
            row = grid[r] if r < len(grid) else []
            rows.append([row[c] if c < len(row) else None for c in range(c1 - 1, c2)])
        return rows

    def named_range(self, name: str, sheet_name: str, ref: str) -> NamedRange:
        self.load(sheet_name)
        r1, c1, r2, c2 = parse_range(ref)
        values = self.cut(self.values[sheet_name], r1, c1, r2, c2)
        formula_grid = self.formulas[sheet_name]
        formulas = None
        if formula_grid is not None:
            formulas = [[f if isinstance(f, str) and f.startswith("=") else None for f in row]
                        for row in self.cut(formula_grid, r1, c1, r2, c2)]
        return NamedRange(name, sheet_name, r1, c1, values, formulas)


def _eb_names(book: xw.Book) -> list[tuple[str, str]]:
    \"\"\"(name, refers_to) of the workbook-scoped EB_* names (sheet-scoped ones show "S!n").\"\"\"
    out = []
    for name in book.names:
        text = str(name.name)
        if text.startswith("EB_") and "!" not in text:
            out.append((text, str(name.refers_to)))
    return out


def _hidden(sheets: Sequence[Any]) -> list[str]:
    return [str(s.name) for s in sheets if not s.visible]


def workbook_data(book: xw.Book) -> WorkbookData:
    \"\"\"Read an open workbook through its defined names, as the headless reader reads a file.\"\"\"
    sheets = list(book.sheets)
    sheet_names = [str(s.name) for s in sheets]
    cache = SheetCache(book)
    names: dict[str, NamedRange] = {}
    broken: dict[str, str] = {}
    for name, refers_to in _eb_names(book):
        try:
            sheet_name, ref = split_sheet_ref(refers_to)
        except ValueError:
            broken[name] = refers_to
            continue
        if sheet_name not in sheet_names:
            broken[name] = refers_to
            continue
        names[name] = cache.named_range(name, sheet_name, ref)
    return WorkbookData(
        file=str(book.name), sheets=sheet_names, names=names, meta=meta_from_names(names),
        broken=broken, hidden=_hidden(sheets),
        macros=str(book.name).lower().endswith(MACRO_SUFFIXES),
    )
""",
    'evalbook/excel/cells.py': """\"\"\"What the Excel functions show, as pure functions of cell values (no xlwings here).

The UDFs in :mod:`evalbook.excel.udfs` only forward their arguments to these functions, so
the arithmetic stays in the engine and the texts a cell shows are decided in one place.
A cell shows a number, or the Chinese text the native formula shows in the same situation
(待填写 / 需人工评分), or — where the native formula can only say 待填写 — a precise
输入有误：… taken from the engine.
\"\"\"

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from evalbook.contract import GRADE, TARGETS, TOTAL_SCORE, score_name
from evalbook.engine import IndicatorResult, Scorer, ScoreResult, inputs_from_operands, scorer_for
from evalbook.framework import Framework, FrameworkError, Indicator, load_framework, operands
from evalbook.numbers import NotANumber, parse_number

FRAMEWORK_ENV = "EVALBOOK_FRAMEWORK"
\"\"\"Environment variable naming another framework file for the add-in (default: bundled).\"\"\"

Shown = float | str
\"\"\"What a cell shows: a number, or a Chinese text.\"\"\"

WAITING = "待填写"
NEEDS_JUDGEMENT = "需人工评分"
NO_VALUE = "无法计算"
_STATUS_TEXT = {"missing-input": WAITING, "needs-judgement": NEEDS_JUDGEMENT}
_INVALID = ("invalid-input", "out-of-range")


class Unusable(Exception):
    \"\"\"The add-in cannot score at all (framework file broken); ``text`` is shown in cells.\"\"\"

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


@dataclass(frozen=True)
class Bindings:
    \"\"\"A framework compiled for cell-by-cell use: its scorer and each indicator's operands.\"\"\"

    framework: Framework

    @cached_property
    def scorer(self) -> Scorer:
        return scorer_for(self.framework)

    @cached_property
    def operand_keys(self) -> dict[str, tuple[str, ...]]:
        settings = self.framework.settings
        return {i.id: operands(i, settings) for i in self.framework.indicators}

    @cached_property
    def indicators(self) -> dict[str, Indicator]:
        return {i.id: i for i in self.framework.indicators}


_BINDINGS: dict[str, Bindings] = {}


def bindings() -> Bindings:
    \"\"\"The framework the add-in scores with: $EVALBOOK_FRAMEWORK, or the bundled one.\"\"\"
    path = os.environ.get(FRAMEWORK_ENV, "").strip()
    found = _BINDINGS.get(path)
    if found is None:
        try:
            framework = load_framework(Path(path) if path else None)
        except FrameworkError as exc:
            raise Unusable(f"评分框架有误：{'；'.join(exc.problems)}") from None
        found = _BINDINGS[path] = Bindings(framework)
    return found


def flatten(values: Iterable[object]) -> tuple[object, ...]:
    \"\"\"Arguments as single cells: a range passed as one argument counts cell by cell.\"\"\"
    out: list[object] = []
    for value in values:
        if isinstance(value, list | tuple):
            out.extend(flatten(value))
        else:
            out.append(value)
    return tuple(out)


def status_text(result: IndicatorResult) -> str:
    \"\"\"The text a score cell shows when the indicator has no score.\"\"\"
    fixed = _STATUS_TEXT.get(result.status)
    if fixed is not None:
        return fixed
    if result.status in _INVALID:
        return f"输入有误：{result.reason}"
    return f"{NO_VALUE}：{result.reason}"


def shown_score(result: IndicatorResult) -> Shown:
    return status_text(result) if result.score is None else float(result.score)


def shown_value(result: IndicatorResult, ind: Indicator) -> Shown:
    \"\"\"计算值 as the native formula shows it: the value, 待填写, 无法计算; blank if judged.\"\"\"
    if result.value is not None:
        return float(result.value)
    if ind.judged:
        return ""
    if result.status in ("missing-input", *_INVALID):
        return status_text(result)
    return NO_VALUE


def _indicator_result(indicator_id: object, values: Sequence[object], b: Bindings
                      ) -> IndicatorResult | str:
    ind_id = str(indicator_id or "").strip()
    keys = b.operand_keys.get(ind_id)
    if keys is None:
        return f"输入有误：未知指标“{ind_id}”"
    cells = flatten(values)
    if len(cells) != len(keys):
        name = b.indicators[ind_id].name
        return f"输入有误：“{name}”需要 {len(keys)} 个单元格参数，实际为 {len(cells)} 个"
    return b.scorer.indicator(ind_id, inputs_from_operands(keys, cells))


def score_cell(indicator_id: object, values: Sequence[object]) -> Shown:
    \"\"\"自评得分 of one indicator from its operand cells (EB_SCORE).\"\"\"
    try:
        result = _indicator_result(indicator_id, values, bindings())
    except Unusable as exc:
        return exc.text
    return result if isinstance(result, str) else shown_score(result)


def value_cell(indicator_id: object, values: Sequence[object]) -> Shown:
    \"\"\"计算值 of one indicator from the same operand cells (EB_VALUE).\"\"\"
    try:
        b = bindings()
    except Unusable as exc:
        return exc.text
    result = _indicator_result(indicator_id, values, b)
    if isinstance(result, str):
        return result
    return shown_value(result, b.indicators[result.id])


def score_block(rows: Sequence[Sequence[object]]) -> list[list[Shown]]:
    \"\"\"Every score from a two-column block of (reference key, cell value) rows (EB_SCORES).

    Returns one row per indicator, ``[id, score or text]``, in framework order, then
    ``[EB_TOTAL_SCORE, 总分]`` and ``[EB_GRADE, 评价等次]``.
    \"\"\"
    try:
        b = bindings()
    except Unusable as exc:
        return [[exc.text, ""]]
    keys: list[str] = []
    values: list[object] = []
    for row in rows:
        key = str(row[0] or "").strip() if row else ""
        if key:
            keys.append(key)
            values.append(row[1] if len(row) > 1 else None)
    result = b.scorer.score(inputs_from_operands(tuple(keys), tuple(values)))
    return block_rows(result)


def block_rows(result: ScoreResult) -> list[list[Shown]]:
    rows: list[list[Shown]] = [[r.id, shown_score(r)] for r in result.indicators]
    rows.append([TOTAL_SCORE, float(result.total)])
    rows.append([GRADE, result.grade])
    return rows


def grade_cell(total: object) -> str:
    \"\"\"评价等次 of a total score (EB_GRADE).\"\"\"
    try:
        framework = bindings().framework
    except Unusable as exc:
        return exc.text
    if total is None or (isinstance(total, str) and not total.strip()):
        return WAITING
    try:
        value = parse_number(total).value
    except NotANumber as exc:
        return f"输入有误：总分“{total}”{exc.why}"
    return framework.grade_for(value)


def rule_text(indicator_id: object) -> str:
    \"\"\"评分标准 of an indicator, rendered from its rule (EB_RULE_TEXT).\"\"\"
    try:
        b = bindings()
    except Unusable as exc:
        return exc.text
    ind = b.indicators.get(str(indicator_id or "").strip())
    if ind is None:
        return f"输入有误：未知指标“{indicator_id}”"
    return ind.criteria_text()


def block_keys(framework: Framework, target_rows: int = 12) -> tuple[str, ...]:
    \"\"\"Every reference key a full EB_SCORES block needs, in a stable order.

    The operands of every computed indicator, the typed score of every judged one, and the
    cells of the 绩效目标 table that personalised indicators are scored from.
    \"\"\"
    keys: list[str] = []
    settings = framework.settings
    for ind in framework.indicators:
        keys += operands(ind, settings)
        if ind.judged:
            keys.append(score_name(ind.id))
    for row in range(target_rows):
        keys += [f"{TARGETS.name}@{row}.{c.key}" for c in TARGETS.columns]
    return tuple(dict.fromkeys(keys))
""",
    'evalbook/excel/macros.py': """\"\"\"The add-in's macros: 校验 (validate), 清除标记 (clear marks), 重新计算 (recalculate).

Each macro is a plain function of an ``xw.Book`` (:func:`validate`, :func:`clear`,
:func:`recalculate`) that only uses what every xlwings runtime supports — values, names,
fill colours, notes, adding and clearing sheets — so it behaves the same in the desktop
add-in (COM), in xlwings Lite and under xlwings Server. The ``@xw.script`` wrappers are what
Lite and Server list as scripts; the desktop ribbon calls :func:`run_desktop`.

Marks are undone from the 校验结果 sheet itself (it lists every marked cell), so nothing is
stored elsewhere; a cleared cell gets back the fill the template builder gives it (light
yellow for inputs, light green for formulas), as fills cannot be read on Office.js.
\"\"\"

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
    \"\"\"A value safe to write into a cell: text that Excel would read as a formula is quoted.\"\"\"
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# ---------------------------------------------------------------- 校验


@dataclass(frozen=True)
class Mark:
    \"\"\"One marked place: the range to colour, the cell carrying the note, the messages.\"\"\"

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
    \"\"\"Findings grouped by (sheet, range): the worst severity colours, all messages noted.\"\"\"
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
    \"\"\"The framework ``evalbook validate`` would use, unless $EVALBOOK_FRAMEWORK names one.\"\"\"
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
    cell.add_note(NOTE_HEAD + "\\n" + "\\n".join(mark.messages))
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
    \"\"\"校验: run the CLI's validator on the open workbook, list and mark every finding.\"\"\"
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
    \"\"\"Each cell's fill in a blank template like this workbook (same framework, same rows).

    Office.js cannot read a cell's fill, so the fill a mark replaced is taken from the
    template builder itself rather than remembered.
    \"\"\"
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
    \"\"\"(sheet, range, mark state) of every marked row of the 校验结果 sheet.\"\"\"
    values = book.sheets[RESULT_SHEET].used_range.options(ndim=2).value
    rows = values[FIRST_FINDING_ROW - 1:]
    return [(str(r[COL_SHEET]), str(r[COL_CELL]), str(r[COL_MARK])) for r in rows
            if len(r) > COL_MARK and r[COL_MARK] in (MARKED, MARKED_NO_NOTE)]


def clear(book: xw.Book, data: WorkbookData | None = None, keep_sheet: bool = False) -> int:
    \"\"\"清除标记: undo the marks listed on 校验结果 and remove that sheet; returns marks undone.\"\"\"
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
    \"\"\"Every output name with what the engine says it should show.\"\"\"
    found = result.by_id()
    out: dict[str, object] = {TOTAL_SCORE: float(result.total), GRADE: result.grade}
    for ind in framework.indicators:
        r = found[ind.id]
        out[value_name(ind.id)] = shown_value(r, ind)
        if not ind.judged or r.value is not None:  # personalised with linked targets
            out[score_name(ind.id)] = shown_score(r)
    return out


def is_stale(rng: NamedRange, wanted: object) -> bool:
    \"\"\"True if the cell is no live formula and does not already show the engine's result.\"\"\"
    if rng.formula() is not None:
        return False
    have = rng.scalar
    if isinstance(have, bool):  # TRUE is no score, although Python says True == 1
        return True
    if isinstance(wanted, float) and isinstance(have, int | float):
        return abs(float(have) - wanted) > 1e-9
    return have != wanted and not (have is None and wanted == "")


def recalculate(book: xw.Book) -> list[str]:
    \"\"\"重新计算: write the engine's scores into score cells that hold no live formula.

    Returns the names written. Cells whose formula is known to be live are left alone; where
    the runtime cannot see formulas (Office.js), a cell is only written when it does not
    already show the engine's result.
    \"\"\"
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
    \"\"\"Run one macro and tell the user how it went (a framework error is told, not raised).\"\"\"
    try:
        message = ACTIONS[name](book)
    except Unusable as exc:
        message = exc.text
    _alert(book, message)


def run_desktop(name: str) -> None:
    \"\"\"Entry point of the desktop ribbon buttons (called through RunPython).\"\"\"
    run(name, xw.Book.caller())


@xw.script(name="校验")
def validate_workbook(book: xw.Book) -> None:
    \"\"\"校验：列出全部问题，并在有问题的单元格上加填充色和批注。\"\"\"
    run("validate_workbook", book)


@xw.script(name="清除标记")
def clear_marks(book: xw.Book) -> None:
    \"\"\"清除标记：撤销校验时加的填充色和批注，并删除“校验结果”工作表。\"\"\"
    run("clear_marks", book)


@xw.script(name="重新计算")
def recalculate_scores(book: xw.Book) -> None:
    \"\"\"重新计算：把按评分框架算出的得分写入没有公式的得分单元格。\"\"\"
    run("recalculate_scores", book)
""",
    'evalbook/excel/udfs.py': """\"\"\"Worksheet functions of the add-in: EB_SCORE, EB_VALUE, EB_SCORES, EB_GRADE, EB_RULE_TEXT.

The Python names are the Excel names: xlwings dispatches Office.js calls by the Python
name and classic (COM) xlwings registers the Python name, so one spelling serves the
desktop add-in, xlwings Lite and xlwings Server alike. Docstrings and ``doc=`` texts are
what Excel's function wizard shows. Each function only forwards to
:mod:`evalbook.excel.cells`; nothing is computed here.

Only ``import xlwings as xw`` is used (the BSD decorators, or whatever the runtime
installs under those names); never the PRO or server subpackages of xlwings.
\"\"\"

from __future__ import annotations

from typing import Any

import xlwings as xw

from evalbook.excel import cells

__all__ = ["EB_GRADE", "EB_RULE_TEXT", "EB_SCORE", "EB_SCORES", "EB_VALUE"]

_ID_DOC = '指标编号，即评分表中的英文编号，如 "staff_control"'
_VALUES_DOC = "该指标的输入单元格，按模板公式中的顺序依次给出（也可给出整块区域）"


# The return annotation stays Any: xlwings picks a converter from it, and a union such as
# ``float | str`` has none.
@xw.func
@xw.arg("indicator_id", doc=_ID_DOC)
@xw.arg("values", doc=_VALUES_DOC)
def EB_SCORE(indicator_id: str, *values: Any) -> Any:
    \"\"\"按评分框架计算一个指标的自评得分；无法计算时显示原因（待填写、需人工评分、输入有误：…）。\"\"\"
    return cells.score_cell(indicator_id, values)


@xw.func
@xw.arg("indicator_id", doc=_ID_DOC)
@xw.arg("values", doc=_VALUES_DOC)
def EB_VALUE(indicator_id: str, *values: Any) -> Any:
    \"\"\"计算一个指标的计算值（如控制率、变动率，单位见评分表）；无法计算时显示原因。\"\"\"
    return cells.value_cell(indicator_id, values)


@xw.func
@xw.arg("inputs", ndim=2,
        doc="两列区域：第一列为数据键（如 EB_STAFF_ACTUAL、EB_SANGONG.total），第二列为对应的值")
def EB_SCORES(inputs: Any) -> list[list[Any]]:
    \"\"\"一次计算全部指标：返回“指标编号 | 得分”两列，最后两行为总分和评价等次。\"\"\"
    return cells.score_block(inputs or [])


@xw.func
@xw.arg("total", doc="总分（0-100），通常为 EB_TOTAL_SCORE")
def EB_GRADE(total: Any) -> str:
    \"\"\"按评分框架的等次区间，由总分得出评价等次（优、良、中、差）。\"\"\"
    return cells.grade_cell(total)


@xw.func
@xw.arg("indicator_id", doc=_ID_DOC)
def EB_RULE_TEXT(indicator_id: str) -> str:
    \"\"\"显示一个指标的评分标准（由评分框架中的规则参数生成）。\"\"\"
    return cells.rule_text(indicator_id)
""",
    'evalbook/expr.py': """\"\"\"A tiny expression language with two back ends: exact decimals and Excel formulas.

Rules build their arithmetic once as an :class:`Expr`; the engine evaluates it with
``Decimal`` and the template compiles the very same tree to a native formula, so Python,
UDFs and spreadsheet cells cannot disagree about the logic.
\"\"\"

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from evalbook.numbers import round_down, round_half_up, round_up

Value = Decimal | str | bool


class CannotCompute(Exception):
    \"\"\"Raised during evaluation when a rule cannot produce a score from its inputs.\"\"\"

    def __init__(self, status: str, message: str, keys: tuple[str, ...] = ()) -> None:
        super().__init__(status, message, keys)
        self.status = status
        self.message = message
        self.keys = keys


class Env(Protocol):
    \"\"\"What evaluation needs: numbers and texts by reference key.\"\"\"

    def number(self, key: str) -> Decimal: ...

    def text(self, key: str) -> str: ...


class Refs(Protocol):
    \"\"\"What formula compilation needs: the Excel expression that addresses a key.\"\"\"

    def __call__(self, key: str) -> str: ...


Compiled = Callable[["Env"], Value]


class Expr:
    def evaluate(self, env: Env) -> Value:
        return self.compile()(env)

    def compile(self) -> Compiled:
        \"\"\"A closure computing the same as :meth:`evaluate`, built once (the hot path).\"\"\"
        raise NotImplementedError

    def excel(self, refs: Refs) -> str:
        raise NotImplementedError

    def keys(self) -> set[str]:
        \"\"\"Every reference key this expression reads.\"\"\"
        return set()


def _num(value: Value) -> Decimal:
    if value.__class__ is Decimal:
        return value  # type: ignore[return-value,unused-ignore]
    raise TypeError(f"expected a number, got {value!r}")


def _lit(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text


@dataclass(frozen=True)
class Const(Expr):
    value: Decimal | str

    def compile(self) -> Compiled:
        value = self.value
        return lambda env: value

    def excel(self, refs: Refs) -> str:
        if isinstance(self.value, str):
            return '"' + self.value.replace('"', '""') + '"'
        text = _lit(self.value)
        return f"({text})" if text.startswith("-") else text


@dataclass(frozen=True)
class Ref(Expr):
    \"\"\"A number read from a named cell (or a table's 汇总 column).\"\"\"

    key: str

    def compile(self) -> Compiled:
        key = self.key
        return lambda env: env.number(key)

    def excel(self, refs: Refs) -> str:
        return refs(self.key)

    def keys(self) -> set[str]:
        return {self.key}


@dataclass(frozen=True)
class TextRef(Expr):
    key: str

    def compile(self) -> Compiled:
        key = self.key
        return lambda env: env.text(key)

    def excel(self, refs: Refs) -> str:
        return refs(self.key)

    def keys(self) -> set[str]:
        return {self.key}


_ARITH: dict[str, Callable[[Decimal, Decimal], Decimal]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
}
_COMPARE: dict[str, Callable[[Value, Value], bool]] = {
    "<": lambda a, b: _num(a) < _num(b),
    "<=": lambda a, b: _num(a) <= _num(b),
    ">": lambda a, b: _num(a) > _num(b),
    ">=": lambda a, b: _num(a) >= _num(b),
    "=": lambda a, b: a == b,
    "<>": lambda a, b: a != b,
}


@dataclass(frozen=True)
class Arith(Expr):
    op: str
    left: Expr
    right: Expr

    def compile(self) -> Compiled:
        op, left, right = _ARITH[self.op], self.left.compile(), self.right.compile()
        return lambda env: op(_num(left(env)), _num(right(env)))

    def excel(self, refs: Refs) -> str:
        return f"({self.left.excel(refs)}{self.op}{self.right.excel(refs)})"

    def keys(self) -> set[str]:
        return self.left.keys() | self.right.keys()


@dataclass(frozen=True)
class Compare(Expr):
    op: str
    left: Expr
    right: Expr

    def compile(self) -> Compiled:
        op, left, right = _COMPARE[self.op], self.left.compile(), self.right.compile()
        return lambda env: op(left(env), right(env))

    def excel(self, refs: Refs) -> str:
        return f"({self.left.excel(refs)}{self.op}{self.right.excel(refs)})"

    def keys(self) -> set[str]:
        return self.left.keys() | self.right.keys()


@dataclass(frozen=True)
class If(Expr):
    cond: Expr
    then: Expr
    other: Expr

    def compile(self) -> Compiled:
        cond, then, other = self.cond.compile(), self.then.compile(), self.other.compile()
        return lambda env: then(env) if cond(env) else other(env)

    def excel(self, refs: Refs) -> str:
        return f"IF({self.cond.excel(refs)},{self.then.excel(refs)},{self.other.excel(refs)})"

    def keys(self) -> set[str]:
        return self.cond.keys() | self.then.keys() | self.other.keys()


@dataclass(frozen=True)
class And(Expr):
    parts: tuple[Expr, ...]

    def compile(self) -> Compiled:
        parts = tuple(p.compile() for p in self.parts)
        return lambda env: all(p(env) for p in parts)

    def excel(self, refs: Refs) -> str:
        return f"AND({','.join(p.excel(refs) for p in self.parts)})"

    def keys(self) -> set[str]:
        return set().union(*(p.keys() for p in self.parts))


_FUNCS: dict[str, Callable[..., Decimal]] = {
    "MIN": lambda *a: min(a),
    "MAX": lambda *a: max(a),
    "ABS": lambda a: abs(a),
    "ROUND": lambda a, n: round_half_up(a, int(n)),
    "ROUNDUP": lambda a, n: round_up(a, int(n)),
    "ROUNDDOWN": lambda a, n: round_down(a, int(n)),
}


@dataclass(frozen=True)
class Func(Expr):
    \"\"\"One of Excel's numeric functions, with the same semantics in both back ends.\"\"\"

    name: str
    args: tuple[Expr, ...]

    def compile(self) -> Compiled:
        func, args = _FUNCS[self.name], tuple(a.compile() for a in self.args)
        places = self.args[1] if len(self.args) == 2 else None
        if self.name == "ROUND" and isinstance(places, Const) and isinstance(places.value, Decimal):
            exp, a0 = Decimal(1).scaleb(-int(places.value)), args[0]
            return lambda env: _num(a0(env)).quantize(exp, rounding=ROUND_HALF_UP)
        if len(args) == 2:
            a0, a1 = args
            return lambda env: func(_num(a0(env)), _num(a1(env)))
        return lambda env: func(*(_num(a(env)) for a in args))

    def excel(self, refs: Refs) -> str:
        return f"{self.name}({','.join(a.excel(refs) for a in self.args)})"

    def keys(self) -> set[str]:
        return set().union(*(a.keys() for a in self.args))


@dataclass(frozen=True)
class Unavailable(Expr):
    \"\"\"No score can be computed: evaluation raises, a formula shows the Chinese message.\"\"\"

    status: str
    message: str

    def compile(self) -> Compiled:
        def fail(env: Env) -> Value:
            raise CannotCompute(self.status, self.message)

        return fail

    def excel(self, refs: Refs) -> str:
        return Const(self.message).excel(refs)


@dataclass(frozen=True)
class RequireNumbers(Expr):
    \"\"\"Guard: all keys must hold numbers, otherwise the cell shows ``message``.

    Python reads each key (raising a precise missing/invalid status); Excel counts numeric
    cells with COUNT, which is false for blanks and for text typed into number cells.
    \"\"\"

    required: tuple[str, ...]
    body: Expr
    message: str = "待填写"

    def compile(self) -> Compiled:
        required, body = self.required, self.body.compile()

        def guarded(env: Env) -> Value:
            for key in required:
                env.number(key)
            return body(env)

        return guarded

    def excel(self, refs: Refs) -> str:
        cells = ",".join(refs(k) for k in self.required)
        n = len(self.required)
        return f'IF(COUNT({cells})<{n},"{self.message}",{self.body.excel(refs)})'

    def keys(self) -> set[str]:
        return set(self.required) | self.body.keys()


@dataclass(frozen=True)
class RequireChoices(Expr):
    \"\"\"Guard: every text key must hold one of ``choices`` (是/否 checklists).\"\"\"

    required: tuple[str, ...]
    choices: tuple[str, ...]
    body: Expr
    message: str = "待填写"

    def compile(self) -> Compiled:
        required, choices, body = self.required, self.choices, self.body.compile()

        def guarded(env: Env) -> Value:
            for key in required:
                value = env.text(key)
                if value not in choices:
                    raise CannotCompute(
                        "invalid-input", f"应填写{'/'.join(choices)}，实际为“{value}”", (key,)
                    )
            return body(env)

        return guarded

    def excel(self, refs: Refs) -> str:
        tests = "*".join(
            "OR(" + ",".join(f'{refs(k)}="{c}"' for c in self.choices) + ")" for k in self.required
        )
        return f'IF({tests}=0,"{self.message}",{self.body.excel(refs)})'

    def keys(self) -> set[str]:
        return set(self.required) | self.body.keys()


def evaluate_number(expr: Expr, env: Env) -> Decimal:
    return _num(expr.evaluate(env))


# Small constructors keep rule code readable.
def num(value: int | str | Decimal) -> Const:
    return Const(Decimal(value))


def add(a: Expr, b: Expr) -> Arith:
    return Arith("+", a, b)


def sub(a: Expr, b: Expr) -> Arith:
    return Arith("-", a, b)


def mul(a: Expr, b: Expr) -> Arith:
    return Arith("*", a, b)


def div(a: Expr, b: Expr) -> Arith:
    return Arith("/", a, b)


def rnd(a: Expr, places: int = 2) -> Func:
    return Func("ROUND", (a, num(places)))


def clamp(a: Expr, low: Expr, high: Expr) -> Func:
    return Func("MAX", (low, Func("MIN", (high, a))))


class MappingEnv:
    \"\"\"An :class:`Env` over plain mappings (used by UDFs and tests).\"\"\"

    def __init__(self, numbers: Mapping[str, Decimal], texts: Mapping[str, str] | None = None):
        self._numbers = numbers
        self._texts = texts or {}

    def number(self, key: str) -> Decimal:
        try:
            return self._numbers[key]
        except KeyError:
            raise CannotCompute("missing-input", f"缺少数据 {key}", (key,)) from None

    def text(self, key: str) -> str:
        try:
            return self._texts[key]
        except KeyError:
            raise CannotCompute("missing-input", f"缺少数据 {key}", (key,)) from None
""",
    'evalbook/findings.py': """\"\"\"The findings catalogue: every problem the validator can report, as data.

Each kind of problem has a stable kebab-case ``code``, a Chinese ``title``, a message
``template`` (``str.format`` fields are filled with the offending and the expected value)
and a default ``severity``. A :class:`Finding` is one occurrence, addressed to a sheet and
an A1 cell. ``docs/findings.md`` is generated from :data:`CATALOGUE`
(``scripts/gen_findings_doc.py``); a test fails when it is stale.
\"\"\"

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
SEVERITY_LABELS: dict[Severity, str] = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass(frozen=True)
class Kind:
    \"\"\"One catalogue entry.\"\"\"

    code: str
    group: str
    title: str
    template: str
    severity: Severity


@dataclass(frozen=True)
class Finding:
    \"\"\"One problem at one place; frozen and picklable (it crosses process pools).\"\"\"

    code: str
    severity: Severity
    sheet: str | None
    cell: str | None
    message: str
    indicator: str | None = None

    def to_json(self) -> dict[str, Any]:
        \"\"\"The SPEC section 5 shape.\"\"\"
        return {"code": self.code, "severity": self.severity, "sheet": self.sheet,
                "cell": self.cell, "message": self.message}

    def key(self) -> tuple[str | None, str | None, str]:
        return (self.sheet, self.cell, self.code)


_FILE = "文件"
_STRUCTURE = "结构"
_CELL = "单元格"
_TABLE = "表内与跨表核对"
_SCORE = "得分"
_CONSISTENCY = "内容一致性"

_ENTRIES: tuple[Kind, ...] = (
    # ------------------------------------------------------------ the file cannot be read
    Kind("file-not-found", _FILE, "文件不存在", "{message}", "error"),
    Kind("file-empty", _FILE, "空文件", "{message}", "error"),
    Kind("file-too-large", _FILE, "文件过大", "{message}", "error"),
    Kind("legacy-xls", _FILE, "旧版 .xls 格式", "{message}", "error"),
    Kind("encrypted-workbook", _FILE, "设置了打开密码", "{message}", "error"),
    Kind("not-a-workbook", _FILE, "不是 Excel 工作簿", "{message}", "error"),
    Kind("corrupt-zip", _FILE, "文件已损坏", "{message}", "error"),
    Kind("not-xlsx-package", _FILE, "不是 .xlsx 工作簿", "{message}", "error"),
    Kind("zip-bomb", _FILE, "疑似压缩炸弹", "{message}", "error"),
    Kind("xml-attack", _FILE, "不安全的 XML", "{message}", "error"),
    Kind("sheet-too-large", _FILE, "工作表过大",
         "文件《{file}》中工作表“{sheet_name}”过大（{extent}），请删除多余的行列后重新报送。",
         "error"),
    Kind("workbook-unreadable", _FILE, "工作簿无法解析",
         "文件《{file}》无法解析（{detail}），请在 Excel 中打开并重新保存后再报送。", "error"),
    Kind("not-evalbook-workbook", _FILE, "不是自评模板工作簿",
         "文件《{file}》不是由自评模板生成的工作簿（找不到模板的定义名称，如 EB_DEPT_NAME），"
         "可能是空白工作簿或其他表格，请使用财政局下发的模板填写。", "error"),
    Kind("file-timeout", _FILE, "校验超时",
         "文件《{file}》校验超时（{detail}），可能是异常复杂或被恶意构造的文件，已跳过。", "error"),
    Kind("file-too-heavy", _FILE, "占用内存过多",
         "文件《{file}》校验时占用内存过多（{detail}），可能是被恶意构造的文件，已跳过。", "error"),
    Kind("internal-error", _FILE, "校验程序内部错误",
         "校验文件《{file}》时发生内部错误（{detail}），请将此文件提交给技术支持。", "error"),
    # ------------------------------------------------------------ structure of the workbook
    Kind("macros-present", _STRUCTURE, "工作簿含宏",
         "工作簿为启用宏的格式（.xlsm），校验时只读取数据，未运行其中的任何宏。", "info"),
    Kind("meta-missing", _STRUCTURE, "缺少模板信息",
         "找不到模板信息“{field}”（隐藏工作表“{sheet_name}”缺失或被改动），"
         "无法确认工作簿由哪个评分框架生成。", "error"),
    Kind("framework-unknown", _STRUCTURE, "未知的评分框架",
         "工作簿按评分框架“{found}”生成，不是已知的评分框架（已知：{expected}）。", "error"),
    Kind("framework-mismatch", _STRUCTURE, "评分框架不一致",
         "工作簿按评分框架“{found}”生成，而本次校验使用“{expected}”；"
         "评分表相关的检查已跳过。", "error"),
    Kind("framework-tampered", _STRUCTURE, "评分框架校验值不符",
         "评分框架“{framework}”的校验值为 {found}，与已知版本 {expected} 不符，"
         "评分表可能被改动或来自其他版本。", "error"),
    Kind("template-version", _STRUCTURE, "模板版本不同",
         "工作簿的模板版本为“{found}”，当前模板版本为“{expected}”。", "warning"),
    Kind("sheet-missing", _STRUCTURE, "工作表缺失",
         "找不到工作表“{sheet_name}”（已被删除或改名），其中 {count} 项数据无法读取：{fields}。",
         "error"),
    Kind("sheet-renamed", _STRUCTURE, "工作表已改名",
         "工作表“{expected}”已改名为“{found}”；数据仍按定义名称读取。", "info"),
    Kind("fields-unreadable", _STRUCTURE, "定义名称失效",
         "工作表“{sheet_name}”中 {count} 项数据的定义名称缺失或已失效，无法读取：{fields}。",
         "error"),
    Kind("range-shape", _STRUCTURE, "区域大小不符",
         "“{label}”的区域 {found} 为 {size}，应为 {expected}（可能删除或插入了行列），"
         "无法按模板读取。", "error"),
    Kind("merged-cells", _STRUCTURE, "单元格被合并",
         "“{label}”所在的单元格 {found} 被合并，合并区域中只有左上角单元格的内容有效，"
         "请取消合并。", "warning"),
    # ------------------------------------------------------------ one cell
    Kind("missing-value", _CELL, "必填项未填写", "“{label}”未填写。", "error"),
    Kind("text-number", _CELL, "以文本填写的数字",
         "“{label}”填写为文本“{found}”，已按 {expected} 读取，请改为数字。", "warning"),
    Kind("text-normalised", _CELL, "含全角字符或空格",
         "“{label}”填写为“{found}”（含全角字符或空格），已按“{expected}”读取。", "warning"),
    Kind("not-a-number", _CELL, "无法识别的数字",
         "“{label}”填写为“{found}”，{why}；相关指标无法计算。", "error"),
    Kind("cell-error-value", _CELL, "Excel 错误值",
         "“{label}”为 Excel 错误值 {found}，请填写有效内容。", "error"),
    Kind("negative-amount", _CELL, "金额为负数", "“{label}”为 {found}，金额不能为负数。", "error"),
    Kind("not-an-integer", _CELL, "应为整数", "“{label}”为 {found}，应为整数。", "error"),
    Kind("out-of-range", _CELL, "超出范围", "“{label}”为 {found}，应在 {expected} 之间。",
         "error"),
    Kind("invalid-date", _CELL, "日期无效",
         "“{label}”填写为“{found}”，不是有效日期（应为日期，如 2021-07-30）。", "error"),
    Kind("invalid-budget-code", _CELL, "预算编码格式错误",
         "“{label}”为“{found}”，应为 6 位数字（如 144001）。", "error"),
    Kind("invalid-phone", _CELL, "电话号码格式错误",
         "“{label}”为“{found}”，应为 11 位手机号或 7-8 位固定电话（可带区号，如 0730-8422334）。",
         "error"),
    Kind("invalid-year", _CELL, "年度格式错误",
         "“{label}”为“{found}”，应为 4 位年份（如 2020）。", "error"),
    Kind("invalid-choice", _CELL, "不在可选项中",
         "“{label}”填写为“{found}”，应为 {expected} 之一。", "error"),
    # ------------------------------------------------------------ tables and cross-sheet
    Kind("row-sum-mismatch", _TABLE, "合计与明细不符",
         "{table}“{row}”行：{total}为 {found}，而{components}之和为 {expected}。", "error"),
    Kind("summary-sum-mismatch", _TABLE, "汇总行与各单位之和不符",
         "{table}汇总行的“{column}”为 {found}，而各单位之和为 {expected}。", "error"),
    Kind("balance-mismatch", _TABLE, "当年结余与收支不符",
         "“{row}”行的当年结余为 {found}，而收入合计 {income} − 支出合计 {expense} = {expected}。",
         "error"),
    Kind("staff-over-quota", _TABLE, "实有人数超过编制",
         "实有人数 {found} 人超过人员编制 {expected} 人（财政供养人员控制率将扣分）。", "warning"),
    # ------------------------------------------------------------ scores
    Kind("formula-overwritten", _SCORE, "公式被改为常量",
         "“{label}”的公式已被删除或改为常量（现为 {found}）；按原始数据重新计算应为 "
         "{expected}。请恢复公式（可从模板复制）。", "error"),
    Kind("stale-value", _SCORE, "显示值未更新",
         "“{label}”显示为 {found}，按当前数据重新计算应为 {expected}（工作簿可能未重新计算）。",
         "warning"),
    Kind("score-mismatch", _SCORE, "得分与重新计算不符",
         "“{label}”为 {found}，按原始数据重新计算应为 {expected}。", "error"),
    Kind("score-missing", _SCORE, "未评分",
         "“{label}”尚未评分，请在 0-{expected} 分之间评分。", "error"),
    Kind("score-out-of-range", _SCORE, "得分超出分值",
         "“{label}”的自评得分为 {found}，应在 0-{expected} 分之间。", "error"),
    Kind("reason-missing", _SCORE, "缺少扣分原因",
         "“{label}”得分 {found} 低于分值 {expected}，须填写扣分原因。", "error"),
    Kind("manual-score-missing", _SCORE, "需人工评分",
         "“{label}”无法按规则计算（{why}），请在“人工评分”栏评分并在扣分原因中说明。", "error"),
    Kind("score-not-computed", _SCORE, "得分无法计算",
         "“{label}”无法计算得分：{why}。", "warning"),
    Kind("framework-header-mismatch", _SCORE, "表头分值与各项之和不符", "{message}", "warning"),
    Kind("framework-header-unknown", _SCORE, "表头没有对应的指标", "{message}", "warning"),
    # ------------------------------------------------------------ consistency of the content
    Kind("problems-none", _CONSISTENCY, "存在问题填写为“无”",
         "“存在的主要问题”填写为“{found}”，但{expected}。", "warning"),
    Kind("submit-before-report", _CONSISTENCY, "报送日期早于报告日期",
         "报送日期 {found} 早于报告日期 {expected}。", "warning"),
    Kind("date-in-eval-year", _CONSISTENCY, "日期不在评价年度之后",
         "“{label}”为 {found}，应在评价年度 {expected} 年结束之后。", "warning"),
    Kind("target-status-mismatch", _CONSISTENCY, "完成情况与实际值不符",
         "绩效目标“{target}”：目标值 {comparator}{goal}，实际完成 {actual}，应为“{expected}”，"
         "但完成情况填写为“{found}”。", "warning"),
)

CATALOGUE: dict[str, Kind] = {k.code: k for k in _ENTRIES}

_CODE = re.compile(r"^[a-z]+(-[a-z0-9]+)*$")


def make(code: str, sheet: str | None = None, cell: str | None = None, *,
         indicator: str | None = None, severity: Severity | None = None,
         **values: object) -> Finding:
    \"\"\"A finding of catalogue kind ``code``, its message rendered from the template.\"\"\"
    kind = CATALOGUE[code]
    message = kind.template.format_map({k: _text(v) for k, v in values.items()})
    return Finding(code, severity or kind.severity, sheet, cell, message, indicator)


def make_with(code: str, sheet: str | None, cell: str | None, values: Mapping[str, object],
              indicator: str | None = None) -> Finding:
    \"\"\"Like :func:`make`, with the template's values given as a mapping.\"\"\"
    kind = CATALOGUE[code]
    message = kind.template.format_map({k: _text(v) for k, v in values.items()})
    return Finding(code, kind.severity, sheet, cell, message, indicator)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def valid_code(code: str) -> bool:
    return bool(_CODE.match(code))
""",
    'evalbook/formulas.py': """\"\"\"Excel formulas of the standard workbook, compiled from the framework — never hand-written.

* computed indicators: the native formula is the framework's own expression compiled with
  :meth:`Expr.excel` (``--native``), or a call of the add-in's UDF with the indicator's
  operands as explicit cell arguments (``--udf``), so Excel's dependency tree sees them;
* personalised indicators: the 完成率 of the targets linked to them on 绩效目标, compiled
  from :func:`evalbook.rules.completion_expr`;
* totals, 评价等次 and the ✓/✗ reconciliation of the money tables.

Formulas are returned without the leading ``=``; every reference goes through a defined
name (``excel_ref``) except the in-sheet sums, which take A1 ranges from the builder.
\"\"\"

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from evalbook import expr as E
from evalbook import rules as R
from evalbook.contract import TARGETS, TOTAL_SCORE, Table
from evalbook.framework import (
    Framework,
    Indicator,
    excel_ref,
    operands,
    score_expr,
    value_display_expr,
)

Variant = Literal["native", "udf"]

PENDING = "待填写"
NEEDS_JUDGEMENT = "需人工评分"
TARGETS_RATE = "EB_TARGETS_RATE"  # the 完成率 column beside EB_TARGETS (0..1 per row)
OK_MARK, BAD_MARK = "✓", "✗"


def year_text() -> str:
    \"\"\"评价年度 as text for titles (blank-looking until it is filled in).\"\"\"
    return 'IF(ISNUMBER(EB_YEAR),TEXT(EB_YEAR,"0"),"　　　　")'


def dept_text(default: str) -> str:
    \"\"\"部门(单位)名称 for titles and signatures, ``default`` while it is blank.\"\"\"
    return f'IF(EB_DEPT_NAME="",{_string(default)},EB_DEPT_NAME)'


def value_name(indicator_id: str) -> str:
    \"\"\"The 计算值 cell of an indicator.\"\"\"
    return f"EB_VALUE_{indicator_id.upper()}"


def _string(text: str) -> str:
    return E.Const(text).excel(excel_ref)


@dataclass(frozen=True)
class IndicatorFormulas:
    \"\"\"What the 评分表 row of one indicator holds.

    ``score`` is the formula of a locked score cell (computed indicators); ``default_score``
    the formula pre-set in an *input* score cell (personalised indicators: computed from
    linked targets until the evaluator types a score); both ``None`` for judged ones.
    \"\"\"

    score: str | None
    value: str | None
    default_score: str | None = None


def indicator_formulas(ind: Indicator, framework: Framework, variant: Variant
                       ) -> IndicatorFormulas:
    if isinstance(ind.rule, R.Personalised):
        return IndicatorFormulas(None, personalised_value(ind), personalised_score(ind))
    score = score_expr(ind, framework.settings)
    value = value_display_expr(ind)
    if score is None:
        return IndicatorFormulas(None, None)
    if variant == "udf":
        args = "".join(f",{excel_ref(k)}" for k in operands(ind, framework.settings))
        quoted = _string(ind.id)
        return IndicatorFormulas(f"EB_SCORE({quoted}{args})",
                                 None if value is None else f"EB_VALUE({quoted}{args})")
    return IndicatorFormulas(score.excel(excel_ref),
                             None if value is None else value.excel(excel_ref))


# ---------------------------------------------------------------- personalised (targets)


def _column(key: str) -> str:
    return f"INDEX({TARGETS.name},0,{TARGETS.index(key)})"


def _is_any(ref: str, choices: Sequence[str]) -> str:
    tests = ",".join(f"TRIM({ref})={_string(c)}" for c in choices)
    return f"OR({tests})"


def target_rate(row: int) -> str:
    \"\"\"完成率 of the ``row``-th (1-based) target row: blank until target and actual are numbers.\"\"\"
    def cell(key: str) -> str:
        return f"INDEX({TARGETS.name},{row},{TARGETS.index(key)})"

    target, actual, comparator = cell("target"), cell("actual"), cell("comparator")

    def refs(key: str) -> str:
        return {"target": target, "actual": actual}[key]

    rate = {op: R.completion_expr(E.Ref("target"), E.Ref("actual"), op).excel(refs)
            for op in ("≥", "≤", "=")}
    aliases = {op: sorted(k for k, v in R.COMPARATOR_ALIASES.items() if v == op and k)
               for op in ("≤", "=")}
    dispatch = (f"IF({_is_any(comparator, aliases['≤'])},{rate['≤']},"
                f"IF({_is_any(comparator, aliases['='])},{rate['=']},{rate['≥']}))")
    return f'IF(COUNT({target},{actual})<2,"",{dispatch})'


def _linked(ind: Indicator) -> str:
    link = _column("indicator")
    return f"(({link}={_string(ind.id)})+({link}={_string(ind.name)}))"


def personalised_value(ind: Indicator) -> str:
    \"\"\"目标完成率 (%) over the targets linked to ``ind`` (by id or 三级指标 name).\"\"\"
    linked = _linked(ind)
    count = f"SUMPRODUCT({linked})"
    ready = f"SUMPRODUCT({linked}*ISNUMBER({TARGETS_RATE}))"
    total = f"SUMPRODUCT({linked}*ISNUMBER({TARGETS_RATE}),{TARGETS_RATE})"

    def refs(key: str) -> str:
        return {"total": total, "count": count}[key]

    mean = R.completion_value(E.Ref("total"), E.Ref("count")).excel(refs)
    return f'IF({count}=0,"",IF({ready}<{count},"{PENDING}",{mean}))'


def personalised_score(ind: Indicator) -> str:
    \"\"\"Score from linked targets; with none linked the cell asks for the evaluator's score.\"\"\"
    vname = value_name(ind.id)
    body = E.rnd(E.clamp(ind.rule.score(E.Ref(vname), ind.max), E.num(0), E.num(ind.max)))
    count = f"SUMPRODUCT({_linked(ind)})"
    return (f'IF({count}=0,"{NEEDS_JUDGEMENT}",'
            f'IF(ISNUMBER({vname}),{body.excel(excel_ref)},"{PENDING}"))')


# ---------------------------------------------------------------- totals


def sum_scores(score_range: str) -> str:
    return f"ROUND(SUM({score_range}),2)"


def grade(framework: Framework, variant: Variant) -> str:
    if variant == "udf":
        return f"EB_GRADE({TOTAL_SCORE})"
    return framework.grade_expr(E.Ref(TOTAL_SCORE)).excel(excel_ref)


# ---------------------------------------------------------------- reconciliation (✓/✗)


@dataclass(frozen=True)
class TableCells:
    \"\"\"A1 addresses of one money table: ``cell(row, key)`` with row 0 = 汇总.\"\"\"

    table: Table
    first_row: int
    first_col: int
    rows: int  # 汇总 + unit rows

    def cell(self, row: int, key: str) -> str:
        from evalbook.xlsxutil import cell_ref

        return cell_ref(self.first_row + row, self.first_col + self.table.index(key) - 1)

    def column(self, key: str, first: int, last: int) -> str:
        return f"{self.cell(first, key)}:{self.cell(last, key)}"

    def amount_keys(self) -> list[str]:
        return [c.key for c in self.table.columns if c.type == "amount"]


def _zero(diff: str) -> str:
    return f"ROUND({diff},2)=0"


def _row_tests(cells: TableCells, row: int) -> list[tuple[str, str]]:
    \"\"\"(test, Chinese label) per 合计 = Σ 组成项 rule of contract.Table.sums, blanks as 0.\"\"\"
    tests = []
    for total, parts in cells.table.sums:
        parts_sum = ",".join(cells.cell(row, p) for p in parts)
        label = cells.table.columns[cells.table.index(total) - 1].label
        tests.append((_zero(f"N({cells.cell(row, total)})-SUM({parts_sum})"), f"{label}≠各项之和"))
    return tests


def _summary_tests(cells: TableCells) -> list[tuple[str, str]]:
    \"\"\"汇总 row = Σ unit rows, column by column.\"\"\"
    if cells.rows < 2:
        return []
    tests = []
    for key in cells.amount_keys():
        label = cells.table.columns[cells.table.index(key) - 1].label
        units = cells.column(key, 1, cells.rows - 1)
        tests.append((_zero(f"N({cells.cell(0, key)})-SUM({units})"), f"汇总{label}≠各单位之和"))
    return tests


def reconcile_row(cells: TableCells, row: int) -> str:
    \"\"\"✓/✗ for one data row (the 汇总 row also checks it equals the sum of the unit rows).\"\"\"
    tests = _row_tests(cells, row) + (_summary_tests(cells) if row == 0 else [])
    return f'IF(AND({",".join(t for t, _ in tests)}),"{OK_MARK}","{BAD_MARK}")'


def reconcile_note(cells: TableCells, row: int) -> str:
    \"\"\"Which rules of the row fail, as Chinese text (empty when all reconcile).\"\"\"
    tests = _row_tests(cells, row) + (_summary_tests(cells) if row == 0 else [])
    parts = [f'IF({t},"",{_string(label + "；")})' for t, label in tests]
    return "&".join(parts)


def reconcile_table(check_range: str) -> str:
    return f'IF(COUNTIF({check_range},"{BAD_MARK}")=0,"{OK_MARK}","{BAD_MARK}")'
""",
    'evalbook/framework.py': """\"\"\"The scoring framework as data: loading, validating and compiling it to expressions.

A framework file (TOML, see docs/framework.md) declares the indicators with their levels,
分值, value formation and rule, the base-data fields the rules need, grade bands and the
ambiguity settings. Nothing region-specific lives in code.
\"\"\"

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
    \"\"\"A framework file that cannot be used; ``problems`` are Chinese sentences.\"\"\"

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(source, problems)
        self.source = source
        self.problems = problems

    def __str__(self) -> str:
        return f"评分框架《{self.source}》有误：\\n" + "\\n".join(f"  - {p}" for p in self.problems)


@dataclass(frozen=True)
class Note:
    \"\"\"Something the loader noticed and corrected (e.g. a header that disagrees with items).\"\"\"

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
    \"\"\"How an indicator's computed value is formed from fields and table figures.\"\"\"

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
        \"\"\"评分标准, rendered from the rule's parameters.\"\"\"
        text = self.rule.describe(self.subject, self.max)
        return f"{self.description}\\n{text}" if self.description else text


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
        \"\"\"Amount fields read through ABS() (预算调整数: 调增或调减), which may be negative.\"\"\"
        return frozenset(i.value.num for i in self.indicators if i.value.absolute)

    def level_max(self) -> dict[str, Decimal]:
        \"\"\"分值 of every level (一级 "投入" and 二级 "投入/预算配置") as the sum of its items.\"\"\"
        out: dict[str, Decimal] = {}
        for ind in self.indicators:
            for key in (ind.level1, f"{ind.level1}/{ind.level2}"):
                out[key] = out.get(key, Decimal(0)) + ind.max
        return out

    def grade_expr(self, total: E.Expr) -> E.Expr:
        \"\"\"评价等次 from a total score: the first band (highest first) whose minimum is met.\"\"\"
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
    \"\"\"The evaluator's score for a computed indicator that cannot compute (EB_MANUAL_<ID>).\"\"\"

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
    \"\"\"The computed value (a rate in %, a count, checklist points), rounded; None if judged.\"\"\"
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
    \"\"\"The full score expression of a computed indicator: guards, zero cases, clamp, round.\"\"\"
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
    \"\"\"The value as shown beside the score: guarded so a zero denominator shows text.\"\"\"
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
    \"\"\"Validate framework data; every problem is reported as a :class:`FrameworkError`.\"\"\"
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
    \"\"\"Load and validate a framework file; ``None`` loads the bundled seed framework.\"\"\"
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
    \"\"\"Known framework hashes by id (to match returned workbooks).\"\"\"
    return {fw_id: fw.sha256 for fw_id, fw in bundled().items()}


@functools.cache
def bundled() -> dict[str, Framework]:
    \"\"\"The frameworks shipped with evalbook, by id (loaded once).\"\"\"
    out: dict[str, Framework] = {}
    for ref in (resources.files("evalbook") / "frameworks").iterdir():
        if ref.name.endswith(".toml"):
            fw = load_framework(Path(str(ref)))
            out[fw.id] = fw
    return out


# ---------------------------------------------------------------- addressing cells


def excel_ref(key: str) -> str:
    \"\"\"The Excel expression for a reference key, through defined names only.

    ``EB_X`` -> ``EB_X``; ``EB_T.col`` -> the 汇总 row's cell ``INDEX(EB_T,1,n)``;
    ``EB_T@r.col`` -> ``INDEX(EB_T,r+1,n)``; ``EB_CHECK#i`` -> ``INDEX(EB_CHECK,i)``.
    \"\"\"
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
    \"\"\"Every input key the indicator's score reads, in a stable order (UDF argument order).\"\"\"
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
""",
    'evalbook/frameworks/yueyang_yunxi_2020.toml': """# 岳阳市云溪区 2020 年度部门整体支出绩效评价评分表（附件3-1）——评分框架数据文件。
# 格式说明见 docs/framework.md。修改权重、扣分规则只需改本文件，无需改代码。
id = "yueyang-yunxi-2020"
name = "岳阳市云溪区部门整体支出绩效评价评分表（2020年度）"
version = "1"

[settings]
per_point = "proportional"   # 每超过/低于一个百分点：proportional 按实际幅度 | started 不足一点按一点 | whole 只计整点
zero_over_zero = "full"      # 比率分子分母均为 0：full 满分 | zero 0分 | judged 人工评分
nonzero_over_zero = "judged" # 分母为 0 而分子不为 0：judged 人工评分并说明原因 | zero 0分

# 表头上写明的分值；加载时与各项之和核对（原表“产出（20分）”与其下各项之和 25 分不一致）。
[headers]
"投入" = 15
"投入/预算配置" = 15
"过程" = 40
"过程/预算执行" = 15
"过程/预算管理" = 15
"过程/资产管理" = 10
"产出" = 20
"产出/职责履行" = 20
"效果" = 20
"效果/履职效益" = 20

[[grades]]
label = "优"
min = 90
[[grades]]
label = "良"
min = 80
[[grades]]
label = "中"
min = 60
[[grades]]
label = "差"
min = 0

# ------------------------------------------------------------------ 基础数据字段
[[fields]]
name = "EB_SANGONG_PREV"
label = "上年度“三公”经费总额"
type = "amount"
unit = "万元"
[[fields]]
name = "EB_SANGONG_BUDGET"
label = "本年度“三公”经费预算数"
type = "amount"
unit = "万元"
[[fields]]
name = "EB_KEY_PROJECT_EXP"
label = "重点项目支出"
type = "amount"
unit = "万元"
hint = "用于重点支出安排率 = 重点项目支出 / 项目支出"
[[fields]]
name = "EB_BUDGET_INITIAL"
label = "年初预算数"
type = "amount"
unit = "万元"
[[fields]]
name = "EB_BUDGET_ADJUST"
label = "预算调整数"
type = "amount"
unit = "万元"
hint = "调增或调减的金额（按绝对值计算预算调整率）"
[[fields]]
name = "EB_LATE_FUNDS"
label = "未按进度下达资金的专项个数"
type = "count"
unit = "个"
[[fields]]
name = "EB_GP_BUDGET"
label = "政府采购预算数"
type = "amount"
unit = "万元"
[[fields]]
name = "EB_GP_ACTUAL"
label = "实际政府采购金额"
type = "amount"
unit = "万元"
[[fields]]
name = "EB_CARD_ELIGIBLE"
label = "应使用公务卡结算金额"
type = "amount"
unit = "万元"
[[fields]]
name = "EB_CARD_PAID"
label = "公务卡结算金额"
type = "amount"
unit = "万元"
[[fields]]
name = "EB_SATISFACTION"
label = "社会公众或服务对象满意度"
type = "percent"
unit = "%"
min = 0
max = 100
[[fields]]
name = "EB_VIOLATIONS_FUND_USE"
label = "资金使用不符合要求的例数"
type = "count"
unit = "例"
[[fields]]
name = "EB_VIOLATIONS_ASSET"
label = "资产管理不符合要求的例数"
type = "count"
unit = "例"
[[fields]]
name = "EB_CHECK_BUDGET_RULES"
label = "预算管理制度健全性"
type = "checklist"
items = [
  "已制定或具有预算资金管理办法，内部财务管理制度、会计核算制度等管理制度",
  "相关管理制度合法、合规、完整",
  "相关管理制度得到有效执行",
]
[[fields]]
name = "EB_CHECK_DISCLOSURE"
label = "预决算信息公开性和完善性"
type = "checklist"
items = [
  "按规定内容公开预决算信息",
  "按规定时限公开预决算信息",
  "基础数据信息和会计信息资料真实",
  "基础数据信息和会计信息资料完整",
  "基础数据信息和汇集信息资料准确",
]
[[fields]]
name = "EB_CHECK_ASSET_RULES"
label = "资产管理制度健全性"
type = "checklist"
items = [
  "已制定或具有资产管理制度，且相关资产管理制度合法、合规、完整",
  "相关资产管理制度得到有效执行",
]

# ------------------------------------------------------------------ 指标
[[indicators]]
id = "staff_control"
level1 = "投入"
level2 = "预算配置"
name = "财政供养人员控制率"
max = 5
value = { kind = "ratio", num = "EB_STAFF_ACTUAL", den = "EB_STAFF_QUOTA", label = "在职人员控制率" }
rule = { kind = "linear", standard = 100, direction = "above", per_point = 0.5 }

[[indicators]]
id = "sangong_change"
level1 = "投入"
level2 = "预算配置"
name = "“三公经费”变动率"
value = { kind = "change", num = "EB_SANGONG.total", den = "EB_SANGONG_PREV", label = "“三公经费”变动率" }
max = 5
rule = { kind = "linear", standard = 0, direction = "above", per_point = 0.5 }

[[indicators]]
id = "key_spending"
level1 = "投入"
level2 = "预算配置"
name = "重点支出安排率"
max = 5
value = { kind = "ratio", num = "EB_KEY_PROJECT_EXP", den = "EB_EXPENSE.project", label = "重点支出安排率" }
rule = { kind = "bands", bands = [
  { ge = 90, score = 5 },
  { ge = 80, lt = 90, score = 4 },
  { ge = 70, lt = 80, score = 3 },
  { ge = 60, lt = 70, score = 2 },
  { lt = 60, score = 0 },
] }

[[indicators]]
id = "budget_adjust"
level1 = "过程"
level2 = "预算执行"
name = "预算调整率"
max = 3
value = { kind = "ratio", num = "EB_BUDGET_ADJUST", den = "EB_BUDGET_INITIAL", absolute = true, label = "预算调整率" }
rule = { kind = "bands", bands = [
  { eq = 0, score = 3 },
  { gt = 0, le = 10, score = 2 },
  { gt = 10, le = 20, score = 1 },
  { gt = 20, le = 30, score = 0.5 },
  { gt = 30, score = 0 },
] }

[[indicators]]
id = "payment_progress"
level1 = "过程"
level2 = "预算执行"
name = "支付进度"
max = 3
value = { kind = "field", field = "EB_LATE_FUNDS", unit = "个" }
rule = { kind = "violations", deduction = 0.5, unit_text = "一个专项未按进度完成资金下达", preamble = "春节前下达全部专项资金的50%；6月底前所有专项资金指标全部下达完。" }

[[indicators]]
id = "fund_balance"
level1 = "过程"
level2 = "预算执行"
name = "资金结余"
max = 3
value = { kind = "field", field = "EB_EXPENSE.balance_year", unit = "万元", label = "当年结余" }
rule = { kind = "comparison", against = "EB_INCOME.carryover", against_label = "上年结转", none_score = 3, within_score = 2, above_score = 0 }

[[indicators]]
id = "sangong_control"
level1 = "过程"
level2 = "预算执行"
name = "“三公经费”控制率"
max = 6
value = { kind = "ratio", num = "EB_SANGONG.total", den = "EB_SANGONG_BUDGET", label = "三公经费控制率" }
rule = { kind = "linear", standard = 100, direction = "above", per_point = 1 }

[[indicators]]
id = "budget_rules"
level1 = "过程"
level2 = "预算管理"
name = "管理制度健全性"
max = 3
rule = { kind = "checklist", field = "EB_CHECK_BUDGET_RULES", points = [1, 1, 1] }

[[indicators]]
id = "fund_compliance"
level1 = "过程"
level2 = "预算管理"
name = "资金使用合规性"
max = 3
value = { kind = "field", field = "EB_VIOLATIONS_FUND_USE", unit = "例" }
rule = { kind = "violations", deduction = 1, criteria = [
  "支出符合国家财经法规和财务管理制度规定以及有关专项资金管理办法的规定",
  "资金拨付有完整的审批程序和手续",
  "项目支出按规定经过评估论证",
  "支出符合部门预算批复的用途",
  "资金使用无截留、挤占、挪用、虚列支出等情况",
] }

[[indicators]]
id = "disclosure"
level1 = "过程"
level2 = "预算管理"
name = "预决算信息公开性和完善性"
max = 3
rule = { kind = "checklist", field = "EB_CHECK_DISCLOSURE", points = [1, 0.5, 0.5, 0.5, 0.5] }

[[indicators]]
id = "procurement"
level1 = "过程"
level2 = "预算管理"
name = "政府采购执行率"
max = 3
value = { kind = "ratio", num = "EB_GP_ACTUAL", den = "EB_GP_BUDGET", label = "政府采购执行率" }
rule = { kind = "linear", standard = 100, direction = "below", per_point = 0.2 }

[[indicators]]
id = "official_card"
level1 = "过程"
level2 = "预算管理"
name = "公务卡刷卡率"
max = 3
value = { kind = "ratio", num = "EB_CARD_PAID", den = "EB_CARD_ELIGIBLE", label = "公务卡刷卡率" }
rule = { kind = "linear", standard = 50, direction = "below", per_point = 0.2 }

[[indicators]]
id = "asset_rules"
level1 = "过程"
level2 = "资产管理"
name = "管理制度健全性"
max = 3
rule = { kind = "checklist", field = "EB_CHECK_ASSET_RULES", points = [2, 1] }

[[indicators]]
id = "asset_safety"
level1 = "过程"
level2 = "资产管理"
name = "资产管理安全性"
max = 4
value = { kind = "field", field = "EB_VIOLATIONS_ASSET", unit = "例" }
rule = { kind = "violations", deduction = 1, unit_text = "一例不符合有关要求的", criteria = [
  "资产保存完整",
  "资产配置合理",
  "资产处置规范",
  "资产账务管理合规，帐实相符",
  "资产有偿使用及处置收入及时足额上缴",
] }

[[indicators]]
id = "asset_utilization"
level1 = "过程"
level2 = "资产管理"
name = "固定资产利用率"
max = 3
value = { kind = "ratio", num = "EB_ASSETS.in_use", den = "EB_ASSETS.total", label = "固定资产利用率" }
rule = { kind = "linear", standard = 100, direction = "below", per_point = 0.1 }

[[indicators]]
id = "duty_xiaokang"
level1 = "产出"
level2 = "职责履行"
name = "推进全面小康建设指标任务完成情况"
max = 5
value = { kind = "targets", label = "目标完成率" }
rule = { kind = "personalised" }
description = "此项指标根据《中共岳阳市云溪区委 岳阳市云溪区人民政府 关于印发岳阳市云溪区2020年度综合绩效考核工作实施方案的通知》（岳云发〔2020〕7号）考核内容设置，部门单位应根据部门实际进行调整，并将其细化成相应的个性化指标。"

[[indicators]]
id = "duty_growth_pole"
level1 = "产出"
level2 = "职责履行"
name = "建设湖南新增极目标任务完成情况"
max = 7
value = { kind = "targets", label = "目标完成率" }
rule = { kind = "personalised" }

[[indicators]]
id = "duty_gov_report"
level1 = "产出"
level2 = "职责履行"
name = "《政府工作报告》目标任务完成情况"
max = 5
value = { kind = "targets", label = "目标完成率" }
rule = { kind = "personalised" }

[[indicators]]
id = "duty_livelihood"
level1 = "产出"
level2 = "职责履行"
name = "省市重点民生实事完成情况"
max = 2
value = { kind = "targets", label = "目标完成率" }
rule = { kind = "personalised" }

[[indicators]]
id = "duty_key_projects"
level1 = "产出"
level2 = "职责履行"
name = "省市重点工程和重大项目建设完成情况"
max = 2
value = { kind = "targets", label = "目标完成率" }
rule = { kind = "personalised" }

[[indicators]]
id = "duty_other"
level1 = "产出"
level2 = "职责履行"
name = "其他工作实绩指标完成情况"
max = 4
value = { kind = "targets", label = "目标完成率" }
rule = { kind = "personalised" }

[[indicators]]
id = "benefit_economic"
level1 = "效果"
level2 = "履职效益"
name = "经济效益"
max = 5
rule = { kind = "judged" }
description = "此三项指标为设置部门整体支出绩效评价指标时必须考虑的共性要素，部门单位应根据部门实际并结合部门整体支出绩效目标设立情况有选择的进行设置，并将其细化为相应的个性化指标。"

[[indicators]]
id = "benefit_social"
level1 = "效果"
level2 = "履职效益"
name = "社会效益"
max = 5
rule = { kind = "judged" }

[[indicators]]
id = "benefit_ecological"
level1 = "效果"
level2 = "履职效益"
name = "生态效益"
max = 5
rule = { kind = "judged" }

[[indicators]]
id = "satisfaction"
level1 = "效果"
level2 = "履职效益"
name = "社会公众或服务对象满意度"
max = 5
value = { kind = "field", field = "EB_SATISFACTION", label = "满意度" }
rule = { kind = "bands", bands = [
  { ge = 95, score = 5 },
  { ge = 85, lt = 95, score = 3 },
  { ge = 75, lt = 85, score = 1 },
  { lt = 75, score = 0 },
] }
""",
    'evalbook/guards.py': """\"\"\"Pre-parse guard for untrusted workbooks returned by departments.

Before a file is handed to openpyxl / python-calamine it is classified here and
dangerous or non-workbook input is refused with a stable kebab-case code and a
Simplified-Chinese message written for accountants.  The guard only ever opens
the input read-only and never executes anything (macros included).

Order of work, cheapest first: stat -> magic bytes -> (CFB: scan for the
encryption stream names) -> zip end-of-central-directory entry count -> central
directory limits (entry count, declared sizes, ratios, lying/overlapping
headers) -> required parts -> one bounded decompression pass per member that
stops the moment output exceeds the declared size (lying headers), verifies the
CRC, and scans XML prologs for DOCTYPE/ENTITY.  Declared-size bombs are refused
from the directory alone, i.e. in milliseconds; the decompression pass costs at
most the declared total (``max_total_uncompressed``).

Codes raised (``WorkbookRejected.code``):

``file-not-found``, ``file-empty``, ``file-too-large``, ``legacy-xls``,
``encrypted-workbook``, ``not-a-workbook``, ``corrupt-zip``,
``not-xlsx-package``, ``zip-bomb``, ``xml-attack``.
\"\"\"

from __future__ import annotations

import codecs
import copy
import os
import re
import stat
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

__all__ = [
    "GuardLimits",
    "WorkbookRejected",
    "check_workbook_file",
    "read_member_limited",
]

_MB = 1024 * 1024


@dataclass(frozen=True)
class GuardLimits:
    \"\"\"Hard limits applied before any parsing happens.\"\"\"

    max_file_bytes: int = 100 * _MB
    max_entries: int = 10_000
    max_entry_uncompressed: int = 200 * _MB
    max_total_uncompressed: int = 500 * _MB
    # Per-entry uncompressed/compressed ratio, only for entries > 1 MB.
    max_ratio: float = 200


class WorkbookRejected(Exception):
    \"\"\"The file was refused; ``code`` is stable, ``message`` is for people.\"\"\"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[type[WorkbookRejected], tuple[str, str]]:
        return (type(self), (self.code, self.message))


# --------------------------------------------------------------------------
# constants

_CFB_MAGIC = b"\\xd0\\xcf\\x11\\xe0\\xa1\\xb1\\x1a\\xe1"
_ZIP_MAGICS = (b"PK\\x03\\x04", b"PK\\x05\\x06", b"PK\\x07\\x08")
_ENCRYPTION_STREAMS = (
    "EncryptionInfo".encode("utf-16-le"),
    "EncryptedPackage".encode("utf-16-le"),
)
_SCAN_CHUNK = _MB
_READ_CHUNK = _MB
_UNCLIPPED = 1 << 62

_CONTENT_TYPES = "[Content_Types].xml"
_WORKBOOK_PART = "xl/workbook.xml"
_CONTENT_TYPES_CAP = 16 * _MB
_RATIO_MIN_SIZE = _MB

_XML_SUFFIXES = (".xml", ".rels", ".vml")
_XML_HEAD_BYTES = 4096
_XML_PROLOG_MAX = 64 * 1024

_CT_MACRO = (
    "application/vnd.ms-excel.sheet.macroenabled.main+xml",
    "application/vnd.ms-excel.template.macroenabled.main+xml",
)
_CT_PLAIN = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
)

_ENCODING_DECL = re.compile(r\"\"\"^\\s*<\\?xml[^>]*?encoding\\s*=\\s*["']([A-Za-z0-9._:-]{1,40})["']\"\"\")
_UNICODE_CODECS = {
    "utf-8",
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "utf-32",
    "utf-32-le",
    "utf-32-be",
    "ascii",
    "latin-1",
    "iso8859-1",
}

_RETRY = "请在 Excel 中打开原表格，“另存为” Excel 工作簿（.xlsx）后重新报送。"


# --------------------------------------------------------------------------
# helpers


def _reject(code: str, name: str, text: str) -> WorkbookRejected:
    return WorkbookRejected(code, f"文件《{name}》{text}")


def _fmt_size(n: int) -> str:
    if n >= _MB:
        return f"{n / _MB:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} 字节"


def _bomb(name: str, detail: str = "") -> WorkbookRejected:
    extra = f"（{detail}）" if detail else ""
    return _reject("zip-bomb", name, f"疑似压缩炸弹（解压后体积异常）{extra}，已拒绝处理。")


def _corrupt(name: str, detail: str = "") -> WorkbookRejected:
    extra = f"（{detail}）" if detail else ""
    return _reject(
        "corrupt-zip",
        name,
        f"已损坏或不完整{extra}，可能在传输过程中被截断，无法读取，请重新导出后再报送。",
    )


def _encrypted(name: str) -> WorkbookRejected:
    return _reject(
        "encrypted-workbook",
        name,
        "已设置打开密码（加密），无法读取，请取消密码后重新报送。",
    )


def _zip_display_name(zf: zipfile.ZipFile) -> str:
    fn = zf.filename
    return Path(fn).name if fn else "（未命名）"


def _open_unclipped(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> IO[bytes]:
    \"\"\"Open a member without zipfile's clipping at the *declared* size.

    zipfile silently truncates output at the declared size (then fails the
    CRC); other readers (e.g. calamine) may not.  Raising the declared size on a
    private copy of the ZipInfo lets us see what the data really expands to.
    Callers read in small chunks and stop at their own cap, so memory and time
    stay bounded; an honest member still ends at the end of its deflate stream
    and gets its CRC checked.
    \"\"\"
    probe = copy.copy(info)
    probe.file_size = _UNCLIPPED
    return zf.open(probe)


def read_member_limited(
    zf: zipfile.ZipFile,
    name: str | zipfile.ZipInfo,
    limit: int,
    *,
    display_name: str | None = None,
) -> bytes:
    \"\"\"Read one member, refusing (``zip-bomb``) once more than ``limit`` bytes
    come out — whatever the (possibly lying) headers declare.\"\"\"
    shown = display_name or _zip_display_name(zf)
    try:
        info = name if isinstance(name, zipfile.ZipInfo) else zf.getinfo(name)
    except KeyError:
        raise _reject(
            "not-xlsx-package",
            shown,
            f"缺少必要的部件“{name}”，不是有效的 Excel 工作簿（.xlsx）。",
        ) from None
    if info.flag_bits & 0x1:
        raise _encrypted(shown)
    limit = max(0, limit)
    chunks: list[bytes] = []
    total = 0
    try:
        with _open_unclipped(zf, info) as fh:
            while True:
                chunk = fh.read(min(64 * 1024, limit - total + 1))
                if not chunk:
                    break
                total += len(chunk)
                if total > limit:
                    raise _bomb(shown, f"部件 {info.filename} 解压后超过 {_fmt_size(limit)}")
                chunks.append(chunk)
    except WorkbookRejected:
        raise
    except Exception as exc:  # BadZipFile, zlib.error, EOFError, CRC, ...
        raise _corrupt(shown) from exc
    return b"".join(chunks)


# --------------------------------------------------------------------------
# sniffing of non-zip content


def _contains_any(fh: BinaryIO, needles: tuple[bytes, ...]) -> bool:
    \"\"\"Chunked search of the whole file (bounded by max_file_bytes).\"\"\"
    overlap = max(len(n) for n in needles) - 1
    fh.seek(0)
    tail = b""
    while True:
        chunk = fh.read(_SCAN_CHUNK)
        if not chunk:
            return False
        window = tail + chunk
        if any(n in window for n in needles):
            return True
        tail = window[-overlap:]


def _not_workbook_hint(head: bytes) -> str:
    low = head.lstrip(b"\\xef\\xbb\\xbf \\t\\r\\n").lower()
    if low.startswith(b"%pdf"):
        return "，实际是 PDF 文档"
    if low.startswith((b"rar!", b"7z\\xbc\\xaf")):
        return "，实际是 RAR/7z 压缩包"
    if low.startswith((b"\\x89png", b"\\xff\\xd8\\xff", b"gif8")):
        return "，实际是图片"
    if b"urn:schemas-microsoft-com:office:spreadsheet" in low or b"excel.sheet" in low:
        return "，实际是 Excel 2003 XML 表格"
    if low.startswith((b"<html", b"<!doctype html", b"<table", b"<meta")) or b"<html" in low:
        return "，实际是网页（HTML）格式（常见于业务系统导出的“伪 .xls”文件）"
    if b"\\x00" not in head:
        for enc in ("utf-8", "gb18030"):
            try:
                head.decode(enc)
            except UnicodeDecodeError:
                continue
            return "，实际是纯文本或 CSV 文件"
    return ""


# --------------------------------------------------------------------------
# XML prolog inspection


def _sniff_encoding(data: bytes) -> str:
    if data.startswith(b"\\xef\\xbb\\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\\xff\\xfe\\x00\\x00", b"<\\x00\\x00\\x00")):
        return "utf-32-le"
    if data.startswith((b"\\x00\\x00\\xfe\\xff", b"\\x00\\x00\\x00<")):
        return "utf-32-be"
    if data.startswith((b"\\xff\\xfe", b"<\\x00")):
        return "utf-16-le"
    if data.startswith((b"\\xfe\\xff", b"\\x00<")):
        return "utf-16-be"
    return "latin-1"  # ASCII-compatible; markup characters survive as-is


def _decoded_views(data: bytes) -> list[str]:
    primary = data.decode(_sniff_encoding(data), errors="replace")
    views = [primary]
    m = _ENCODING_DECL.match(primary.lstrip("\\ufeff"))
    if m:
        try:
            declared = codecs.lookup(m.group(1)).name
            if declared not in _UNICODE_CODECS:
                views.append(data.decode(declared, errors="replace"))
        except Exception:  # unknown/non-text codec: parsers will refuse it too
            pass
    return views


def _prolog_verdict(text: str) -> bool | None:
    \"\"\"True: DOCTYPE/ENTITY-like declaration before the root element;
    False: root element reached safely; None: need more data.\"\"\"
    i = 1 if text.startswith("\\ufeff") else 0
    n = len(text)
    while True:
        while i < n and text[i] in " \\t\\r\\n":
            i += 1
        if i >= n:
            return None
        if text[i] != "<":
            return False  # not well-formed; the real parser will complain
        if n - i < 4:
            return None
        if text.startswith("<?", i):
            j = text.find("?>", i + 2)
            if j < 0:
                return None
            i = j + 2
        elif text.startswith("<!--", i):
            j = text.find("-->", i + 4)
            if j < 0:
                return None
            i = j + 3
        else:
            return text[i + 1] == "!"


def _xml_verdict(data: bytes) -> bool | None:
    undecided = False
    for text in _decoded_views(data):
        low = text.lower()
        if "<!doctype" in low or "<!entity" in low:
            return True
        verdict = _prolog_verdict(text)
        if verdict:
            return True
        if verdict is None:
            undecided = True
    return None if undecided else False


def _inspect_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    \"\"\"Decompress one member once, in bounded chunks, refusing as soon as the
    output exceeds the size declared in the central directory (lying headers),
    verifying the CRC at the end and, for XML parts, scanning the prolog for
    DOCTYPE/ENTITY declarations (first 4 KB; up to 64 KB of comments/PIs).\"\"\"
    scan_xml = info.filename.lower().endswith(_XML_SUFFIXES)
    declared = info.file_size
    head = b""
    total = 0
    try:
        with _open_unclipped(zf, info) as fh:
            while chunk := fh.read(_XML_HEAD_BYTES if scan_xml else _READ_CHUNK):
                total += len(chunk)
                if total > declared:
                    raise _bomb(
                        name,
                        f"部件 {info.filename} 实际解压后超过声明的 {_fmt_size(declared)}",
                    )
                if scan_xml:
                    head += chunk
                    verdict = _xml_verdict(head)
                    if verdict or (verdict is None and len(head) >= _XML_PROLOG_MAX):
                        raise _reject(
                            "xml-attack",
                            name,
                            f"包含不安全的 XML 声明（DOCTYPE/ENTITY，位于 {info.filename}），"
                            "可能是恶意构造的文件，已拒绝处理。",
                        )
                    scan_xml = verdict is None
    except WorkbookRejected:
        raise
    except Exception as exc:  # BadZipFile (bad CRC), zlib.error, EOFError, ...
        raise _corrupt(name, f"部件 {info.filename} 校验失败") from exc


# --------------------------------------------------------------------------
# zip inspection


def _eocd_entry_count(fh: BinaryIO, size: int) -> int | None:
    \"\"\"Entry count from the end-of-central-directory record (cheap pre-check
    so a multi-million-entry directory is never fully parsed).\"\"\"
    tail_len = min(size, 22 + 65535 + 20)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    pos = tail.rfind(b"PK\\x05\\x06")
    if pos < 0 or len(tail) - pos < 22:
        return None
    (count,) = struct.unpack_from("<H", tail, pos + 10)
    if count != 0xFFFF or pos < 20 or tail[pos - 20 : pos - 16] != b"PK\\x06\\x07":
        return int(count)
    (z64_offset,) = struct.unpack_from("<Q", tail, pos - 20 + 8)
    if z64_offset + 56 > size:
        return None
    fh.seek(z64_offset)
    rec = fh.read(56)
    if len(rec) < 56 or rec[:4] != b"PK\\x06\\x06":
        return None
    (count64,) = struct.unpack_from("<Q", rec, 32)
    return int(count64)


def _check_directory(
    zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], name: str, limits: GuardLimits
) -> None:
    if len(infos) > limits.max_entries:
        raise _bomb(name, f"包含 {len(infos)} 个部件，超过上限 {limits.max_entries}")
    seen: set[str] = set()
    total = 0
    for info in infos:
        key = info.filename.casefold()
        if key in seen:
            raise _corrupt(name, f"部件 {info.filename} 重复出现")
        seen.add(key)
        if info.flag_bits & 0x1:
            raise _encrypted(name)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _corrupt(name, "使用了不支持的压缩方式")
        usize, csize = info.file_size, info.compress_size
        if usize > limits.max_entry_uncompressed:
            raise _bomb(name, f"部件 {info.filename} 解压后 {_fmt_size(usize)}")
        total += usize
        if total > limits.max_total_uncompressed:
            raise _bomb(name, f"解压后总计超过 {_fmt_size(limits.max_total_uncompressed)}")
        if usize > _RATIO_MIN_SIZE and usize > limits.max_ratio * max(csize, 1):
            raise _bomb(name, f"部件 {info.filename} 压缩比异常")
        # Deflate never expands data by more than a few bytes per 16 KB, so a
        # compressed size far above the declared size means a lying header.
        if csize > usize + max(1024, usize // 100):
            raise _bomb(name, f"部件 {info.filename} 的大小声明与实际数据不符")
    # Overlapping members (one compressed kernel referenced many times).
    ordered = sorted(infos, key=lambda i: i.header_offset)
    bounds = [i.header_offset for i in ordered[1:]] + [zf.start_dir]
    for cur, bound in zip(ordered, bounds, strict=False):  # len(bounds) >= len(ordered)
        if cur.header_offset + 30 + cur.compress_size > bound:
            raise _bomb(name, "部件数据相互重叠")


def _package_hint(names: set[str]) -> str:
    lower = {n.lower() for n in names}
    if "xl/workbook.bin" in lower:
        return "，它是二进制工作簿（.xlsb），请另存为 .xlsx 后重新报送"
    if "mimetype" in lower:
        return "，它是 OpenDocument 表格（.ods 等），请另存为 .xlsx 后重新报送"
    if any(n.startswith("word/") for n in lower):
        return "，它实际是 Word 文档"
    if any(n.startswith("ppt/") for n in lower):
        return "，它实际是 PowerPoint 演示文稿"
    return "，可能是普通压缩包"


def _check_zip(fh: BinaryIO, size: int, name: str, limits: GuardLimits) -> str:
    count = _eocd_entry_count(fh, size)
    if count is not None and count > limits.max_entries:
        raise _bomb(name, f"包含 {count} 个部件，超过上限 {limits.max_entries}")
    fh.seek(0)
    try:
        zf = zipfile.ZipFile(fh, "r")
    except Exception as exc:  # BadZipFile, EOFError, struct.error, ...
        raise _corrupt(name) from exc
    with zf:
        try:
            infos = zf.infolist()
        except Exception as exc:
            raise _corrupt(name) from exc
        _check_directory(zf, infos, name, limits)

        names = {i.filename for i in infos}
        if _CONTENT_TYPES not in names or _WORKBOOK_PART not in names:
            raise _reject(
                "not-xlsx-package",
                name,
                f"不是有效的 Excel 工作簿（.xlsx）：缺少工作簿内容{_package_hint(names)}。",
            )

        for info in infos:
            if not info.is_dir():
                _inspect_member(zf, info, name)

        raw = read_member_limited(
            zf,
            _CONTENT_TYPES,
            min(limits.max_entry_uncompressed, _CONTENT_TYPES_CAP),
            display_name=name,
        )
        content_types = _decoded_views(raw)[0].lower()
        has_vba = any(n.lower() == "xl/vbaproject.bin" for n in names)
        if has_vba or any(ct in content_types for ct in _CT_MACRO):
            return "xlsm"
        if any(ct in content_types for ct in _CT_PLAIN):
            return "xlsx"
        raise _reject(
            "not-xlsx-package",
            name,
            "不是有效的 Excel 工作簿（.xlsx）：内容类型声明中没有 Excel 工作簿，" + _RETRY,
        )


# --------------------------------------------------------------------------
# entry point


def check_workbook_file(path: Path, limits: GuardLimits = GuardLimits()) -> str:
    \"\"\"Classify ``path``; return ``"xlsx"`` or ``"xlsm"`` or raise
    :class:`WorkbookRejected`.  The file is only ever opened read-only.\"\"\"
    path = Path(path)
    name = path.name or str(path)
    missing = _reject("file-not-found", name, "不存在或无法读取，请确认文件已正确上传。")
    try:
        mode = path.stat().st_mode
    except (OSError, ValueError) as exc:  # ValueError: NUL byte in the path
        raise missing from exc
    if not stat.S_ISREG(mode):
        raise missing  # directory, FIFO, device...: never open those
    try:
        with open(path, "rb") as fh:
            return _classify(fh, name, limits)
    except WorkbookRejected:
        raise
    except OSError as exc:  # vanished or unreadable meanwhile, I/O error
        raise missing from exc


def _classify(fh: BinaryIO, name: str, limits: GuardLimits) -> str:
    size = os.fstat(fh.fileno()).st_size
    if size == 0:
        raise _reject("file-empty", name, "是空文件（0 字节），请检查后重新报送。")
    if size > limits.max_file_bytes:
        raise _reject(
            "file-too-large",
            name,
            f"过大（{_fmt_size(size)}），超过允许的上限 "
            f"{_fmt_size(limits.max_file_bytes)}，请删除无关内容后重新报送。",
        )
    head = fh.read(_XML_HEAD_BYTES)
    if head.startswith(_CFB_MAGIC):
        if _contains_any(fh, _ENCRYPTION_STREAMS):
            raise _encrypted(name)
        raise _reject(
            "legacy-xls",
            name,
            "是旧版 Excel 97-2003 格式（.xls），请在 Excel 中“另存为” .xlsx 后重新报送。",
        )
    if head.startswith(_ZIP_MAGICS):
        return _check_zip(fh, size, name, limits)
    raise _reject(
        "not-a-workbook",
        name,
        f"不是有效的 Excel 工作簿（.xlsx）{_not_workbook_hint(head)}。" + _RETRY,
    )
""",
    'evalbook/inputs.py': """\"\"\"Reading the JSON input format of SPEC section 5 (``score --inputs``, ``template --fill``).\"\"\"

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evalbook.contract import (
    FORM_FIELDS,
    GRADE,
    SPEC_BASE_NAMES,
    TABLES,
    TOTAL_SCORE,
    manual_name,
    reason_name,
    score_name,
)
from evalbook.framework import Framework


class InputsError(Exception):
    \"\"\"The inputs file cannot be used; the message is Chinese and names the file.\"\"\"


def known_names(framework: Framework) -> set[str]:
    names = {f.name for f in FORM_FIELDS} | {f.name for f in framework.fields}
    names |= {t.name for t in TABLES} | {TOTAL_SCORE, GRADE} | set(SPEC_BASE_NAMES)
    for ind in framework.indicators:
        names |= {score_name(ind.id), reason_name(ind.id), manual_name(ind.id)}
    return names


def load_inputs(path: Path, framework: Framework) -> dict[str, Any]:
    \"\"\"Load an inputs JSON file, refusing unknown keys and malformed structure.\"\"\"
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputsError(f"找不到输入文件《{path}》") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputsError(f"无法读取输入文件《{path}》：{exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputsError(
            f"输入文件《{path.name}》不是有效的 JSON：第{exc.lineno}行第{exc.colno}列 {exc.msg}"
        ) from None
    if not isinstance(data, dict):
        raise InputsError(f"输入文件《{path.name}》应为一个 JSON 对象（键为定义名称）")
    unknown = sorted(set(data) - known_names(framework))
    if unknown:
        raise InputsError(
            f"输入文件《{path.name}》含有未知的键：{'、'.join(unknown)}（键应为工作簿的定义名称，"
            f"如 EB_DEPT_NAME）"
        )
    for table in TABLES:
        rows = data.get(table.name)
        if rows is None:
            continue
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise InputsError(
                f"输入文件《{path.name}》中 {table.name} 应为行的列表（每行是一个列表）"
            )
        for n, row in enumerate(rows, start=1):
            if len(row) > len(table.columns):
                raise InputsError(
                    f"输入文件《{path.name}》中 {table.name} 第{n}行有 {len(row)} 列，"
                    f"最多 {len(table.columns)} 列（{'、'.join(c.label for c in table.columns)}）"
                )
    for field in framework.fields:
        value = data.get(field.name)
        if field.type == "checklist" and value is not None and not isinstance(value, list):
            raise InputsError(f"输入文件《{path.name}》中 {field.name} 应为“是/否”的列表")
    return data
""",
    'evalbook/numbers.py': """\"\"\"Exact decimal arithmetic, Excel-compatible rounding and reading numbers people typed.

Scores round half away from zero (Excel's ROUND), never with Python's banker's ``round``.
\"\"\"

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal(0)
HUNDRED = Decimal(100)


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    \"\"\"Round half away from zero, like Excel's ROUND.\"\"\"
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def round_up(value: Decimal, places: int = 0) -> Decimal:
    \"\"\"Excel ROUNDUP: away from zero.\"\"\"
    rounding = ROUND_CEILING if value >= 0 else ROUND_FLOOR
    return value.quantize(Decimal(1).scaleb(-places), rounding=rounding)


def round_down(value: Decimal, places: int = 0) -> Decimal:
    \"\"\"Excel ROUNDDOWN: toward zero.\"\"\"
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)


def to_decimal(value: int | float | Decimal) -> Decimal:
    \"\"\"A number from a cell or JSON, exactly as it would be shown (floats via repr).\"\"\"
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def fmt(value: Decimal | None) -> str:
    \"\"\"Render a decimal for people: no exponent, no trailing zeros (88.00 -> 88).\"\"\"
    if value is None:
        return "—"
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class Parsed:
    \"\"\"A value read from input: the number, and a note when text had to be interpreted.\"\"\"

    value: Decimal
    note: str | None = None


class NotANumber(ValueError):
    \"\"\"Text that cannot be read as a number without guessing.\"\"\"

    def __init__(self, raw: object, why: str) -> None:
        super().__init__(raw, why)
        self.raw = raw
        self.why = why


_UNITS = ("万元", "千元", "元", "人", "个", "项", "次", "分", "亩", "栋", "名", "%", "％")
_COMPARATOR_PREFIX = re.compile(r"^(≤|≦|<=|≥|≧|>=|=|＝)")
_NUMBER = re.compile(r"^[+-]?(\\d+(\\.\\d*)?|\\.\\d+)$")
_GROUPED = re.compile(r"^[+-]?\\d{1,3}(,\\d{3})+(\\.\\d*)?$")
_CHINESE_NUMERALS = set("零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟")
_VAGUE = ("约", "大约", "左右", "以上", "以下", "多", "余", "近", "不足", "超过", "~", "～")


#: Excel keeps 15 significant digits; larger magnitudes are typing errors, not amounts.
LIMIT = Decimal("1e15")


def parse_number(raw: object) -> Parsed:
    # fast path for plain cell numbers
    if isinstance(raw, int | float) and not isinstance(raw, bool) and -_BIG < raw < _BIG:
        return Parsed(Decimal(raw) if isinstance(raw, int) else Decimal(repr(raw)))
    parsed = _parse_number(raw)
    if not -LIMIT < parsed.value < LIMIT:
        raise NotANumber(raw, "数值超出合理范围")
    return parsed


_BIG = 1e15


def _parse_number(raw: object) -> Parsed:
    \"\"\"Read a number from a cell value or JSON value.

    Unambiguous text ("88.00万元", "８８", "１００％", "1,234.50", "≦0") is read with a note;
    ambiguous text ("六", "约100", "95%以上") raises :class:`NotANumber`.
    \"\"\"
    if isinstance(raw, bool):
        raise NotANumber(raw, "是/否 不是数字")
    if isinstance(raw, int | float | Decimal):
        if isinstance(raw, float) and not math.isfinite(raw):
            raise NotANumber(raw, "不是有效数字")
        return Parsed(to_decimal(raw))
    if not isinstance(raw, str):
        raise NotANumber(raw, "不是数字")
    text = unicodedata.normalize("NFKC", raw).strip().replace(" ", "")
    if text == "":
        raise NotANumber(raw, "为空")
    if text.startswith("#"):
        raise NotANumber(raw, f"是 Excel 错误值 {text}")
    if any(v in text for v in _VAGUE):
        raise NotANumber(raw, "含“约/以上/左右”等模糊表述，无法确定数值")
    if any(ch in _CHINESE_NUMERALS for ch in text) and not any(ch.isdigit() for ch in text):
        raise NotANumber(raw, "是中文数字，请填写阿拉伯数字")
    body = _COMPARATOR_PREFIX.sub("", text)
    for unit in _UNITS:
        if body.endswith(unit):
            body = body[: -len(unit)]
            break
    if _GROUPED.match(body):
        body = body.replace(",", "")
    if not _NUMBER.match(body):
        raise NotANumber(raw, "无法识别为数字")
    try:
        value = Decimal(body)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid literals
        raise NotANumber(raw, "无法识别为数字") from exc
    return Parsed(value, f"以文本形式填写，已按 {fmt(value)} 读取")


_DATE_PATTERNS = (
    re.compile(r"^(\\d{4})-(\\d{1,2})-(\\d{1,2})$"),
    re.compile(r"^(\\d{4})/(\\d{1,2})/(\\d{1,2})$"),
    re.compile(r"^(\\d{4})\\.(\\d{1,2})\\.(\\d{1,2})$"),
    re.compile(r"^(\\d{4})年(\\d{1,2})月(\\d{1,2})日?$"),
)


def parse_date(raw: object) -> dt.date:
    \"\"\"Read a date from a cell (datetime), JSON (YYYY-MM-DD) or common Chinese forms.\"\"\"
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        text = unicodedata.normalize("NFKC", raw).strip().replace(" ", "")
        for pattern in _DATE_PATTERNS:
            m = pattern.match(text)
            if m:
                try:
                    return dt.date(int(m[1]), int(m[2]), int(m[3]))
                except ValueError as exc:
                    raise NotANumber(raw, "不是有效日期") from exc
    raise NotANumber(raw, "不是有效日期（应为 YYYY-MM-DD）")
""",
    'evalbook/reader.py': """\"\"\"Reading a returned workbook through its defined names, never through fixed coordinates.

Order of work: :func:`evalbook.guards.check_workbook_file` refuses dangerous or
non-workbook files before anything is parsed; ``xl/workbook.xml`` and its relationships
give the sheets and the defined names (expat under defusedxml's policy: no DTDs, no
entities, no external references); each sheet that a name points to is measured (a sparse
sheet reaching XFD1048576 would make the value reader allocate its whole rectangle) and,
where formulas or error values matter, scanned for them; python-calamine then reads the
values. Everything is read directly from the package parts — a full openpyxl load would
take many times longer than the whole validation. Macros of ``.xlsm`` files are never run
and the input file is only ever opened for reading.
\"\"\"

from __future__ import annotations

import datetime as dt
import functools
import html
import posixpath
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.parsers import expat as pyexpat

import defusedxml.ElementTree as SafeET
from python_calamine import CalamineWorkbook

from evalbook.contract import FORM_FIELDS, TABLES_BY_NAME
from evalbook.findings import CATALOGUE
from evalbook.framework import Framework
from evalbook.guards import WorkbookRejected, check_workbook_file, read_member_limited
from evalbook.inputs import known_names
from evalbook.workbook import META_NAMES, NamedRange, WorkbookData, is_blank, meta_from_names
from evalbook.xlsxutil import col_index, col_letter

_MB = 1024 * 1024
#: XML parts we parse ourselves are far smaller than the guard's per-part ceiling.
WORKBOOK_XML_LIMIT = 16 * _MB
SHEET_XML_LIMIT = 64 * _MB
#: Cells in a sheet's used rectangle beyond which the value reader is not started.
MAX_SHEET_CELLS = 2_000_000
#: Cells a defined name may span (the template's largest is a few hundred); a name over a
#: whole sheet is treated as broken rather than read cell by cell.
MAX_NAME_CELLS = 100_000


Area = tuple[int, int, int, int]  # first row, first column, last row, last column (1-based)


class WorkbookError(Exception):
    \"\"\"A workbook that cannot be read; ``message`` is Chinese and names the file.\"\"\"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[type[WorkbookError], tuple[str, str]]:
        return (type(self), (self.code, self.message))


def _error(code: str, **values: object) -> WorkbookError:
    text = CATALOGUE[code].template.format_map({k: str(v) for k, v in values.items()})
    return WorkbookError(code, text)


# ---------------------------------------------------------------- workbook.xml


@dataclass(frozen=True)
class SheetEntry:
    name: str
    part: str  # zip member, e.g. "xl/worksheets/sheet1.xml"
    hidden: bool


@dataclass(frozen=True)
class Target:
    \"\"\"Where a defined name points: 1-based inclusive bounds on a sheet.\"\"\"

    sheet: str
    first_row: int
    first_col: int
    last_row: int
    last_col: int


_REF = re.compile(
    r"^(?:'((?:[^']|'')+)'|([^'!:\\[\\]]+))!"
    r"\\$?([A-Za-z]{1,3})\\$?([0-9]{1,7})(?::\\$?([A-Za-z]{1,3})\\$?([0-9]{1,7}))?$"
)


@functools.lru_cache(maxsize=4096)  # workbooks of one template share their ~170 references
def parse_reference(text: str) -> Target | None:
    \"\"\"``'评分表'!$G$5`` or ``收支情况!$B$5:$H$8`` -> a target; anything else (``#REF!``,
    external or multi-area references, constants) -> None.\"\"\"
    m = _REF.match(text.strip().lstrip("="))
    if m is None:
        return None
    sheet = m[1].replace("''", "'") if m[1] is not None else m[2]
    try:
        r1, c1 = int(m[4]), col_index(m[3])
        r2, c2 = (int(m[6]), col_index(m[5])) if m[5] else (r1, c1)
    except ValueError:
        return None
    if not (1 <= r1 <= r2 and 1 <= c1 <= c2):
        return None
    if (r2 - r1 + 1) * (c2 - c1 + 1) > MAX_NAME_CELLS:
        return None
    return Target(sheet if m[1] is not None else sheet.strip(), r1, c1, r2, c2)


Element = tuple[str, dict[str, str], str]  # local tag, attributes (local names), text


def _elements(raw: bytes, tags: frozenset[str]) -> list[Element]:
    \"\"\"The ``tags`` elements of a small XML part, with their attributes and text.\"\"\"
    found: list[Element] = []
    text: list[str] = []
    inside = False

    def start(tag: str, attrs: list[str]) -> None:
        nonlocal inside
        local = tag[tag.rfind(":") + 1:]
        if local in tags:
            keys = (k[k.rfind(":") + 1:] for k in attrs[::2])
            found.append((local, dict(zip(keys, attrs[1::2], strict=True)), ""))
            text.clear()
            inside = True

    def end(tag: str) -> None:
        nonlocal inside
        if inside:
            local, attrs, _ = found[-1]
            found[-1] = (local, attrs, "".join(text))
            inside = False

    def data(chunk: str) -> None:
        if inside:
            text.append(chunk)

    parser = _safe_expat()
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = data
    parser.Parse(raw, True)
    return found


def _sheet_parts(zf: zipfile.ZipFile, shown: str) -> dict[str, str]:
    \"\"\"Relationship id -> zip member of each sheet.\"\"\"
    rels_xml = read_member_limited(zf, "xl/_rels/workbook.xml.rels", WORKBOOK_XML_LIMIT,
                                   display_name=shown)
    parts: dict[str, str] = {}
    for _, attrs, _ in _elements(rels_xml, frozenset({"Relationship"})):
        rid, target = attrs.get("Id"), attrs.get("Target")
        if rid and target:
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join("xl", target))
            parts[rid] = path
    return parts


def _workbook_xml(zf: zipfile.ZipFile, shown: str) -> tuple[list[SheetEntry], dict[str, str]]:
    \"\"\"The sheets in tab order and the workbook-scoped ``EB_*`` names with their references.\"\"\"
    raw = read_member_limited(zf, "xl/workbook.xml", WORKBOOK_XML_LIMIT, display_name=shown)
    parts = _sheet_parts(zf, shown)
    sheets: list[SheetEntry] = []
    names: dict[str, str] = {}
    for tag, attrs, text in _elements(raw, frozenset({"sheet", "definedName"})):
        if tag == "sheet":
            name, rid = attrs.get("name"), attrs.get("id")
            if name is not None and rid in parts:
                hidden = attrs.get("state", "visible") != "visible"
                sheets.append(SheetEntry(name, parts[rid], hidden))
        else:
            name = attrs.get("name", "")
            if name.upper().startswith("EB_") and "localSheetId" not in attrs:
                names[name.upper()] = text.strip()
    return sheets, names


# ---------------------------------------------------------------- sheet XML


# Every ``r="..."`` attribute: cells (letters and digits) and rows (digits only). Matching
# the attribute alone (literal prefix, one pass) is cheap, and can only overestimate.
_R_ATTR = re.compile(rb\"\"\"r=["']([A-Z]{0,3})([0-9]{1,7})["']\"\"\")
_ERROR_MARKS = (b't="e"', b"t='e'")  # error cells: t="e" (a cheap, generous test)


def _tags(raw: bytes, tag: bytes, prefixed: bool) -> int:
    \"\"\"How many ``<tag`` elements the XML can hold, counted generously (``<c`` also counts
    ``<col``, ``<cfRule``…, which only loosens the bound).\"\"\"
    return raw.count(b"<" + tag) + (raw.count(b":" + tag) if prefixed else 0)


def _extent(raw: bytes) -> tuple[int, int]:
    \"\"\"(last row, last column) the sheet's cells can reach: a cheap byte scan, so that a
    sparse sheet reaching XFD1048576 is refused before a reader allocates its rectangle.
    Cells and rows without an ``r`` attribute are counted as following the last one.\"\"\"
    refs = _R_ATTR.findall(raw)
    last_row = max(map(int, {r for _, r in refs}), default=0)
    letters = {c for c, _ in refs}
    letters.discard(b"")
    last_col = max((col_index(c.decode()) for c in letters), default=0)
    cells = len(refs) - sum(not c for c, _ in refs)
    prefixed = b":row" in raw  # <x:row>, <x:c> from unusual writers
    unnamed_rows = max(_tags(raw, b"row", prefixed) - (len(refs) - cells), 0)
    unnamed_cells = max(_tags(raw, b"c", prefixed) - cells, 0)
    return last_row + unnamed_rows, last_col + unnamed_cells


@dataclass
class SheetCells:
    \"\"\"What calamine does not tell: formulas and error values, by (row, col).\"\"\"

    formulas: dict[tuple[int, int], str]
    errors: dict[tuple[int, int], str]


_POSITION = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")


class _CellScan:
    \"\"\"Formulas and error values of the wanted cells, from expat events (no tree built).\"\"\"

    def __init__(self, wanted: set[str]) -> None:
        self.wanted = wanted
        self.cells = SheetCells({}, {})
        self.pos: tuple[int, int] | None = None
        self.error_cell = False
        self.text: list[str] | None = None

    def start(self, tag: str, attrs: list[str]) -> None:
        local = tag[tag.rfind(":") + 1:]
        if local == "c":
            self.pos = None
            try:
                ref = attrs[attrs.index("r") + 1]
            except (ValueError, IndexError):
                return
            m = _POSITION.match(ref) if ref in self.wanted else None
            if m:
                self.pos = (int(m[2]), col_index(m[1]))
                self.error_cell = "t" in attrs and attrs[attrs.index("t") + 1] == "e"
        elif self.pos is not None and (local == "f" or (local == "v" and self.error_cell)):
            self.text = []

    def end(self, tag: str) -> None:
        if self.text is None or self.pos is None:
            return
        local = tag[tag.rfind(":") + 1:]
        if local == "f":
            self.cells.formulas[self.pos] = "=" + "".join(self.text)
        elif local == "v":
            self.cells.errors[self.pos] = "".join(self.text).strip()
        self.text = None

    def data(self, chunk: str) -> None:
        if self.text is not None:
            self.text.append(chunk)


_F_START = re.compile(rb"<f[ >/]")
_C_R = re.compile(rb\"\"\" r=["']([A-Z]{1,3}[0-9]{1,7})["']\"\"\")
_F_TEXT_END = b"</f>"
_UNUSUAL_XML = (b"<![CDATA[", b":f")  # CDATA, or prefixed formula elements (<x:f>)


def _formulas_fast(raw: bytes, wanted: set[str]) -> SheetCells | None:
    \"\"\"The formulas of a sheet without parsing it, or None when the shortcut does not apply.

    In well-formed XML a ``<`` never occurs inside attribute values or text (it must be
    escaped), so every ``<f>``/``<f ...>`` is a formula element and, as nothing inside a cell
    starts with ``<c``, the nearest ``<c`` before it is the start of its cell. CDATA
    sections and namespace-prefixed elements (unusual writers) break that reasoning: those
    sheets are parsed with expat instead. The values themselves come from calamine, which
    parses every sheet fully.
    \"\"\"
    if any(mark in raw for mark in _UNUSUAL_XML):
        return None
    cells = SheetCells({}, {})
    for m in _F_START.finditer(raw):
        begin = raw.rfind(b"<c", 0, m.start())
        if begin < 0 or raw[begin + 2:begin + 3] not in (b" ", b">"):
            return None
        ref = _C_R.search(raw, begin, raw.find(b">", begin))
        if ref is None:
            return None
        name = ref[1].decode()
        if name not in wanted:
            continue
        text = b""
        if raw[m.end() - 1:m.end()] != b"/":
            open_end = raw.find(b">", m.start())
            if raw[open_end - 1:open_end] != b"/":
                text = raw[open_end + 1:raw.find(_F_TEXT_END, open_end)]
        pos = _POSITION.match(name)
        if pos:
            cells.formulas[(int(pos[2]), col_index(pos[1]))] = "=" + html.unescape(
                text.decode("utf-8"))
    return cells


def _sheet_cells(raw: bytes, wanted: set[str]) -> SheetCells:
    \"\"\"Parse with an expat parser under defusedxml's policy (DTDs, entities and external
    references are refused) and plain handlers: building an element tree would be the
    slow part. Only the cells in ``wanted`` (A1 references) are recorded.\"\"\"
    expat = _safe_expat()
    scan = _CellScan(wanted)
    expat.StartElementHandler, expat.EndElementHandler = scan.start, scan.end
    expat.CharacterDataHandler = scan.data
    expat.Parse(raw, True)
    return scan.cells


def _safe_expat() -> Any:
    \"\"\"A bare expat parser (no tree, no namespace processing) under defusedxml's policy:
    document type declarations, entity declarations and external references are refused
    with defusedxml's own exceptions.\"\"\"
    policy = SafeET.DefusedXMLParser(forbid_dtd=True, forbid_entities=True,
                                     forbid_external=True)
    parser = pyexpat.ParserCreate()
    parser.StartDoctypeDeclHandler = policy.defused_start_doctype_decl
    parser.EntityDeclHandler = policy.defused_entity_decl
    parser.UnparsedEntityDeclHandler = policy.defused_unparsed_entity_decl
    # (typeshed wants an int from this handler; defusedxml's raises instead of returning)
    parser.ExternalEntityRefHandler = policy.defused_external_entity_ref_handler  # type: ignore[assignment]
    parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.ordered_attributes = True
    parser.buffer_text = True
    return parser


# ---------------------------------------------------------------- reading


def read_workbook(path: Path | str) -> WorkbookData:
    \"\"\"Read a returned workbook; raises :class:`WorkbookError` with a Chinese message.\"\"\"
    path = Path(path)
    try:
        kind = check_workbook_file(path)
    except WorkbookRejected as exc:
        raise WorkbookError(exc.code, exc.message) from None
    try:
        return _read(path, kind)
    except WorkbookError:
        raise
    except WorkbookRejected as exc:
        raise WorkbookError(exc.code, exc.message) from None
    except MemoryError:  # not the file's content: the caller's guard reports it (batch pool)
        raise
    except Exception as exc:  # a parser's own error on malformed content
        raise _error("workbook-unreadable", file=path.name, detail=type(exc).__name__) from exc


#: Names every evalbook workbook has (one of them suffices to recognise one).
_CONTRACT_NAMES = frozenset({*(f.name for f in FORM_FIELDS), *TABLES_BY_NAME, *META_NAMES})

#: Names whose cells hold formulas in the template (their formulas are read).
FORMULA_PREFIXES = ("EB_SCORE_", "EB_VALUE_", "EB_SUBTOTAL_", "EB_TOTAL_SCORE", "EB_GRADE")


def _read(path: Path, kind: str) -> WorkbookData:
    shown = path.name
    with zipfile.ZipFile(path) as zf:
        sheets, refs = _workbook_xml(zf, shown)
        if not _CONTRACT_NAMES & refs.keys():
            raise _error("not-evalbook-workbook", file=shown)
        by_name = {s.name: s for s in sheets}
        targets: dict[str, Target] = {}
        broken: dict[str, str] = {}
        for name, text in refs.items():
            target = parse_reference(text)
            if target is None or target.sheet not in by_name:
                broken[name] = text
            else:
                targets[name] = target
        needed = sorted({t.sheet for t in targets.values()}, key=list(by_name).index)
        with_formulas = {t.sheet for n, t in targets.items() if n.startswith(FORMULA_PREFIXES)}
        extra = {s: _scan_sheet(zf, by_name[s], shown, s in with_formulas, targets)
                 for s in needed}
    values, merged = _calamine_values(path, needed, targets)
    names = {name: _named_range(name, t, values[t.sheet], extra[t.sheet])
             for name, t in targets.items()}
    return WorkbookData(
        file=shown, sheets=[s.name for s in sheets], names=names, meta=meta_from_names(names),
        broken=broken, hidden=[s.name for s in sheets if s.hidden], merged=merged,
        macros=kind == "xlsm",
    )


def _cells_of(sheet: str, targets: dict[str, Target]) -> set[str]:
    \"\"\"A1 references of every named cell on ``sheet``.\"\"\"
    out: set[str] = set()
    for t in targets.values():
        if t.sheet == sheet:
            out.update(f"{col_letter(c)}{r}" for r in range(t.first_row, t.last_row + 1)
                       for c in range(t.first_col, t.last_col + 1))
    return out


def _sheet_xml(zf: zipfile.ZipFile, sheet: SheetEntry, shown: str) -> bytes:
    \"\"\"A sheet's XML. The guard has already inflated every member once and refused any whose
    data exceeds its declared size, and zipfile never returns more than the declared size,
    so checking the declared size bounds the memory (and is faster than re-reading in
    guarded chunks).\"\"\"
    try:
        info = zf.getinfo(sheet.part)
    except KeyError:
        return read_member_limited(zf, sheet.part, SHEET_XML_LIMIT, display_name=shown)
    if info.file_size > SHEET_XML_LIMIT:
        raise _error("sheet-too-large", file=shown, sheet_name=sheet.name,
                     extent=f"XML 部件 {info.file_size / (1024 * 1024):.0f} MB")
    return zf.read(info)


def _scan_sheet(zf: zipfile.ZipFile, sheet: SheetEntry, shown: str, formulas: bool,
                targets: dict[str, Target]) -> SheetCells | None:
    \"\"\"Refuse a sheet whose used rectangle is huge; read formulas (if wanted) and error
    values. None: formulas were not read (unknown); the sheet has no error values.\"\"\"
    raw = _sheet_xml(zf, sheet, shown)
    rows, cols = _extent(raw)
    if rows * cols > MAX_SHEET_CELLS:
        corner = f"{col_letter(min(max(cols, 1), 16384))}{max(rows, 1)}"
        raise _error("sheet-too-large", file=shown, sheet_name=sheet.name,
                     extent=f"已用区域 A1:{corner}，约 {rows * cols:,} 个单元格")
    has_errors = any(mark in raw for mark in _ERROR_MARKS)
    if formulas and not has_errors:
        return _formulas_fast(raw, _cells_of(sheet.name, targets)) or _sheet_cells(
            raw, _cells_of(sheet.name, targets))
    if formulas:
        return _sheet_cells(raw, _cells_of(sheet.name, targets))
    if has_errors:
        cells = _sheet_cells(raw, _cells_of(sheet.name, targets))
        return SheetCells({}, cells.errors) if cells.errors else None
    return None


def _calamine_values(path: Path, sheets: Iterable[str], targets: dict[str, Target]
                     ) -> tuple[dict[str, list[list[Any]]], dict[str, list[Area]]]:
    values: dict[str, list[list[Any]]] = {}
    merged: dict[str, list[Area]] = {}
    book = CalamineWorkbook.from_path(str(path))
    try:
        for sheet in sheets:
            last = max(t.last_row for t in targets.values() if t.sheet == sheet)
            ws = book.get_sheet_by_name(sheet)
            values[sheet] = ws.to_python(skip_empty_area=False, nrows=last)
            merged[sheet] = [(r1 + 1, c1 + 1, r2 + 1, c2 + 1)
                             for (r1, c1), (r2, c2) in ws.merged_cell_ranges or ()]
    finally:
        book.close()
    return values, merged


def _cell(grid: list[list[Any]], cells: SheetCells | None, row: int, col: int) -> object:
    error = None if cells is None else cells.errors.get((row, col))
    if error is not None:
        return error
    if row - 1 < len(grid) and col - 1 < len(grid[row - 1]):
        value = grid[row - 1][col - 1]
        return None if value == "" else value
    return None


def _named_range(name: str, t: Target, grid: list[list[Any]], cells: SheetCells | None
                 ) -> NamedRange:
    rows = range(t.first_row, t.last_row + 1)
    cols = range(t.first_col, t.last_col + 1)
    values = [[_cell(grid, cells, r, c) for c in cols] for r in rows]
    formulas: list[list[str | None]] | None = None
    if cells is not None and (cells.formulas or name.startswith(FORMULA_PREFIXES)):
        formulas = [[cells.formulas.get((r, c)) for c in cols] for r in rows]
    return NamedRange(name, t.sheet, t.first_row, t.first_col, values, formulas)


# ---------------------------------------------------------------- the engine's inputs


def _as_input(value: object) -> object:
    \"\"\"A cell as the JSON inputs would hold it (dates as ``YYYY-MM-DD``; blank as None).\"\"\"
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def inputs_from_data(data: WorkbookData, framework: Framework) -> dict[str, Any]:
    \"\"\"The SPEC section 5 inputs dict, values as typed in the cells.\"\"\"
    checklists = {f.name for f in framework.fields if f.type == "checklist"}
    out: dict[str, Any] = {}
    for name in sorted(known_names(framework) & data.names.keys()):
        rng = data.names[name]
        table = TABLES_BY_NAME.get(name)
        if table is not None:
            width = len(table.columns)
            out[name] = [[_as_input(v) for v in (row + [None] * width)[:width]]
                         for row in rng.values]
        elif name in checklists:
            out[name] = [_as_input(v) for v in rng.flat()]
        else:
            out[name] = _as_input(rng.scalar)
    return out


def read_inputs(path: Path | str, framework: Framework) -> dict[str, Any]:
    \"\"\"The inputs of a filled workbook for the engine (``evalbook score FILE.xlsx``).\"\"\"
    return inputs_from_data(read_workbook(path), framework)
""",
    'evalbook/rules.py': """\"\"\"Rule kinds: small, pure declarations that build a score expression and describe themselves.

Each rule turns the indicator's computed value (an :class:`~evalbook.expr.Expr`) into an
unclamped score expression, and renders its 评分标准 text from the same parameters, so the
text shown in the workbook and the arithmetic cannot disagree. The engine clamps to
[0, 分值] and rounds.
\"\"\"

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
        \"\"\"Inputs the rule reads besides the indicator's value (guarded with the value's).\"\"\"
        return ()


@dataclass(frozen=True)
class Linear(Rule):
    \"\"\"Deduct ``per_point`` for each percentage point above/below ``standard``.\"\"\"

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
    \"\"\"Deduct ``deduction`` for every ``step`` percentage points above/below ``standard``.\"\"\"

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
    \"\"\"The first band whose bounds hold gives the score; none holds: 0.\"\"\"

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
    \"\"\"Points for each item answered 是; the value is already the sum of points.\"\"\"

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
        return "\\n".join(lines)


@dataclass(frozen=True)
class Violations(Rule):
    \"\"\"Deduct ``deduction`` per counted violation.\"\"\"

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
        return "\\n".join(parts)


@dataclass(frozen=True)
class Proportional(Rule):
    \"\"\"分值 × min(1, value / full_at).\"\"\"

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
    \"\"\"Value compared with another figure: none / within / above (资金结余 vs 上年结转).\"\"\"

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
    \"\"\"The evaluator enters a score within [0, 分值].\"\"\"

    kind: ClassVar[str] = "judged"
    judged: ClassVar[bool] = True
    guidance: str = ""

    def score(self, value: E.Expr, max_score: Decimal) -> E.Expr:
        return value

    def describe(self, subject: str, max_score: Decimal) -> str:
        lead = f"{self.guidance}\\n" if self.guidance else ""
        return f"{lead}由评价人员根据实际情况在0-{fmt(max_score)}分之间评分，扣分须说明原因。"


@dataclass(frozen=True)
class Personalised(Rule):
    \"\"\"分值 × min(1, 完成率) over linked quantitative targets; judged when none is linked.\"\"\"

    kind: ClassVar[str] = "personalised"
    judged: ClassVar[bool] = True
    guidance: str = ""

    def score(self, value: E.Expr, max_score: Decimal) -> E.Expr:
        return Proportional().score(value, max_score)

    def describe(self, subject: str, max_score: Decimal) -> str:
        lead = f"{self.guidance}\\n" if self.guidance else ""
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
    \"\"\"≥ ≤ or = for a comparator as typed; anything unrecognised (or blank) counts as ≥.\"\"\"
    op = COMPARATOR_ALIASES.get(comparator.strip(), comparator.strip())
    return op if op in ("≤", "=") else "≥"


def completion_expr(target: E.Expr, actual: E.Expr, op: str) -> E.Expr:
    \"\"\"Completion rate (0..1) of one quantitative target under a normalised comparator.

    One expression for both back ends: the engine evaluates it with decimals and the
    workbook's 完成率 column is compiled from it.
    \"\"\"
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
    \"\"\"目标完成率 (%) of a personalised indicator: the mean completion of its linked targets.\"\"\"
    return E.rnd(E.mul(E.div(total, count), E.num(100)))


_COMPLETION = {op: completion_expr(E.Ref("target"), E.Ref("actual"), op).compile()
               for op in ("≥", "≤", "=")}


def target_completion(target: Decimal, actual: Decimal, comparator: str) -> Decimal:
    \"\"\"Completion rate (0..1) of one quantitative target under its comparator (≥ ≤ =).\"\"\"
    env = E.MappingEnv({"target": target, "actual": actual})
    rate = _COMPLETION[normalise_comparator(comparator)](env)
    if not isinstance(rate, Decimal):  # pragma: no cover - the expression yields numbers
        raise TypeError(f"completion rate is not a number: {rate!r}")
    return rate
""",
    'evalbook/schemas.py': """\"\"\"Cell typing and pandera schemas: a workbook's inputs -> a typed :class:`Submission`.

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
\"\"\"

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
PHONE_PATTERN = r"(1\\d{10}|(0\\d{2,3}-?)?[2-9]\\d{6,7})"
CODE_PATTERN = r"\\d{6}"
YEAR_RANGE = (2000, 2100)


# ---------------------------------------------------------------- stage 1: one cell


@dataclass(frozen=True)
class Problem:
    code: str
    values: dict[str, str]


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def coerce(raw: object, ftype: str) -> tuple[object, Problem | None]:
    \"\"\"Type one cell as ``ftype``: (typed value or None, the problem found or None).\"\"\"
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
    \"\"\"Phone numbers and codes are digit strings; a cell typed as a number is one too.\"\"\"
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
    \"\"\"What one table column requires in a used row.\"\"\"

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
    \"\"\"Every input cell of a workbook, one row per cell, already typed.

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
    \"\"\"

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
    \"\"\"(finding code, row) of every failure, validating lazily; [] when the frame is clean.\"\"\"
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
    \"\"\"One input cell with its declared rules: a row of the :class:`InputCells` frame.\"\"\"

    cell: TypedCell
    type: str
    required: bool = False
    signed: bool = False
    min: str | None = None
    max: str | None = None
    choices: str | None = None


def scalar_fields(framework: Framework | None) -> tuple[Field, ...]:
    \"\"\"The single-cell fields: the form's, and the framework's base data (if it applies).\"\"\"
    return (*FORM_FIELDS, *(framework.fields if framework is not None else ()))


class Typer:
    \"\"\"Types a workbook's inputs cell by cell, collecting findings and schema slots.\"\"\"

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
    \"\"\"The 汇总 row always counts; other rows when any input beyond their labels is filled
    (blank unit rows are ignored: a department may have fewer units than the template).\"\"\"
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
    \"\"\"The :class:`InputCells` frame of the slots (row i = slot i).\"\"\"
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
    \"\"\"Type every readable input cell, then validate all of them with one schema.

    ``framework`` None: the workbook belongs to another framework, so its base-data fields
    are not checked (the framework-independent form fields and tables still are).
    \"\"\"
    typer = Typer(data, framework)
    typer.scalars()
    typer.tables()
    return typer.sub, typer.findings + schema_findings(typer.slots)
""",
    'evalbook/scoresheet.py': """\"\"\"The 评分表 (附件3-1): one row per indicator with its live score, then totals and grade.

Score and value cells hold formulas compiled from the framework (:mod:`evalbook.formulas`);
the merged 一级/二级 level cells are split at the page breaks so that every printed page
names its levels.
\"\"\"

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal

from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from evalbook import formulas as F
from evalbook.contract import GRADE, TOTAL_SCORE, manual_name, reason_name, score_name
from evalbook.framework import Framework, Indicator
from evalbook.numbers import fmt
from evalbook.xlsxform import (
    BODY,
    BOLD,
    CENTER,
    SCORING,
    WRAP_LEFT,
    Book,
    Sheet,
    font,
    put_text,
    validation_rule,
)
from evalbook.xlsxutil import cell_ref, range_ref

# ---------------------------------------------------------------- 评分表

SCORE_COLS = ("一级指标", "二级指标", "三级指标", "评分标准", "分值", "计算值", "自评得分",
              "人工评分", "扣分原因和其他说明")
COL_L1, COL_L2, COL_NAME, COL_CRITERIA, COL_MAX, COL_VALUE, COL_SCORE, COL_MANUAL, COL_REASON = (
    range(1, 10))


def _runs(items: Sequence[Indicator], key: str) -> list[tuple[str, int, int]]:
    \"\"\"Consecutive runs of equal ``key`` values: (value, first index, last index).\"\"\"
    runs: list[tuple[str, int, int]] = []
    for i, ind in enumerate(items):
        value = ind.level1 if key == "level1" else f"{ind.level1}/{ind.level2}"
        if runs and runs[-1][0] == value:
            runs[-1] = (value, runs[-1][1], i)
        else:
            runs.append((value, i, i))
    return runs


def _value_format(ind: Indicator, framework: Framework) -> str:
    spec = ind.value
    if spec.kind == "checklist":
        return '0.00"分"'
    field_type = next((f.type for f in framework.fields if f.name == spec.field), "")
    number = "0" if field_type == "count" else "0.00"
    return f'{number}"{spec.unit}"' if spec.unit else number


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def indicator_row(s: Sheet, row: int, ind: Indicator) -> None:
    fw, variant = s.book.framework, s.book.options.variant
    cells = F.indicator_formulas(ind, fw, variant)
    s.text(row, COL_NAME, ind.name, align=CENTER)
    s.text(row, COL_CRITERIA, ind.criteria_text(), align=WRAP_LEFT, font_=font(10))
    s.put(row, COL_MAX, _number(ind.max), align=CENTER)
    if cells.value is not None:
        s.formula(row, COL_VALUE, cells.value, name=F.value_name(ind.id), kind="value",
                  label=f"{ind.name}计算值", number_format=_value_format(ind, fw))
    else:
        s.put(row, COL_VALUE, None)
        s.book.name(F.value_name(ind.id), s.title, cell_ref(row, COL_VALUE), "value",
                    f"{ind.name}计算值", False)
    rule = validation_rule("score", f"{ind.name}得分", cell_ref(row, COL_SCORE), maximum=ind.max)
    if cells.score is not None:
        s.formula(row, COL_SCORE, cells.score, name=score_name(ind.id), kind="score",
                  label=f"{ind.name}得分", number_format="0.00")
        manual = validation_rule("score", f"{ind.name}人工评分", cell_ref(row, COL_MANUAL),
                                 maximum=ind.max)
        manual = dataclasses.replace(manual, prompt="仅在得分显示“需人工评分”时填写（0-"
                                     f"{fmt(ind.max)}分），并在右栏说明原因。")
        s.input(row, COL_MANUAL, manual_name(ind.id), "score", f"{ind.name}人工评分",
                rule=manual, align=CENTER)
    else:
        default = None
        if cells.default_score is not None:
            default = f"={cells.default_score}"
            rule = dataclasses.replace(rule, prompt="在“绩效目标”表关联了定量目标的，本格按完成率"
                                       f"自动计分；未关联的请填写0-{fmt(ind.max)}分。")
        s.input(row, COL_SCORE, score_name(ind.id), "score", f"{ind.name}得分", rule=rule,
                value=default, align=CENTER)
        s.put(row, COL_MANUAL, None)
    s.input(row, COL_REASON, reason_name(ind.id), "text", f"{ind.name}扣分原因")
    s.fit(row)


def scoring_sheet(book: Book) -> None:
    fw = book.framework
    s = Sheet(book, SCORING, [8, 9, 16, 45, 6, 10, 9, 9, 21], landscape=True)
    s.text(2, 1, "附件3-1", span=9, border=None)
    s.title_row(3, f'{F.dept_text("")}&"部门整体支出绩效评价评分表"', formula=True)
    for col, label in enumerate(SCORE_COLS, start=1):
        s.header(4, col, label)
    s.ws.row_dimensions[4].height = 30
    first = 5
    inds = fw.indicators
    for i, ind in enumerate(inds):
        indicator_row(s, first + i, ind)
    last = first + len(inds) - 1
    s.paginate([(first + a, first + b) for _, a, b in _runs(inds, "level2")], first, (4,))
    row = totals_rows(s, first, last)
    for note in fw.notes:
        s.text(row, 1, f"注：{note.message}", span=9, border=None, font_=font(9))
        row += 1
    printed = row - 1
    subtotal_rows(s, row + 2, first)
    status = FormulaRule(formula=  # type: ignore[no-untyped-call]
                         [f"ISTEXT({cell_ref(first, COL_SCORE)})"],
                         font=Font(color="C00000"))
    s.ws.conditional_formatting.add(range_ref(first, COL_VALUE, last, COL_SCORE), status)
    s.finish(printed, title_rows="4:4", freeze="A5")


def level_labels(ws: Worksheet, framework: Framework, first: int, breaks: Sequence[int]) -> None:
    \"\"\"Merged 一级/二级 cells, split at page breaks so every page shows its level names.\"\"\"
    inds = framework.indicators
    last = first + len(inds) - 1
    for rng in list(ws.merged_cells.ranges):
        if rng.max_col <= COL_L2 and first <= rng.min_row <= last:
            ws.unmerge_cells(str(rng))
    maxima = framework.level_max()
    for col, key in ((COL_L1, "level1"), (COL_L2, "level2")):
        for value, a, b in _runs(inds, key):
            label = f"{value.split('/', 1)[-1]}\\n（{fmt(maxima[value])}分）"
            for top, bottom in _segments(first + a, first + b, breaks):
                put_text(ws, top, col, label, rows=bottom - top + 1, align=CENTER,
                         font_=BOLD if key == "level1" else BODY)


def _segments(top: int, bottom: int, breaks: Sequence[int]) -> list[tuple[int, int]]:
    cuts = [b for b in sorted(breaks) if top <= b < bottom]
    starts = [top] + [b + 1 for b in cuts]
    ends = [*cuts, bottom]
    return list(zip(starts, ends, strict=True))


def totals_rows(s: Sheet, first: int, last: int) -> int:
    fw = s.book.framework
    row = last + 1
    s.header(row, 1, "总  分", span=4)
    s.put(row, COL_MAX, _number(fw.total_max), align=CENTER, font_=BOLD)
    s.put(row, COL_VALUE, None)
    scores = range_ref(first, COL_SCORE, last, COL_SCORE)
    s.formula(row, COL_SCORE, F.sum_scores(scores), name=TOTAL_SCORE, kind="total",
              label="总分", number_format="0.00", font_=BOLD)
    s.put(row, COL_MANUAL, None, span=2)
    s.header(row + 1, 1, "评价等次", span=4)
    s.put(row + 1, COL_MAX, None, span=2)
    s.formula(row + 1, COL_SCORE, F.grade(fw, s.book.options.variant), name=GRADE,
              kind="grade", label="评价等次", font_=BOLD)
    s.put(row + 1, COL_MANUAL, None, span=2)
    grades = "，".join(f"{g.label}≥{fmt(g.min)}" for g in
                      sorted(fw.grades, key=lambda g: g.min, reverse=True))
    s.text(row + 2, 1, f"评价等次：{grades}分。得分栏显示“待填写”表示缺少计算所需数据，"
           "“需人工评分”表示无法按规则计算，须由评价人员在“人工评分”或“自评得分”栏评分并说明原因。",
           span=9, border=None, font_=font(9))
    s.fit(row + 2)
    s.ws.row_dimensions[row].height = s.ws.row_dimensions[row + 1].height = 24
    return row + 3


def subtotal_rows(s: Sheet, row: int, first: int) -> int:
    \"\"\"分项得分 below the printed form: every 一级 and 二级 level (EB_SUBTOTAL_<n>[_<m>]).\"\"\"
    inds = s.book.framework.indicators
    maxima = s.book.framework.level_max()
    s.header(row, 1, "分项得分（不打印）", span=4)
    s.header(row, COL_MAX, "分值")
    s.header(row, COL_VALUE, "")
    s.header(row, COL_SCORE, "得分")
    row += 1
    level2 = _runs(inds, "level2")
    for n, (name, a, b) in enumerate(_runs(inds, "level1"), start=1):
        children = [r for r in level2 if a <= r[1] and r[2] <= b]
        entries = [(name, a, b, f"EB_SUBTOTAL_{n}", True)] + [
            (key, x, y, f"EB_SUBTOTAL_{n}_{m}", False)
            for m, (key, x, y) in enumerate(children, start=1)]
        for key, x, y, defined, top in entries:
            label = key if top else f"　　{key.split('/', 1)[1]}"
            s.text(row, 1, label, span=4, font_=BOLD if top else BODY)
            s.put(row, COL_MAX, _number(maxima[key]), align=CENTER)
            s.put(row, COL_VALUE, None)
            scores = range_ref(first + x, COL_SCORE, first + y, COL_SCORE)
            s.formula(row, COL_SCORE, F.sum_scores(scores), name=defined, kind="subtotal",
                      label=key, number_format="0.00", font_=BOLD if top else BODY)
            row += 1
    return row


""",
    'evalbook/sheets.py': """\"\"\"The sheets of the standard workbook (SPEC section 2), one function each.

Each function keeps its sheet's whole layout in one place and takes every label, field and
table from :mod:`evalbook.contract` or the framework; the 评分表 is in
:mod:`evalbook.scoresheet`.
\"\"\"

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font

from evalbook import formulas as F
from evalbook import rules as R
from evalbook.contract import (
    COMPARATORS,
    COVER_FIELDS,
    EVALUATORS,
    GOAL_FIELDS,
    GRADE,
    MONEY_TABLES,
    OPINION_FIELDS,
    PROFILE_FIELDS,
    SUMMARY_FIELDS,
    SUMMARY_ROW_LABEL,
    TARGET_CATEGORIES,
    TARGET_KINDS,
    TARGET_STATUSES,
    TARGETS,
    TOTAL_SCORE,
    Field,
    Table,
)
from evalbook.framework import Framework, operands
from evalbook.xlsxform import (
    BASE,
    BODY,
    BOLD,
    CENTER,
    COVER,
    FINANCE,
    GOALS,
    HEADER_FILL,
    INPUT_FILL,
    LONG_TEXT_HEIGHT,
    OPINIONS,
    PROFILE,
    RIGHT,
    SUMMARY,
    TITLE_FONT,
    WRAP_LEFT,
    WRAP_TOP,
    Book,
    InputArea,
    Rule,
    Sheet,
    font,
    unit_labels,
    validation_rule,
)
from evalbook.xlsxutil import cell_ref, range_ref

# ---------------------------------------------------------------- small builders


def field_rule(f: Field, first: str, framework: Framework) -> Rule:
    minimum = None if f.min is None else Decimal(f.min)
    maximum = None if f.max is None else Decimal(f.max)
    # an amount read through ABS() (预算调整数: 调增或调减) may be entered as negative
    if f.type == "amount" and minimum is None and f.name not in framework.signed_fields():
        minimum = Decimal(0)
    return validation_rule(f.type, f.label, first, minimum=minimum, maximum=maximum,
                           unit=f.unit)


def long_text(sheet: Sheet, row: int, f: Field, height: float = LONG_TEXT_HEIGHT) -> int:
    \"\"\"A caption row then a full-width merged text input; returns the next free row.\"\"\"
    sheet.text(row, 1, f.label, span=sheet.ncols, font_=BOLD, fill=HEADER_FILL)
    sheet.ws.row_dimensions[row].height = 22
    sheet.input(row + 1, 1, f.name, "longtext", f.label, span=sheet.ncols)
    sheet.ws.row_dimensions[row + 1].height = height
    sheet.fit(row + 1)
    return row + 2


# ---------------------------------------------------------------- 封面与报送


def _areas_of_work(framework: Framework) -> str:
    return "、".join(dict.fromkeys(i.level2 for i in framework.indicators))


def cover_sheet(book: Book) -> None:
    \"\"\"报送函 (page 1) and the report's cover (page 2), as in the seed.\"\"\"
    s = Sheet(book, COVER, [14] * 6)
    fields = {f.name: f for f in COVER_FIELDS}
    s.title_row(2, f'"关于报送"&{F.year_text()}&"年度部门整体支出绩效评价自评报告"',
                size=15, formula=True)
    s.text(4, 1, "区财政局：", span=6, border=None)
    body = (f'"　　根据区财政局关于开展财政绩效评价工作的通知要求，"&{F.dept_text("我单位")}'
            f'&"认真组织开展了"&{F.year_text()}&"年度部门整体支出绩效评价自评工作，主要包括'
            f'{_areas_of_work(book.framework)}等指标完成情况。目前自评工作已完成，现予以报送。"')
    s.put(5, 1, f"={body}", span=6, border=None, align=WRAP_TOP)
    s.ws.row_dimensions[5].height = 75
    s.text(7, 1, "附件：1. 部门整体支出绩效评价自评报告", span=6, border=None)
    s.text(8, 1, "　　　2. 部门整体支出绩效评价评分表", span=6, border=None)
    s.formula(10, 4, F.dept_text(""), span=3, fill=None, border=None)
    s.text(11, 3, "报送日期：", border=None, align=RIGHT)
    submit = fields["EB_SUBMIT_DATE"]
    s.input(11, 4, submit.name, submit.type, submit.label, span=3, align=CENTER,
            rule=field_rule(submit, "D11", book.framework))
    s.text(14, 1, "附件2-1", span=6, border=None)
    s.put(16, 1, f'={F.year_text()}&"年度部门整体支出"', span=6, border=None, align=CENTER,
          font_=font(20, True, TITLE_FONT))
    s.text(17, 1, "绩效评价自评报告", span=6, border=None, align=CENTER,
           font_=font(20, True, TITLE_FONT))
    s.ws.row_dimensions[16].height = s.ws.row_dimensions[17].height = 36
    row = 20
    for f in COVER_FIELDS:
        if f.name == submit.name:
            continue
        s.text(row, 1, f"{f.label}：", span=2, border=None, align=RIGHT, font_=BOLD)
        s.input(row, 3, f.name, f.type, f.label, span=4, align=WRAP_LEFT,
                rule=field_rule(f, cell_ref(row, 3), book.framework))
        s.ws.row_dimensions[row].height = 26
        row += 2 if f.name != "EB_REPORT_DATE" else 3
    s.text(row + 1, 1, "区财政局（制）", span=6, border=None, align=CENTER, font_=font(14, True))
    s.finish(row + 1, breaks=(12,))


# ---------------------------------------------------------------- 一、基本概况


def profile_sheet(book: Book) -> None:
    s = Sheet(book, PROFILE, [16, 26, 16, 26])
    s.title_row(2, "一、部门（单位）基本概况")
    short = [f for f in PROFILE_FIELDS if f.type != "longtext"]
    row = 4
    for i in range(0, len(short), 2):
        for k, f in enumerate(short[i:i + 2]):
            label = f"{f.label}（{f.unit}）" if f.unit else f.label
            s.header(row, 1 + 2 * k, label)
            s.input(row, 2 + 2 * k, f.name, f.type, f.label,
                    rule=field_rule(f, cell_ref(row, 2 + 2 * k), book.framework))
        s.ws.row_dimensions[row].height = 26
        row += 1
    for f in PROFILE_FIELDS:
        if f.type == "longtext":
            s.header(row, 1, f.label)
            s.input(row, 2, f.name, f.type, f.label, span=3)
            s.ws.row_dimensions[row].height = LONG_TEXT_HEIGHT
            s.fit(row)
            row += 1
    s.finish(row - 1)


# ---------------------------------------------------------------- 二、收支情况


@dataclass(frozen=True)
class Head:
    \"\"\"A multi-level column header: a label over its children (column keys or groups).\"\"\"

    label: str
    children: tuple[Head | str, ...]


# The seed's merged headers; tables without an entry get one flat header row.
HEADERS: dict[str, tuple[Head | str, ...]] = {
    "EB_INCOME": ("name", "total", Head("其中：", ("carryover", "public_finance", "gov_fund",
                                                  "special_account", "other"))),
    "EB_EXPENSE": ("name", "total",
                   Head("其中：", ("basic", Head("其中：", ("personnel", "public_use")),
                                  "project")),
                   Head("结余", ("balance_year", "balance_cumulative"))),
    "EB_SANGONG": ("name", "total", Head("其中：", ("reception", "vehicle_ops",
                                                   "vehicle_purchase", "overseas"))),
    "EB_ASSETS": ("name", "total", Head("其中：", ("in_use", "leased")), "other"),
}


def _depth(node: Head | str) -> int:
    return 1 if isinstance(node, str) else 1 + max(_depth(c) for c in node.children)


def _leaves(node: Head | str) -> list[str]:
    return [node] if isinstance(node, str) else [k for c in node.children for k in _leaves(c)]


def header_rows(s: Sheet, row: int, table: Table) -> int:
    \"\"\"Write ``table``'s (merged, multi-level) header at ``row``; returns its height in rows.\"\"\"
    tree = HEADERS.get(table.name, tuple(c.key for c in table.columns))
    if [k for n in tree for k in _leaves(n)] != [c.key for c in table.columns]:
        raise ValueError(f"header of {table.name} does not cover its columns in order")
    height = max(_depth(n) for n in tree)
    labels = {c.key: c.label for c in table.columns}

    def place(node: Head | str, r: int, c: int) -> int:
        if isinstance(node, str):
            s.header(r, c, labels[node], rows=height - (r - row))
            return 1
        span = 0
        for child in node.children:
            span += place(child, r + 1, c + span)
        s.header(r, c, node.label, span=span)
        return span

    col = 1
    for node in tree:
        col += place(node, row, col)
    for r in range(row, row + height):
        s.ws.row_dimensions[r].height = 30
    return height


def money_table(s: Sheet, row: int, table: Table, units: int, check_col: int) -> int:
    \"\"\"Caption, merged header, 汇总 + unit rows, and the live ✓/✗ beside; returns next row.\"\"\"
    ncols = len(table.columns)
    s.text(row, 1, f"{table.title}（{table.unit}）", span=ncols, border=None, font_=BOLD)
    first = row + 1 + header_rows(s, row + 1, table)
    last = first + units
    s.text(first, 1, SUMMARY_ROW_LABEL, font_=BOLD, align=WRAP_LEFT)
    for i, label in enumerate(unit_labels(units), start=1):
        s.put(first + i, 1, label, align=WRAP_LEFT, fill=INPUT_FILL, locked=False,
              number_format="@")
    s.validate(range_ref(first + 1, 1, last, 1),
               validation_rule("text", "机构名称", cell_ref(first + 1, 1)), "机构名称")
    s.book.layout.inputs.append(InputArea(table.name, s.title, range_ref(first + 1, 1, last, 1),
                                          "text", "机构名称"))
    s.input_block(first, 2, last, ncols, table.name, "amount", table.title,
                  rule=validation_rule("amount", table.title, cell_ref(first, 2),
                                       minimum=Decimal(0), unit=table.unit))
    s.book.name(table.name, s.title, range_ref(first, 1, last, ncols), "table", table.title, True)
    cells = F.TableCells(table, first, 1, units + 1)
    s.header(first - 1, check_col, "核对")
    s.header(first - 1, check_col + 1, "核对说明")
    for i in range(units + 1):
        s.ws.row_dimensions[first + i].height = 20
        s.formula(first + i, check_col, F.reconcile_row(cells, i))
        s.formula(first + i, check_col + 1, F.reconcile_note(cells, i), align=WRAP_LEFT,
                  font_=font(9))
    check_range = range_ref(first, check_col, last, check_col)
    s.formula(row, check_col, F.reconcile_table(check_range),
              name=f"EB_RECON_{table.name.removeprefix('EB_')}", kind="check",
              label=f"{table.title}核对")
    s.text(row, check_col + 1, "← 合计、汇总核对结果", border=None, font_=font(9))
    bad = FormulaRule(formula=[f'{cell_ref(first, check_col)}="{F.BAD_MARK}"'],  # type: ignore[no-untyped-call]
                      font=Font(color="C00000", bold=True))
    s.ws.conditional_formatting.add(check_range, bad)
    return last + 2


def finance_sheet(book: Book) -> None:
    widest = max(len(t.columns) for t in MONEY_TABLES)
    s = Sheet(book, FINANCE, [22] + [11.5] * (widest - 1) + [6, 30])
    s.title_row(2, "二、部门（单位）收支情况", span=widest)
    row = 4
    for table in MONEY_TABLES:
        row = money_table(s, row, table, book.options.units, widest + 1)
    s.finish(row - 2, print_cols=widest)


# ---------------------------------------------------------------- 基础数据


def _used_by(framework: Framework) -> dict[str, list[str]]:
    \"\"\"Field name -> names of the indicators whose score reads it.\"\"\"
    used: dict[str, list[str]] = {}
    for ind in framework.indicators:
        keys = {k.partition("#")[0] for k in operands(ind, framework.settings)}
        for key in keys:
            used.setdefault(key, []).append(ind.name)
    return used


def base_sheet(book: Book) -> None:
    \"\"\"基础数据: the framework's declared fields, one row each; checklists item by item.\"\"\"
    fw = book.framework
    s = Sheet(book, BASE, [6, 46, 14, 8, 34])
    s.title_row(2, "基础数据（用于计算评分指标）")
    s.text(3, 1, "以下数据用于自动计算“评分表”中的指标得分，请据实填写；金额单位为万元。",
           span=5, border=None, font_=font(10))
    for col, label in enumerate(("序号", "项目", "填报值", "单位", "说明"), start=1):
        s.header(4, col, label)
    used = _used_by(fw)
    row = 5
    for n, f in enumerate(fw.fields, start=1):
        note = "；".join(p for p in (f.hint, _used_text(used.get(f.name, []))) if p)
        s.text(row, 1, str(n), align=CENTER)
        s.text(row, 2, f.label, font_=BOLD if f.type == "checklist" else BODY)
        s.text(row, 5, note, font_=font(9))
        s.fit(row)
        if f.type != "checklist":
            s.input(row, 3, f.name, f.type, f.label, rule=field_rule(f, f"C{row}", fw))
            s.text(row, 4, f.unit, align=CENTER)
            row += 1
            continue
        s.text(row, 3, "逐项选择", align=CENTER, font_=font(9))
        s.text(row, 4, "")
        first = row + 1
        for i, item in enumerate(f.items):
            s.text(first + i, 1, "")
            s.text(first + i, 2, f"{R.CIRCLED[i] if i < len(R.CIRCLED) else ''}{item}")
            s.text(first + i, 4, "")
            s.text(first + i, 5, "")
            s.fit(first + i)
        last = first + len(f.items) - 1
        s.input_block(first, 3, last, 3, f.name, "checklist", f.label)
        for r in range(first, last + 1):
            s.ws.cell(row=r, column=3).alignment = CENTER
        book.name(f.name, s.title, range_ref(first, 3, last, 3), "checklist", f.label, True)
        row = last + 1
    s.finish(row - 1, title_rows="4:4", freeze="A5")


def _used_text(names: list[str]) -> str:
    return f"用于：{'、'.join(dict.fromkeys(names))}" if names else ""


# ---------------------------------------------------------------- 三、绩效目标


def link_choices(framework: Framework) -> list[str]:
    \"\"\"关联评分指标 choices: personalised indicators by 三级指标 name, then by id.\"\"\"
    personal = [i for i in framework.indicators if isinstance(i.rule, R.Personalised)]
    return [i.name for i in personal] + [i.id for i in personal]


def target_rules(framework: Framework, first_row: int) -> dict[str, Rule]:
    def choice(label: str, values: Sequence[str]) -> Rule:
        return validation_rule("choice", label, "", choices='"' + ",".join(values) + '"')

    links = link_choices(framework)
    rules = {
        "category": choice("目标类别", TARGET_CATEGORIES),
        "kind": choice("指标类型", TARGET_KINDS),
        "comparator": choice("比较方式", COMPARATORS),
        "status": choice("完成情况", TARGET_STATUSES),
        "indicator": (validation_rule("choice", "关联评分指标", "", choices="EB_LIST_LINKS")
                      if links else validation_rule("text", "关联评分指标", "")),
    }
    for col in TARGETS.columns:
        if col.key not in rules:
            first = cell_ref(first_row, TARGETS.index(col.key))
            kind = "number" if col.type == "amount" else col.type
            rules[col.key] = validation_rule(kind, col.label, first)
    return rules


def goals_sheet(book: Book) -> None:
    widths = [8.5, 8.5, 24, 8, 5, 5, 9, 8, 21, 8.5]
    s = Sheet(book, GOALS, widths)
    s.title_row(2, "三、部门（单位）整体支出绩效自评情况")
    s.text(4, 1, "（一）整体支出绩效定性目标及实施计划完成情况", span=10, border=None, font_=BOLD)
    expected, actual = GOAL_FIELDS
    s.header(5, 1, "预期目标", span=5)
    s.header(5, 6, "实际完成", span=5)
    s.input(6, 1, expected.name, "longtext", expected.label, span=5)
    s.input(6, 6, actual.name, "longtext", actual.label, span=5)
    s.ws.row_dimensions[6].height = LONG_TEXT_HEIGHT
    s.fit(6)
    s.text(8, 1, "（二）整体支出绩效定量目标及实施计划完成情况", span=10, border=None, font_=BOLD)
    for col in TARGETS.columns:
        s.header(9, TARGETS.index(col.key), col.label)
    rate_col = len(TARGETS.columns) + 1
    s.header(9, rate_col, "完成率")
    s.ws.row_dimensions[9].height = 32
    first, last = 10, 9 + book.options.target_rows
    rules = target_rules(book.framework, first)
    for col in TARGETS.columns:
        c = TARGETS.index(col.key)
        kind = "number" if col.type == "amount" else col.type
        s.input_block(first, c, last, c, TARGETS.name, kind, col.label, rule=rules[col.key])
    book.name(TARGETS.name, s.title, range_ref(first, 1, last, len(TARGETS.columns)), "table",
              TARGETS.title, True)
    for i in range(book.options.target_rows):
        s.formula(first + i, rate_col, F.target_rate(i + 1), number_format="0.00%")
        s.ws.row_dimensions[first + i].height = 22
    book.name(F.TARGETS_RATE, s.title, range_ref(first, rate_col, last, rate_col), "formula",
              "完成率", False)
    row = last + 2
    s.header(row, 1, "绩效自评综合得分", span=3)
    s.formula(row, 4, TOTAL_SCORE, span=3, number_format="0.00")
    s.header(row, 7, "评价等次", span=2)
    s.formula(row, 9, GRADE, span=2)
    s.ws.row_dimensions[row].height = 26
    s.text(row + 1, 1, "注：“关联评分指标”选定后，该评分指标按所关联目标的平均完成率自动计分；"
           "完成率由目标值、实际完成值和比较方式计算。", span=10, border=None, font_=font(9))
    s.finish(row + 1, title_rows="9:9")


# ---------------------------------------------------------------- 四、评价人员与意见

SIGNATURE = {"EB_DEPT_OPINION": "部门（单位）负责人（签章）：",
             "EB_FINANCE_OPINION": "财政部门归口业务科室负责人（签章）："}


def opinions_sheet(book: Book) -> None:
    s = Sheet(book, OPINIONS, [14, 18, 36, 16])
    s.title_row(2, "四、评价人员")
    for col, label in enumerate(("姓  名", "职务/职称", "单  位", "签  字"), start=1):
        s.header(3, col, label)
    first, last = 4, 3 + book.options.evaluator_rows
    for column in EVALUATORS.columns:
        c = EVALUATORS.index(column.key)
        s.input_block(first, c, last, c, EVALUATORS.name, column.type, column.label)
    for r in range(first, last + 1):
        s.put(r, 4, None)
        s.ws.row_dimensions[r].height = 24
    book.name(EVALUATORS.name, s.title, range_ref(first, 1, last, len(EVALUATORS.columns)),
              "table", EVALUATORS.title, True)
    row = last + 2
    for f in OPINION_FIELDS:
        row = opinion_block(s, row, f)
    s.formula(row + 1, 1, '"填报人（签名）："&EB_FILLER&"　　　　联系电话："&EB_FILLER_PHONE',
              span=4, fill=None, border=None, align=WRAP_LEFT)
    s.finish(row + 1)


def opinion_block(s: Sheet, row: int, f: Field) -> int:
    \"\"\"评价组组长 / 部门意见 / 财政意见 and, for a date field, the date of the block above.

    Each block ends with a signature row whose last cell takes the date; returns the next
    free row.
    \"\"\"
    fw = s.book.framework
    if f.type == "date":
        s.text(row - 1, 3, "日期：", align=RIGHT)
        s.input(row - 1, 4, f.name, f.type, f.label, align=CENTER,
                rule=field_rule(f, cell_ref(row - 1, 4), fw))
        return row + 1
    if f.type == "longtext":
        s.header(row, 1, f.label, span=4)
        s.input(row + 1, 1, f.name, f.type, f.label, span=4)
        s.ws.row_dimensions[row + 1].height = 90
        s.fit(row + 1)
        signature = row + 2
        s.text(signature, 1, SIGNATURE.get(f.name, "负责人（签章）："), span=2)
    else:
        s.header(row, 1, f"{f.label}（签字）", span=2)
        s.input(row, 3, f.name, f.type, f.label, span=2,
                rule=field_rule(f, cell_ref(row, 3), fw))
        s.ws.row_dimensions[row].height = 26
        signature = row + 1
        s.text(signature, 1, "", span=2)
    s.text(signature, 3, "")
    s.put(signature, 4, None)
    s.ws.row_dimensions[signature].height = 30
    return signature + 1


# ---------------------------------------------------------------- 五、评价报告综述


def summary_sheet(book: Book) -> None:
    s = Sheet(book, SUMMARY, [21, 21, 21, 21])
    s.title_row(2, "五、评价报告综述")
    row = 4
    for f in SUMMARY_FIELDS:
        row = long_text(s, row, f, height=100)
    s.paginate([(r, r + 1) for r in range(4, row, 2)], 4)
    s.finish(row - 1)


""",
    'evalbook/template.py': """\"\"\"The standard workbook (SPEC sections 2 and 4), built with openpyxl from the framework.

Every field gets its workbook-scoped defined name from :mod:`evalbook.contract` or the
framework, and every named or input cell is recorded in the returned
:class:`~evalbook.xlsxform.Layout`, so that filling (:mod:`evalbook.fill`) and tests address
cells the way readers do: by name. The sheets are built by :mod:`evalbook.sheets` and
:mod:`evalbook.scoresheet`; inputs are unlocked, light yellow and validated, everything
else is locked; scores are live (native formulas or the add-in's UDFs).
\"\"\"

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.pagebreak import Break, RowBreak
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from evalbook import TEMPLATE_VERSION
from evalbook.atomic import atomic_path
from evalbook.framework import Framework
from evalbook.scoresheet import level_labels, scoring_sheet
from evalbook.sheets import (
    base_sheet,
    cover_sheet,
    finance_sheet,
    goals_sheet,
    link_choices,
    opinions_sheet,
    profile_sheet,
    summary_sheet,
)
from evalbook.xlsxform import (
    MAX_UNITS,
    META,
    SCORING,
    SHEETS,
    Area,
    Book,
    InputArea,
    Layout,
    Options,
    fit_heights,
    paginate,
    protect,
)

__all__ = ["MAX_UNITS", "SHEETS", "Area", "InputArea", "Layout", "Options", "build",
           "fit_heights", "repaginate", "save"]

FIXED_TIME = dt.datetime(2026, 1, 1)  # document properties: a deterministic build

# ---------------------------------------------------------------- hidden meta sheet


def meta_sheet(book: Book) -> None:
    fw, opts = book.framework, book.options
    ws = book.wb.create_sheet(META)
    rows = (
        ("EB_META_TEMPLATE_VERSION", "模板版本", TEMPLATE_VERSION),
        ("EB_META_FRAMEWORK_ID", "评分框架标识", fw.id),
        ("EB_META_FRAMEWORK_SHA256", "评分框架 SHA-256", fw.sha256),
        ("EB_META_VARIANT", "得分公式", opts.variant),
        ("EB_META_UNITS", "单位行数", opts.units),
        ("EB_META_TARGET_ROWS", "定量目标行数", opts.target_rows),
        ("EB_META_EVALUATOR_ROWS", "评价人员行数", opts.evaluator_rows),
        ("EB_META_FRAMEWORK_NAME", "评分框架名称", fw.name),
    )
    ws["A1"], ws["B1"], ws["C1"] = "定义名称", "项目", "值"
    for i, (name, label, value) in enumerate(rows, start=2):
        ws.cell(row=i, column=1, value=name)
        ws.cell(row=i, column=2, value=label)
        cell = ws.cell(row=i, column=3, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
        book.name(name, META, f"C{i}", "meta", label, False)
    ws["E1"] = "关联评分指标可选值"
    links = link_choices(fw)
    for i, text in enumerate(links, start=2):
        ws.cell(row=i, column=5, value=text).data_type = "s"
    if links:
        book.name("EB_LIST_LINKS", META, f"E2:E{len(links) + 1}", "list", "关联评分指标", False)
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["C"].width = 70
    ws.column_dimensions["E"].width = 40
    ws.sheet_state = "hidden"
    protect(ws, opts.password)


# ---------------------------------------------------------------- building and saving

SHEET_BUILDERS = (cover_sheet, profile_sheet, finance_sheet, base_sheet, goals_sheet,
                  scoring_sheet, opinions_sheet, summary_sheet, meta_sheet)


def repaginate(ws: Worksheet, layout: Layout, framework: Framework) -> None:
    \"\"\"(Re)place the manual page breaks of a paginated sheet after its row heights changed.\"\"\"
    pages = layout.pages.get(ws.title)
    if pages is None:
        return
    breaks = paginate(ws, pages)
    ws.row_breaks = RowBreak()
    for row in breaks:
        ws.row_breaks.append(Break(id=row))
    if ws.title == SCORING:
        level_labels(ws, framework, pages.first, breaks)


def build(framework: Framework, options: Options | None = None) -> tuple[Workbook, Layout]:
    \"\"\"The blank standard workbook and the layout of its names and inputs.\"\"\"
    book = Book(framework, options or Options())
    for make in SHEET_BUILDERS:
        make(book)
    for ws in book.wb.worksheets:
        repaginate(ws, book.layout, framework)
    wb = book.wb
    wb.active = 0
    props = wb.properties
    props.creator = props.lastModifiedBy = "evalbook"
    props.title = "部门整体支出绩效评价自评表"
    props.subject = framework.name
    props.keywords = f"evalbook {TEMPLATE_VERSION} {framework.id}"
    props.created = props.modified = FIXED_TIME
    wb.calculation.fullCalcOnLoad = True
    return wb, book.layout


def save(wb: Workbook, path: str | Path) -> Path:
    \"\"\"Save atomically, keeping the fixed document times (openpyxl's save() resets them).\"\"\"
    with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    return Path(path)
""",
    'evalbook/textwidth.py': """\"\"\"Terminal alignment for mixed Chinese/Latin text (CJK characters take two columns).\"\"\"

from __future__ import annotations

import unicodedata


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, columns: int, right: bool = False) -> str:
    gap = " " * max(0, columns - width(text))
    return gap + text if right else text + gap


def clip(text: str, columns: int) -> str:
    out, used = "", 0
    for ch in text:
        w = width(ch)
        if used + w > columns - 1 and used + w > columns:
            return out + "…"
        out += ch
        used += w
    return out
""",
    'evalbook/validator.py': """\"\"\"The headless validator: a returned workbook -> cell-precise findings and the recomputed score.

Steps: read the workbook through its defined names (:mod:`evalbook.reader`); type every
input cell and validate it with the schema (:mod:`evalbook.schemas`); recompute every score
from the raw inputs with the engine; run the rules (:mod:`evalbook.checks`). A file that
cannot be read gets one file-level finding; nothing here raises on bad input.
\"\"\"

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from evalbook.checks import RULES, Context
from evalbook.checks.framework_meta import FRAMEWORK_ID, meta_value, same_framework
from evalbook.checks.structure import misshapen
from evalbook.engine import ScoreResult, scorer_for
from evalbook.findings import CATALOGUE, Finding, make
from evalbook.framework import Framework, bundled, load_framework
from evalbook.reader import WorkbookError, inputs_from_data, read_workbook
from evalbook.schemas import type_submission
from evalbook.workbook import WorkbookData, cell_text, is_blank
from evalbook.xlsxutil import parse_cell

log = logging.getLogger(__name__)


@dataclass
class FileReport:
    \"\"\"The validation of one file (picklable: batch validates in a process pool).

    ``score`` is the recomputed total (None when the file could not be read, belongs to
    another framework, or an indicator could not be computed); ``readable`` is False when
    the file could not be read at all (exit status 2). ``scores`` holds each indicator's
    recomputed score by id; ``dept_name`` and ``budget_code`` are as typed (for summaries).
    \"\"\"

    file: str
    ok: bool
    score: Decimal | None
    grade: str | None
    findings: list[Finding] = field(default_factory=list)
    readable: bool = True
    framework: str | None = None
    dept_name: str | None = None
    budget_code: str | None = None
    scores: dict[str, Decimal | None] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        \"\"\"SPEC section 5: {"file", "ok", "score", "grade", "findings"}.\"\"\"
        return {"file": self.file, "ok": self.ok, "score": _number(self.score),
                "grade": self.grade, "findings": [f.to_json() for f in self.findings]}


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# ---------------------------------------------------------------- validating data


def validate_scored(data: WorkbookData, framework: Framework
                    ) -> tuple[list[Finding], ScoreResult | None]:
    \"\"\"Findings and the recomputed scores of a read workbook (the 校验 macro shows both).\"\"\"
    scored = same_framework(data, framework)
    fw_if_scored = framework if scored else None
    broken = misshapen(data, fw_if_scored)
    usable = dataclasses.replace(
        data, names={k: v for k, v in data.names.items() if k not in broken})
    sub, findings = type_submission(usable, fw_if_scored)
    inputs = inputs_from_data(usable, framework)
    result = scorer_for(framework).score(inputs) if scored else None
    ctx = Context(original=data, data=usable, framework=framework, sub=sub, inputs=inputs,
                  result=result)
    for rule in RULES.values():
        if ctx.scored or not rule.NEEDS_SCORES:
            findings.extend(rule.check(ctx))
    return sort_findings(findings, data.sheets), result


def validate_data(data: WorkbookData, framework: Framework) -> list[Finding]:
    \"\"\"Every finding of a read workbook, in sheet and cell order.\"\"\"
    return validate_scored(data, framework)[0]


def sort_findings(findings: list[Finding], sheets: list[str]) -> list[Finding]:
    \"\"\"Unique findings, file-level first, then by sheet (tab order), row, column.\"\"\"
    order = {name: i for i, name in enumerate(sheets)}

    def key(f: Finding) -> tuple[int, int, int, int]:
        sheet = -1 if f.sheet is None else order.get(f.sheet, len(order))
        try:
            row, col = parse_cell(f.cell) if f.cell else (0, 0)
        except ValueError:
            row, col = 0, 0
        return sheet, row, col, _SEVERITY_ORDER[f.severity]

    return sorted(dict.fromkeys(findings), key=key)


_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


# ---------------------------------------------------------------- validating files


def framework_for(data: WorkbookData) -> Framework:
    \"\"\"The bundled framework the workbook names, else the default one.\"\"\"
    found = meta_value(data, FRAMEWORK_ID)
    frameworks = bundled()
    if found is not None and found in frameworks:
        return frameworks[found]
    return load_framework()


def validate_path(path: Path, framework: Framework | None = None) -> FileReport:
    \"\"\"Validate one file; never raises on bad input (a file-level finding instead).\"\"\"
    shown = str(path)
    try:
        data = read_workbook(path)
    except WorkbookError as exc:
        kind = CATALOGUE.get(exc.code)
        return _unreadable(shown, Finding(exc.code, kind.severity if kind else "error", None,
                                          None, exc.message))
    try:
        fw = framework or framework_for(data)
        findings, result = validate_scored(data, fw)
    except MemoryError:  # not a bug: the caller's memory guard reports it (batch pool)
        raise
    except Exception as exc:  # a bug must not stop a batch; the log keeps the traceback
        log.exception("validating %s failed", shown)
        return _unreadable(shown, make("internal-error", file=Path(path).name,
                                       detail=type(exc).__name__))
    ok = not any(f.severity == "error" for f in findings)
    complete = result is not None and result.complete
    return FileReport(
        shown, ok, result.total if complete and result else None,
        result.grade if complete and result else None, findings, True, fw.id,
        dept_name=_text(data, "EB_DEPT_NAME"), budget_code=_text(data, "EB_BUDGET_CODE"),
        scores={r.id: r.score for r in result.indicators} if result else {},
    )


def _text(data: WorkbookData, name: str) -> str | None:
    value = data.scalar(name)
    return None if is_blank(value) else cell_text(value).strip()


def _unreadable(file: str, finding: Finding) -> FileReport:
    return FileReport(file, False, None, None, [finding], readable=False)
""",
    'evalbook/workbook.py': """\"\"\"A read workbook as plain data: its sheets and the cells behind its defined names.

:class:`WorkbookData` is what every reader produces — the headless reader
(:mod:`evalbook.reader`, from a file) and the add-in's 校验 macro (from an open workbook) —
and all the validator ever looks at. Values are as the cells hold them (numbers, text,
dates, booleans, Excel error texts such as ``"#DIV/0!"``; ``None`` for blank); formulas are
kept where the reader knows them, so that a formula replaced by a typed number can be told
apart from a live one. Everything is addressed by defined name, never by coordinates.
\"\"\"

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from evalbook.contract import Table
from evalbook.xlsxutil import cell_ref, range_ref

if TYPE_CHECKING:
    import pandas as pd

#: Error values a cell can hold (what Excel shows; the reader keeps them as this text).
EXCEL_ERRORS = frozenset({
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
    "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
})

#: Defined names of the hidden template-information sheet -> keys of :attr:`WorkbookData.meta`.
META_NAMES = {
    "EB_META_TEMPLATE_VERSION": "template_version",
    "EB_META_FRAMEWORK_ID": "framework_id",
    "EB_META_FRAMEWORK_SHA256": "framework_sha256",
    "EB_META_VARIANT": "variant",
    "EB_META_UNITS": "units",
}


def is_error(value: object) -> bool:
    return isinstance(value, str) and value in EXCEL_ERRORS


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


@dataclass
class NamedRange:
    \"\"\"The cells of one defined name; ``first_row``/``first_col`` are 1-based.

    ``values[r][c]`` is the cell at offset (r, c); ``formulas`` has the same shape with the
    formula text (``"=..."``) or ``None``, or is ``None`` as a whole when unknown.
    \"\"\"

    name: str
    sheet: str
    first_row: int
    first_col: int
    values: list[list[object]]
    formulas: list[list[str | None]] | None = None

    @property
    def rows(self) -> int:
        return len(self.values)

    @property
    def cols(self) -> int:
        return len(self.values[0]) if self.values else 0

    @property
    def ref(self) -> str:
        \"\"\"The A1 range, e.g. ``"B5:H8"``.\"\"\"
        return range_ref(self.first_row, self.first_col, self.first_row + max(self.rows, 1) - 1,
                         self.first_col + max(self.cols, 1) - 1)

    def address(self, row: int = 0, col: int = 0) -> str:
        \"\"\"A1 address of the cell at 0-based offset (row, col) inside the range.\"\"\"
        return cell_ref(self.first_row + row, self.first_col + col)

    def value(self, row: int = 0, col: int = 0) -> object:
        if row < len(self.values) and col < len(self.values[row]):
            return self.values[row][col]
        return None

    def formula(self, row: int = 0, col: int = 0) -> str | None:
        if self.formulas is None or row >= len(self.formulas) or col >= len(self.formulas[row]):
            return None
        return self.formulas[row][col]

    @property
    def scalar(self) -> object:
        return self.value(0, 0)

    def flat(self) -> list[object]:
        \"\"\"All values row by row (checklists are one column).\"\"\"
        return [v for row in self.values for v in row]


@dataclass
class WorkbookData:
    \"\"\"One read workbook.

    ``names`` holds the readable workbook-scoped ``EB_*`` names; ``broken`` those whose
    reference cannot be followed (``#REF!``, a deleted or renamed sheet) with the reference
    text; ``meta`` the hidden sheet's template information (keys of :data:`META_NAMES`);
    ``merged`` the merged areas per sheet as (first_row, first_col, last_row, last_col).
    A range whose ``formulas`` is None was read without formulas: its score cells are then
    compared by value only (a typed number cannot be told from a formula result).
    \"\"\"

    file: str
    sheets: list[str]
    names: dict[str, NamedRange]
    meta: dict[str, str] = field(default_factory=dict)
    broken: dict[str, str] = field(default_factory=dict)
    hidden: list[str] = field(default_factory=list)
    merged: dict[str, list[tuple[int, int, int, int]]] = field(default_factory=dict)
    macros: bool = False

    def get(self, name: str) -> NamedRange | None:
        return self.names.get(name)

    def scalar(self, name: str) -> object:
        rng = self.names.get(name)
        return None if rng is None else rng.scalar

    def where(self, name: str, row: int = 0, col: int = 0) -> tuple[str | None, str | None]:
        \"\"\"(sheet, A1 cell) of a cell inside a name; (None, None) if the name is unreadable.\"\"\"
        rng = self.names.get(name)
        if rng is None:
            return None, None
        return rng.sheet, rng.address(row, col)


def meta_from_names(names: dict[str, NamedRange]) -> dict[str, str]:
    \"\"\"The template information read through the ``EB_META_*`` names.\"\"\"
    meta: dict[str, str] = {}
    for name, key in META_NAMES.items():
        rng = names.get(name)
        if rng is not None and not is_blank(rng.scalar):
            meta[key] = cell_text(rng.scalar)
    return meta


def cell_text(value: object) -> str:
    \"\"\"A cell as text: integral floats without ``.0``, dates as ``YYYY-MM-DD``.\"\"\"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


# ---------------------------------------------------------------- the typed submission


@dataclass(frozen=True)
class TypedCell:
    \"\"\"One input cell after per-cell typing: ``value`` is a ``Decimal``, ``str``, ``date``
    or ``None`` (blank, or unreadable — then ``bad`` is True and a finding was made).\"\"\"

    value: object
    raw: object
    sheet: str
    cell: str
    label: str
    bad: bool = False

    @property
    def blank(self) -> bool:
        return self.value is None and not self.bad


@dataclass
class Submission:
    \"\"\"A workbook's inputs, typed: scalars by defined name (checklist items as ``NAME#i``)
    and the cells of each table's used rows (``cells[name][row]``, row = offset inside the
    named range, so 0 is the 汇总 row of money tables; unused rows are empty lists).\"\"\"

    scalars: dict[str, TypedCell] = field(default_factory=dict)
    cells: dict[str, list[list[TypedCell]]] = field(default_factory=dict)
    used_rows: dict[str, list[int]] = field(default_factory=dict)

    def frame(self, table: Table) -> pd.DataFrame:
        \"\"\"The typed used rows of a table as a DataFrame: columns are the contract's column
        keys, the index is the row offset inside the named range.\"\"\"
        import pandas as pd

        rows = self.cells.get(table.name, [])
        used = self.used_rows.get(table.name, [])
        return pd.DataFrame([[c.value for c in rows[r]] for r in used], index=used,
                            columns=[c.key for c in table.columns])

    def cell(self, table: str, row: int, col: int) -> TypedCell | None:
        rows = self.cells.get(table)
        if rows is None or row >= len(rows) or col >= len(rows[row]):
            return None
        return rows[row][col]


def row_name(table: Table, first: object, row: int) -> str:
    \"\"\"How messages name a table row: 汇总, the unit's name, or 第n行.\"\"\"
    if table.has_summary_row and row == 0:
        return "汇总"
    if table.has_summary_row and isinstance(first, str) and first.strip():
        return first.strip()
    return f"第{row + 1}行"
""",
    'evalbook/xlsxform.py': """\"\"\"Building protected, validated print-ready forms with openpyxl, recording their layout.

The toolkit under the template builder: styles, writing (merged) cells, data-validation
rules in Excel's terms, row heights for wrapped CJK text, manual page breaks, sheet
protection, and the :class:`Layout` record of every named and input cell.
\"\"\"

from __future__ import annotations

import copy
import functools
import math
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from evalbook import formulas as F
from evalbook.framework import Framework
from evalbook.numbers import fmt
from evalbook.textwidth import width as text_width
from evalbook.xlsxutil import cell_ref, col_letter, range_ref, sheet_ref

# ---------------------------------------------------------------- sheet names

COVER = "封面与报送"
PROFILE = "基本概况"
FINANCE = "收支情况"
BASE = "基础数据"
GOALS = "绩效目标"
SCORING = "评分表"
OPINIONS = "评价人员与意见"
SUMMARY = "评价报告综述"
META = "_evalbook"
SHEETS = (COVER, PROFILE, FINANCE, BASE, GOALS, SCORING, OPINIONS, SUMMARY, META)

DEFAULT_UNITS = 3
DEFAULT_TARGET_ROWS = 12
DEFAULT_EVALUATOR_ROWS = 6
MAX_UNITS = 200

# ---------------------------------------------------------------- styles

BODY_FONT = "宋体"
TITLE_FONT = "黑体"
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
FORMULA_FILL = PatternFill("solid", fgColor="E2EFDA")
HEADER_FILL = PatternFill("solid", fgColor="EDEDED")
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
UNLOCKED = Protection(locked=False)
LOCKED = Protection(locked=True)

NUMBER_FORMATS = {
    "amount": "#,##0.00", "count": "0", "percent": "0.00", "date": 'yyyy"年"m"月"d"日"',
    "phone": "@", "code": "@", "year": "0", "text": "@", "longtext": "@", "yesno": "@",
    "checklist": "@", "score": "0.00", "number": "General",
}
LINE_SPACING = 1.35 # line height / font size for CJK text as LibreOffice and Excel render it
LONG_TEXT_HEIGHT = 120.0
MAX_ROW_HEIGHT = 409.0


@functools.cache
def font(size: float = 11, bold: bool = False, name: str = BODY_FONT,
         color: str | None = None) -> Font:
    return Font(name=name, size=size, bold=bold, color=color)


BODY = font()
BOLD = font(bold=True)
WRAP_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
WRAP_TOP = Alignment(horizontal="left", vertical="top", wrap_text=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")


# ---------------------------------------------------------------- layout record


@dataclass(frozen=True)
class Area:
    \"\"\"A named cell or range: where it is and what it holds.\"\"\"

    name: str
    sheet: str
    ref: str  # A1 without $, e.g. "C5" or "A10:I21"
    kind: str  # a contract FieldType, "table", "score", "formula", "meta" ...
    label: str
    input: bool


@dataclass(frozen=True)
class InputArea:
    \"\"\"A rectangle of input cells of one type (a table contributes several).\"\"\"

    name: str  # the defined name it belongs to
    sheet: str
    ref: str
    kind: str
    label: str


@dataclass(frozen=True)
class Options:
    variant: F.Variant = "native"
    units: int = DEFAULT_UNITS
    password: str | None = None
    target_rows: int = DEFAULT_TARGET_ROWS
    evaluator_rows: int = DEFAULT_EVALUATOR_ROWS

    def __post_init__(self) -> None:
        if not 1 <= self.units <= MAX_UNITS:
            raise ValueError(f"单位行数应在 1-{MAX_UNITS} 之间，实际为 {self.units}")
        if self.variant not in ("native", "udf"):
            raise ValueError(f"unknown variant {self.variant!r}")


@dataclass(frozen=True)
class Pages:
    \"\"\"How a sheet is cut into pages: groups of rows (first, last) kept on one page.\"\"\"

    groups: tuple[tuple[int, int], ...]
    first: int  # first row of the paginated block (rows above it fill page 1)
    landscape: bool
    title_rows: tuple[int, ...] = ()


@dataclass
class Layout:
    \"\"\"Everything later code needs to find cells: names, input areas, wrap widths.\"\"\"

    options: Options
    areas: dict[str, Area] = field(default_factory=dict)
    inputs: list[InputArea] = field(default_factory=list)
    #: per sheet, rows whose height follows their wrapped text (refitted after filling)
    fit_rows: dict[str, set[int]] = field(default_factory=dict)
    pages: dict[str, Pages] = field(default_factory=dict)

    def area(self, name: str) -> Area:
        return self.areas[name]

    def inputs_of(self, name: str) -> list[InputArea]:
        return [a for a in self.inputs if a.name == name]


def unit_labels(units: int) -> list[str]:
    \"\"\"局机关, 二级机构1, 二级机构2, … (the seed's rows).\"\"\"
    return ["局机关", *(f"二级机构{i}" for i in range(1, units))]


# ---------------------------------------------------------------- validation


ValidationType = Literal["whole", "decimal", "list", "date", "textLength", "custom"]
Operator = Literal["between", "lessThanOrEqual", "greaterThanOrEqual"]


@dataclass(frozen=True)
class Rule:
    \"\"\"A data-validation rule in Excel's terms (formula relative to the first cell).\"\"\"

    type: ValidationType
    formula1: str | None = None
    formula2: str | None = None
    operator: Operator | None = None
    prompt: str = ""
    error: str = ""


def _custom(test: str, prompt: str, error: str) -> Rule:
    return Rule("custom", test, prompt=prompt, error=error)


def validation_rule(kind: str, label: str, first: str, *, minimum: Decimal | None = None,
                    maximum: Decimal | None = None, choices: str | None = None,
                    unit: str = "") -> Rule:
    \"\"\"The validation of an input of ``kind`` whose top-left cell is ``first``.\"\"\"
    x = first
    unit_text = f"（{unit}）" if unit else ""
    if kind == "amount":
        low = f",{x}>={fmt(minimum)}" if minimum is not None else ""
        lead = "不小于0的" if minimum == 0 else ""
        return _custom(f"AND(ISNUMBER({x}){low},ROUND({x},2)={x})",
                       f"请填写{lead}金额{unit_text}，最多两位小数。",
                       f"{label}应为{lead}数字{unit_text}，最多两位小数，不要输入单位或文字。")
    if kind in ("percent", "score"):
        lo = minimum if minimum is not None else Decimal(0)
        bounds = f",{x}>={fmt(lo)}" + (f",{x}<={fmt(maximum)}" if maximum is not None else "")
        span = f"{fmt(lo)}-{fmt(maximum)}" if maximum is not None else f"不小于{fmt(lo)}"
        what = "分" if kind == "score" else (unit or "")
        return _custom(f"AND(ISNUMBER({x}){bounds},ROUND({x},2)={x})",
                       f"请填写{span}{what}之间的数值，最多两位小数。",
                       f"{label}应为{span}{what}之间的数字，最多两位小数。")
    if kind == "count":
        return Rule("whole", "0", operator="greaterThanOrEqual",
                    prompt=f"请填写不小于0的整数{unit_text}。",
                    error=f"{label}应为不小于0的整数{unit_text}。")
    if kind == "year":
        return Rule("whole", "2000", "2100", "between", prompt="请填写4位年份，如 2020。",
                    error=f"{label}应为2000-2100之间的4位年份。")
    if kind == "date":
        return Rule("date", "36526", "73050", "between", prompt="请填写日期，如 2021-7-30。",
                    error=f"{label}应为有效日期（2000-2099年）。")
    if kind == "code":
        return _custom(f'AND(LEN({x})=6,TEXT(--{x},"000000")={x}&"")',
                       "请填写6位数字的预算编码，如 144001。", f"{label}应为6位数字。")
    if kind == "phone":
        digits = f'SUBSTITUTE({x},"-","")'
        return _custom(f'AND(LEN({digits})>=7,LEN({digits})<=15,'
                       f'TEXT(--{digits},REPT("0",LEN({digits})))={digits})',
                       "请填写电话号码：手机11位，或座机号码（可含区号和“-”）。",
                       f"{label}应为7-15位数字，可含“-”。")
    if kind in ("yesno", "checklist"):
        return Rule("list", '"是,否"', prompt="请选择“是”或“否”。",
                    error=f"{label}只能填写“是”或“否”。")
    if kind == "choice":
        return Rule("list", choices, prompt=f"请从下拉列表中选择{label}。",
                    error=f"{label}请从下拉列表中选择。")
    if kind == "number":
        return Rule("decimal", "-1000000000", "1000000000", "between",
                    prompt=f"请填写{label}（数字）。",
                    error=f"{label}应为数字，不要输入单位或文字。")
    limit = 32767 if kind == "longtext" else 255
    return Rule("textLength", str(limit), operator="lessThanOrEqual",
                prompt=f"请填写{label}。", error=f"{label}最多{limit}个字符。")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _data_validation(rule: Rule, title: str) -> DataValidation:
    dv = DataValidation(type=rule.type, formula1=rule.formula1, formula2=rule.formula2,
                        operator=rule.operator, allow_blank=True, showErrorMessage=True,
                        showInputMessage=True, errorStyle="stop")
    # Excel's limits: titles 32 characters, messages 255.
    dv.promptTitle = _clip(title, 32)
    dv.prompt = _clip(rule.prompt, 255)
    dv.errorTitle = _clip("输入有误", 32)
    dv.error = _clip(rule.error, 255)
    return dv


# ---------------------------------------------------------------- sheet helper


# Assigning a style makes openpyxl hash it against the workbook's style table, which
# dominates build time; a style combination is looked up once per workbook instead.
StyleCache = dict[tuple[object, ...], tuple[StyleArray, object]]
_STYLES: weakref.WeakKeyDictionary[Workbook, StyleCache] = weakref.WeakKeyDictionary()


def _style_cache(ws: Worksheet) -> StyleCache:
    if ws.parent is None:
        raise ValueError("worksheet is not part of a workbook")
    return _STYLES.setdefault(ws.parent, {})


def _get_style(cell: Any) -> StyleArray:
    style: StyleArray = copy.copy(cell._style)
    return style


def _set_style(cell: Any, style: StyleArray) -> None:
    cell._style = copy.copy(style)


def put(ws: Worksheet, row: int, col: int, value: object, *, span: int = 1, rows: int = 1,
        font_: Font = BODY, align: Alignment = WRAP_LEFT, fill: PatternFill | None = None,
        border: Border | None = BOX, number_format: str | None = None,
        locked: bool = True) -> None:
    \"\"\"Write a value (a str starting with "=" is a formula) into a possibly merged area.\"\"\"
    cell = ws.cell(row=row, column=col)
    cell.value = value  # type: ignore[assignment]
    if rows > 1 or span > 1:
        ws.merge_cells(start_row=row, start_column=col, end_row=row + rows - 1,
                       end_column=col + span - 1)
    objects = (font_, align, fill, border)
    key = (*map(id, objects), number_format, locked)
    cache = _style_cache(ws)
    for r in range(row, row + rows):
        for c in range(col, col + span):
            target = ws.cell(row=r, column=c)
            known = cache.get(key)
            if known is not None:
                _set_style(target, known[0])
                continue
            target.font = font_
            target.alignment = align
            target.protection = LOCKED if locked else UNLOCKED
            if border is not None:
                target.border = border
            if fill is not None:
                target.fill = fill
            if number_format:
                target.number_format = number_format
            # keeping the objects referenced keeps their ids from being reused
            cache[key] = (_get_style(target), objects)


def put_text(ws: Worksheet, row: int, col: int, text: str, **style: Any) -> None:
    \"\"\"A fixed label: always a string, never a formula.\"\"\"
    put(ws, row, col, text, **style)
    ws.cell(row=row, column=col).data_type = "s"


class Sheet:
    \"\"\"A worksheet with the few operations a form needs, recording names in the layout.\"\"\"

    def __init__(self, book: Book, title: str, widths: Sequence[float], landscape: bool = False):
        self.book, self.title = book, title
        self.ws: Worksheet = book.wb.create_sheet(title)
        self.widths = list(widths)
        self.landscape = landscape
        self._validations: dict[tuple[Rule, str], DataValidation] = {}
        for i, w in enumerate(widths, start=1):
            self.ws.column_dimensions[col_letter(i)].width = w

    @property
    def ncols(self) -> int:
        return len(self.widths)

    # -- writing

    def put(self, row: int, col: int, value: object, **style: Any) -> None:
        put(self.ws, row, col, value, **style)

    def text(self, row: int, col: int, text: str, **style: Any) -> None:
        put_text(self.ws, row, col, text, **style)

    def header(self, row: int, col: int, text: str, span: int = 1, rows: int = 1) -> None:
        self.text(row, col, text, span=span, rows=rows, font_=BOLD, align=CENTER,
                  fill=HEADER_FILL)

    def formula(self, row: int, col: int, formula: str, *, name: str | None = None,
                kind: str = "formula", label: str = "", span: int = 1,
                number_format: str | None = None, align: Alignment = CENTER,
                font_: Font = BODY, fill: PatternFill | None = FORMULA_FILL,
                border: Border | None = BOX) -> None:
        self.put(row, col, f"={formula}", span=span, align=align, fill=fill, font_=font_,
                 number_format=number_format, border=border)
        if name:
            self.book.name(name, self.title, cell_ref(row, col), kind, label, False)

    def input(self, row: int, col: int, name: str, kind: str, label: str, *, span: int = 1,
              rows: int = 1, rule: Rule | None = None, value: object = None,
              number_format: str | None = None, align: Alignment | None = None) -> None:
        \"\"\"An input cell (or merged area): unlocked, coloured, validated and named.\"\"\"
        fmt_ = number_format or NUMBER_FORMATS.get(kind, "General")
        if align is None:
            align = RIGHT if kind in ("amount", "count", "percent", "score", "number") else (
                WRAP_TOP if kind == "longtext" else WRAP_LEFT)
        self.put(row, col, value, span=span, rows=rows, align=align, fill=INPUT_FILL,
                 number_format=fmt_, locked=False)
        ref = cell_ref(row, col)
        merged = range_ref(row, col, row + rows - 1, col + span - 1)
        self.validate(merged, rule or validation_rule(kind, label, ref), label)
        self.book.name(name, self.title, ref, kind, label, True)
        self.book.layout.inputs.append(InputArea(name, self.title, merged, kind, label))

    def input_block(self, first_row: int, first_col: int, last_row: int, last_col: int,
                    name: str, kind: str, label: str, rule: Rule | None = None) -> str:
        \"\"\"A rectangle of inputs of one kind inside a named table.\"\"\"
        ref = range_ref(first_row, first_col, last_row, last_col)
        first = cell_ref(first_row, first_col)
        fmt_ = NUMBER_FORMATS.get(kind, "General")
        align = RIGHT if kind in ("amount", "number") else WRAP_LEFT
        for r in range(first_row, last_row + 1):
            for c in range(first_col, last_col + 1):
                self.put(r, c, None, align=align, fill=INPUT_FILL, number_format=fmt_,
                         locked=False)
        self.validate(ref, rule or validation_rule(kind, label, first), label)
        self.book.layout.inputs.append(InputArea(name, self.title, ref, kind, label))
        return ref

    def validate(self, ref: str, rule: Rule, title: str) -> None:
        # Rules with relative formulas apply to one rectangle only; others are shared.
        key = (rule, ref if rule.type == "custom" else "")
        dv = self._validations.get(key)
        if dv is None:
            dv = self._validations[key] = _data_validation(rule, title)
            self.ws.add_data_validation(dv)
        dv.add(ref)

    # -- page

    def title_row(self, row: int, text: str, size: float = 16, formula: bool = False,
                  span: int | None = None) -> None:
        value = f"={text}" if formula else text
        self.put(row, 1, value, span=span or self.ncols, font_=font(size, True, TITLE_FONT),
                 align=CENTER, border=None)
        if not formula:
            self.ws.cell(row=row, column=1).data_type = "s"
        self.ws.row_dimensions[row].height = size * 2

    def fit(self, *rows: int) -> None:
        self.book.layout.fit_rows.setdefault(self.title, set()).update(rows)

    def paginate(self, groups: Sequence[tuple[int, int]], first: int,
                 title_rows: Sequence[int] = ()) -> None:
        \"\"\"Keep each group of rows on one page (breaks are recomputed after filling).\"\"\"
        self.book.layout.pages[self.title] = Pages(tuple(groups), first, self.landscape,
                                                   tuple(title_rows))

    def finish(self, last_row: int, title_rows: str | None = None, print_cols: int | None = None,
               freeze: str | None = None, breaks: Iterable[int] = ()) -> None:
        ws = self.ws
        legend(ws)
        ws.print_area = f"A2:{col_letter(print_cols or self.ncols)}{last_row}"
        if title_rows:
            ws.print_title_rows = title_rows
        if freeze:
            ws.freeze_panes = freeze
        for row in breaks:
            ws.row_breaks.append(Break(id=row))
        page_setup(ws, self.landscape)
        protect(ws, self.book.options.password)
        fit_heights(ws, self.book.layout.fit_rows.get(self.title, ()))


class Book:
    def __init__(self, framework: Framework, options: Options) -> None:
        self.framework, self.options = framework, options
        self.wb = Workbook()
        default = self.wb.active
        if default is not None:
            self.wb.remove(default)
        self.layout = Layout(options)

    def name(self, name: str, sheet: str, ref: str, kind: str, label: str, is_input: bool
             ) -> None:
        if name in self.layout.areas:
            raise ValueError(f"defined name {name} is declared twice")
        self.wb.defined_names[name] = DefinedName(name, attr_text=sheet_ref(sheet, ref))
        self.layout.areas[name] = Area(name, sheet, ref, kind, label, is_input)


# ---------------------------------------------------------------- page, protection, heights


def legend(ws: Worksheet) -> None:
    \"\"\"Row 1 (outside the print area) explains the colours.\"\"\"
    ws["A1"] = "填写区"
    ws["A1"].fill = INPUT_FILL
    ws["A1"].font = font(9)
    ws["A1"].alignment = CENTER
    ws["B1"] = "自动计算"
    ws["B1"].fill = FORMULA_FILL
    ws["B1"].font = font(9)
    ws["B1"].alignment = CENTER
    ws["C1"] = ("说明：浅黄色单元格为填写区（鼠标停留可见填写提示）；浅绿色为自动计算，"
                "其余单元格已锁定。")
    ws["C1"].font = font(9, color="595959")
    ws.row_dimensions[1].height = 16


def page_setup(ws: Worksheet, landscape: bool) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.6
    ws.page_margins.top, ws.page_margins.bottom = 0.7, 0.7
    ws.page_margins.header = ws.page_margins.footer = 0.3
    footer = ws.oddFooter.center  # type: ignore[union-attr]
    footer.text = "第 &P 页，共 &N 页"
    footer.size = 9
    ws.sheet_view.showGridLines = False


def protect(ws: Worksheet, password: str | None) -> None:
    \"\"\"Lock the sheet; unlocked inputs stay editable, rows and columns stay resizable.\"\"\"
    p = ws.protection
    p.sheet = True
    p.selectLockedCells = False
    p.selectUnlockedCells = False
    p.formatColumns = False
    p.formatRows = False
    # the 校验 macro marks findings with a fill colour; Excel refuses that on cells of a
    # protected sheet unless formatting cells is allowed
    p.formatCells = False
    if password:
        p.password = password


def text_lines(text: str, chars: float) -> int:
    \"\"\"Wrapped lines of ``text`` in a column ``chars`` wide (CJK characters count double).\"\"\"
    usable = max(chars - 1.0, 1.0)
    return sum(max(1, math.ceil(text_width(part) * 1.05 / usable)) for part in text.split("\\n"))


def _merged_widths(ws: Worksheet) -> dict[tuple[int, int], tuple[int, int]]:
    \"\"\"Top-left (row, col) of each merged range -> (columns, rows) it spans.\"\"\"
    out = {}
    for rng in ws.merged_cells.ranges:
        out[(rng.min_row, rng.min_col)] = (rng.max_col - rng.min_col + 1,
                                           rng.max_row - rng.min_row + 1)
    return out


def fit_heights(ws: Worksheet, rows: Iterable[int]) -> None:
    \"\"\"Row heights for wrapped text (Excel does not refit rows when it opens a file).\"\"\"
    merged = _merged_widths(ws)
    for row in sorted(set(rows)):
        needed = 0.0
        for cell in ws[row]:
            value, col = cell.value, cell.column
            if not isinstance(value, str) or cell.data_type == "f" or not value or col is None:
                continue
            span, height_rows = merged.get((row, col), (1, 1))
            if height_rows > 1:
                continue
            chars = sum(float(ws.column_dimensions[col_letter(c)].width or 8.43)
                        for c in range(col, col + span))
            size = float(cell.font.sz or 11) if cell.font else 11.0
            lines = text_lines(value, chars * 11 / size)
            needed = max(needed, lines * size * LINE_SPACING + 7)
        current = ws.row_dimensions[row].height or 0
        ws.row_dimensions[row].height = max(current, min(MAX_ROW_HEIGHT, needed))


# Printable height (points) of an A4 page with our margins: portrait, landscape.
PAGE_HEIGHT = {False: 741.0, True: 494.0}


def row_height(ws: Worksheet, row: int) -> float:
    return float(ws.row_dimensions[row].height or 15.0)


def paginate(ws: Worksheet, pages: Pages) -> list[int]:
    \"\"\"Greedy manual page breaks keeping each group of rows on one page where it fits.

    Returns the rows after which a page ends. Rows 2..first-1 fill the top of page 1;
    repeated title rows the top of every later page; a group taller than 60% of a page is
    cut between its rows instead. Scaling to the page width only ever makes more fit.
    \"\"\"
    limit = PAGE_HEIGHT[pages.landscape]
    titles = sum(row_height(ws, r) for r in pages.title_rows)
    used = sum(row_height(ws, r) for r in range(2, pages.first))
    breaks: list[int] = []
    for top, bottom in pages.groups:
        height = sum(row_height(ws, r) for r in range(top, bottom + 1))
        parts = [(r, r) for r in range(top, bottom + 1)] if height > 0.6 * limit else [
            (top, bottom)]
        for a, b in parts:
            part = sum(row_height(ws, r) for r in range(a, b + 1))
            if used + part > limit and used > titles:
                breaks.append(a - 1)
                used = titles
            used += part
    return breaks
""",
    'evalbook/xlsxutil.py': """\"\"\"A1 references <-> (row, col), in Excel's own vocabulary. Rows and columns are 1-based.

Small and dependency-free so that every module addressing cells (template builder, reader,
validator, annotator) agrees on one tested implementation.
\"\"\"

from __future__ import annotations

import re

MAX_ROW = 1_048_576
MAX_COL = 16_384  # XFD

_CELL = re.compile(r"^\\$?([A-Za-z]{1,3})\\$?([0-9]{1,7})$")


def col_letter(col: int) -> str:
    \"\"\"1 -> "A", 27 -> "AA", 16384 -> "XFD".\"\"\"
    if not 1 <= col <= MAX_COL:
        raise ValueError(f"column {col} is outside 1..{MAX_COL}")
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def col_index(letters: str) -> int:
    \"\"\""A" -> 1, "aa" -> 27, "XFD" -> 16384.\"\"\"
    if not letters.isascii() or not letters.isalpha() or not 1 <= len(letters) <= 3:
        raise ValueError(f"not a column: {letters!r}")
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    if col > MAX_COL:
        raise ValueError(f"column {letters!r} is beyond XFD")
    return col


def cell_ref(row: int, col: int, absolute: bool = False) -> str:
    \"\"\"(3, 2) -> "B3"; absolute: "$B$3".\"\"\"
    if not 1 <= row <= MAX_ROW:
        raise ValueError(f"row {row} is outside 1..{MAX_ROW}")
    dollar = "$" if absolute else ""
    return f"{dollar}{col_letter(col)}{dollar}{row}"


def parse_cell(ref: str) -> tuple[int, int]:
    \"\"\""B3" or "$B$3" -> (3, 2).\"\"\"
    m = _CELL.match(ref.strip())
    if m is None:
        raise ValueError(f"not a cell reference: {ref!r}")
    row, col = int(m[2]), col_index(m[1])
    if not 1 <= row <= MAX_ROW:
        raise ValueError(f"row {row} is outside 1..{MAX_ROW}")
    return row, col


def range_ref(first_row: int, first_col: int, last_row: int, last_col: int,
              absolute: bool = False) -> str:
    \"\"\"(1, 1, 3, 2) -> "A1:B3"; a single cell gives "A1".\"\"\"
    if last_row < first_row or last_col < first_col:
        raise ValueError("a range's last cell must not precede its first cell")
    first = cell_ref(first_row, first_col, absolute)
    if (first_row, first_col) == (last_row, last_col):
        return first
    return f"{first}:{cell_ref(last_row, last_col, absolute)}"


def parse_range(ref: str) -> tuple[int, int, int, int]:
    \"\"\""A1:B3" -> (1, 1, 3, 2); "B2" -> (2, 2, 2, 2).\"\"\"
    first, sep, last = ref.partition(":")
    r1, c1 = parse_cell(first)
    r2, c2 = parse_cell(last) if sep else (r1, c1)
    if r2 < r1 or c2 < c1:
        raise ValueError(f"not a normalised range: {ref!r}")
    return r1, c1, r2, c2


def quote_sheet(name: str) -> str:
    \"\"\"A sheet name as a formula prefix: always quoted, quotes doubled ('评分表'!).\"\"\"
    return "'" + name.replace("'", "''") + "'"


def sheet_ref(sheet: str, ref: str) -> str:
    \"\"\"Absolute reference on a sheet: ("评分表", "B3:C4") -> "'评分表'!$B$3:$C$4".\"\"\"
    r1, c1, r2, c2 = parse_range(ref)
    return f"{quote_sheet(sheet)}!{range_ref(r1, c1, r2, c2, absolute=True)}"


def split_sheet_ref(text: str) -> tuple[str, str]:
    \"\"\""'评分表'!$B$3" -> ("评分表", "B3"); the inverse of :func:`sheet_ref`.\"\"\"
    sheet, sep, ref = text.lstrip("=").rpartition("!")
    if not sep or not sheet:
        raise ValueError(f"not a sheet reference: {text!r}")
    if sheet.startswith("'") and sheet.endswith("'") and len(sheet) >= 2:
        sheet = sheet[1:-1].replace("''", "'")
    r1, c1, r2, c2 = parse_range(ref)
    return sheet, range_ref(r1, c1, r2, c2)


def cells_in(ref: str) -> list[tuple[int, int]]:
    \"\"\"Every (row, col) of a range, row by row.\"\"\"
    r1, c1, r2, c2 = parse_range(ref)
    return [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
""",
    'python_calamine/__init__.py': """\"\"\"Stand-in for python_calamine in xlwings Lite (generated by `evalbook addin lite`).

python_calamine only reads workbook files; in xlwings Lite the workbook comes from Excel itself.
\"\"\"

MESSAGE = "xlwings Lite 中不能读取工作簿文件（python_calamine 不可用）"


class _Unavailable(type):
    def __getattr__(cls, name: str) -> object:
        raise RuntimeError(MESSAGE)

    def __call__(cls, *args: object, **kwargs: object) -> object:
        raise RuntimeError(MESSAGE)


class Unavailable(metaclass=_Unavailable):
    pass


def __getattr__(name: str) -> type:
    return Unavailable
""",
}


def _unpack() -> None:
    """Write the embedded evalbook package to a temporary folder and import it from there."""
    root = Path(tempfile.gettempdir()) / f"evalbook-lite-{_DIGEST}"
    for relative, text in _FILES.items():
        path = root / relative
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for name in [m for m in sys.modules if m == "evalbook" or m.startswith("evalbook.")]:
        del sys.modules[name]
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))


_unpack()

from evalbook.excel.macros import clear_marks, recalculate_scores, validate_workbook  # noqa: E402, F401
from evalbook.excel.udfs import EB_GRADE, EB_RULE_TEXT, EB_SCORE, EB_SCORES, EB_VALUE  # noqa: E402, F401
