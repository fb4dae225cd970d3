import pytest

from marketplace.core.money import UnclearAmount, format_rupiah, parse_rupiah
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
        ("Rp15.000", 15000),
        ("rp. 15.000", 15000),
        ("15000", 15000),
        ("15 000", 15000),
        ("15.000,00", 15000),
        ("15000,00", 15000),
        ("15.000,-", 15000),
        ("", None),
        ("   ", None),
        (" 2.500 ", 2500),
        ("12rb", 12000),
        ("12 rb", 12000),
        ("12 ribu", 12000),
        ("12k", 12000),
        ("12K", 12000),
        ("12,5rb", 12500),
        ("1,5jt", 1_500_000),
        ("1.5jt", 1_500_000),
        ("1,5 juta", 1_500_000),
        ("2,75jt", 2_750_000),
        ("1.500.000", 1_500_000),
        ("0", 0),
        ("500", 500),
    ],
)
def test_parse_rupiah(typed, value):
    assert parse_rupiah(typed) == value


@pytest.mark.parametrize(
    "typed",
    ["abc", "12.5", "1.5", "12,50", "1,2345rb", "12rbu", "-500", "12..000", "Rp", "12 rb 5"],
)
def test_parse_rupiah_never_guesses(typed):
    with pytest.raises(UnclearAmount):
        parse_rupiah(typed)


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
        "０８１２３４５６７８９０",  # full-width digits are the number they look like
        "⁰⁸¹²³⁴⁵⁶⁷⁸⁹⁰",  # and so are superscript ones
        "628１２３４５６７８９０",  # once stored apart from 6281234567890
    ],
)
def test_phone_formats_normalise_to_one_form(raw):
    assert normalize_phone(raw) == "6281234567890"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "12345",
        "02112345678",
        "+1 202 555 0100",
        "0812abc",
        "0" * 30,
        "٠٨١٢٣٤٥٦٧٨٩٠",  # Arabic-Indic digits: isdigit() says yes, we say no
        "0812\u200b34567890",  # a zero-width space hidden inside
    ],
)
def test_invalid_phones_are_refused(raw):
    with pytest.raises(InvalidPhone):
        normalize_phone(raw)


def test_display_phone():
    assert display_phone("6281234567890") == "0812-3456-7890"
