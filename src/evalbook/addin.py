"""``evalbook addin install`` and ``evalbook addin lite``: deploying the Excel add-in.

Desktop (Windows, classic xlwings): ``xlwings addin install`` installs the standard xlwings
add-in, the three ribbon add-ins of :mod:`evalbook.excel.ribbon` are built and installed the
same way, and the configuration files are written so that ``evalbook.excel.udfs`` is the
UDF module and the ribbon buttons find this Python. The configuration text is produced by
pure functions (tested); only :func:`install` touches the machine.

xlwings Lite: :func:`evalbook.excel.lite.write_lite` writes ``main.py`` and
``requirements.txt`` to paste into the Lite editor (see docs/addin.md).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from evalbook.atomic import write_bytes, write_text

UDF_MODULE = "evalbook.excel.udfs"
XLWINGS_CONF = Path(".xlwings") / "xlwings.conf"
RIBBON_CONF = Path(".myaddin") / "myaddin.conf"  # the ribbon template's project name

NOT_WINDOWS = (
    "evalbook addin install 只适用于 Windows 上的桌面版 Excel（需要本机安装 Python）。\n"
    "当前系统为 {platform}，可改用：\n"
    "  1. xlwings Lite：在 Excel（Windows、Mac 或网页版）中安装 xlwings Lite 加载项，"
    "把 addin/lite/main.py 和 requirements.txt 粘贴进去（见 docs/addin.md）；\n"
    "  2. 原生公式版工作簿：evalbook template --native，得分由 Excel 公式计算，"
    "WPS、Mac 版 Excel 和 LibreOffice 均可直接使用，无需任何加载项。"
)

Runner = Callable[[Sequence[str]], int]


def parse_conf(text: str) -> list[tuple[str, str]]:
    """The ``"KEY","VALUE"`` lines of an xlwings configuration file."""
    entries = []
    for line in text.splitlines():
        key, sep, value = line.strip().partition(",")
        if sep:
            entries.append((key.strip().strip('"'), value.strip().strip('"')))
    return entries


def render_conf(entries: Sequence[tuple[str, str]]) -> str:
    return "".join(f'"{key}","{value}"\n' for key, value in entries)


def updated_conf(existing: str, settings: Mapping[str, str]) -> str:
    """``existing`` with ``settings`` set (keys match case-insensitively, as VBA reads them);
    other keys are kept in their order, new keys are appended."""
    wanted = {k.upper(): (k, v) for k, v in settings.items()}
    out: list[tuple[str, str]] = []
    for key, value in parse_conf(existing):
        if key.upper() in wanted:
            out.append(wanted.pop(key.upper()))
        else:
            out.append((key, value))
    return render_conf(out + list(wanted.values()))


def desktop_settings(interpreter: str, conda_prefix: str | None = None) -> dict[str, str]:
    """What the add-ins need: this Python (or its conda environment) and the UDF module."""
    settings = {"UDF MODULES": UDF_MODULE, "USE UDF SERVER": "True"}
    if conda_prefix:
        prefix = Path(conda_prefix)
        # xlwings activates conda itself: base install path + environment name
        base = prefix.parent.parent if prefix.parent.name == "envs" else prefix
        settings["CONDA PATH"] = str(base)
        settings["CONDA ENV"] = prefix.name if base != prefix else "base"
    else:
        settings["INTERPRETER_WIN"] = interpreter
    return settings


def conf_encoding() -> str:
    # VBA's ``Input #`` reads files in the ANSI code page (GBK on Chinese Windows), so a
    # path with Chinese characters must be written in it, not in UTF-8.
    return "mbcs" if sys.platform.startswith("win") else "utf-8"


def write_conf(path: Path, settings: Mapping[str, str]) -> Path:
    encoding = conf_encoding()
    existing = path.read_text(encoding=encoding, errors="replace") if path.exists() else ""
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_text(path, updated_conf(existing, settings), encoding=encoding)


def _run(args: Sequence[str]) -> int:
    return subprocess.run(list(args), check=False).returncode


def xlwings_cli(*args: str) -> list[str]:
    """The ``xlwings`` command line of this Python (works without the Scripts folder on PATH)."""
    return [sys.executable, "-c", "from xlwings.cli import main; main()", *args]


def install(echo: Callable[[str], None], run: Runner = _run, platform: str = sys.platform,
            home: Path | None = None) -> int:
    """Install the desktop add-ins; returns an exit status (1 on a non-Windows system)."""
    if not platform.startswith("win"):
        echo(NOT_WINDOWS.format(platform=platform))
        return 1
    from evalbook.excel.ribbon import ribbon_addins

    home = home or Path.home()
    settings = desktop_settings(sys.executable, os.environ.get("CONDA_PREFIX"))
    if run(xlwings_cli("addin", "install")) != 0:
        echo("错误：xlwings 加载项安装失败，请关闭 Excel 后重试。")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in ribbon_addins().items():
            write_bytes(Path(tmp) / name, data)
        if run(xlwings_cli("addin", "install", "--dir", tmp)) != 0:
            echo("错误：“绩效自评”功能区加载项安装失败，请关闭 Excel 后重试。")
            return 1
    for conf in (XLWINGS_CONF, RIBBON_CONF):
        echo(f"已写入配置：{write_conf(home / conf, settings)}")
    echo("安装完成。请重新打开 Excel：功能区出现“绩效自评”选项卡（校验、清除标记、重新计算），"
         "EB_SCORE 等函数的使用见 docs/addin.md。")
    return 0
