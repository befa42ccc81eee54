"""evalbook: 部门整体支出绩效评价自评 workbooks, live scores and validation."""

__version__ = "0.1.0"
TEMPLATE_VERSION = "2026.1"
