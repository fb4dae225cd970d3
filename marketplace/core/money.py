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


class UnclearAmount(ValueError):
    """The text is not an amount of Rupiah we can read without guessing."""


class AmountTooLarge(ValueError):
    """More digits than any price or fee the marketplace takes."""


_UNITS = {"rb": 1000, "ribu": 1000, "k": 1000, "jt": 1_000_000, "juta": 1_000_000}
_AMOUNT = re.compile(
    r"""^\s*(?:rp\.?\s*)?
    (?P<number>\d{1,3}(?:[.\s]\d{3})+|\d+(?:[.,]\d+)?)   # 12.000 · 12 000 · 12000 · 1,5
    \s*(?P<unit>rb|ribu|k|jt|juta)?\.?
    \s*(?:,-|,00?|\.00?)?\s*$""",  # "12.000,-" and "12.000,00" are whole Rupiah too
    re.I | re.X,
)


def parse_rupiah(text: str | int | None) -> int | None:
    """Read an amount the way Indonesians type it, as whole Rupiah.

    "12000", "12.000", "12 000", "Rp 12.000", "12.000,-" and "12.000,00" are 12000;
    "12rb", "12 ribu" and "12k" are 12000; "1,5jt", "1.5 juta" are 1500000; "12,5rb" is 12500.
    Empty text is None. Anything else (letters, "12.5" without a unit, a fraction of a Rupiah)
    raises UnclearAmount: a price is never guessed.
    """
    if text is None:
        return None
    if isinstance(text, int):
        return text
    if not text.strip():
        return None
    match = _AMOUNT.match(text)
    if match is None:
        raise UnclearAmount(text)
    number, unit = match.group("number"), (match.group("unit") or "").lower()
    grouped = re.fullmatch(r"\d{1,3}(?:[.\s]\d{3})+", number) is not None
    if grouped:
        whole, fraction = re.sub(r"[.\s]", "", number), ""
    else:
        whole, _sep, fraction = number.replace(",", ".").partition(".")
    if len(whole) > 12:
        raise AmountTooLarge("amount too large")
    multiplier = _UNITS.get(unit, 1)
    if fraction and multiplier == 1:
        if len(fraction) > 2 or fraction.strip("0"):
            raise UnclearAmount(text)  # "12.5": cents do not exist, thousands are ambiguous
        fraction = ""  # "15000,00"
    scale = 10 ** len(fraction)
    total = (int(whole) * scale + int(fraction or 0)) * multiplier
    if total % scale:
        raise UnclearAmount(text)  # "1,2345rb" is not a whole Rupiah
    amount = total // scale
    if amount > 999_999_999_999:
        raise AmountTooLarge("amount too large")
    return amount


#: Stripe treats IDR as a two-decimal currency (it is not on Stripe's zero-decimal list), so
#: Rp15.000 travels as amount=1500000. See https://docs.stripe.com/currencies#minor-units.
STRIPE_CURRENCY = "idr"
STRIPE_MINOR_UNITS = 100
#: Stripe accepts up to twelve digits of minor units for IDR (Rp9.999.999.999,99).
STRIPE_MAX_AMOUNT = 999_999_999_999


def to_stripe_amount(rupiah: int) -> int:
    """Whole Rupiah to Stripe's IDR amount (minor units): 15000 -> 1500000."""
    if not isinstance(rupiah, int) or isinstance(rupiah, bool):
        raise TypeError("Rupiah are whole integers")
    if rupiah < 0:
        raise ValueError("a charge cannot be negative")
    amount = rupiah * STRIPE_MINOR_UNITS
    if amount > STRIPE_MAX_AMOUNT:
        raise ValueError("amount above Stripe's maximum for IDR")
    return amount


def from_stripe_amount(amount: int) -> int:
    """Stripe's IDR amount back to whole Rupiah: 1500000 -> 15000 (fractions are refused)."""
    if amount % STRIPE_MINOR_UNITS:
        raise ValueError("IDR amounts from Stripe must be whole Rupiah")
    return amount // STRIPE_MINOR_UNITS
