from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField

from marketplace.core.forms import Form, Optional, choices, length, required
from marketplace.payments.manual import BANKS


class HeldRejectForm(Form):
    """The city admin refuses a held card payment; the buyer reads the reason."""

    reason = TextAreaField(_l("Alasan penolakan"), validators=[required(), length(1000)])


class QrisReadForm(Form):
    """The seller's static QRIS: a photo of the sticker, or its text pasted."""

    photo = FileField(_l("Foto stiker QRIS"))
    payload = TextAreaField(
        _l("Atau tempel isi kode QRIS"),
        validators=[Optional(), length(512)],
        description=_l("Teks panjang yang diawali 000201…, dari aplikasi pembaca QR."),
    )


class QrisSaveForm(Form):
    """The seller confirms the merchant their sticker pays (the payload is checked again)."""

    payload = HiddenField(validators=[required(), length(512)])


class BankAccountForm(Form):
    bank = SelectField(
        _l("Bank"),
        choices=choices([("", _l("Pilih bank")), *((name, name) for name in BANKS)]),
        validate_choice=False,
    )
    number = StringField(
        _l("Nomor rekening"), validators=[required(), length(30)], description=_l("Hanya angka.")
    )
    holder = StringField(
        _l("Nama pemilik rekening"),
        validators=[required(), length(120)],
        description=_l("Seperti di buku tabungan; pembeli mencocokkannya sebelum transfer."),
    )


class PaymentClaimForm(Form):
    """The buyer says they paid; a screenshot helps the seller find the payment."""

    proof = FileField(_l("Foto bukti bayar (tidak wajib)"))
