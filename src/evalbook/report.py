"""Rendering validation results: text for a terminal (grouped by file and sheet) and JSON.

Exit status (SPEC section 5): 2 if any file could not be read, else 1 if any error was
found, else 0.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from evalbook.findings import SEVERITY_LABELS, Finding
from evalbook.numbers import fmt
from evalbook.textwidth import pad
from evalbook.validator import FileReport

WHOLE_FILE = "（整个文件）"


def exit_status(reports: Sequence[FileReport]) -> int:
    if any(not r.readable for r in reports):
        return 2
    return 1 if any(not r.ok for r in reports) else 0


def render_json(reports: Sequence[FileReport]) -> str:
    return json.dumps([r.to_json() for r in reports], ensure_ascii=False, indent=2)


def _counts(findings: Sequence[Finding]) -> str:
    parts = []
    for severity, label in SEVERITY_LABELS.items():
        n = sum(f.severity == severity for f in findings)
        if n:
            parts.append(f"{n} 个{label}")
    return "，".join(parts) or "未发现问题"


def _headline(report: FileReport) -> str:
    if not report.readable:
        return f"{report.file}：无法读取"
    score = "总分无法计算" if report.score is None else (
        f"总分 {fmt(report.score)}，评价等次 {report.grade}")
    verdict = "通过" if report.ok else "未通过"
    return f"{report.file}：{verdict}（{score}；{_counts(report.findings)}）"


def render_file(report: FileReport) -> list[str]:
    lines = [_headline(report)]
    sheet: str | bool | None = False  # False: no group printed yet
    for f in report.findings:
        if f.sheet != sheet:
            sheet = f.sheet
            lines.append(f"  {WHOLE_FILE if f.sheet is None else f.sheet}")
        cell = pad(f.cell or "", 7)
        lines.append(f"    {cell}{SEVERITY_LABELS[f.severity]}  {f.message}  [{f.code}]")
    return lines


def render_text(reports: Sequence[FileReport]) -> str:
    lines: list[str] = []
    for report in reports:
        if lines:
            lines.append("")
        lines += render_file(report)
    if len(reports) > 1:
        unread = sum(not r.readable for r in reports)
        failed = sum(r.readable and not r.ok for r in reports)
        lines += ["", f"共 {len(reports)} 个文件：{len(reports) - unread - failed} 个通过，"
                      f"{failed} 个有错误，{unread} 个无法读取。"]
    return "\n".join(lines)
