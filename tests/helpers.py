"""Shared test helpers: the seed example and small input builders."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED_JSON = ROOT / "xlsx_templates" / "examples" / "yunxi_2020.json"
OTHER_FRAMEWORK = Path(__file__).resolve().parent / "frameworks" / "other_region.toml"


def seed_inputs() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SEED_JSON.read_text(encoding="utf-8"))
    return copy.deepcopy(data)


def set_summary(inputs: dict[str, Any], table: str, col: int, value: object) -> None:
    """Set a column (1-based position in the named range) of a table's 汇总 row."""
    inputs[table][0][col - 1] = value
