"""Terminal alignment for mixed Chinese/Latin text (CJK characters take two columns)."""

from __future__ import annotations

import unicodedata


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, columns: int, right: bool = False) -> str:
    gap = " " * max(0, columns - width(text))
    return gap + text if right else text + gap


def clip(text: str, columns: int) -> str:
    out, used = "", 0
    for ch in text:
        w = width(ch)
        if used + w > columns - 1 and used + w > columns:
            return out + "…"
        out += ch
        used += w
    return out
