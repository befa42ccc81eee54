"""Generate a folder of N varied returned workbooks, as a finance bureau would collect them.

Each *variant* (a clean return, the seed as filled in, a handful of defective returns) is
built ONCE, in-process, with the template API (``template.build`` + ``fill.fill`` + an
optional edit of the built workbook + ``template.save``). Its 部门名称, 预算编码, 满意度
and judged scores are placeholder tokens; every file is then a cheap zip-level copy of a
variant with the tokens replaced by that file's values, so totals, grades and departments
differ from file to file. Corrupt files are byte-level damage of such a copy (the zip bomb
is built once). Resubmissions (a 预算编码 again, saved later), Excel lock files (~$…) and
text files are added; files are spread over nested district folders.

Run: .venv/bin/python benchmarks/gen_returns.py OUT_DIR [-n 1000] [--seed 2020]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import re
import sys
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.cell.cell import Cell

from evalbook.fill import fill
from evalbook.framework import Framework, load_framework
from evalbook.template import Layout, Options, build, save
from evalbook.xlsxutil import parse_range

ROOT = Path(__file__).resolve().parent.parent
SEED_JSON = ROOT / "xlsx_templates" / "examples" / "yunxi_2020.json"
MB = 1024 * 1024

TOKEN = "EBTOK"
TEXTS = ("EB_DEPT_NAME", "EB_BUDGET_CODE")
COUNTS = ("EB_SATISFACTION", "EB_LATE_FUNDS", "EB_VIOLATIONS_FUND_USE", "EB_VIOLATIONS_ASSET")
CHECKLISTS = ("EB_CHECK_BUDGET_RULES", "EB_CHECK_DISCLOSURE", "EB_CHECK_ASSET_RULES")
DISTRICTS = ("云溪区", "岳阳楼区", "君山区", "岳阳县", "华容县", "湘阴县", "平江县", "汨罗市",
             "临湘市", "屈原区")
BUREAUS = ("教育局", "财政局", "卫生健康局", "民政局", "交通运输局", "自然资源局", "水利局",
           "农业农村局", "文化旅游广电体育局", "市场监督管理局", "住房和城乡建设局", "司法局",
           "人力资源和社会保障局", "生态环境分局", "应急管理局", "统计局", "审计局", "林业局")
REASON = "部分工作任务未全部完成，按完成比例扣分。"
SATISFACTIONS = (98, 96, 95, 92, 88, 85, 80, 74, 70, 60)
SAVED_BASE = dt.datetime(2021, 7, 20, 9, 0)

# ---------------------------------------------------------------- variants (built once)


def judged(fw: Framework) -> list[tuple[str, Decimal]]:
    """(EB_SCORE_<ID>, 分值) of every indicator whose score the seed's department types in."""
    seed = json.loads(SEED_JSON.read_text("utf-8"))
    return [(f"EB_SCORE_{i.id.upper()}", i.max) for i in fw.indicators
            if f"EB_SCORE_{i.id.upper()}" in seed]


def tokenised(inputs: dict[str, Any], fw: Framework) -> dict[str, Any]:
    """Inputs whose varying values are tokens (``EBTOK<name>``, checklist items
    ``EBTOK<name>_<i>``)."""
    out = dict(inputs)
    for name in (*TEXTS, *COUNTS, *(name for name, _ in judged(fw))):
        out[name] = f"{TOKEN}{name}"
    for name, _ in judged(fw):
        out[name.replace("EB_SCORE_", "EB_REASON_")] = REASON
    for name in CHECKLISTS:
        out[name] = [f"{TOKEN}{name}_{i}" for i in range(len(inputs[name]))]
    return out


def clean(inputs: dict[str, Any]) -> dict[str, Any]:
    """The seed with its own problems corrected (报送日期, 存在的主要问题)."""
    return dict(inputs, EB_SUBMIT_DATE="2021-07-30", EB_PROBLEMS="公务卡刷卡率未达到目标。")


def cell(wb: Workbook, layout: Layout, name: str, row: int = 0, col: int = 0) -> Cell:
    area = layout.areas[name]
    r1, c1, _, _ = parse_range(area.ref)
    found = wb[area.sheet].cell(row=r1 + row, column=c1 + col)
    assert isinstance(found, Cell)
    return found


def type_in(wb: Workbook, layout: Layout, name: str, value: str | float, row: int = 0,
            col: int = 0) -> None:
    """Type a value over a cell the way a person would (text stays text)."""
    target = cell(wb, layout, name, row, col)
    target.value = value
    if isinstance(value, str):
        target.data_type = "s"


def row_sum_off(wb: Workbook, layout: Layout) -> None:
    type_in(wb, layout, "EB_EXPENSE", 69, row=1, col=2)  # 局机关's 基本支出 no longer adds up


def text_numbers(wb: Workbook, layout: Layout) -> None:
    type_in(wb, layout, "EB_INCOME", "88.00万元", row=1, col=1)
    type_in(wb, layout, "EB_GP_ACTUAL", "２")


def bad_scores(wb: Workbook, layout: Layout) -> None:
    type_in(wb, layout, "EB_SCORE_BENEFIT_ECONOMIC", 6)
    cell(wb, layout, "EB_REASON_BENEFIT_SOCIAL").value = None


def missing_values(wb: Workbook, layout: Layout) -> None:
    cell(wb, layout, "EB_FILLER_PHONE").value = None
    type_in(wb, layout, "EB_STAFF_ACTUAL", "六")


def overwritten(wb: Workbook, layout: Layout) -> None:
    type_in(wb, layout, "EB_SCORE_STAFF_CONTROL", 5)  # a formula replaced by a constant


Edit = Callable[[Workbook, Layout], None]
Damage = Callable[[bytes, random.Random], bytes]


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data) // 4, len(data) * 3 // 4)]


def garble(data: bytes, rng: random.Random) -> bytes:
    return rng.randbytes(4096)


CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def legacy(data: bytes, rng: random.Random) -> bytes:
    return CFB + b"\x00" * 4096


def encrypted(data: bytes, rng: random.Random) -> bytes:
    return (CFB + b"\x00" * 512 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 512
            + "EncryptedPackage".encode("utf-16-le"))


_BOMB: dict[str, bytes] = {}


def bomb(data: bytes, rng: random.Random) -> bytes:
    """A sheet that inflates by 64 MB of blanks (built once: compressing it is the slow part)."""
    if "bomb" not in _BOMB:
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as zin, \
                zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                member = zin.read(info)
                if info.filename == "xl/worksheets/sheet2.xml":
                    member += b" " * (64 * MB)
                zout.writestr(info.filename, member)
        _BOMB["bomb"] = out.getvalue()
    return _BOMB["bomb"]


def blank_workbook(data: bytes, rng: random.Random) -> bytes:
    """Somebody's own spreadsheet, not the template."""
    if "blank" not in _BOMB:
        out = io.BytesIO()
        wb = Workbook()
        wb.active["A1"] = "部门预算表"  # type: ignore[index]
        wb.save(out)
        _BOMB["blank"] = out.getvalue()
    return _BOMB["blank"]


@dataclass(frozen=True)
class Variant:
    name: str
    weight: int  # files per 200
    inputs: Callable[[dict[str, Any]], dict[str, Any]] = clean
    edit: Edit | None = None
    damage: Damage | None = None
    suffix: str = ".xlsx"


VARIANTS = (
    Variant("clean", 120),
    Variant("seed-as-filled", 20, inputs=lambda i: i),
    Variant("row-sum-mismatch", 10, edit=row_sum_off),
    Variant("text-numbers", 10, edit=text_numbers),
    Variant("bad-scores", 8, edit=bad_scores),
    Variant("missing-values", 6, edit=missing_values),
    Variant("formula-overwritten", 6, edit=overwritten),
    Variant("truncated", 8, damage=truncate),
    Variant("random-bytes", 3, damage=garble),
    Variant("legacy-xls", 3, damage=legacy, suffix=".xls"),
    Variant("encrypted", 2, damage=encrypted),
    Variant("blank-workbook", 2, damage=blank_workbook),
    Variant("zip-bomb", 2, damage=bomb),
)


def build_variant(variant: Variant, fw: Framework, seed: dict[str, Any], folder: Path
                  ) -> list[tuple[zipfile.ZipInfo, bytes]]:
    wb, layout = build(fw, Options())
    fill(wb, layout, fw, tokenised(variant.inputs(seed), fw))
    if variant.edit is not None:
        variant.edit(wb, layout)
    path = save(wb, folder / f"{variant.name}.xlsx")
    with zipfile.ZipFile(path) as zf:
        return [(info, zf.read(info)) for info in zf.infolist()]


# ---------------------------------------------------------------- one file (cheap)

_TOKEN_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"((?: [a-z]+="[^"]*")*?) t="inlineStr">'
                           rb"<is><t>" + TOKEN.encode() + rb"(\w+)</t></is></c>")
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


@dataclass(frozen=True)
class Return:
    """The values that make one file differ from another of its variant, by token name:
    ``numbers`` become number cells, ``texts`` string cells."""

    numbers: dict[str, str]
    texts: dict[str, str]
    saved: dt.datetime

    @property
    def dept(self) -> str:
        return self.texts["EB_DEPT_NAME"]


def substitute(members: list[tuple[zipfile.ZipInfo, bytes]], values: Return) -> bytes:
    def replace(m: re.Match[bytes]) -> bytes:
        name = m.group(3).decode()
        head = b'<c r="' + m.group(1) + b'"' + m.group(2)
        if name in values.numbers:
            return head + b"><v>" + values.numbers[name].encode() + b"</v></c>"
        text = escape(values.texts[name]).encode()
        return head + b' t="inlineStr"><is><t>' + text + b"</t></is></c>"

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for info, data in members:
            if data.find(TOKEN.encode()) >= 0:
                data = _TOKEN_CELL.sub(replace, data)
            elif info.filename == "docProps/core.xml":
                stamp = values.saved.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                data = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", data)
            zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    return out.getvalue()


def draw(rng: random.Random, index: int, points: list[tuple[str, Decimal]],
         sizes: dict[str, int]) -> Return:
    district = DISTRICTS[index % len(DISTRICTS)]
    bureau = BUREAUS[(index // len(DISTRICTS)) % len(BUREAUS)]
    again = index // (len(DISTRICTS) * len(BUREAUS))
    # most departments do well, some fairly, a few badly: every grade appears
    level = rng.choices((1.0, 0.85, 0.6, 0.3), weights=(50, 30, 12, 8))[0]
    numbers = {}
    for name, top in points:  # to the half point, as evaluators score
        share = Decimal(str(min(1.0, level * rng.uniform(0.9, 1.15))))
        numbers[name] = str((top * share * 2).to_integral_value(rounding=ROUND_FLOOR) / 2)
    slack = 1 - level
    numbers["EB_SATISFACTION"] = str(rng.choice(SATISFACTIONS[: 2 + int(slack * 10)]))
    for name in COUNTS[1:]:
        numbers[name] = str(rng.randint(0, round(slack * 6)))
    texts = {"EB_DEPT_NAME": f"{district}{bureau}{f'（{again + 1}）' if again else ''}",
             "EB_BUDGET_CODE": f"{100000 + index:06d}"}
    for name, size in sizes.items():
        for i in range(size):
            texts[f"{name}_{i}"] = "否" if rng.random() < slack else "是"
    return Return(numbers, texts, SAVED_BASE + dt.timedelta(minutes=7 * index))


# ---------------------------------------------------------------- the folder


def pick(rng: random.Random) -> Variant:
    return rng.choices(VARIANTS, weights=[v.weight for v in VARIANTS])[0]


def write(path: Path, data: bytes, when: dt.datetime) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (when.timestamp(), when.timestamp()))


def generate(folder: Path, n: int, seed: int = 2020) -> Counter[str]:
    """Write ``n`` workbooks (and a few other files) under ``folder``; counts by variant."""
    fw = load_framework()
    base = json.loads(SEED_JSON.read_text("utf-8"))
    points = judged(fw)
    sizes = {name: len(base[name]) for name in CHECKLISTS}
    with tempfile.TemporaryDirectory() as tmp:
        built = {v.name: build_variant(v, fw, base, Path(tmp))
                 for v in VARIANTS if v.damage is None}
    rng = random.Random(seed)
    counts: Counter[str] = Counter()
    made: list[tuple[Path, Return]] = []
    for i in range(n):
        values = draw(rng, i, points, sizes)
        district = DISTRICTS[i % len(DISTRICTS)]
        if made and i % 50 == 49:  # a resubmission: a department sends its workbook again
            first_path, first = made[rng.randrange(len(made))]
            values = Return(first.numbers | {"EB_SATISFACTION": "98"}, first.texts,
                            first.saved + dt.timedelta(days=3))
            path = first_path.with_name(f"{first_path.stem}（修改稿）.xlsx")
            while path.exists():  # sent a third time
                path = path.with_name(f"{path.stem}（又）.xlsx")
            write(path, substitute(built["clean"], values), values.saved)
            counts["resubmission"] += 1
            continue
        variant = pick(rng)
        data = substitute(built.get(variant.name, built["clean"]), values)
        if variant.damage is not None:
            data = variant.damage(data, rng)
        path = folder / district / f"{i:04d}_{values.dept}{variant.suffix}"
        write(path, data, values.saved)
        if variant.damage is None:
            made.append((path, values))
        counts[variant.name] += 1
        if i % 100 == 7:  # the lock file of a workbook open in Excel, and a stray note
            write(path.with_name(f"~${path.name}"), b"\x00" * 165, values.saved)
            write(path.with_name(f"{i:04d}_说明.txt"), "请查收。".encode(), values.saved)
            counts["lock-file"] += 1
            counts["text-file"] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("-n", type=int, default=1000, help="number of workbooks")
    parser.add_argument("--seed", type=int, default=2020)
    args = parser.parse_args()
    if args.folder.exists() and any(args.folder.iterdir()):
        sys.exit(f"{args.folder} is not empty")
    start = time.perf_counter()
    counts = generate(args.folder, args.n, args.seed)
    elapsed = time.perf_counter() - start
    print(f"{args.n} workbooks in {args.folder} in {elapsed:.1f} s "
          f"({elapsed / args.n * 1e3:.1f} ms each)")
    for name, count in sorted(counts.items(), key=lambda kv: -kv[1]):
        print(f"  {name:22s} {count:5d}")


if __name__ == "__main__":
    main()
