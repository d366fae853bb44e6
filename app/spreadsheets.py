"""Cells of the CSV files the portal exports, safe to open in a spreadsheet program."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value: str) -> str:
    """Spreadsheets run a cell that starts with = + - @ (or a tab or carriage return) as a
    formula; such text is kept as text by a leading apostrophe."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value
