"""“存在的主要问题”填写为“无”（problems-none）。

评价报告综述中的“存在的主要问题”填写为“无”（或“没有”“暂无”等）时，若有指标被扣分、
或有定量绩效目标未完成，则提示：自评发现的问题应如实写明。

通过的例子::

    所有指标满分，所有目标完成；存在的主要问题：无

不通过的例子（报告在“存在的主要问题”单元格，代码 ``problems-none``）::

    公务卡刷卡率 目标 ≥100，实际 99（未完成）；存在的主要问题：无
"""

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
