from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Email, Optional

from marketplace.core.forms import Form, choices, length, required
from marketplace.core.inputs import db_int
from marketplace.orders.services import CheckoutData


class CheckoutForm(Form):
    checkout_token = HiddenField(validators=[required(), length(64)])
    name = StringField(_l("Nama pemesan"), validators=[required(), length(120)])
    phone = StringField(_l("Nomor WhatsApp"), validators=[required(), length(20)])
    email = EmailField(
        _l("E-mail (tidak wajib)"),
        validators=[Optional(), Email(message=_l("Alamat e-mail tidak valid.")), length(254)],
    )
    fulfilment = RadioField(
        _l("Cara terima"),
        choices=choices([("pickup", _l("Ambil di tempat")), ("delivery", _l("Diantar"))]),
        default="pickup",
    )
    fulfil_at = SelectField(_l("Waktu ambil / antar"), validate_choice=False)
    address = StringField(
        _l("Alamat antar (jalan, gang, nomor)"), validators=[Optional(), length(255)]
    )
    rt = StringField(_l("RT"), validators=[Optional(), length(3)])
    rw = StringField(_l("RW"), validators=[Optional(), length(3)])
    kelurahan_id = SelectField(_l("Kelurahan"), coerce=db_int, validate_choice=False)
    landmark = StringField(_l("Patokan"), validators=[Optional(), length(255)])
    payment_method = RadioField(
        _l("Cara bayar"),
        choices=choices(
            [
                ("cash", _l("Bayar di tempat (tunai)")),
                ("qris", _l("QRIS (e-wallet / m-banking)")),
                ("transfer", _l("Transfer bank")),
                ("card", _l("Kartu debit / kredit")),
            ]
        ),
        default="cash",
    )
    note = TextAreaField(_l("Catatan untuk penjual"), validators=[Optional(), length(500)])
    discount_code = StringField(_l("Kode promo (tidak wajib)"), validators=[Optional(), length(30)])

    def to_data(self, event=None) -> CheckoutData:
        return CheckoutData(
            event_id=event.id if event is not None else None,
            checkout_token=self.checkout_token.data or "",
            name=self.name.data or "",
            phone=self.phone.data or "",
            email=self.email.data or "",
            fulfilment=self.fulfilment.data or "",
            fulfil_at=self.fulfil_at.data or "",
            payment_method=self.payment_method.data or "",
            note=self.note.data or "",
            address=self.address.data or "",
            rt=self.rt.data or "",
            rw=self.rw.data or "",
            kelurahan_id=self.kelurahan_id.data or None,
            landmark=self.landmark.data or "",
            discount_code=self.discount_code.data or "",
        )


class RejectOrderForm(Form):
    reason = TextAreaField(_l("Alasan penolakan"), validators=[required(), length(500)])


class CancelOrderForm(Form):
    reason = StringField(_l("Alasan (tidak wajib)"), validators=[Optional(), length(200)])
