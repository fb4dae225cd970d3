from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Optional

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
