"""QRIS payloads: what is accepted as a seller's sticker, what is refused and why, and the
dynamic code of one payment (exact amount, point of initiation 12, recomputed CRC)."""

from __future__ import annotations

import io

import pytest
import segno
from PIL import Image

from marketplace.payments import qris
from tests.payments.qris_payloads import ISSUERS, static_payload


def test_crc16_is_ccitt_false():
    # the standard check value of CRC-16/CCITT-FALSE
    assert qris.crc16("123456789") == "29B1"


@pytest.mark.parametrize(("template", "guid", "app_name"), ISSUERS)
def test_stickers_of_several_issuers_are_read(app, template, guid, app_name):
    merchant = qris.read_static(static_payload(guid=guid, template=template))
    assert merchant.name == "WARUNG BU SITI"
    assert merchant.city == "TANGERANG"
    assert merchant.nmid == "ID1023276543210"
    assert merchant.issuer == app_name
    assert merchant.criteria == "UMI"


def test_an_unknown_issuer_is_named_by_its_identifier(app):
    merchant = qris.read_static(static_payload(guid="ID.CO.KOPERASIKITA.WWW"))
    assert merchant.issuer == "ID.CO.KOPERASIKITA.WWW"


def test_line_breaks_and_spaces_around_a_pasted_payload_are_ignored(app):
    payload = static_payload()
    assert qris.read_static(f"  {payload[:40]}\n{payload[40:]}\r\n").payload == payload


def _refused(payload: str) -> str:
    with pytest.raises(qris.InvalidQris) as caught:
        qris.read_static(payload)
    return caught.value.message


def test_a_wrong_crc_is_refused(app):
    payload = static_payload()
    broken = payload[:-4] + ("0000" if payload[-4:] != "0000" else "FFFF")
    assert "CRC" in _refused(broken)


def test_a_changed_character_breaks_the_crc(app):
    payload = static_payload()
    tampered = payload.replace("WARUNG BU SITI", "WARUNG BU SITO")
    assert "CRC" in _refused(tampered)


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ("", "Tempel"),
        ("https://warung.example/bayar", "bukan QRIS"),
        ("000201010211", "CRC"),  # no CRC field at the end
        ("0002010102", "terpotong"),  # a length longer than what follows
        ("x" * 600, "terlalu panjang"),
    ],
)
def test_what_is_not_a_qris_is_refused(app, payload, words):
    assert words in _refused(payload)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"extra": {"00": "02"}}, "EMVCo"),
        ({"extra": {"53": "840"}}, "Rupiah"),
        ({"extra": {"58": "SG"}}, "Indonesia"),
        ({"drop": ("59",)}, "nama dan kota"),
        ({"drop": ("60",)}, "nama dan kota"),
        ({"drop": ("52",)}, "MCC"),
        ({"drop": ("51",)}, "NMID"),
        ({"nmid": "12345"}, "NMID"),
        ({"extra": {"01": "13"}}, "jenis kode"),
        ({"extra": {"01": "12", "54": "15000"}}, "sekali bayar"),
        ({"extra": {"54": "15000"}}, "sekali bayar"),
    ],
)
def test_fields_that_break_the_rules_are_refused(app, change, words):
    assert words in _refused(static_payload(**change))


def test_a_field_twice_is_refused(app):
    body = static_payload()[:-8] + "5802ID6304"
    assert "ganda" in _refused(body + qris.crc16(body))


@pytest.mark.parametrize("amount", [1, 500, 15000, 87_654, 9_999_999, 10_000_000])
def test_the_dynamic_code_carries_the_exact_amount(app, amount):
    static = static_payload(extra={"55": "01"})  # a sticker that asks the buyer for a tip
    payload = qris.dynamic(static, amount)
    merchant, values, initiation = qris.parse(payload)  # a valid QRIS again, CRC included
    assert initiation == "12"
    assert values["54"] == str(amount)
    assert "55" not in values  # no tip on top of an order's exact amount
    assert qris.amount_of(payload) == amount
    assert merchant.nmid == "ID1023276543210"
    assert payload[-8:-4] == "6304"
    assert qris.crc16(payload[:-4]) == payload[-4:]


@pytest.mark.parametrize("amount", [0, -1, 10_000_001, 1.5, "15000"])
def test_impossible_amounts_make_no_code(app, amount):
    with pytest.raises(qris.InvalidQris):
        qris.dynamic(static_payload(), amount)


def test_a_dynamic_code_is_not_taken_as_a_sticker(app):
    assert "sekali bayar" in _refused(qris.dynamic(static_payload(), 20000))


def _png(text: str, **kwargs) -> bytes:
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=6, border=4, **kwargs)
    return out.getvalue()


def test_round_trip_photo_to_dynamic_and_back(app):
    """A photo of the sticker is decoded, its dynamic code drawn, and that drawing decoded
    again gives the same merchant with the order's amount."""
    static = static_payload(guid="COM.GO-JEK.WWW")
    photo = Image.open(io.BytesIO(_png(static))).convert("RGB")
    # a phone photo: on a grey wall, slightly turned, saved as JPEG
    wall = Image.new("RGB", (photo.width + 300, photo.height + 300), (120, 120, 110))
    wall.paste(photo.rotate(7, expand=True, fillcolor=(255, 255, 255)), (120, 110))
    jpeg = io.BytesIO()
    wall.save(jpeg, format="JPEG", quality=80)
    decoded = qris.decode_image(jpeg.getvalue())
    assert decoded == static
    payload = qris.dynamic(qris.read_static(decoded).payload, 23500)
    again = qris.decode_image(_png(payload))
    assert again == payload
    assert qris.amount_of(again) == 23500
    assert qris.parse(again)[0].issuer == "GoPay"


def _png_header(width: int, height: int) -> bytes:
    """A PNG that claims a huge picture in a few bytes (a decompression bomb)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def test_a_decompression_bomb_is_refused(app):
    with pytest.raises(qris.InvalidQris, match="tidak dapat dibaca"):
        qris.decode_image(_png_header(60000, 60000))


def test_a_photo_without_a_code_or_not_a_photo_is_refused(app):
    blank = io.BytesIO()
    Image.new("RGB", (200, 200), (250, 250, 250)).save(blank, format="PNG")
    with pytest.raises(qris.InvalidQris, match="tidak terbaca"):
        qris.decode_image(blank.getvalue())
    with pytest.raises(qris.InvalidQris, match="tidak dapat dibaca"):
        qris.decode_image(b"GIF89a not really")
