from __future__ import annotations

from dataclasses import replace
from datetime import time

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FloatField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import NumberRange, Optional

from marketplace.areas.forms import KelurahanField
from marketplace.core.forms import Form, RupiahField, choices, length, required
from marketplace.core.inputs import db_int
from marketplace.stores.services import PeriodData, StoreData

MAX_PERIODS_PER_DAY = 3
CREDENTIAL_KINDS = (("nib", "NIB"), ("pirt", "PIRT"), ("halal", _l("Sertifikat halal")))


class StoreBasicsForm(Form):
    """What a store needs to open: the first step of onboarding, and the top of the full form."""

    name = StringField(_l("Nama toko"), validators=[required(), length(120)])
    whatsapp = StringField(_l("Nomor WhatsApp toko"), validators=[required(), length(20)])
    kelurahan_id = KelurahanField(
        _l("Kelurahan"), description=_l("Ketik nama kelurahan atau kode pos, lalu pilih")
    )
    address = StringField(_l("Alamat (jalan, gang, nomor)"), validators=[required(), length(255)])
    rt = StringField(_l("RT"), validators=[required(), length(3)])
    rw = StringField(_l("RW"), validators=[required(), length(3)])
    landmark = StringField(
        _l("Patokan / letak lapak (tidak wajib)"),
        validators=[Optional(), length(255)],
        description=_l("Misalnya: Blok B no. 12, dekat masjid"),
    )
    offers_pickup = BooleanField(_l("Bisa diambil di tempat"), default=True)
    offers_delivery = BooleanField(_l("Bisa diantar"))
    delivery_fee = RupiahField(_l("Ongkos kirim (Rp)"), validators=[Optional()])

    def to_data(self) -> StoreData:
        """A new store: cash on pickup and delivery; card payments stay off until the seller
        turns them on; delivery within its own kelurahan until the seller adds more."""
        return StoreData(
            name=self.name.data or "",
            whatsapp=self.whatsapp.data or "",
            address=self.address.data or "",
            rt=self.rt.data or "",
            rw=self.rw.data or "",
            kelurahan_id=self.kelurahan_id.data or 0,
            landmark=self.landmark.data or "",
            offers_pickup=self.offers_pickup.data,
            offers_delivery=self.offers_delivery.data,
            delivery_fee=self.delivery_fee.data or 0,
            cash_on_pickup=True,
            card_on_pickup=False,
            cash_on_delivery=True,
            card_on_delivery=False,
        )


class StoreForm(StoreBasicsForm):
    slug = StringField(
        _l("Alamat toko di situs (tidak wajib)"),
        validators=[Optional(), length(120)],
        description=_l("Huruf kecil dan tanda minus, misalnya warung-bu-siti"),
    )
    story = TextAreaField(_l("Cerita toko"), validators=[Optional(), length(2000)])
    latitude = FloatField(
        _l("Lintang (tidak wajib)"), validators=[Optional(), NumberRange(-90, 90)]
    )
    longitude = FloatField(
        _l("Bujur (tidak wajib)"), validators=[Optional(), NumberRange(-180, 180)]
    )
    delivery_kelurahan_ids = SelectMultipleField(
        _l("Kelurahan yang dilayani antar"), coerce=db_int, validate_choice=False
    )
    delivery_rws = StringField(
        _l("RW yang dilayani di kelurahan toko (kosong = semua)"),
        validators=[Optional(), length(120)],
        description=_l("Misalnya: 01, 02, 05"),
    )
    delivery_promo_min = RupiahField(
        _l("Promo ongkir: minimal belanja (Rp, tidak wajib)"), validators=[Optional()]
    )
    delivery_promo_fee = RupiahField(
        _l("Ongkir di atas minimal belanja (Rp, 0 = gratis)"), validators=[Optional()]
    )
    cash_on_pickup = BooleanField(_l("Ambil di tempat: bayar tunai"), default=True)
    # card payments stay off until the seller turns them on
    card_on_pickup = BooleanField(_l("Ambil di tempat: bayar kartu"), default=False)
    cash_on_delivery = BooleanField(_l("Diantar: bayar tunai di tempat"), default=True)
    card_on_delivery = BooleanField(_l("Diantar: bayar kartu"), default=False)
    daily_capacity = IntegerField(
        _l("Maksimal pesanan per hari (tidak wajib)"),
        validators=[Optional(), NumberRange(1, 10_000)],
    )
    logo = FileField(_l("Logo (foto, tidak wajib)"))
    nib_number = StringField("NIB", validators=[Optional(), length(60)])
    nib_expires = DateField(_l("NIB berlaku sampai"), validators=[Optional()])
    pirt_number = StringField("PIRT", validators=[Optional(), length(60)])
    pirt_expires = DateField(_l("PIRT berlaku sampai"), validators=[Optional()])
    halal_number = StringField(_l("Nomor sertifikat halal"), validators=[Optional(), length(60)])
    halal_expires = DateField(_l("Halal berlaku sampai"), validators=[Optional()])

    def fill_credentials(self, store) -> None:
        for credential in store.credentials:
            getattr(self, f"{credential.kind}_number").data = credential.number
            getattr(self, f"{credential.kind}_expires").data = credential.expires_on

    def credentials(self):
        for kind, _label in CREDENTIAL_KINDS:
            yield (
                kind,
                getattr(self, f"{kind}_number").data or "",
                getattr(self, f"{kind}_expires").data,
            )

    def to_data(self) -> StoreData:
        """Everything the full form holds, on top of the basics."""
        return replace(
            super().to_data(),
            slug=self.slug.data or "",
            story=self.story.data or "",
            latitude=self.latitude.data,
            longitude=self.longitude.data,
            delivery_rws=self.delivery_rws.data or "",
            delivery_kelurahan_ids=tuple(self.delivery_kelurahan_ids.data or ()),
            daily_capacity=self.daily_capacity.data,
            delivery_promo_min=self.delivery_promo_min.data,
            delivery_promo_fee=self.delivery_promo_fee.data or 0,
            cash_on_pickup=self.cash_on_pickup.data,
            card_on_pickup=self.card_on_pickup.data,
            cash_on_delivery=self.cash_on_delivery.data,
            card_on_delivery=self.card_on_delivery.data,
        )


class PauseForm(Form):
    reason = StringField(_l("Alasan tutup sementara"), validators=[required(), length(200)])
    until = DateTimeLocalField(
        _l("Buka lagi otomatis pada (tidak wajib)"),
        validators=[Optional()],
        format="%Y-%m-%dT%H:%M",
    )


#: the usual weeks of a warung: which weekdays (0 = Monday) a preset opens
HOUR_PRESETS = {
    "setiap_hari": (_l("Setiap hari"), range(7)),
    "senin_sabtu": (_l("Senin–Sabtu"), range(6)),
    "senin_jumat": (_l("Senin–Jumat"), range(5)),
}


class HoursPresetForm(Form):
    """The same hours on the usual days, and the dates the store is closed anyway: four inputs
    instead of forty-three."""

    preset = SelectField(
        _l("Hari buka"),
        choices=choices((key, label) for key, (label, _days) in HOUR_PRESETS.items()),
    )
    opens = TimeField(_l("Buka"), validators=[required()], default=time(8, 0))
    closes = TimeField(_l("Tutup"), validators=[required()], default=time(20, 0))
    closed_dates = TextAreaField(
        _l("Tanggal libur (tidak wajib, satu per baris)"),
        validators=[Optional(), length(3000)],
        description=_l("Contoh: 2026-12-25 Libur Natal"),
    )

    def fill(self, periods, closed_dates) -> None:
        """Show what the store has: its first period's hours and the preset of its days."""
        if periods:
            first = min(periods, key=lambda p: (p.weekday, p.opens_at))
            self.opens.data, self.closes.data = first.opens_at, first.closes_at
            days = sorted({p.weekday for p in periods})
            for key, (_label, preset_days) in HOUR_PRESETS.items():
                if days == list(preset_days):
                    self.preset.data = key
        self.closed_dates.data = closed_dates_text(closed_dates)

    def periods(self) -> list[PeriodData]:
        _label, days = HOUR_PRESETS[self.preset.data]
        return [PeriodData(day, self.opens.data, self.closes.data) for day in days]


def closed_dates_text(closed_dates) -> str:
    return "\n".join(f"{c.day.isoformat()} {c.note}".strip() for c in closed_dates)


class HoursForm(Form):
    """Seven weekdays × a few periods, built below as d<day>_<n>_open / _close fields."""

    closed_dates = TextAreaField(
        _l("Tanggal libur (satu per baris)"),
        validators=[Optional(), length(3000)],
        description=_l("Contoh: 2026-12-25 Libur Natal"),
    )

    def periods(self) -> list[PeriodData]:
        found = []
        for day in range(7):
            for n in range(MAX_PERIODS_PER_DAY):
                opens = getattr(self, f"d{day}_{n}_open").data
                closes = getattr(self, f"d{day}_{n}_close").data
                if opens is not None and closes is not None:
                    found.append(PeriodData(day, opens, closes))
        return found

    def fill(self, periods, closed_dates=()) -> None:
        self.closed_dates.data = closed_dates_text(closed_dates)
        counts: dict[int, int] = {}
        for period in periods:
            n = counts.get(period.weekday, 0)
            if n >= MAX_PERIODS_PER_DAY:
                continue
            counts[period.weekday] = n + 1
            getattr(self, f"d{period.weekday}_{n}_open").data = period.opens_at
            getattr(self, f"d{period.weekday}_{n}_close").data = period.closes_at

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for day in range(7):
            for n in range(MAX_PERIODS_PER_DAY):
                opens = getattr(self, f"d{day}_{n}_open")
                closes = getattr(self, f"d{day}_{n}_close")
                if (opens.data is None) != (closes.data is None):
                    closes.errors = [*closes.errors, _l("Isi jam buka dan jam tutup.")]
                    ok = False
        return ok


for _day in range(7):
    for _n in range(MAX_PERIODS_PER_DAY):
        setattr(HoursForm, f"d{_day}_{_n}_open", TimeField(validators=[Optional()]))
        setattr(HoursForm, f"d{_day}_{_n}_close", TimeField(validators=[Optional()]))
