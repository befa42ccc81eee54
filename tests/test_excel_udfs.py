"""The worksheet functions, called through xlwings' own Office.js dispatch.

Every UDF is called as xlwings Lite and Server call it (``custom_functions_call`` with the
payload Office.js posts); results must equal the engine's, for the seed example and for
randomised inputs, and the function wizard texts must be Chinese.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tests.support.officejs as js  # first: enables xlwings' Office.js decorators
from evalbook.contract import score_name
from evalbook.engine import score
from evalbook.excel import cells, udfs
from evalbook.excel.cells import shown_score, shown_value
from evalbook.framework import load_framework, operands
from tests.helpers import OTHER_FRAMEWORK, seed_inputs
from tests.support.keys import set_at, value_at

FW = load_framework()
COMPUTED = [i for i in FW.indicators if not i.judged]
UDF_NAMES = {"EB_SCORE", "EB_VALUE", "EB_SCORES", "EB_GRADE", "EB_RULE_TEXT"}


def keys_of(ind_id: str) -> tuple[str, ...]:
    return operands(FW.indicator(ind_id), FW.settings)


def udf(name: str, ind_id: str, inputs: dict[str, Any]) -> Any:
    args = tuple(value_at(inputs, k) for k in keys_of(ind_id))
    (result,), = js.call(udfs, name, ind_id, args)
    return result


# ---------------------------------------------------------------- metadata


def _cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_meta_lists_every_udf_with_chinese_descriptions() -> None:
    meta = js.custom_functions_meta(udfs)
    functions = {f["name"]: f for f in meta["functions"]}
    assert set(functions) == UDF_NAMES
    assert all(f["id"] == f["name"] for f in functions.values())  # dispatch by Python name
    for f in functions.values():
        assert _cjk(f["description"]), f["name"]
        assert all(_cjk(p["description"]) for p in f["parameters"]), f["name"]
    params = {n: [(p["name"], p.get("repeating", False)) for p in f["parameters"]]
              for n, f in functions.items()}
    assert params == {
        "EB_SCORE": [("indicator_id", False), ("values", True)],
        "EB_VALUE": [("indicator_id", False), ("values", True)],
        "EB_SCORES": [("inputs", False)],
        "EB_GRADE": [("total", False)],
        "EB_RULE_TEXT": [("indicator_id", False)],
    }


# ---------------------------------------------------------------- the seed example


def test_seed_example_scores_and_values_equal_the_engine() -> None:
    inputs = seed_inputs()
    expected = score(inputs, FW).by_id()
    for ind in COMPUTED:
        assert udf("EB_SCORE", ind.id, inputs) == shown_score(expected[ind.id]), ind.id
        assert udf("EB_VALUE", ind.id, inputs) == shown_value(expected[ind.id], ind), ind.id
    assert udf("EB_SCORE", "staff_control", inputs) == 5.0
    assert udf("EB_VALUE", "staff_control", inputs) == 75.0  # 6 / 8


def block_of(inputs: dict[str, Any]) -> list[list[Any]]:
    return [[k, value_at(inputs, k)] for k in cells.block_keys(FW)]


def test_scores_block_equals_the_engine_for_the_whole_table() -> None:
    inputs = seed_inputs()
    result = js.call(udfs, "EB_SCORES", block_of(inputs))
    engine = score(inputs, FW)
    assert result == [[r.id, shown_score(r)] for r in engine.indicators] + [
        ["EB_TOTAL_SCORE", 100.0], ["EB_GRADE", "优"]]


# ---------------------------------------------------------------- statuses


CASES = [
    # (indicator, overrides of its operand cells, EB_SCORE shows, EB_VALUE shows)
    ("staff_control", {"EB_STAFF_ACTUAL": 205, "EB_STAFF_QUOTA": 200}, 3.75, 102.5),
    ("staff_control", {"EB_STAFF_ACTUAL": None}, "待填写", "待填写"),
    ("staff_control", {"EB_STAFF_ACTUAL": "六"}, "输入有误：“实有人数”无法识别为数字（“六”）",
     "输入有误：“实有人数”无法识别为数字（“六”）"),
    ("staff_control", {"EB_STAFF_ACTUAL": "6人"}, 5.0, 75.0),  # read as 6, with a warning
    ("sangong_change", {"EB_SANGONG_PREV": 0}, "需人工评分", "无法计算"),
    ("sangong_change", {"EB_SANGONG_PREV": 0, "EB_MANUAL_SANGONG_CHANGE": 3.5}, 3.5, "无法计算"),
    ("sangong_change", {"EB_SANGONG_PREV": 0, "EB_SANGONG.total": 0}, 5.0, "无法计算"),
    ("disclosure", {"EB_CHECK_DISCLOSURE#2": "否"}, 2.5, 2.5),
    ("disclosure", {"EB_CHECK_DISCLOSURE#2": None}, "待填写", "待填写"),
    ("disclosure", {"EB_CHECK_DISCLOSURE#2": "有"}, "输入有误：应填写是/否，实际为“有”",
     "输入有误：应填写是/否，实际为“有”"),
    ("satisfaction", {"EB_SATISFACTION": 94.99}, 3.0, 94.99),
]


@pytest.mark.parametrize(("ind_id", "overrides", "score_shown", "value_shown"), CASES)
def test_status_texts(ind_id: str, overrides: dict[str, Any], score_shown: Any,
                      value_shown: Any) -> None:
    inputs = seed_inputs()
    for key, value in overrides.items():
        set_at(inputs, key, value)
    assert udf("EB_SCORE", ind_id, inputs) == score_shown
    assert udf("EB_VALUE", ind_id, inputs) == value_shown


def test_bad_calls_are_explained_not_raised() -> None:
    assert js.call(udfs, "EB_SCORE", "no_such", (1, 2)) == [["输入有误：未知指标“no_such”"]]
    assert js.call(udfs, "EB_SCORE", "staff_control", (6, 8)) == [
        ["输入有误：“财政供养人员控制率”需要 3 个单元格参数，实际为 2 个"]]
    assert js.call(udfs, "EB_SCORE", "benefit_social", ()) == [["需人工评分"]]


def test_a_range_argument_counts_cell_by_cell() -> None:
    whole = [["是"], ["否"], ["是"], ["是"], ["是"]]
    assert js.call(udfs, "EB_SCORE", "disclosure", (whole,)) == [[2.5]]


@pytest.mark.parametrize(("total", "grade"), [
    (100, "优"), (90, "优"), (89.99, "良"), (80, "良"), (79.99, "中"), (60, "中"),
    (59.99, "差"), (0, "差"), ("95", "优"), (None, "待填写"),
    ("高分", "输入有误：总分“高分”无法识别为数字"),
])
def test_grade(total: Any, grade: str) -> None:
    assert js.call(udfs, "EB_GRADE", total) == [[grade]]


def test_rule_text_is_the_criteria_text_of_every_indicator() -> None:
    for ind in FW.indicators:
        assert js.call(udfs, "EB_RULE_TEXT", ind.id) == [[ind.criteria_text()]]
    assert js.call(udfs, "EB_RULE_TEXT", "x") == [["输入有误：未知指标“x”"]]


def test_framework_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    other = load_framework(OTHER_FRAMEWORK)
    monkeypatch.setenv(cells.FRAMEWORK_ENV, str(OTHER_FRAMEWORK))
    some = other.indicators[0]
    assert js.call(udfs, "EB_RULE_TEXT", some.id) == [[some.criteria_text()]]
    broken = tmp_path / "broken.toml"
    broken.write_text("这不是 TOML = =\n", encoding="utf-8")
    monkeypatch.setenv(cells.FRAMEWORK_ENV, str(broken))
    (shown,), = js.call(udfs, "EB_SCORE", "staff_control", (6, 8, None))
    assert shown.startswith("评分框架有误：")


# ---------------------------------------------------------------- randomised inputs

NUMBERS = st.one_of(
    st.none(), st.integers(-5, 400),
    st.decimals(0, 500, places=2, allow_nan=False).map(float),
    st.sampled_from(["", "88.00万元", "８８", "１００％", "≦0", "六", "约100", "#DIV/0!"]),
)
CHOICES = st.sampled_from(["是", "否", None, "", "有", " 是 "])
ALL_KEYS = sorted({k for ind in COMPUTED for k in keys_of(ind.id)})


@st.composite
def random_inputs(draw: st.DrawFn) -> dict[str, Any]:
    inputs = seed_inputs()
    for key in ALL_KEYS:
        if draw(st.booleans()):
            set_at(inputs, key, draw(CHOICES if "#" in key else NUMBERS))
    return inputs


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_inputs())
def test_randomised_inputs_give_the_engines_scores(inputs: dict[str, Any]) -> None:
    expected = score(inputs, FW)
    by_id = expected.by_id()
    for ind in COMPUTED:
        shown = udf("EB_SCORE", ind.id, inputs)
        assert shown == shown_score(by_id[ind.id]), ind.id
        if isinstance(shown, float):
            assert 0 <= Decimal(repr(shown)) <= ind.max
        assert udf("EB_VALUE", ind.id, inputs) == shown_value(by_id[ind.id], ind), ind.id
    block = js.call(udfs, "EB_SCORES", block_of(inputs))
    assert block[-2:] == [["EB_TOTAL_SCORE", float(expected.total)], ["EB_GRADE", expected.grade]]


def test_judged_scores_come_from_their_own_cells_in_the_block() -> None:
    inputs = seed_inputs() | {score_name("benefit_social"): 3}
    block = dict(map(tuple, js.call(udfs, "EB_SCORES", block_of(inputs))))  # type: ignore[arg-type]
    assert block["benefit_social"] == 3.0
    assert block["EB_TOTAL_SCORE"] == 98.0
