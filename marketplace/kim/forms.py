from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional

from marketplace.core.forms import Form, choices, length, required

OFFICE_LABELS = {
    "penasehat": _l("Penasehat (Lurah)"),
    "ketua": _l("Ketua"),
    "sekretaris": _l("Sekretaris"),
    "bendahara": _l("Bendahara"),
    "koordinator_pengolahan": _l("Koordinator Pengolahan Informasi"),
    "koordinator_penyebaran": _l("Koordinator Penyebaran Informasi"),
    "anggota": _l("Anggota"),
}


class RejectForm(Form):
    reason = TextAreaField(_l("Alasan penolakan"), validators=[required(), length(1000)])


class GroupForm(Form):
    kelurahan_id = SelectField(_l("Kelurahan"), coerce=int, validate_choice=False)
    name = StringField(_l("Nama KIM"), validators=[Optional(), length(120)])


class MemberForm(Form):
    name = StringField(_l("Nama"), validators=[required(), length(120)])
    office = SelectField(_l("Jabatan"), choices=choices(OFFICE_LABELS.items()))
    phone = StringField(
        _l("Nomor WhatsApp akun (tidak wajib)"), validators=[Optional(), length(20)]
    )


class AppointForm(Form):
    phone = StringField(_l("Nomor WhatsApp akun"), validators=[required(), length(20)])


class FeaturedForm(Form):
    store_id = SelectField(_l("Toko"), coerce=int, validate_choice=False)
    headline = StringField(
        _l("Judul singkat"),
        validators=[required(), length(120)],
        description=_l("Misalnya: Nasi uduk terlaris di Uwung Jaya"),
    )
    starts_at = DateTimeLocalField(
        _l("Tampil mulai"), validators=[required()], format="%Y-%m-%dT%H:%M"
    )
    ends_at = DateTimeLocalField(
        _l("Tampil sampai"), validators=[required()], format="%Y-%m-%dT%H:%M"
    )
    position = IntegerField(_l("Urutan"), default=1, validators=[Optional(), NumberRange(1, 99)])
    city_wide = BooleanField(_l("Tampilkan di beranda se-kota (admin kota)"))


class RotationForm(Form):
    kelurahan_id = SelectField(_l("Kelurahan"), coerce=int, validate_choice=False)
    first_day = DateField(_l("Mulai tanggal"), validators=[required()])
    days = IntegerField(_l("Berapa hari"), default=7, validators=[required(), NumberRange(1, 60)])
    per_day = IntegerField(
        _l("Toko per hari"), default=3, validators=[required(), NumberRange(1, 10)]
    )
    headline = StringField(
        _l("Judul"), default="UMKM unggulan pekan ini", validators=[required(), length(120)]
    )
