"""Loading frameworks: validation messages, rendered 评分标准 text and a second region."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from evalbook.engine import score
from evalbook.framework import FrameworkError, load_framework, parse_framework
from tests.helpers import OTHER_FRAMEWORK, seed_inputs


def seed_data() -> dict[str, Any]:
    text = (resources.files("evalbook") / "frameworks" / "yueyang_yunxi_2020.toml").read_text(
        encoding="utf-8")
    return tomllib.loads(text)


def problems_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(FrameworkError) as info:
        parse_framework(data, "bad.toml", "0")
    assert "评分框架《bad.toml》有误" in str(info.value)
    return info.value.problems


def test_duplicate_ids() -> None:
    data = seed_data()
    data["indicators"][1]["id"] = "staff_control"
    assert "指标 id staff_control 重复" in problems_of(data)


def test_rule_missing_a_parameter() -> None:
    data = seed_data()
    del data["indicators"][0]["rule"]["per_point"]
    assert problems_of(data) == ["第1个指标 staff_control 的规则 linear 缺少参数 per_point"]


@pytest.mark.parametrize(("change", "expected"), [
    (lambda d: d["indicators"][0]["rule"].update(kind="magic"), "规则类型 'magic' 未知"),
    (lambda d: d["indicators"][0]["rule"].update(direction="up"), "参数 direction 只能是 above/below"),
    (lambda d: d["indicators"][0]["rule"].update(per_point="半分"), "参数 per_point 应为数字"),
    (lambda d: d["indicators"][0]["value"].update(num="EB_NOPE"), "引用的字段 EB_NOPE 未在 fields 中声明"),
    (lambda d: d["indicators"][1]["value"].update(num="EB_SANGONG.nope"), "引用的表格数据 EB_SANGONG.nope 不存在"),
    (lambda d: d["indicators"][7]["rule"].update(points=[1, 1]), "清单有 3 项，但给出了 2 个分值"),
    (lambda d: d.pop("grades"), "没有评价等次（grades）"),
    (lambda d: d["indicators"][0].pop("max"), "第1个指标 staff_control 缺少 max"),
    (lambda d: d["indicators"][0]["rule"].update(extra=1), "有未知参数 ['extra']"),
])
def test_loader_problems(change: Any, expected: str) -> None:
    data = seed_data()
    change(data)
    assert any(expected in p for p in problems_of(data)), problems_of(data)


@pytest.mark.parametrize("data", [{"indicators": 1}, {"indicators": [1]}, {"settings": 3},
                                  {"fields": [{"name": 1, "items": 5}]},
                                  {"indicators": [{"id": "a", "rule": {"kind": "bands", "bands": 3}}]}])
def test_wrong_structure_is_a_framework_error(data: dict[str, Any]) -> None:
    assert problems_of(data)


def test_bad_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("id = [", encoding="utf-8")
    with pytest.raises(FrameworkError, match="不是有效的 UTF-8 TOML"):
        load_framework(bad)
    with pytest.raises(FrameworkError, match="无法读取文件"):
        load_framework(tmp_path / "missing.toml")


def test_criteria_text_reads_like_the_seed() -> None:
    fw = load_framework()
    texts = {i.id: i.criteria_text() for i in fw.indicators}
    assert texts["staff_control"] == (
        "以100%为标准。在职人员控制率≤100%，计5分；每超过一个百分点扣0.5分，扣完为止。")
    assert texts["key_spending"] == (
        "重点支出安排率≥90%，计5分；80%（含）-90%，计4分；70%（含）-80%，计3分；"
        "60%（含）-70%，计2分；低于60%，不得分。")
    assert texts["fund_balance"] == (
        "无结余，3分；有结余，但不超过上年结转，2分；结余超过上年结转，不得分。")
    assert texts["disclosure"].splitlines()[1] == "②按规定时限公开预决算信息，0.5分；"
    assert texts["payment_progress"].endswith("每出现一个专项未按进度完成资金下达扣0.5分，扣完为止。")


def test_changing_a_parameter_changes_text_and_score_together() -> None:
    data = seed_data()
    data["indicators"][0]["rule"]["per_point"] = 1
    fw = parse_framework(data, "x.toml", "0")
    assert "每超过一个百分点扣1分" in fw.indicator("staff_control").criteria_text()
    inputs = seed_inputs() | {"EB_STAFF_ACTUAL": 202, "EB_STAFF_QUOTA": 200}
    assert score(inputs, fw).by_id()["staff_control"].score == Decimal(4)


OTHER_INPUTS = {
    "EB_STAFF_ACTUAL": 81, "EB_STAFF_QUOTA": 80, "EB_SANGONG_PREV": "0.10",
    "EB_CHECK_TARGETS": ["是", "否", "是"], "EB_BUDGET_INITIAL": 95, "EB_PUBLIC_BUDGET": "0.25",
    "EB_TASKS_PLANNED": 8, "EB_TASKS_DONE": 6, "EB_SATISFACTION": 85, "EB_SCORE_BENEFIT": 4,
}


def test_second_region_scores_without_code_change() -> None:
    fw = load_framework(OTHER_FRAMEWORK)
    inputs = seed_inputs() | OTHER_INPUTS
    result = score(inputs, fw)
    got = {r.id: (r.value, r.score) for r in result.indicators}
    assert got == {
        "staff": (Decimal("101.25"), Decimal("0.8")),          # started: 2 points x 0.1
        "sangong_change": (Decimal("20"), Decimal("0")),       # +20% x 0.3 = 6 > 3
        "target_quality": (Decimal(2), Decimal(2)),
        "budget_completion": (Decimal("92.63"), Decimal(2)),   # 7.37 below: 1 whole step of 5%
        "public_cost": (Decimal("120"), Decimal(0)),
        "key_tasks": (Decimal("75"), Decimal("3.75")),         # 5 x 75%
        "satisfaction": (Decimal(85), Decimal(1)),
        "benefit": (None, Decimal(4)),
    }
    assert result.total == Decimal("13.55")
    assert fw.total_max == 25
    assert result.grade == "差"
    assert [n.code for n in fw.notes] == ["framework-header-mismatch", "framework-header-mismatch"]
    texts = {i.id: i.criteria_text() for i in fw.indicators}
    assert texts["budget_completion"] == (
        "预算完成率≥100%，计4分；每低于5%扣2分（不足一档的不扣分），扣完为止。")
    assert "（不足一个百分点的按一个百分点计）" in texts["staff"]
    assert texts["key_tasks"].startswith("得分=分值×重点工作完成率/100%")
