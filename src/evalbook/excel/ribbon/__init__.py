"""The desktop ribbon tab 绩效自评 (校验 · 清除标记 · 重新计算), built without Excel.

A ribbon button can only call VBA that already exists in the add-in file, and new VBA cannot
be written without Excel. xlwings' BSD-licensed ``quickstart_addin_ribbon.xlam`` has one
such callback, ``RibbonMyAddin.RunMain``, which runs
``RunPython "import <add-in file name>; <add-in file name>.main()"``. So each button is its
own small add-in whose *file name* is the dotted name of a module below, e.g.
``evalbook.excel.ribbon.validate.xlam`` runs :func:`evalbook.excel.ribbon.validate.main`.
Only ``customUI/customUI.xml`` is rewritten; every other part (including
``xl/vbaProject.bin``) is copied byte for byte. All three add-ins put their button into one
shared tab through qualified ids (``idQ``), the documented way for several add-ins to share
a tab. The VBA reads its settings from ``%USERPROFILE%\\.myaddin\\myaddin.conf`` (the
template's project name is ``myaddin``); ``evalbook addin install`` writes that file.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import quoteattr

CUSTOM_UI = "customUI/customUI.xml"
TEMPLATE_NAME = "quickstart_addin_ribbon.xlam"
CONFIG_PROJECT = "myaddin"  # PROJECT_NAME in the template's VBA: its config file name
ON_ACTION = "RibbonMyAddin.RunMain"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so a build is byte-for-byte reproducible
TAB_LABEL = "绩效自评"
GROUP_LABEL = "evalbook"


@dataclass(frozen=True)
class Button:
    module: str  # dotted module whose main() the button runs; also the add-in's file name
    label: str
    image: str  # a built-in Office icon (imageMso)
    tip: str

    @property
    def file_name(self) -> str:
        return f"{self.module}.xlam"

    @property
    def control_id(self) -> str:
        return "evalbook_" + self.module.rpartition(".")[2]


BUTTONS = (
    Button("evalbook.excel.ribbon.validate", "校验", "MacroPlay",
           "按评分框架校验本工作簿：问题列在“校验结果”工作表，并在单元格上加填充色和批注。"),
    Button("evalbook.excel.ribbon.clear", "清除标记", "ReviewDeleteComment",
           "撤销校验时加的填充色和批注，并删除“校验结果”工作表。"),
    Button("evalbook.excel.ribbon.recalculate", "重新计算", "RecurrenceEdit",
           "把按评分框架算出的得分写入没有公式的得分单元格。"),
)


def custom_ui(button: Button) -> str:
    """The ribbon XML of one button's add-in (tab and group shared through ``idQ``)."""
    return (
        '<customUI xmlns="http://schemas.microsoft.com/office/2006/01/customui" '
        'xmlns:eb="urn:evalbook:ribbon">\n'
        '  <ribbon>\n    <tabs>\n'
        f'      <tab idQ="eb:evalbookTab" label={quoteattr(TAB_LABEL)}>\n'
        f'        <group idQ="eb:evalbookGroup" label={quoteattr(GROUP_LABEL)}>\n'
        f'          <button id={quoteattr(button.control_id)} label={quoteattr(button.label)} '
        f'size="large" imageMso={quoteattr(button.image)} onAction="{ON_ACTION}" '
        f'screentip={quoteattr(button.label)} supertip={quoteattr(button.tip)} />\n'
        '        </group>\n      </tab>\n    </tabs>\n  </ribbon>\n</customUI>\n'
    )


def template_path() -> Path:
    import xlwings

    return Path(xlwings.__file__).parent / TEMPLATE_NAME


def build_addin(template: bytes, button: Button) -> bytes:
    """The template add-in with only its ribbon XML replaced, zipped reproducibly."""
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(template)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = custom_ui(button).encode("utf-8") if item.filename == CUSTOM_UI \
                else src.read(item)
            info = zipfile.ZipInfo(item.filename, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, data)
    return out.getvalue()


def ribbon_addins(template: Path | None = None) -> dict[str, bytes]:
    """File name -> bytes of the three button add-ins."""
    raw = (template or template_path()).read_bytes()
    return {b.file_name: build_addin(raw, b) for b in BUTTONS}
