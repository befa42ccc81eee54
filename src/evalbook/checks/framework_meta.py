"""模板信息与评分框架（framework-meta）。

隐藏工作表“_evalbook”记录了工作簿的模板版本、评分框架标识及其 SHA-256 校验值。校验时：
找不到这些信息是错误 ``meta-missing``；评分框架不是已知框架（内置框架或 --framework 指定
的框架）是错误 ``framework-unknown``；是另一个已知框架是错误 ``framework-mismatch``
（此时跳过与评分框架有关的检查）；标识相同而校验值不同（评分表被改动或版本不同）是错误
``framework-tampered``；模板版本不同是警告 ``template-version``。

通过的例子::

    EB_META_FRAMEWORK_ID = yueyang-yunxi-2020；EB_META_FRAMEWORK_SHA256 = 内置框架的校验值

不通过的例子（代码 ``framework-unknown``）::

    EB_META_FRAMEWORK_ID = sample-other-region
"""

from __future__ import annotations

from collections.abc import Iterator

from evalbook import TEMPLATE_VERSION
from evalbook.checks.base import Context
from evalbook.findings import Finding, make
from evalbook.framework import Framework, bundled_frameworks
from evalbook.workbook import WorkbookData, cell_text, is_blank
from evalbook.xlsxform import META

ID = "framework-meta"
NEEDS_SCORES = False

FRAMEWORK_ID = "EB_META_FRAMEWORK_ID"
FRAMEWORK_SHA = "EB_META_FRAMEWORK_SHA256"
VERSION = "EB_META_TEMPLATE_VERSION"
LABELS = {FRAMEWORK_ID: "评分框架标识", FRAMEWORK_SHA: "评分框架校验值", VERSION: "模板版本"}


def meta_value(data: WorkbookData, name: str) -> str | None:
    rng = data.names.get(name)
    if rng is None or is_blank(rng.scalar):
        return None
    return cell_text(rng.scalar).strip()


def known(framework: Framework) -> dict[str, str]:
    """Framework id -> sha256 of the frameworks a workbook may come from."""
    return {**bundled_frameworks(), framework.id: framework.sha256}


def same_framework(data: WorkbookData, framework: Framework) -> bool:
    """False only when the workbook names another framework (unknown: assume the same)."""
    found = meta_value(data, FRAMEWORK_ID)
    return found is None or found == framework.id


def check(ctx: Context) -> Iterator[Finding]:
    data = ctx.data
    for name in (FRAMEWORK_ID, FRAMEWORK_SHA, VERSION):
        if meta_value(data, name) is None:
            sheet, cell = data.where(name)
            yield make("meta-missing", sheet or META, cell, field=LABELS[name], sheet_name=META)
    found = meta_value(data, FRAMEWORK_ID)
    if found is not None:
        yield from _framework(ctx, found)
    version = meta_value(data, VERSION)
    if version is not None and version != TEMPLATE_VERSION:
        sheet, cell = data.where(VERSION)
        yield make("template-version", sheet, cell, found=version, expected=TEMPLATE_VERSION)


def _framework(ctx: Context, found: str) -> Iterator[Finding]:
    data, fw = ctx.data, ctx.framework
    sheet, cell = data.where(FRAMEWORK_ID)
    frameworks = known(fw)
    if found not in frameworks:
        yield make("framework-unknown", sheet, cell, found=found,
                   expected="、".join(sorted(frameworks)))
    elif found != fw.id:
        yield make("framework-mismatch", sheet, cell, found=found, expected=fw.id)
    else:
        sha = meta_value(data, FRAMEWORK_SHA)
        if sha is not None and sha.lower() != fw.sha256:
            sha_sheet, sha_cell = data.where(FRAMEWORK_SHA)
            yield make("framework-tampered", sha_sheet, sha_cell, framework=found,
                       found=sha[:12] + "…", expected=fw.sha256[:12] + "…")
