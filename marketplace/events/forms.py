from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, StringField, TextAreaField, TimeField
from wtforms.validators import NumberRange, Optional

from marketplace.core.forms import Form, length, required
from marketplace.events.services import EventData


class EventForm(Form):
    title = StringField(
        _l("Nama acara"),
        validators=[required(), length(160)],
        description=_l("Misalnya: Bazar Kuliner Uwung Jaya"),
    )
    place = StringField(
        _l("Tempat"),
        validators=[required(), length(200)],
        description=_l("Tempat booth: pembeli mengambil pre-order di sini"),
    )
    starts_on = DateField(_l("Tanggal mulai"), validators=[required()])
    ends_on = DateField(_l("Tanggal selesai"), validators=[required()])
    opens_at = TimeField(_l("Jam buka"), validators=[required()])
    closes_at = TimeField(_l("Jam tutup"), validators=[required()])
    booth_quota = IntegerField(
        _l("Kuota booth"), default=20, validators=[required(), NumberRange(1, 500)]
    )
    description = TextAreaField(_l("Keterangan"), validators=[Optional(), length(4000)])

    def to_data(self) -> EventData:
        return EventData(
            title=self.title.data or "",
            place=self.place.data or "",
            starts_on=self.starts_on.data,
            ends_on=self.ends_on.data,
            opens_at=self.opens_at.data,
            closes_at=self.closes_at.data,
            booth_quota=self.booth_quota.data or 0,
            description=self.description.data or "",
        )


class BoothRejectForm(Form):
    reason = StringField(_l("Alasan"), validators=[required(), length(500)])
