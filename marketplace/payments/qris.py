"""QRIS: read a seller's static merchant QR (EMVCo merchant-presented mode, as standardised by
Bank Indonesia) and make from it the dynamic QR of one payment with the exact amount.

A payload is a string of TLV fields: a two-digit id, a two-digit length and the value. A
template field (26–51 merchant account information, 62 additional data) holds TLV sub-fields.
The last field is 63, a CRC-16/CCITT-FALSE over everything before its value.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from flask_babel import gettext as _

from marketplace.core.errors import DomainError

#: the national QRIS repository's globally unique identifier in a merchant account template
QRIS_GUID = "ID.CO.QRIS.WWW"
STATIC, DYNAMIC = "11", "12"
RUPIAH = "360"
#: Bank Indonesia's ceiling for one QRIS payment
MAX_AMOUNT = 10_000_000
NMID_RE = re.compile(r"^ID\d{10,16}$")
#: the merchant account template's own identifier (sub-field 00) → the app people know
ISSUERS = {
    "COM.GO-JEK.WWW": "GoPay",
    "ID.CO.SHOPEE.WWW": "ShopeePay",
    "ID.DANA.WWW": "DANA",
    "ID.CO.DANA.WWW": "DANA",
    "ID.OVO.WWW": "OVO",
    "ID.LINKAJA.WWW": "LinkAja",
    "ID.CO.BCA.WWW": "BCA",
    "ID.CO.BRI.WWW": "BRI",
    "ID.CO.BNI.WWW": "BNI",
    "ID.CO.BANKMANDIRI.WWW": "Mandiri",
    "ID.CO.BANKBSI.WWW": "BSI",
    "ID.CO.BANKDKI.WWW": "Bank DKI",
    "ID.CO.BANKBJB.WWW": "bank bjb",
}


class InvalidQris(DomainError):
    """Not a usable QRIS merchant code; the message says why, in the user's language."""


def crc16(data: str) -> str:
    """CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF) as four upper-case hex digits."""
    crc = 0xFFFF
    for byte in data.encode("utf-8"):
        crc ^= byte << 8
        for _bit in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


def parse_tlv(text: str) -> list[tuple[str, str]]:
    """The (id, value) fields of a TLV string, in order; InvalidQris when it is not one."""
    fields: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        head = text[position : position + 4]
        if len(head) < 4 or not head.isdigit():
            raise InvalidQris(_("Kode QR ini bukan QRIS (susunan datanya tidak dikenali)."))
        length = int(head[2:])
        value = text[position + 4 : position + 4 + length]
        if len(value) != length:
            raise InvalidQris(_("Kode QR ini bukan QRIS (data terpotong)."))
        fields.append((head[:2], value))
        position += 4 + length
    return fields


def tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise InvalidQris(_("Isi kode QRIS terlalu panjang."))
    return f"{tag}{len(value):02d}{value}"


@dataclass(frozen=True)
class Merchant:
    """What a QRIS sticker says about the merchant it pays."""

    payload: str
    name: str
    city: str
    nmid: str
    #: the bank or e-wallet that issued the sticker ("GoPay", "BCA", or its identifier)
    issuer: str
    postal_code: str = ""
    #: "UMI", "UKE", "UME", "UBE" (micro … large) when the sticker says
    criteria: str = ""


def _clean(payload: str) -> str:
    return (payload or "").strip().replace("\r", "").replace("\n", "")


def parse(payload: str) -> tuple[Merchant, dict[str, str], str]:
    """Check a payload as a QRIS merchant-presented code; answer the merchant, its top-level
    fields by id and its point of initiation. Raises InvalidQris with the reason."""
    payload = _clean(payload)
    if not payload:
        raise InvalidQris(_("Tempel isi kode QRIS atau unggah foto stiker QRIS."))
    if len(payload) > 512:
        raise InvalidQris(_("Kode QR ini terlalu panjang untuk QRIS."))
    fields = parse_tlv(payload)
    ids = [tag for tag, _value in fields]
    values = dict(fields)
    if len(set(ids)) != len(ids):
        raise InvalidQris(_("Kode QR ini bukan QRIS (ada data ganda)."))
    if ids[0] != "00" or values["00"] != "01":
        raise InvalidQris(_("Kode QR ini bukan QRIS (bukan format pembayaran EMVCo)."))
    if ids[-1] != "63" or len(values["63"]) != 4:
        raise InvalidQris(_("Kode QR ini bukan QRIS (tanda periksa CRC tidak ada)."))
    if crc16(payload[:-4]) != values["63"].upper():
        raise InvalidQris(
            _("Kode QRIS rusak atau salah salin (CRC tidak cocok). Foto ulang stikernya.")
        )
    initiation = values.get("01", STATIC)
    if initiation not in (STATIC, DYNAMIC):
        raise InvalidQris(_("Kode QR ini bukan QRIS (jenis kode tidak dikenali)."))
    if values.get("53") != RUPIAH:
        raise InvalidQris(_("QRIS ini bukan untuk pembayaran Rupiah."))
    if values.get("58") != "ID":
        raise InvalidQris(_("QRIS ini bukan dari Indonesia."))
    name, city = values.get("59", "").strip(), values.get("60", "").strip()
    if not name or not city:
        raise InvalidQris(_("QRIS ini tidak memuat nama dan kota merchant."))
    if not re.fullmatch(r"\d{4}", values.get("52", "")):
        raise InvalidQris(_("QRIS ini tidak memuat kategori merchant (MCC)."))
    nmid, criteria, issuer = "", "", ""
    for tag in ids:
        if not 26 <= int(tag) <= 51:
            continue
        sub = dict(parse_tlv(values[tag]))
        guid = sub.get("00", "").upper()
        if guid == QRIS_GUID:
            nmid, criteria = sub.get("02", ""), sub.get("03", "")
        elif guid and not issuer:
            issuer = ISSUERS.get(guid, guid)
    if not NMID_RE.match(nmid):
        raise InvalidQris(_("QRIS ini tidak memuat NMID (nomor merchant nasional) yang sah."))
    merchant = Merchant(
        payload=payload,
        name=name,
        city=city,
        nmid=nmid,
        issuer=issuer or "QRIS",
        postal_code=values.get("61", ""),
        criteria=criteria,
    )
    return merchant, values, initiation


def read_static(payload: str) -> Merchant:
    """A seller's sticker: a valid QRIS with no amount of its own (static, point 11)."""
    merchant, values, initiation = parse(payload)
    if initiation != STATIC or "54" in values:
        raise InvalidQris(
            _("Ini QRIS sekali bayar (berisi nominal). Gunakan QRIS statis dari stiker toko Anda.")
        )
    return merchant


def amount_of(payload: str) -> int | None:
    """The whole-Rupiah amount a payload asks for (None for a static code)."""
    _merchant, values, _initiation = parse(payload)
    if "54" not in values:
        return None
    value = values["54"]
    if not re.fullmatch(r"\d{1,13}(\.00?)?", value):
        raise InvalidQris(_("Nominal dalam kode QRIS tidak sah."))
    return int(value.split(".")[0])


def dynamic(static_payload: str, amount: int) -> str:
    """The dynamic QRIS of one payment: the sticker's fields with point of initiation 12, the
    exact amount in field 54 (tip and fee fields dropped so the amount is final) and a new CRC.
    """
    if not isinstance(amount, int) or not 0 < amount <= MAX_AMOUNT:
        raise InvalidQris(_("Nominal QRIS harus antara Rp1 dan Rp10.000.000."))
    read_static(static_payload)
    fields = {
        tag: value
        for tag, value in parse_tlv(_clean(static_payload))
        if tag not in ("54", "55", "56", "57", "63")
    }
    fields["01"] = DYNAMIC
    fields["54"] = str(amount)
    return build(dict(sorted(fields.items())))


def build(fields: dict[str, str]) -> str:
    """A payload from its top-level fields, in the order given, closed by its CRC (field 63)."""
    body = "".join(tlv(tag, value) for tag, value in fields.items()) + "6304"
    return body + crc16(body)


def decode_image(data: bytes) -> str:
    """The text of the QR code in a photo (a sticker on a wall, a screenshot), read by
    zxing-cpp; InvalidQris when there is none."""
    import zxingcpp
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((2000, 2000))
            results = zxingcpp.read_barcodes(
                image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode
            )
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as exc:
        raise InvalidQris(_("Foto tidak dapat dibaca. Unggah foto JPG atau PNG.")) from exc
    texts = [result.text for result in results if result.valid and result.text]
    if not texts:
        raise InvalidQris(
            _(
                "Kode QR tidak terbaca di foto. Foto stiker dari dekat, lurus dan terang, "
                "atau tempel isi kodenya."
            )
        )
    return texts[0]
