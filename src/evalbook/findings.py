"""The findings catalogue: every problem the validator can report, as data.

Each kind of problem has a stable kebab-case ``code``, a Chinese ``title``, a message
``template`` (``str.format`` fields are filled with the offending and the expected value)
and a default ``severity``. A :class:`Finding` is one occurrence, addressed to a sheet and
an A1 cell. ``docs/findings.md`` is generated from :data:`CATALOGUE`
(``scripts/gen_findings_doc.py``); a test fails when it is stale.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
SEVERITY_LABELS: dict[Severity, str] = {"error": "错误", "warning": "警告", "info": "提示"}


class HasSeverity(Protocol):
    @property
    def severity(self) -> str: ...


class SeverityCounts:
    """``errors`` and ``warnings`` of anything holding ``findings`` (reports, summary rows)."""

    findings: Sequence[HasSeverity]

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)


@dataclass(frozen=True)
class Kind:
    """One catalogue entry."""

    code: str
    group: str
    title: str
    template: str
    severity: Severity


@dataclass(frozen=True)
class Finding:
    """One problem at one place; frozen and picklable (it crosses process pools)."""

    code: str
    severity: Severity
    sheet: str | None
    cell: str | None
    message: str
    indicator: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The SPEC section 5 shape."""
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
    """A finding of catalogue kind ``code``, its message rendered from the template."""
    kind = CATALOGUE[code]
    message = kind.template.format_map({k: _text(v) for k, v in values.items()})
    return Finding(code, severity or kind.severity, sheet, cell, message, indicator)


def make_with(code: str, sheet: str | None, cell: str | None, values: Mapping[str, object],
              indicator: str | None = None) -> Finding:
    """Like :func:`make`, with the template's values given as a mapping."""
    kind = CATALOGUE[code]
    message = kind.template.format_map({k: _text(v) for k, v in values.items()})
    return Finding(code, kind.severity, sheet, cell, message, indicator)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def valid_code(code: str) -> bool:
    return bool(_CODE.match(code))
