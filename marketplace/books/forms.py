from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import DateField, DateTimeLocalField, HiddenField, RadioField, StringField
from wtforms.validators import Optional

from marketplace.books.models import EntryKind, Method
from marketplace.books.services import EntryData
from marketplace.core.forms import Form, RupiahField, choices, input_required, length, required

KIND_CHOICES = [
    (EntryKind.INCOME, _l("Pemasukan (jual di tempat)")),
    (EntryKind.EXPENSE, _l("Pengeluaran")),
    (EntryKind.DRAWING, _l("Prive (diambil untuk rumah tangga)")),
    (EntryKind.CAPITAL, _l("Modal (uang pribadi masuk usaha)")),
]
METHOD_CHOICES = [
    (Method.CASH, _l("Tunai")),
    (Method.TRANSFER, _l("Transfer")),
    (Method.QRIS, _l("QRIS")),
]


class EntryForm(Form):
    kind = RadioField(_l("Jenis"), choices=choices(KIND_CHOICES), default=EntryKind.INCOME)
    amount = RupiahField(_l("Jumlah (Rp)"), validators=[input_required()])
    category = StringField(_l("Kategori"), validators=[Optional(), length(60)])
    method = RadioField(_l("Cara bayar"), choices=choices(METHOD_CHOICES), default=Method.CASH)
    occurred_at = DateTimeLocalField(
        _l("Waktu (kosong = sekarang)"), validators=[Optional()], format="%Y-%m-%dT%H:%M"
    )
    note = StringField(_l("Keterangan"), validators=[Optional(), length(500)])
    receipt = FileField(_l("Foto nota (tidak wajib)"))

    def to_data(self) -> EntryData:
        return EntryData(
            kind=self.kind.data or "",
            amount=self.amount.data or 0,
            category=self.category.data or "",
            method=self.method.data or "",
            occurred_at=self.occurred_at.data,
            note=self.note.data or "",
        )


class CategoryForm(Form):
    kind = HiddenField(default=EntryKind.EXPENSE)
    name = StringField(_l("Kategori baru"), validators=[required(), length(60)])


class NoteForm(Form):
    note = StringField(_l("Keterangan"), validators=[Optional(), length(500)])


class RangeForm(Form):
    """The report's period, read from the query string."""

    class Meta(Form.Meta):
        csrf = False

    periode = RadioField(
        _l("Periode"),
        choices=choices(
            [
                ("hari", _l("Hari ini")),
                ("minggu", _l("Minggu ini")),
                ("bulan", _l("Bulan ini")),
                ("rentang", _l("Pilih tanggal")),
            ]
        ),
        default="bulan",
    )
    dari = DateField(_l("Dari"), validators=[Optional()])
    sampai = DateField(_l("Sampai"), validators=[Optional()])


class PayoutForm(Form):
    amount = RupiahField(_l("Jumlah (Rp)"), validators=[input_required()])
    reference = StringField(_l("Nomor referensi transfer"), validators=[required(), length(120)])
    paid_on = DateField(_l("Tanggal transfer"), validators=[Optional()])


class CustomerForm(Form):
    name = StringField(_l("Nama pelanggan"), validators=[required(), length(120)])
    phone = StringField(_l("Nomor WhatsApp"), validators=[required(), length(20)])
    credit_limit = RupiahField(_l("Batas kasbon (Rp)"), validators=[input_required()])


class CreditSaleForm(Form):
    amount = RupiahField(_l("Jumlah kasbon (Rp)"), validators=[input_required()])
    description = StringField(_l("Untuk apa"), validators=[Optional(), length(200)])
    due_on = DateField(_l("Jatuh tempo"), validators=[Optional()])


class SupplierDebtForm(Form):
    supplier = StringField(_l("Pemasok"), validators=[required(), length(120)])
    amount = RupiahField(_l("Jumlah utang (Rp)"), validators=[input_required()])
    description = StringField(_l("Barang"), validators=[Optional(), length(200)])
    due_on = DateField(_l("Jatuh tempo"), validators=[Optional()])


class DebtPaymentForm(Form):
    amount = RupiahField(_l("Jumlah dibayar (Rp)"), validators=[input_required()])
    method = RadioField(_l("Cara bayar"), choices=choices(METHOD_CHOICES), default=Method.CASH)
