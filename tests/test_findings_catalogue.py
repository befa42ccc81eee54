"""The findings catalogue and the rule registry: data, documented, picklable, in sync."""

from __future__ import annotations

import importlib.util
import pickle
import re
import string
from decimal import Decimal
from pathlib import Path

import pytest

from evalbook.checks import RULES
from evalbook.findings import CATALOGUE, SEVERITIES, Finding, make, valid_code
from evalbook.validator import FileReport
from tests.helpers import ROOT

SRC = ROOT / "src" / "evalbook"


def load_script() -> object:
    spec = importlib.util.spec_from_file_location("gen_findings_doc",
                                                  ROOT / "scripts" / "gen_findings_doc.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_findings_md_is_generated_from_the_catalogue() -> None:
    script = load_script()
    current = (ROOT / "docs" / "findings.md").read_text(encoding="utf-8")
    assert current == script.render(), (  # type: ignore[attr-defined]
        "docs/findings.md 已过期：请运行 python scripts/gen_findings_doc.py")
    for code in CATALOGUE:
        assert f"`{code}`" in current


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_entry_renders(code: str) -> None:
    kind = CATALOGUE[code]
    assert valid_code(code) and kind.code == code and kind.severity in SEVERITIES
    assert re.search(r"[\u4e00-\u9fff]", kind.title + kind.template)
    fields = [f for _, f, _, _ in string.Formatter().parse(kind.template) if f]
    finding = make(code, "评分表", "G5", **{f: f"<{f}>" for f in fields})
    assert all(f"<{f}>" in finding.message for f in fields)
    assert "{" not in finding.message


def test_every_code_the_code_uses_is_in_the_catalogue() -> None:
    used: set[str] = set()
    pattern = re.compile(r"""(?:make|make_with|_error|Problem)\(\s*"([a-z][a-z0-9-]+)\"""")
    for path in [*SRC.glob("*.py"), *SRC.glob("checks/*.py")]:
        used |= set(pattern.findall(path.read_text(encoding="utf-8")))
    guard_doc = (SRC / "guards.py").read_text(encoding="utf-8").split('"""')[1]
    used |= set(re.findall(r"``([a-z-]+)``", guard_doc))
    used |= {"framework-header-mismatch", "framework-header-unknown"}  # framework notes
    assert used - set(CATALOGUE) == set()
    assert len(used) > 40


def test_rules_are_documented_with_examples() -> None:
    assert len(RULES) == len(set(RULES)) >= 12
    for rule_id, rule in RULES.items():
        doc = rule.__doc__ or ""
        assert valid_code(rule_id) and f"（{rule_id}）" in doc.splitlines()[0]
        assert "通过的例子" in doc and "不通过的例子" in doc, rule_id
        assert callable(rule.check) and isinstance(rule.NEEDS_SCORES, bool)


def test_findings_and_reports_pickle() -> None:
    finding = make("row-sum-mismatch", "收支情况", "B8", indicator=None, table="年度收入情况",
                   row="局机关", total="收入合计", found="90", components="上年结转",
                   expected="88")
    report = FileReport("x.xlsx", False, Decimal("95.50"), "优", [finding])
    assert pickle.loads(pickle.dumps(finding)) == finding
    copy = pickle.loads(pickle.dumps(report))
    assert copy == report and copy.to_json()["score"] == 95.5
    assert Finding.__dataclass_params__.frozen  # type: ignore[attr-defined]


def test_finding_json_shape() -> None:
    finding = make("missing-value", "封面与报送", "C20", label="部门(单位)名称")
    assert finding.to_json() == {"code": "missing-value", "severity": "error",
                                 "sheet": "封面与报送", "cell": "C20",
                                 "message": "“部门(单位)名称”未填写。"}


def test_severity_can_be_overridden() -> None:
    assert make("template-version", found="a", expected="b", severity="info").severity == "info"


def test_script_check_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = load_script()
    monkeypatch.setattr(script, "OUT", tmp_path / "findings.md")
    assert script.main(["--check"]) == 1  # type: ignore[attr-defined]
    assert script.main([]) == 0  # type: ignore[attr-defined]
    assert script.main(["--check"]) == 0  # type: ignore[attr-defined]
