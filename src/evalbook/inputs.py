"""Reading the JSON input format of SPEC section 5 (``score --inputs``, ``template --fill``)."""

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
    """The inputs file cannot be used; the message is Chinese and names the file."""


def known_names(framework: Framework) -> set[str]:
    names = {f.name for f in FORM_FIELDS} | {f.name for f in framework.fields}
    names |= {t.name for t in TABLES} | {TOTAL_SCORE, GRADE} | set(SPEC_BASE_NAMES)
    for ind in framework.indicators:
        names |= {score_name(ind.id), reason_name(ind.id), manual_name(ind.id)}
    return names


def load_inputs(path: Path, framework: Framework) -> dict[str, Any]:
    """Load an inputs JSON file, refusing unknown keys and malformed structure."""
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
