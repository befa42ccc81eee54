"""Deploying the add-in: desktop configuration and install, ribbon add-ins, xlwings Lite files."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from evalbook import addin
from evalbook.cli import main
from evalbook.excel import lite, ribbon

ROOT = Path(__file__).resolve().parent.parent
LITE_DIR = ROOT / "addin" / "lite"
UI = "{http://schemas.microsoft.com/office/2006/01/customui}"

# ---------------------------------------------------------------- configuration (pure)


@pytest.mark.parametrize(("existing", "settings", "expected"), [
    ("", {"UDF MODULES": "evalbook.excel.udfs"}, '"UDF MODULES","evalbook.excel.udfs"\n'),
    ('"INTERPRETER_WIN","C:\\old\\python.exe"\n"DEBUG UDFS","False"\n',
     {"interpreter_win": "C:\\新\\python.exe", "UDF MODULES": "evalbook.excel.udfs"},
     '"interpreter_win","C:\\新\\python.exe"\n"DEBUG UDFS","False"\n'
     '"UDF MODULES","evalbook.excel.udfs"\n'),
    ('"UDF Modules","mymodule"\n\n', {"UDF MODULES": "evalbook.excel.udfs"},
     '"UDF MODULES","evalbook.excel.udfs"\n'),
])
def test_updated_conf_sets_keys_and_keeps_the_rest(existing: str, settings: dict[str, str],
                                                   expected: str) -> None:
    assert addin.updated_conf(existing, settings) == expected


@pytest.mark.parametrize(("prefix", "expected"), [
    (None, {"INTERPRETER_WIN": "C:\\Py\\python.exe"}),
    ("C:\\Miniconda3", {"CONDA PATH": "C:\\Miniconda3", "CONDA ENV": "base"}),
    ("C:\\Miniconda3\\envs\\eb", {"CONDA PATH": "C:\\Miniconda3", "CONDA ENV": "eb"}),
])
def test_desktop_settings(prefix: str | None, expected: dict[str, str]) -> None:
    if prefix and sys.platform != "win32":
        prefix = prefix.replace("\\", "/")
        expected = {k: v.replace("\\", "/") for k, v in expected.items()}
    settings = addin.desktop_settings("C:\\Py\\python.exe", prefix)
    assert settings == {"UDF MODULES": "evalbook.excel.udfs", "USE UDF SERVER": "True",
                        **expected}


# ---------------------------------------------------------------- install


def test_install_off_windows_explains_in_chinese_and_touches_nothing() -> None:
    ran: list[Sequence[str]] = []
    out: list[str] = []
    status = addin.install(out.append, run=lambda a: ran.append(a) or 0, platform="darwin")
    assert (status, ran) == (1, [])
    assert "只适用于 Windows" in out[0] and "xlwings Lite" in out[0] and "--native" in out[0]


def test_cli_install_on_this_system_exits_cleanly() -> None:
    if sys.platform.startswith("win"):
        pytest.skip("would install into the real Excel")
    result = CliRunner().invoke(main, ["addin", "install"])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "只适用于 Windows" in result.output and "Traceback" not in result.output


def test_install_on_windows_runs_xlwings_and_writes_both_configs(tmp_path: Path) -> None:
    calls: list[list[str]] = []
    staged: list[list[str]] = []

    def run(args: Sequence[str]) -> int:
        calls.append(list(args))
        if "--dir" in args:
            staged.append(sorted(p.name for p in Path(args[-1]).iterdir()))
        return 0

    out: list[str] = []
    assert addin.install(out.append, run=run, platform="win32", home=tmp_path) == 0
    assert [c[3:] for c in calls] == [["addin", "install"], ["addin", "install", "--dir",
                                                            calls[1][-1]]]
    assert staged == [sorted(b.file_name for b in ribbon.BUTTONS)]
    for conf in (addin.XLWINGS_CONF, addin.RIBBON_CONF):
        entries = dict(addin.parse_conf((tmp_path / conf).read_text(encoding="utf-8")))
        assert entries["UDF MODULES"] == "evalbook.excel.udfs"
    assert "安装完成" in out[-1]


def test_install_reports_a_failed_xlwings_step(tmp_path: Path) -> None:
    out: list[str] = []
    assert addin.install(out.append, run=lambda a: 1, platform="win32", home=tmp_path) == 1
    assert out == ["错误：xlwings 加载项安装失败，请关闭 Excel 后重试。"]
    assert not (tmp_path / addin.XLWINGS_CONF).exists()


# ---------------------------------------------------------------- ribbon add-ins


def test_ribbon_addins_change_only_the_ribbon_xml() -> None:
    template = ribbon.template_path().read_bytes()
    built = ribbon.ribbon_addins()
    assert built == ribbon.ribbon_addins()  # reproducible, byte for byte
    with zipfile.ZipFile(BytesIO(template)) as src:
        names = src.namelist()
        originals = {n: src.read(n) for n in names}
    labels = []
    for button in ribbon.BUTTONS:
        with zipfile.ZipFile(BytesIO(built[button.file_name])) as z:
            assert z.testzip() is None and z.namelist() == names
            for name in names:
                if name != ribbon.CUSTOM_UI:
                    assert z.read(name) == originals[name], name
            ui = ET.fromstring(z.read(ribbon.CUSTOM_UI))
        tab = ui.find(f"{UI}ribbon/{UI}tabs/{UI}tab")
        assert tab is not None and tab.get("idQ") == "eb:evalbookTab"
        assert tab.get("label") == "绩效自评"
        (btn,) = ui.iter(f"{UI}button")
        assert btn.get("onAction") == "RibbonMyAddin.RunMain"  # VBA that exists in the template
        labels.append(btn.get("label"))
        # RunMain imports the module named like the add-in file and calls its main()
        module = __import__(button.file_name.removesuffix(".xlam"), fromlist=["main"])
        assert callable(module.main)
    assert labels == ["校验", "清除标记", "重新计算"]
    assert b"RibbonMyAddin" in originals["xl/vbaProject.bin"]


# ---------------------------------------------------------------- xlwings Lite


def test_committed_lite_files_are_freshly_generated(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["addin", "lite", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for name in ("main.py", "requirements.txt"):
        assert (LITE_DIR / name).read_text(encoding="utf-8") == \
            (tmp_path / name).read_text(encoding="utf-8"), (
            f"addin/lite/{name} is stale: run `evalbook addin lite -o addin/lite`")


def test_lite_requirements_are_installable_in_pyodide() -> None:
    lines = lite.lite_bundle()["requirements.txt"].splitlines()
    assert lines[0].startswith("xlwings==")
    assert not {line.split("==")[0] for line in lines} & lite.NOT_IN_PYODIDE


PROBE = """
import json, runpy, sys
from xlwings.server import custom_functions_meta, custom_scripts_meta
main = runpy.run_path("main.py", run_name="lite_main")
mod = type(sys)("lite_main"); mod.__dict__.update(main)
import evalbook
print(json.dumps({
    "evalbook": evalbook.__file__,
    "udfs": sorted(f["name"] for f in custom_functions_meta(mod)["functions"]),
    "scripts": sorted((s["function_name"], s["name"]) for s in custom_scripts_meta(mod)),
    "score": main["EB_SCORE"]("staff_control", 6, 8, None),
}, ensure_ascii=False))
"""


def test_lite_main_runs_from_its_own_embedded_copy(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text(lite.lite_bundle()["main.py"], encoding="utf-8")
    env = {"XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial",
           "TMPDIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=tmp_path, env=env, text=True,
                         capture_output=True, check=False)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.splitlines()[-1])
    assert seen["evalbook"].startswith(str(tmp_path))  # not the installed package
    assert seen["udfs"] == ["EB_GRADE", "EB_RULE_TEXT", "EB_SCORE", "EB_SCORES", "EB_VALUE"]
    assert seen["scripts"] == [["clear_marks", "清除标记"], ["recalculate_scores", "重新计算"],
                               ["validate_workbook", "校验"]]
    assert seen["score"] == 5.0
