"""Invariants for any input: 0 <= score <= 分值, and monotonic rules move one way."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from evalbook.engine import score
from evalbook.framework import load_framework
from tests.helpers import OTHER_FRAMEWORK, seed_inputs

FW = load_framework()
OTHER = load_framework(OTHER_FRAMEWORK)

amounts = st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False)
anything = st.one_of(
    amounts, st.integers(-1000, 10**9), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8), st.none(), st.booleans(), st.sampled_from(["是", "否", "六", "约100"]),
)
NUMERIC_KEYS = ["EB_STAFF_QUOTA", "EB_STAFF_ACTUAL", "EB_SANGONG_PREV", "EB_SANGONG_BUDGET",
                "EB_KEY_PROJECT_EXP", "EB_BUDGET_INITIAL", "EB_BUDGET_ADJUST", "EB_LATE_FUNDS",
                "EB_GP_BUDGET", "EB_GP_ACTUAL", "EB_CARD_ELIGIBLE", "EB_CARD_PAID",
                "EB_SATISFACTION", "EB_VIOLATIONS_FUND_USE", "EB_VIOLATIONS_ASSET",
                "EB_MANUAL_SANGONG_CHANGE", "EB_SCORE_BENEFIT_SOCIAL", "EB_TASKS_DONE",
                "EB_TASKS_PLANNED", "EB_PUBLIC_BUDGET"]


def check_bounds(inputs: dict[str, Any]) -> None:
    for fw in (FW, OTHER):
        result = score(inputs, fw)
        for r in result.indicators:
            assert r.score is None or Decimal(0) <= r.score <= r.max, r
            assert r.score is None or r.score == r.score.quantize(Decimal("0.01"))
            assert (r.score is None) == (r.status != "ok")
        assert Decimal(0) <= result.total <= fw.total_max


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(NUMERIC_KEYS), anything))
def test_any_scalar_input_keeps_scores_in_bounds(changes: dict[str, Any]) -> None:
    check_bounds(seed_inputs() | changes)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(anything, max_size=9), max_size=5), st.integers(0, 3))
def test_any_table_keeps_scores_in_bounds(rows: list[list[Any]], which: int) -> None:
    table = ["EB_INCOME", "EB_EXPENSE", "EB_SANGONG", "EB_ASSETS"][which]
    check_bounds(seed_inputs() | {table: rows, "EB_TARGETS": rows})


def one(inputs: dict[str, Any], indicator: str) -> Decimal:
    result = score(inputs, FW).by_id()[indicator].score
    assert result is not None
    return result


@settings(max_examples=150, deadline=None)
@given(amounts, amounts, st.decimals(min_value=1, max_value=1000, places=0))
def test_more_staff_never_scores_higher(a: Decimal, b: Decimal, quota: Decimal) -> None:
    low, high = sorted((a, b))
    base = seed_inputs() | {"EB_STAFF_QUOTA": quota}
    assert one(base | {"EB_STAFF_ACTUAL": low}, "staff_control") >= \
        one(base | {"EB_STAFF_ACTUAL": high}, "staff_control")


@settings(max_examples=150, deadline=None)
@given(st.decimals(min_value=0, max_value=100, places=2),
       st.decimals(min_value=0, max_value=100, places=2))
def test_higher_rates_never_score_lower(a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    for key, indicator, extra in (
        ("EB_SATISFACTION", "satisfaction", {}),
        ("EB_CARD_PAID", "official_card", {"EB_CARD_ELIGIBLE": 100}),
        ("EB_GP_ACTUAL", "procurement", {"EB_GP_BUDGET": 100}),
        ("EB_KEY_PROJECT_EXP", "key_spending", {}),
    ):
        base = seed_inputs() | extra
        if indicator == "key_spending":
            base["EB_EXPENSE"][0][5] = 100
        assert one(base | {key: low}, indicator) <= one(base | {key: high}, indicator)


@settings(max_examples=100, deadline=None)
@given(st.decimals(min_value=0, max_value=100, places=2),
       st.decimals(min_value=0, max_value=100, places=2))
def test_larger_adjustments_never_score_higher(a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    base = seed_inputs() | {"EB_BUDGET_INITIAL": 100}
    assert one(base | {"EB_BUDGET_ADJUST": low}, "budget_adjust") >= \
        one(base | {"EB_BUDGET_ADJUST": high}, "budget_adjust")


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 20), st.integers(0, 20))
def test_more_violations_never_score_higher(a: int, b: int) -> None:
    low, high = sorted((a, b))
    for key, indicator in (("EB_VIOLATIONS_FUND_USE", "fund_compliance"),
                           ("EB_VIOLATIONS_ASSET", "asset_safety"),
                           ("EB_LATE_FUNDS", "payment_progress")):
        assert one(seed_inputs() | {key: low}, indicator) >= \
            one(seed_inputs() | {key: high}, indicator)
