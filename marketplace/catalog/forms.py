from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional, ValidationError

from marketplace.catalog.services import ProductData
from marketplace.core.db import jakarta_wall_clock
from marketplace.core.forms import Form, RupiahField, choices, input_required, length, required
from marketplace.core.inputs import db_int
from marketplace.core.money import format_rupiah

STOCK_MODES = [
    ("unlimited", _l("Tidak dibatasi")),
    ("counted", _l("Dihitung (jumlah stok)")),
    ("daily", _l("Porsi per hari")),
]


class ProductForm(Form):
    name = StringField(_l("Nama produk"), validators=[required(), length(120)])
    category_id = SelectField(_l("Kategori"), coerce=db_int, validate_choice=False)
    price = RupiahField(
        _l("Harga (Rp)"), validators=[input_required()], description=_l("Misalnya 15.000")
    )
    description = TextAreaField(_l("Deskripsi"), validators=[Optional(), length(3000)])
    stock_mode = SelectField(_l("Stok"), choices=choices(STOCK_MODES))
    stock = IntegerField(_l("Jumlah stok"), validators=[Optional(), NumberRange(0, 1_000_000)])
    daily_quota = IntegerField(
        _l("Porsi per hari"), validators=[Optional(), NumberRange(1, 100_000)]
    )
    is_halal = BooleanField(_l("Halal"))
    lead_days = IntegerField(
        _l("Pesan berapa hari sebelumnya (0 = hari ini juga)"),
        default=0,
        validators=[Optional(), NumberRange(0, 30)],
    )
    #: a price below this asks the seller to confirm it ("500" typed for "500rb"?)
    LOW_PRICE = 500
    confirm_low_price = BooleanField(_l("Ya, harganya memang di bawah Rp500"))
    sale_price = RupiahField(_l("Harga promo (tidak wajib)"), validators=[Optional()])
    sale_starts_at = DateTimeLocalField(
        _l("Promo mulai"), validators=[Optional()], format="%Y-%m-%dT%H:%M"
    )
    sale_ends_at = DateTimeLocalField(
        _l("Promo berakhir"), validators=[Optional()], format="%Y-%m-%dT%H:%M"
    )
    photo = FileField(_l("Foto produk"))

    def validate_price(self, field) -> None:
        if (
            field.data is not None
            and field.data < self.LOW_PRICE
            and not self.confirm_low_price.data
        ):
            raise ValidationError(
                _l(
                    "Harga %(price)s sangat murah. Periksa lagi, atau centang "
                    "'Ya, harganya memang di bawah Rp500'.",
                    price=format_rupiah(field.data),
                )
            )

    def fill_sale(self, product) -> None:
        for name in ("sale_starts_at", "sale_ends_at"):
            getattr(self, name).data = jakarta_wall_clock(getattr(product, name))

    def to_data(self) -> ProductData:
        return ProductData(
            name=self.name.data or "",
            category_id=self.category_id.data or 0,
            price=self.price.data if self.price.data is not None else -1,
            description=self.description.data or "",
            stock_mode=self.stock_mode.data,
            stock=self.stock.data,
            daily_quota=self.daily_quota.data,
            is_halal=self.is_halal.data,
            lead_days=self.lead_days.data or 0,
            sale_price=self.sale_price.data,
            sale_starts_at=self.sale_starts_at.data,
            sale_ends_at=self.sale_ends_at.data,
        )


class PhotoForm(Form):
    photo = FileField(_l("Foto produk"))


class OptionGroupForm(Form):
    name = StringField(_l("Nama kelompok pilihan"), validators=[required(), length(80)])
    options = TextAreaField(
        _l("Pilihan, satu per baris"),
        validators=[required(), length(3000)],
        description=_l("Tambahkan harga dengan tanda +, misalnya: Tambah telur +3.000"),
    )
    multiple = BooleanField(_l("Boleh pilih lebih dari satu"))
    required_choice = BooleanField(_l("Wajib dipilih"))


class CategoryForm(Form):
    name = StringField(_l("Nama kategori"), validators=[required(), length(80)])
    name_en = StringField(_l("Nama dalam bahasa Inggris"), validators=[Optional(), length(80)])
    slug = StringField(_l("Alamat (tidak wajib)"), validators=[Optional(), length(80)])
