from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from marketplace.core.forms import Form, choices, length, required

STARS = [(str(n), "★" * n) for n in range(5, 0, -1)]


class ReviewForm(Form):
    rating = RadioField(_l("Nilai untuk toko"), choices=choices(STARS), validators=[required()])
    text = TextAreaField(_l("Ulasan singkat (tidak wajib)"), validators=[Optional(), length(1000)])
    photo = FileField(_l("Foto (tidak wajib)"))


class ReplyForm(Form):
    text = TextAreaField(_l("Balasan penjual"), validators=[required(), length(1000)])


class ReportReviewForm(Form):
    reason = SelectField(
        _l("Alasan"),
        choices=choices(
            [
                ("hinaan", _l("Hinaan atau kata kasar")),
                ("spam", _l("Spam atau iklan")),
                ("data_pribadi", _l("Membuka data pribadi")),
            ]
        ),
    )
    note = StringField(_l("Keterangan (tidak wajib)"), validators=[Optional(), length(500)])


class ModerationForm(Form):
    reason = StringField(_l("Alasan"), validators=[required(), length(500)])
