"""Indonesian phone numbers: 08…, +62…, 62… all become one form, 62…"""

from __future__ import annotations

import re
import unicodedata

_ASCII_DIGITS = re.compile(r"[0-9]+")


class InvalidPhone(ValueError):
    pass


def normalize_phone(raw: str) -> str:
    """Normalise an Indonesian mobile number to the international form without '+': 62812…

    Full-width and superscript digits become the plain digits they look like (NFKC), so a
    look-alike of a registered number is that number; any other digit (Arabic-Indic, …) is
    refused: a number is stored in ASCII digits only."""
    digits = re.sub(r"[\s\-().]", "", unicodedata.normalize("NFKC", raw or ""))
    if digits.startswith("+"):
        digits = digits[1:]
    if not _ASCII_DIGITS.fullmatch(digits):
        raise InvalidPhone(raw)
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    if not digits.startswith("628") or not 10 <= len(digits) <= 15:
        raise InvalidPhone(raw)
    return digits


def display_phone(normalized: str) -> str:
    """Show a stored number the way people write it locally: 0812-3456-7890."""
    if not normalized:
        return ""
    local = "0" + normalized[2:] if normalized.startswith("62") else normalized
    return "-".join([local[:4], local[4:8], local[8:]]).rstrip("-")
