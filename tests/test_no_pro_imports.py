"""evalbook's runtime uses only the BSD part of xlwings: nothing under src/ may import
``xlwings.pro`` or ``xlwings.server`` (PolyForm-Noncommercial code), statically or at run time.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
FORBIDDEN = ("xlwings.pro", "xlwings.server")


def _forbidden(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FORBIDDEN)


def forbidden_imports(source: str) -> list[str]:
    """Every import of a forbidden module in ``source``, however it is spelled."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if _forbidden(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if _forbidden(node.module):
                found.append(node.module)
            else:
                found += [f"{node.module}.{a.name}" for a in node.names
                          if _forbidden(f"{node.module}.{a.name}")]
        elif isinstance(node, ast.Call) and node.args:
            first = node.args[0]
            called = ast.unparse(node.func)
            if (called.endswith(("import_module", "__import__")) and isinstance(first, ast.Constant)
                    and isinstance(first.value, str) and _forbidden(first.value)):
                found.append(first.value)
    return found


@pytest.mark.parametrize(("source", "expected"), [
    ("import xlwings as xw", []),
    ("from xlwings import func, script", []),
    ("import xlwings.pro", ["xlwings.pro"]),
    ("import xlwings.pro.udfs_officejs as u", ["xlwings.pro.udfs_officejs"]),
    ("from xlwings.server import func", ["xlwings.server"]),
    ("from xlwings import server", ["xlwings.server"]),
    ("from xlwings import pro as p", ["xlwings.pro"]),
    ("def f():\n    from xlwings.pro import Markdown", ["xlwings.pro"]),
    ("import importlib\nimportlib.import_module('xlwings.server')", ["xlwings.server"]),
    ("__import__('xlwings.pro.reports')", ["xlwings.pro.reports"]),
])
def test_the_checker_finds_every_spelling(source: str, expected: list[str]) -> None:
    assert forbidden_imports(source) == expected


def test_nothing_under_src_imports_xlwings_pro_or_server() -> None:
    files = sorted(SRC.rglob("*.py"))
    assert any(p.name == "udfs.py" for p in files)
    offenders = {str(p.relative_to(SRC)): found for p in files
                 if (found := forbidden_imports(p.read_text(encoding="utf-8")))}
    assert offenders == {}


PROBE = """
import json, pkgutil, importlib, sys
import xlwings
before = {m for m in sys.modules if m.startswith(("xlwings.pro", "xlwings.server"))}
import evalbook
for info in pkgutil.walk_packages(evalbook.__path__, "evalbook."):
    if info.name != "evalbook.__main__":  # importing it runs the command line
        importlib.import_module(info.name)
after = {m for m in sys.modules if m.startswith(("xlwings.pro", "xlwings.server"))}
print(json.dumps({"new": sorted(after - before), "pro": xlwings.__pro__}))
"""


def test_importing_every_module_loads_no_pro_code() -> None:
    # A clean interpreter without the test-only license: what a user's machine runs.
    env = {k: v for k, v in os.environ.items() if not k.startswith("XLWINGS_")}
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True,
                         text=True, check=False, cwd=SRC.parent)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.splitlines()[-1]) == {"new": [], "pro": False}
