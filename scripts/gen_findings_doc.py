"""Generate docs/findings.md from the findings catalogue and the rule registry.

Run: .venv/bin/python scripts/gen_findings_doc.py          (writes the file)
     .venv/bin/python scripts/gen_findings_doc.py --check  (exit 1 if it is stale)
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

from evalbook.checks import RULES
from evalbook.findings import CATALOGUE, SEVERITY_LABELS

OUT = Path(__file__).resolve().parent.parent / "docs" / "findings.md"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render() -> str:
    lines = [
        "# 校验规则与问题代码",
        "",
        "<!-- 本文件由 scripts/gen_findings_doc.py 根据 evalbook.findings.CATALOGUE 和",
        "     evalbook.checks.RULES 生成，请勿手工修改；测试会检查它是否过期。 -->",
        "",
        "`evalbook validate` 报告的每个问题都有一个稳定的代码（`code`）、严重程度"
        "（`error` 错误 / `warning` 警告 / `info` 提示）、所在的工作表和单元格，"
        "以及由下表中的消息模板生成的中文说明。退出码：0 无错误；1 发现错误；"
        "2 有文件无法读取。",
        "",
        "## 校验规则",
        "",
        "单元格的类型、格式、范围和必填项由数据模式（`evalbook.schemas`）检查；"
        "下列规则（`evalbook.checks`，按运行顺序）检查表内、跨表和得分的一致性。",
        "",
    ]
    for rule_id, rule in RULES.items():
        doc = inspect.cleandoc(rule.__doc__ or "")
        title, _, body = doc.partition("\n")
        body = body.strip().replace("::\n", "：\n")  # reST literal blocks -> indented code
        lines += [f"### `{rule_id}` — {title.split('（')[0]}", "", body, ""]
    lines += ["## 问题代码", ""]
    groups: dict[str, list[str]] = {}
    for kind in CATALOGUE.values():
        groups.setdefault(kind.group, []).append(kind.code)
    for group, codes in groups.items():
        lines += [f"### {group}", "", "| 代码 | 严重程度 | 标题 | 消息模板 |",
                  "|---|---|---|---|"]
        for code in codes:
            kind = CATALOGUE[code]
            severity = f"{SEVERITY_LABELS[kind.severity]}（{kind.severity}）"
            lines.append(f"| `{code}` | {severity} | {_cell(kind.title)} | "
                         f"{_cell(kind.template)} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT} 已过期，请运行 python scripts/gen_findings_doc.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
