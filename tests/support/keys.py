"""Raw inputs addressed by the engine's reference keys (``EB_X``, ``EB_T@r.col``, ``EB_C#i``)."""

from __future__ import annotations

from typing import Any

from evalbook.contract import TABLES_BY_NAME


def value_at(inputs: dict[str, Any], key: str) -> Any:
    """The raw input behind a key: what the referenced cell holds (None if absent)."""
    name, _, column = key.partition(".")
    if column:
        name, _, row_text = name.partition("@")
        row, col = int(row_text or 0), TABLES_BY_NAME[name].index(column) - 1
        rows = inputs.get(name) or []
        return rows[row][col] if row < len(rows) and col < len(rows[row]) else None
    name, _, item = key.partition("#")
    if item:
        items = inputs.get(name) or []
        return items[int(item) - 1] if int(item) <= len(items) else None
    return inputs.get(key)


def set_at(inputs: dict[str, Any], key: str, value: Any) -> None:
    """Set the raw input behind a key (the table row or checklist item must exist)."""
    name, _, column = key.partition(".")
    if column:
        name, _, row_text = name.partition("@")
        inputs[name][int(row_text or 0)][TABLES_BY_NAME[name].index(column) - 1] = value
        return
    name, _, item = key.partition("#")
    if item:
        inputs[name][int(item) - 1] = value
        return
    inputs[key] = value
