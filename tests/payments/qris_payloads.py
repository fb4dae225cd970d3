"""Static QRIS payloads as banks and e-wallets print them on stickers, built field by field (the
same EMVCo layout, each issuer with its own merchant account template)."""

from __future__ import annotations

from marketplace.payments.qris import build, tlv

#: (issuer's template id, the issuer's GUID, the app people know)
ISSUERS = [
    ("26", "COM.GO-JEK.WWW", "GoPay"),
    ("26", "ID.CO.SHOPEE.WWW", "ShopeePay"),
    ("26", "ID.DANA.WWW", "DANA"),
    ("26", "ID.CO.BCA.WWW", "BCA"),
    ("26", "ID.CO.BRI.WWW", "BRI"),
    ("27", "ID.CO.BANKMANDIRI.WWW", "Mandiri"),
]


def static_payload(
    guid: str = "ID.CO.BCA.WWW",
    template: str = "26",
    name: str = "WARUNG BU SITI",
    city: str = "TANGERANG",
    nmid: str = "ID1023276543210",
    extra: dict[str, str] | None = None,
    drop: tuple[str, ...] = (),
) -> str:
    """A sticker's payload: ``extra`` adds or replaces top-level fields, ``drop`` removes some."""
    issuer = tlv("00", guid) + tlv("01", "9360001412345678901") + tlv("02", "0012345678")
    issuer += tlv("03", "UMI")
    national = tlv("00", "ID.CO.QRIS.WWW") + tlv("02", nmid) + tlv("03", "UMI")
    fields = {
        "00": "01",
        "01": "11",
        template: issuer,
        "51": national,
        "52": "5812",
        "53": "360",
        "58": "ID",
        "59": name,
        "60": city,
        "61": "15111",
        "62": tlv("07", "A01"),
    }
    fields.update(extra or {})
    return build({tag: value for tag, value in fields.items() if tag not in drop})
