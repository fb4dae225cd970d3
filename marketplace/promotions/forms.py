from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional

from marketplace.core.forms import Form, RupiahField, choices, input_required, length, required
from marketplace.promotions.campaigns import CampaignData
from marketplace.promotions.services import CodeData


class DiscountCodeForm(Form):
    code = StringField(
        _l("Kode"),
        validators=[required(), length(30)],
        description=_l("Misalnya HEMAT10 (huruf dan angka)"),
    )
    kind = RadioField(
        _l("Jenis potongan"),
        default="percent",
        choices=choices([("percent", _l("Persen (%)")), ("fixed", _l("Rupiah"))]),
    )
    value = IntegerField(
        _l("Besar potongan"),
        validators=[input_required(), NumberRange(1, 100_000_000)],
        description=_l("Angka persen, atau Rupiah tanpa titik"),
    )
    min_spend = RupiahField(_l("Minimal belanja (Rp)"), validators=[Optional()])
    max_discount = RupiahField(_l("Potongan maksimal (Rp, untuk persen)"), validators=[Optional()])
    starts_at = DateTimeLocalField(
        _l("Berlaku mulai"), validators=[Optional()], format="%Y-%m-%dT%H:%M"
    )
    ends_at = DateTimeLocalField(
        _l("Berlaku sampai"), validators=[Optional()], format="%Y-%m-%dT%H:%M"
    )
    total_limit = IntegerField(
        _l("Batas pemakaian total"), validators=[Optional(), NumberRange(1, 1_000_000)]
    )
    per_customer_limit = IntegerField(
        _l("Batas per pembeli"), validators=[Optional(), NumberRange(1, 1000)]
    )
    is_active = BooleanField(_l("Aktif"), default=True)

    def to_data(self) -> CodeData:
        return CodeData(
            code=self.code.data or "",
            kind=self.kind.data or "",
            value=self.value.data or 0,
            min_spend=self.min_spend.data or 0,
            max_discount=self.max_discount.data,
            starts_at=self.starts_at.data,
            ends_at=self.ends_at.data,
            total_limit=self.total_limit.data,
            per_customer_limit=self.per_customer_limit.data,
            is_active=self.is_active.data,
        )


class CampaignForm(Form):
    title = StringField(
        _l("Nama kampanye"),
        validators=[required(), length(160)],
        description=_l("Misalnya: Festival Kuliner Uwung Jaya"),
    )
    starts_at = DateTimeLocalField(_l("Mulai"), validators=[required()], format="%Y-%m-%dT%H:%M")
    ends_at = DateTimeLocalField(_l("Selesai"), validators=[required()], format="%Y-%m-%dT%H:%M")
    description = TextAreaField(_l("Keterangan"), validators=[Optional(), length(4000)])

    def to_data(self) -> CampaignData:
        return CampaignData(
            title=self.title.data or "",
            starts_at=self.starts_at.data,
            ends_at=self.ends_at.data,
            description=self.description.data or "",
        )
