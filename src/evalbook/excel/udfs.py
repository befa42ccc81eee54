"""Worksheet functions of the add-in: EB_SCORE, EB_VALUE, EB_SCORES, EB_GRADE, EB_RULE_TEXT.

The Python names are the Excel names: xlwings dispatches Office.js calls by the Python
name and classic (COM) xlwings registers the Python name, so one spelling serves the
desktop add-in, xlwings Lite and xlwings Server alike. Docstrings and ``doc=`` texts are
what Excel's function wizard shows. Each function only forwards to
:mod:`evalbook.excel.cells`; nothing is computed here.

Only ``import xlwings as xw`` is used (the BSD decorators, or whatever the runtime
installs under those names); never the PRO or server subpackages of xlwings.
"""

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
    """按评分框架计算一个指标的自评得分；无法计算时显示原因（待填写、需人工评分、输入有误：…）。"""
    return cells.score_cell(indicator_id, values)


@xw.func
@xw.arg("indicator_id", doc=_ID_DOC)
@xw.arg("values", doc=_VALUES_DOC)
def EB_VALUE(indicator_id: str, *values: Any) -> Any:
    """计算一个指标的计算值（如控制率、变动率，单位见评分表）；无法计算时显示原因。"""
    return cells.value_cell(indicator_id, values)


@xw.func
@xw.arg("inputs", ndim=2,
        doc="两列区域：第一列为数据键（如 EB_STAFF_ACTUAL、EB_SANGONG.total），第二列为对应的值")
def EB_SCORES(inputs: Any) -> list[list[Any]]:
    """一次计算全部指标：返回“指标编号 | 得分”两列，最后两行为总分和评价等次。"""
    return cells.score_block(inputs or [])


@xw.func
@xw.arg("total", doc="总分（0-100），通常为 EB_TOTAL_SCORE")
def EB_GRADE(total: Any) -> str:
    """按评分框架的等次区间，由总分得出评价等次（优、良、中、差）。"""
    return cells.grade_cell(total)


@xw.func
@xw.arg("indicator_id", doc=_ID_DOC)
def EB_RULE_TEXT(indicator_id: str) -> str:
    """显示一个指标的评分标准（由评分框架中的规则参数生成）。"""
    return cells.rule_text(indicator_id)
