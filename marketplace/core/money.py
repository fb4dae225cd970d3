"""Money is an integer number of Rupiah, never a float."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"[^0-9]")


def format_rupiah(amount: int | None) -> str:
    """Format whole Rupiah the Indonesian way: 15000 -> 'Rp15.000'."""
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(int(amount)):,}".replace(",", ".")


def parse_rupiah(text: str | int | None) -> int | None:
    """Read what a seller types ('15.000', 'Rp 15.000', '15000') as whole Rupiah.

    Returns None when nothing numeric was typed. A decimal comma part (',00') is dropped.
    """
    if text is None:
        return None
    if isinstance(text, int):
        return text
    cleaned = text.strip()
    cleaned = re.sub(r",\d{1,2}$", "", cleaned)  # "15.000,00"
    digits = _DIGITS.sub("", cleaned)
    if not digits:
        return None
    if len(digits) > 12:
        raise ValueError("amount too large")
    return int(digits)
