"""The one way the site writes CSV: UTF-8 with a BOM for spreadsheets, and no cell a
spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

#: a text cell starting with one of these is a formula to Excel, LibreOffice or Google Sheets
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value):
    """Text that a spreadsheet would evaluate gets a leading apostrophe (shown as text);
    numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: Iterable, rows: Iterable[Iterable]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()
