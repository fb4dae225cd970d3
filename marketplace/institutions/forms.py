from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, NumberRange, Optional

from marketplace.core.forms import Form, RupiahField, choices, input_required, length, required
from marketplace.core.inputs import db_int
from marketplace.institutions.models import InstitutionKind
from marketplace.institutions.services import MAX_BOXES, BulkData, InstitutionData

KINDS = [
    (InstitutionKind.GOVERNMENT, _l("Kantor pemerintah / dinas")),
    (InstitutionKind.KELURAHAN, _l("Kantor kelurahan / kecamatan")),
    (InstitutionKind.SCHOOL, _l("Sekolah")),
    (InstitutionKind.COMPANY, _l("Perusahaan")),
    (InstitutionKind.OTHER, _l("Lainnya (yayasan, komunitas)")),
]
TERM_CHOICES = [
    ("0", _l("Bayar saat diantar")),
    ("7", _l("7 hari")),
    ("14", _l("14 hari")),
    ("30", _l("30 hari")),
]


class InstitutionForm(Form):
    name = StringField(_l("Nama instansi"), validators=[required(), length(160)])
    kind = SelectField(_l("Jenis"), choices=choices(KINDS), validate_choice=False)
    address = StringField(_l("Alamat"), validators=[required(), length(255)])
    kelurahan_id = SelectField(_l("Kelurahan"), coerce=db_int, validate_choice=False)
    phone = StringField(
        _l("Nomor WhatsApp kontak"),
        validators=[required(), length(20)],
        description=_l("Tagihan dan pengingat dikirim ke nomor ini."),
    )
    email = EmailField(
        _l("E-mail kantor (tidak wajib)"),
        validators=[Optional(), Email(message=_l("Alamat e-mail tidak valid.")), length(254)],
    )
    npwp = StringField(
        _l("NPWP (tidak wajib)"),
        validators=[Optional(), length(24)],
        description=_l("15 atau 16 angka; dicetak di tagihan."),
    )

    def to_data(self) -> InstitutionData:
        return InstitutionData(
            name=self.name.data or "",
            kind=self.kind.data or "",
            address=self.address.data or "",
            kelurahan_id=self.kelurahan_id.data or None,
            phone=self.phone.data or "",
            email=self.email.data or "",
            npwp=self.npwp.data or "",
        )


class MemberAddForm(Form):
    phone = StringField(
        _l("Nomor WhatsApp pemesan"),
        validators=[required(), length(20)],
        description=_l("Orang itu harus sudah punya akun."),
    )


class BulkOrderForm(Form):
    title = StringField(
        _l("Keperluan"),
        validators=[required(), length(160)],
        description=_l("Misalnya: Rapat koordinasi RW, pelatihan kader."),
    )
    deliver_at = DateTimeLocalField(
        _l("Tanggal dan jam antar"),
        validators=[input_required()],
        format="%Y-%m-%dT%H:%M",
    )
    place = StringField(
        _l("Tempat antar"),
        validators=[required(), length(255)],
        description=_l("Gedung, ruang, alamat."),
    )
    kelurahan_id = SelectField(_l("Kelurahan tempat antar"), coerce=db_int, validate_choice=False)
    boxes = IntegerField(
        _l("Jumlah kotak / porsi"),
        validators=[
            input_required(),
            NumberRange(1, MAX_BOXES, message=_l("Antara 1 dan %(max)s.")),
        ],
    )
    budget_per_box = RupiahField(_l("Anggaran per kotak (Rp)"), validators=[input_required()])
    terms_days = RadioField(_l("Jangka bayar tagihan"), choices=choices(TERM_CHOICES), default="14")
    halal = BooleanField(_l("Halal"), default=True)
    vegetarian = BooleanField(_l("Vegetarian"))
    no_msg = BooleanField(_l("Tanpa MSG (micin)"))
    notes = TextAreaField(_l("Catatan untuk toko"), validators=[Optional(), length(1000)])

    def to_data(self) -> BulkData:
        return BulkData(
            title=self.title.data or "",
            deliver_at=self.deliver_at.data,
            place=self.place.data or "",
            kelurahan_id=self.kelurahan_id.data or None,
            boxes=self.boxes.data,
            budget_per_box=self.budget_per_box.data,
            terms_days=int(self.terms_days.data or 14),
            halal=self.halal.data,
            vegetarian=self.vegetarian.data,
            no_msg=self.no_msg.data,
            notes=self.notes.data or "",
        )


class QuoteForm(Form):
    price_per_box = RupiahField(_l("Harga per kotak (Rp)"), validators=[input_required()])
    day_capacity = IntegerField(
        _l("Sanggup berapa kotak hari itu (semua pesanan instansi)"),
        validators=[
            input_required(),
            NumberRange(1, MAX_BOXES, message=_l("Antara 1 dan %(max)s.")),
        ],
    )
    menu = TextAreaField(
        _l("Isi kotak"),
        validators=[required(), length(1000)],
        description=_l("Misalnya: lemper, risol, kue lapis, air mineral."),
    )


class ReasonForm(Form):
    reason = TextAreaField(_l("Alasan"), validators=[required(), length(500)])


class AddStoreForm(Form):
    store_id = SelectField(_l("Toko"), coerce=db_int, validate_choice=False)
    boxes = IntegerField(
        _l("Jumlah kotak"),
        validators=[
            input_required(),
            NumberRange(1, MAX_BOXES, message=_l("Antara 1 dan %(max)s.")),
        ],
    )


class PaymentReportForm(Form):
    reference = StringField(
        _l("Nomor referensi transfer"),
        validators=[required(), length(120)],
        description=_l("Dari bukti transfer bank atau SP2D."),
    )
