import pytest

from marketplace.core.money import format_rupiah, parse_rupiah
from marketplace.core.phone import InvalidPhone, display_phone, normalize_phone


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0, "Rp0"),
        (500, "Rp500"),
        (15000, "Rp15.000"),
        (1250000, "Rp1.250.000"),
        (-3000, "-Rp3.000"),
    ],
)
def test_format_rupiah(amount, text):
    assert format_rupiah(amount) == text


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("15.000", 15000),
        ("Rp 15.000", 15000),
        ("15000", 15000),
        ("15.000,00", 15000),
        ("", None),
        ("abc", None),
        (" 2.500 ", 2500),
    ],
)
def test_parse_rupiah(typed, value):
    assert parse_rupiah(typed) == value


def test_parse_rupiah_refuses_absurd_amounts():
    with pytest.raises(ValueError, match="too large"):
        parse_rupiah("9" * 20)


@pytest.mark.parametrize(
    "raw",
    [
        "081234567890",
        "+6281234567890",
        "6281234567890",
        "0812-3456-7890",
        "0812 3456 7890",
        "81234567890",
        "(0812) 3456-7890",
    ],
)
def test_phone_formats_normalise_to_one_form(raw):
    assert normalize_phone(raw) == "6281234567890"


@pytest.mark.parametrize(
    "raw", ["", "12345", "02112345678", "+1 202 555 0100", "0812abc", "0" * 30]
)
def test_invalid_phones_are_refused(raw):
    with pytest.raises(InvalidPhone):
        normalize_phone(raw)


def test_display_phone():
    assert display_phone("6281234567890") == "0812-3456-7890"
