"""The engine on the seed example, the ambiguity settings and bad inputs of every kind."""

from __future__ import annotations

import dataclasses
import pickle
from decimal import Decimal
from typing import Any

import pytest

from evalbook.engine import inputs_from_operands, score, scorer_for
from evalbook.framework import Settings, load_framework, operands
from tests.helpers import seed_inputs

FW = load_framework()

# The seed's 自评得分 column (附件3-1), indicator by indicator.
SEED_SCORES = {
    "staff_control": 5, "sangong_change": 5, "key_spending": 5, "budget_adjust": 3,
    "payment_progress": 3, "fund_balance": 3, "sangong_control": 6, "budget_rules": 3,
    "fund_compliance": 3, "disclosure": 3, "procurement": 3, "official_card": 3,
    "asset_rules": 3, "asset_safety": 4, "asset_utilization": 3, "duty_xiaokang": 5,
    "duty_growth_pole": 7, "duty_gov_report": 5, "duty_livelihood": 2, "duty_key_projects": 2,
    "duty_other": 4, "benefit_economic": 5, "benefit_social": 5, "benefit_ecological": 5,
    "satisfaction": 5,
}


def with_settings(**changes: Any) -> Any:
    return dataclasses.replace(FW, settings=dataclasses.replace(FW.settings, **changes))


def test_seed_scores_100_and_excellent_indicator_by_indicator() -> None:
    result = score(seed_inputs(), FW)
    assert {r.id: r.score for r in result.indicators} == {
        k: Decimal(v) for k, v in SEED_SCORES.items()}
    assert all(r.status == "ok" for r in result.indicators)
    assert (result.total, result.grade, result.complete) == (Decimal(100), "优", True)
    subtotals = {s.name: (s.score, s.max) for s in result.subtotals if s.level == 1}
    assert subtotals == {"投入": (15, 15), "过程": (40, 40), "产出": (25, 25), "效果": (20, 20)}


def test_seed_framework_reports_its_header_mismatch() -> None:
    assert [n.code for n in FW.notes] == ["framework-header-mismatch"] * 2
    assert FW.notes[0].message == (
        "表头“产出（20分）”与其下各项分值之和 25 分不一致，已按各项之和 25 分计算")
    assert FW.notes[1].message.startswith("表头“产出/职责履行（20分）”")
    assert FW.total_max == 100


@pytest.mark.parametrize(("mode", "expected"), [
    ("proportional", "3.75"),  # 102.5% -> 2.5 points x 0.5
    ("started", "3.5"),        # 3 started points
    ("whole", "4"),            # 2 whole points
])
def test_per_point_setting(mode: str, expected: str) -> None:
    inputs = seed_inputs() | {"EB_STAFF_ACTUAL": 205, "EB_STAFF_QUOTA": 200}
    fw = load_framework()
    fw = dataclasses.replace(fw, indicators=tuple(
        dataclasses.replace(i, rule=dataclasses.replace(i.rule, mode=mode))  # type: ignore[call-arg]
        if i.id == "staff_control" else i for i in fw.indicators))
    assert score(inputs, fw).by_id()["staff_control"].score == Decimal(expected)


def test_mode_defaults_come_from_settings() -> None:
    import tomllib
    from importlib import resources

    from evalbook.framework import parse_framework

    data = tomllib.loads((resources.files("evalbook") / "frameworks" /
                          "yueyang_yunxi_2020.toml").read_text(encoding="utf-8"))
    data["settings"]["per_point"] = "whole"
    fw = parse_framework(data, "x.toml", "0")
    inputs = seed_inputs() | {"EB_STAFF_ACTUAL": 205, "EB_STAFF_QUOTA": 200}
    assert score(inputs, fw).by_id()["staff_control"].score == Decimal(4)


def sangong(current: object, prev: object) -> dict[str, Any]:
    inputs = seed_inputs()
    inputs["EB_SANGONG"][0][1] = current
    inputs["EB_SANGONG_PREV"] = prev
    return inputs


def test_sangong_both_zero_is_full_marks_by_default() -> None:
    result = score(sangong(0, 0), FW).by_id()["sangong_change"]
    assert (result.score, result.status, result.value) == (Decimal(5), "ok", None)


@pytest.mark.parametrize(("policy", "expected_score", "status"), [
    ("full", Decimal(5), "ok"), ("zero", Decimal(0), "ok"), ("judged", None, "needs-judgement")])
def test_zero_over_zero_setting(policy: str, expected_score: Decimal | None, status: str) -> None:
    result = score(sangong(0, 0), with_settings(zero_over_zero=policy)).by_id()["sangong_change"]
    assert (result.score, result.status) == (expected_score, status)


def test_last_year_zero_this_year_positive_needs_the_evaluator() -> None:
    result = score(sangong("0.12", 0), FW).by_id()["sangong_change"]
    assert result.status == "needs-judgement"
    assert "人工评分" in result.reason
    inputs = sangong("0.12", 0) | {"EB_MANUAL_SANGONG_CHANGE": 4,
                                   "EB_REASON_SANGONG_CHANGE": "上年无三公经费，新增接待"}
    judged = score(inputs, FW).by_id()["sangong_change"]
    assert (judged.score, judged.status, judged.reason) == (Decimal(4), "ok",
                                                           "上年无三公经费，新增接待")
    # a manual score is clamped into [0, 分值] like every score
    over = score(sangong("0.12", 0) | {"EB_MANUAL_SANGONG_CHANGE": 9}, FW)
    assert over.by_id()["sangong_change"].score == Decimal(5)


def test_nonzero_over_zero_zero_policy() -> None:
    fw = with_settings(nonzero_over_zero="zero")
    assert score(sangong("0.12", 0), fw).by_id()["sangong_change"].score == Decimal(0)


def test_staff_quota_zero() -> None:
    result = score(seed_inputs() | {"EB_STAFF_QUOTA": 0}, FW).by_id()["staff_control"]
    assert result.status == "needs-judgement"


@pytest.mark.parametrize(("raw", "expected", "note"), [
    ("88.00万元", "5", "text-number"),
    ("１９０", "5", "text-number"),
    ("1,234.50", "5", "text-number"),
    ("  0.15 ", "5", "text-number"),
    (0.15, "5", None),
])
def test_unambiguous_text_is_read_with_a_warning(raw: object, expected: str,
                                                 note: str | None) -> None:
    result = score(seed_inputs() | {"EB_SANGONG_PREV": raw}, FW)
    assert result.by_id()["sangong_change"].score == Decimal(expected)
    assert [(n.key, n.code) for n in result.notes] == ([("EB_SANGONG_PREV", note)] if note else [])


@pytest.mark.parametrize("raw", ["六", "约100", "95%以上", "abc", "#DIV/0!", "#NAME?", True,
                                 [1], {"a": 1}])
def test_ambiguous_or_wrong_values_give_a_status_not_an_exception(raw: object) -> None:
    result = score(seed_inputs() | {"EB_STAFF_ACTUAL": raw}, FW)
    staff = result.by_id()["staff_control"]
    assert (staff.score, staff.status) == (None, "invalid-input")
    assert "EB_STAFF_ACTUAL" in staff.keys
    assert not result.complete
    assert [(n.key, n.severity) for n in result.notes] == [("EB_STAFF_ACTUAL", "error")]


@pytest.mark.parametrize(("raw", "expected"), [("95%", "5"), ("１００％", "5"), ("94.99%", "3")])
def test_percent_text(raw: str, expected: str) -> None:
    assert score(seed_inputs() | {"EB_SATISFACTION": raw}, FW).by_id()["satisfaction"].score == \
        Decimal(expected)


def test_missing_inputs_are_reported_per_indicator() -> None:
    result = score({}, FW)
    statuses = {r.id: r.status for r in result.indicators}
    assert set(statuses.values()) == {"missing-input", "needs-judgement"}
    assert result.total == 0 and not result.complete


def test_wrong_structures_never_raise() -> None:
    inputs = seed_inputs() | {"EB_EXPENSE": "garbage", "EB_CHECK_DISCLOSURE": "是",
                              "EB_TARGETS": [["x"], "row"], "EB_SANGONG": [[]]}
    result = score(inputs, FW)
    by_id = result.by_id()
    assert by_id["key_spending"].status == "missing-input"
    assert by_id["disclosure"].status == "missing-input"
    assert by_id["sangong_change"].status == "missing-input"


def test_checklist_with_other_word_is_invalid() -> None:
    result = score(seed_inputs() | {"EB_CHECK_ASSET_RULES": ["是", "yes"]}, FW)
    assert result.by_id()["asset_rules"].status == "invalid-input"


@pytest.mark.parametrize(("raw", "status"), [(6, "out-of-range"), (-1, "out-of-range"),
                                              ("五", "invalid-input")])
def test_judged_score_checks(raw: object, status: str) -> None:
    result = score(seed_inputs() | {"EB_SCORE_BENEFIT_SOCIAL": raw}, FW)
    assert result.by_id()["benefit_social"].status == status


def test_points_lost_get_an_automatic_reason_unless_one_is_given() -> None:
    inputs = seed_inputs() | {"EB_SATISFACTION": 90}
    assert score(inputs, FW).by_id()["satisfaction"].reason == "满意度为90%，按评分标准扣2分"
    inputs["EB_REASON_SATISFACTION"] = "部分拆迁户不满意"
    assert score(inputs, FW).by_id()["satisfaction"].reason == "部分拆迁户不满意"


def test_results_pickle_and_json_shape() -> None:
    result = score(seed_inputs(), FW)
    assert pickle.loads(pickle.dumps(result.indicators)) == result.indicators
    data = result.to_json()
    assert set(data) >= {"framework", "indicators", "subtotals", "total", "grade"}
    assert set(data["indicators"][0]) == {"id", "name", "max", "value", "score", "status",
                                          "reason"}
    assert data["total"] == 100 and data["grade"] == "优"


def test_single_indicator_from_udf_style_operands() -> None:
    ind = FW.indicator("staff_control")
    keys = operands(ind, FW.settings)
    inputs = inputs_from_operands(keys, (201, 200, None))
    assert scorer_for(FW).indicator("staff_control", inputs).score == Decimal("4.75")
    ind = FW.indicator("fund_balance")
    keys = operands(ind, FW.settings)
    assert keys == ("EB_EXPENSE.balance_year", "EB_INCOME.carryover")
    inputs = inputs_from_operands(keys, (5, 5))
    assert scorer_for(FW).indicator("fund_balance", inputs).score == Decimal(2)


def test_settings_defaults_match_spec() -> None:
    assert Settings() == Settings(per_point="proportional", zero_over_zero="full",
                                  nonzero_over_zero="judged", places=2)
    budget_adjust = FW.indicator("budget_adjust")
    assert budget_adjust.value.absolute
