"""Table-driven band edges and rule boundaries of SPEC section 3 (the seed framework)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from evalbook.engine import score
from evalbook.framework import load_framework
from tests.helpers import seed_inputs, set_summary

FW = load_framework()


def scored(indicator: str, **changes: Any) -> Decimal | None:
    inputs = seed_inputs()
    for key, value in changes.items():
        if key.startswith("summary_"):
            table, col = key.removeprefix("summary_").rsplit("_", 1)
            set_summary(inputs, f"EB_{table.upper()}", int(col), value)
        else:
            inputs[key] = value
    return score(inputs, FW).by_id()[indicator].score


@pytest.mark.parametrize(("key_exp", "expected"), [
    (100, "5"), (90, "5"), ("89.99", "4"), (80, "4"), ("79.99", "3"), (70, "3"), ("69.99", "2"),
    (60, "2"), ("59.99", "0"), (0, "0"),
])
def test_key_spending_bands(key_exp: object, expected: str) -> None:
    # 项目支出 of the 汇总 row is 100, so the rate equals the key spending
    assert scored("key_spending", EB_KEY_PROJECT_EXP=key_exp, summary_expense_6=100) == \
        Decimal(expected)


@pytest.mark.parametrize(("adjust", "expected"), [
    (0, "3"), ("0.01", "2"), (10, "2"), ("10.01", "1"), (20, "1"), ("20.01", "0.5"), (30, "0.5"),
    ("30.01", "0"), (100, "0"), (-5, "2"), ("-10.01", "1"),
])
def test_budget_adjust_bands_absolute(adjust: object, expected: str) -> None:
    assert scored("budget_adjust", EB_BUDGET_ADJUST=adjust, EB_BUDGET_INITIAL=100) == \
        Decimal(expected)


@pytest.mark.parametrize(("satisfaction", "expected"), [
    (100, "5"), (95, "5"), ("94.99", "3"), (85, "3"), ("84.99", "1"), (75, "1"), ("74.99", "0"),
    (0, "0"),
])
def test_satisfaction_bands(satisfaction: object, expected: str) -> None:
    assert scored("satisfaction", EB_SATISFACTION=satisfaction) == Decimal(expected)


@pytest.mark.parametrize(("paid", "expected"), [
    (100, "3"), (50, "3"), ("49.9", "2.98"), (49, "2.8"), (40, "1"), (35, "0"), (0, "0"),
])
def test_official_card_below_50(paid: object, expected: str) -> None:
    assert scored("official_card", EB_CARD_PAID=paid, EB_CARD_ELIGIBLE=100) == Decimal(expected)


@pytest.mark.parametrize(("actual", "quota", "expected"), [
    (200, 200, "5"),      # 100%
    (201, 200, "4.75"),   # 100.5%
    (225, 200, "0"),      # 112.5%: 6.25 off, floor 0
    (204, 200, "4"),      # 102%
    (600, 200, "0"),      # 300%
    (6, 8, "5"),          # the seed: 75%
    (0, 8, "5"),
])
def test_staff_control(actual: int, quota: int, expected: str) -> None:
    assert scored("staff_control", EB_STAFF_ACTUAL=actual, EB_STAFF_QUOTA=quota) == \
        Decimal(expected)


@pytest.mark.parametrize(("current", "prev", "expected"), [
    (100, 100, "5"), (90, 100, "5"), (101, 100, "4.5"), ("100.5", 100, "4.75"), (110, 100, "0"),
    (0, 100, "5"),
])
def test_sangong_change(current: object, prev: object, expected: str) -> None:
    assert scored("sangong_change", summary_sangong_2=current, EB_SANGONG_PREV=prev) == \
        Decimal(expected)


@pytest.mark.parametrize(("actual", "expected"), [
    (100, "6"), (80, "6"), ("100.5", "5.5"), (103, "3"), (106, "0"), (150, "0"),
])
def test_sangong_control(actual: object, expected: str) -> None:
    assert scored("sangong_control", summary_sangong_2=actual, EB_SANGONG_BUDGET=100) == \
        Decimal(expected)


@pytest.mark.parametrize(("actual", "expected"), [
    (100, "3"), (120, "3"), (99, "2.8"), ("99.5", "2.9"), (90, "1"), (85, "0"), (0, "0"),
])
def test_procurement(actual: object, expected: str) -> None:
    assert scored("procurement", EB_GP_ACTUAL=actual, EB_GP_BUDGET=100) == Decimal(expected)


@pytest.mark.parametrize(("in_use", "expected"), [
    (100, "3"), ("99.5", "2.95"), ("92.35", "2.24"), (75, "0.5"), (70, "0"), (0, "0"),
])
def test_asset_utilization(in_use: object, expected: str) -> None:
    # 92.35% -> 7.65 points x 0.1 = 0.765 off -> 2.235 -> 2.24 (half away from zero)
    assert scored("asset_utilization", summary_assets_3=in_use, summary_assets_2=100) == \
        Decimal(expected)


@pytest.mark.parametrize(("late", "expected"), [(0, "3"), (1, "2.5"), (5, "0.5"), (6, "0"),
                                                  (9, "0")])
def test_payment_progress(late: int, expected: str) -> None:
    assert scored("payment_progress", EB_LATE_FUNDS=late) == Decimal(expected)


@pytest.mark.parametrize(("violations", "indicator", "expected"), [
    (0, "fund_compliance", "3"), (2, "fund_compliance", "1"), (3, "fund_compliance", "0"),
    (7, "fund_compliance", "0"), (1, "asset_safety", "3"), (4, "asset_safety", "0"),
])
def test_violations(violations: int, indicator: str, expected: str) -> None:
    key = "EB_VIOLATIONS_FUND_USE" if indicator == "fund_compliance" else "EB_VIOLATIONS_ASSET"
    assert scored(indicator, **{key: violations}) == Decimal(expected)


@pytest.mark.parametrize(("balance", "carryover", "expected"), [
    (0, 0, "3"), (0, 5, "3"), (5, 5, "2"), ("4.99", 5, "2"), ("5.01", 5, "0"), (1, 0, "0"),
])
def test_fund_balance_comparison(balance: object, carryover: object, expected: str) -> None:
    assert scored("fund_balance", summary_expense_7=balance, summary_income_3=carryover) == \
        Decimal(expected)


@pytest.mark.parametrize(("answers", "indicator", "expected"), [
    (["是", "是", "是"], "budget_rules", "3"), (["是", "否", "是"], "budget_rules", "2"),
    (["否", "否", "否"], "budget_rules", "0"),
    (["是", "否", "是", "否", "是"], "disclosure", "2"), (["否", "是", "是", "是", "是"], "disclosure", "2"),
    (["是", "否"], "asset_rules", "2"), (["否", "是"], "asset_rules", "1"),
])
def test_checklists(answers: list[str], indicator: str, expected: str) -> None:
    key = {"budget_rules": "EB_CHECK_BUDGET_RULES", "disclosure": "EB_CHECK_DISCLOSURE",
           "asset_rules": "EB_CHECK_ASSET_RULES"}[indicator]
    assert scored(indicator, **{key: answers}) == Decimal(expected)


@pytest.mark.parametrize(("actual", "comparator", "expected"), [
    (3152, "≥", "2"), (1576, "≥", "1.5"), (0, "≥", "1"), (4000, "≥", "2"),
])
def test_personalised_from_linked_targets(actual: int, comparator: str, expected: str) -> None:
    # duty_key_projects (2分) is linked to two targets in the seed: 3152亩 and 261栋
    inputs = seed_inputs()
    inputs["EB_TARGETS"][6][6] = actual
    inputs["EB_TARGETS"][6][5] = comparator
    assert score(inputs, FW).by_id()["duty_key_projects"].score == Decimal(expected)


def test_personalised_without_targets_is_judged() -> None:
    inputs = seed_inputs()
    inputs["EB_SCORE_DUTY_OTHER"] = "3.5"
    result = score(inputs, FW).by_id()["duty_other"]
    assert (result.score, result.status) == (Decimal("3.5"), "ok")
    del inputs["EB_SCORE_DUTY_OTHER"]
    assert score(inputs, FW).by_id()["duty_other"].status == "needs-judgement"


@pytest.mark.parametrize(("total", "grade"), [
    ("100", "优"), ("90", "优"), ("89.99", "良"), ("80", "良"), ("79.99", "中"), ("60", "中"),
    ("59.99", "差"), ("0", "差"),
])
def test_grade_bands(total: str, grade: str) -> None:
    assert FW.grade_for(Decimal(total)) == grade
