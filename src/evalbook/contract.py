"""The workbook contract: defined names, table columns and form fields (SPEC section 4).

Everything outside the scoring rules that a workbook must hold is declared here once;
the template builder writes these names, the reader and validator address cells only
through them. Base-data fields needed by the rules are declared by the framework instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldType = Literal[
    "text", "longtext", "amount", "count", "percent", "date", "phone", "code", "year", "yesno",
    "checklist",
]


@dataclass(frozen=True)
class Field:
    """One named input: a defined name, its Chinese label and how it is typed."""

    name: str
    label: str
    type: FieldType
    unit: str = ""
    required: bool = True
    size: int = 1  # number of cells (checklists)
    items: tuple[str, ...] = ()  # checklist item labels
    min: str | None = None
    max: str | None = None
    hint: str = ""


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    type: FieldType = "amount"


@dataclass(frozen=True)
class Table:
    """A data block: the 汇总 row first, then one row per unit (SPEC section 2)."""

    name: str
    title: str
    columns: tuple[Column, ...]
    unit: str = "万元"
    # (total column, component columns) pairs that must reconcile in every row
    sums: tuple[tuple[str, tuple[str, ...]], ...] = ()
    has_summary_row: bool = True

    def index(self, key: str) -> int:
        """1-based column position of ``key`` inside the named range."""
        for i, col in enumerate(self.columns, start=1):
            if col.key == key:
                return i
        raise KeyError(f"{self.name} has no column {key!r}")


NAME_COLUMN = Column("name", "机构名称", "text")

COVER_FIELDS: tuple[Field, ...] = (
    Field("EB_DEPT_NAME", "部门(单位)名称", "text"),
    Field("EB_BUDGET_CODE", "预算编码", "code", hint="6位数字"),
    Field("EB_YEAR", "评价年度", "year", hint="4位年份，如 2020"),
    Field("EB_EVAL_METHOD", "评价方式", "text"),
    Field("EB_EVAL_ORG", "评价机构", "text"),
    Field("EB_REPORT_DATE", "报告日期", "date"),
    Field("EB_SUBMIT_DATE", "报送日期", "date", hint="报送函落款日期"),
    Field("EB_FILLER", "填报人", "text"),
    Field("EB_FILLER_PHONE", "联系电话", "phone"),
)

PROFILE_FIELDS: tuple[Field, ...] = (
    Field("EB_CONTACT", "联系人", "text"),
    Field("EB_CONTACT_PHONE", "联络电话", "phone"),
    Field("EB_STAFF_QUOTA", "人员编制", "count", unit="人"),
    Field("EB_STAFF_ACTUAL", "实有人数", "count", unit="人"),
    Field("EB_DUTIES", "职能职责概述", "longtext"),
    Field("EB_MAIN_WORK", "年度主要工作内容", "longtext"),
    Field("EB_ACHIEVEMENTS", "年度总体运行情况及取得的成绩", "longtext"),
)

GOAL_FIELDS: tuple[Field, ...] = (
    Field("EB_GOALS_EXPECTED", "定性目标：预期目标", "longtext", required=False),
    Field("EB_GOALS_ACTUAL", "定性目标：实际完成", "longtext", required=False),
)

OPINION_FIELDS: tuple[Field, ...] = (
    Field("EB_TEAM_LEADER", "评价组组长", "text", required=False),
    Field("EB_TEAM_DATE", "评价组组长签字日期", "date", required=False),
    Field("EB_DEPT_OPINION", "部门(单位)意见", "longtext", required=False),
    Field("EB_DEPT_OPINION_DATE", "部门(单位)意见日期", "date", required=False),
    Field("EB_FINANCE_OPINION", "财政部门归口业务科室意见", "longtext", required=False),
    Field("EB_FINANCE_OPINION_DATE", "财政部门意见日期", "date", required=False),
)

SUMMARY_FIELDS: tuple[Field, ...] = (
    Field("EB_SUMMARY_OVERVIEW", "一、单位概况", "longtext", required=False),
    Field("EB_SUMMARY_SCALE", "整体支出规模、使用方向和主要内容", "longtext", required=False),
    Field("EB_SUMMARY_BASIC", "（一）基本支出", "longtext", required=False),
    Field("EB_SUMMARY_SPECIAL", "（二）专项支出（安排、使用、管理）", "longtext", required=False),
    Field("EB_SUMMARY_IMPLEMENT", "三、专项组织实施情况", "longtext", required=False),
    Field("EB_SUMMARY_PERFORMANCE", "四、整体支出绩效情况", "longtext", required=False),
    Field("EB_PROBLEMS", "五、存在的主要问题", "longtext"),
    Field("EB_MEASURES", "六、改进措施和有关建议", "longtext"),
)

INCOME = Table(
    "EB_INCOME",
    "年度收入情况",
    (
        NAME_COLUMN,
        Column("total", "收入合计"),
        Column("carryover", "上年结转"),
        Column("public_finance", "公共财政拨款"),
        Column("gov_fund", "政府基金拨款"),
        Column("special_account", "纳入专户管理的非税收入拨款"),
        Column("other", "其他收入"),
    ),
    sums=(("total", ("carryover", "public_finance", "gov_fund", "special_account", "other")),),
)

EXPENSE = Table(
    "EB_EXPENSE",
    "年度支出和结余情况",
    (
        NAME_COLUMN,
        Column("total", "支出合计"),
        Column("basic", "基本支出"),
        Column("personnel", "人员支出"),
        Column("public_use", "公用支出"),
        Column("project", "项目支出"),
        Column("balance_year", "当年结余"),
        Column("balance_cumulative", "累计结余"),
    ),
    sums=(("total", ("basic", "project")), ("basic", ("personnel", "public_use"))),
)

SANGONG = Table(
    "EB_SANGONG",
    "“三公”经费情况",
    (
        NAME_COLUMN,
        Column("total", "三公经费合计"),
        Column("reception", "公务接待费"),
        Column("vehicle_ops", "公务用车运维费"),
        Column("vehicle_purchase", "公务用车购置费"),
        Column("overseas", "因公出国费"),
    ),
    sums=(("total", ("reception", "vehicle_ops", "vehicle_purchase", "overseas")),),
)

ASSETS = Table(
    "EB_ASSETS",
    "固定资产情况",
    (
        NAME_COLUMN,
        Column("total", "固定资产合计"),
        Column("in_use", "在用固定资产"),
        Column("leased", "出租固定资产"),
        Column("other", "其他"),
    ),
    sums=(("total", ("in_use", "leased", "other")),),
)

TARGETS = Table(
    "EB_TARGETS",
    "整体支出绩效定量目标",
    (
        Column("category", "目标类别", "text"),
        Column("kind", "指标类型", "text"),
        Column("name", "指标名称", "text"),
        Column("target", "目标值", "amount"),
        Column("unit", "单位", "text"),
        Column("comparator", "比较方式", "text"),
        Column("actual", "实际完成值", "amount"),
        Column("status", "完成情况", "text"),
        Column("indicator", "关联评分指标", "text"),
    ),
    unit="",
    has_summary_row=False,
)

EVALUATORS = Table(
    "EB_EVALUATORS",
    "评价人员",
    (
        Column("name", "姓名", "text"),
        Column("title", "职务/职称", "text"),
        Column("org", "单位", "text"),
    ),
    unit="",
    has_summary_row=False,
)

MONEY_TABLES: tuple[Table, ...] = (INCOME, EXPENSE, SANGONG, ASSETS)
TABLES: tuple[Table, ...] = (*MONEY_TABLES, TARGETS, EVALUATORS)
TABLES_BY_NAME = {t.name: t for t in TABLES}

TARGET_CATEGORIES = ("产出目标", "效益目标")
TARGET_KINDS = ("数量指标", "质量指标", "时效指标", "成本指标", "社会效益", "经济效益", "生态效益",
                "满意度")
COMPARATORS = ("≥", "≤", "=")
TARGET_STATUSES = ("已完成", "未完成")
SUMMARY_ROW_LABEL = "局机关及二级机构汇总"

FORM_FIELDS: tuple[Field, ...] = (
    *COVER_FIELDS, *PROFILE_FIELDS, *GOAL_FIELDS, *OPINION_FIELDS, *SUMMARY_FIELDS,
)

#: Base-data names that SPEC section 4 lists for every workbook; a framework may declare more.
SPEC_BASE_NAMES = (
    "EB_SANGONG_PREV", "EB_SANGONG_BUDGET", "EB_KEY_PROJECT_EXP", "EB_BUDGET_INITIAL",
    "EB_BUDGET_ADJUST", "EB_LATE_FUNDS", "EB_GP_BUDGET", "EB_GP_ACTUAL", "EB_CARD_ELIGIBLE",
    "EB_CARD_PAID", "EB_SATISFACTION", "EB_VIOLATIONS_FUND_USE", "EB_VIOLATIONS_ASSET",
    "EB_CHECK_BUDGET_RULES", "EB_CHECK_DISCLOSURE", "EB_CHECK_ASSET_RULES",
)

TOTAL_SCORE = "EB_TOTAL_SCORE"
GRADE = "EB_GRADE"


def score_name(indicator_id: str) -> str:
    return f"EB_SCORE_{indicator_id.upper()}"


def reason_name(indicator_id: str) -> str:
    return f"EB_REASON_{indicator_id.upper()}"


def manual_name(indicator_id: str) -> str:
    """Input cell used when a computed rule cannot compute (e.g. 上年三公经费为 0)."""
    return f"EB_MANUAL_{indicator_id.upper()}"
