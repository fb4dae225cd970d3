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
