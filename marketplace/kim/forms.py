from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional

from marketplace.core.forms import Form, choices, length, required
from marketplace.core.inputs import db_int
from marketplace.kim.aspirations import CATEGORY_LABELS, STATUS_LABELS, TARGETS
from marketplace.kim.factcheck import VERDICTS
from marketplace.kim.mentoring import TOPICS as MENTORING_TOPICS
from marketplace.stores.forms import StoreBasicsForm

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
    kelurahan_id = SelectField(_l("Kelurahan"), coerce=db_int, validate_choice=False)
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
    store_id = SelectField(_l("Toko"), coerce=db_int, validate_choice=False)
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
    kelurahan_id = SelectField(_l("Kelurahan"), coerce=db_int, validate_choice=False)
    first_day = DateField(_l("Mulai tanggal"), validators=[required()])
    days = IntegerField(_l("Berapa hari"), default=7, validators=[required(), NumberRange(1, 60)])
    per_day = IntegerField(
        _l("Toko per hari"), default=3, validators=[required(), NumberRange(1, 10)]
    )
    headline = StringField(
        _l("Judul"), default="UMKM unggulan pekan ini", validators=[required(), length(120)]
    )


ANNOUNCEMENT_KINDS = [
    ("berita", _l("Berita")),
    ("acara", _l("Acara / bazar / pameran")),
    ("pelatihan", _l("Pelatihan")),
    ("program", _l("Program pemerintah")),
]
#: every kind a page may show or filter by: the clarifications have their own form
ALL_KINDS = [*ANNOUNCEMENT_KINDS, ("klarifikasi", _l("Klarifikasi hoaks"))]


class AnnouncementForm(Form):
    kind = SelectField(_l("Jenis"), choices=choices(ANNOUNCEMENT_KINDS))
    title = StringField(_l("Judul"), validators=[required(), length(160)])
    summary = StringField(_l("Ringkasan"), validators=[required(), length(300)])
    body = TextAreaField(
        _l("Isi (Markdown)"),
        validators=[required(), length(20000)],
        description=_l("**tebal**, *miring*, [tautan](https://…), daftar dengan -"),
    )
    source = StringField(
        _l("Sumber informasi"),
        validators=[required(), length(160)],
        description=_l("Misalnya: Kelurahan Uwung Jaya, Dinas Koperasi dan UKM"),
    )
    cover = FileField(_l("Foto sampul (tidak wajib)"))
    publish_at = DateTimeLocalField(
        _l("Terbit (kosong = sekarang)"), validators=[Optional()], format="%Y-%m-%dT%H:%M"
    )
    unpublish_at = DateTimeLocalField(
        _l("Berhenti tayang (tidak wajib)"), validators=[Optional()], format="%Y-%m-%dT%H:%M"
    )
    pinned = BooleanField(_l("Sematkan di atas"))
    city_wide = BooleanField(_l("Untuk seluruh kota (admin kota)"))
    #: not "audience": the form would fill it from the announcement's own attribute
    send_to = SelectField(
        _l("Untuk siapa (admin kota)"),
        choices=choices(
            [
                ("city", _l("Warga seluruh kota")),
                ("kecamatan", _l("Warga satu kecamatan")),
                ("kelurahan", _l("Warga kelurahan terpilih")),
                ("kim", _l("Edaran untuk admin KIM (tidak tampil untuk umum)")),
            ]
        ),
        default="city",
    )
    kecamatan_id = SelectField(_l("Kecamatan sasaran"), coerce=db_int, validate_choice=False)
    target_ids = SelectMultipleField(_l("Kelurahan sasaran"), coerce=db_int, validate_choice=False)
    store_ids = SelectMultipleField(_l("Tautkan toko"), coerce=db_int, validate_choice=False)
    product_ids = SelectMultipleField(_l("Tautkan produk"), coerce=db_int, validate_choice=False)
    code_ids = SelectMultipleField(_l("Tautkan kode promo"), coerce=db_int, validate_choice=False)
    campaign_ids = SelectMultipleField(_l("Tautkan kampanye"), coerce=db_int, validate_choice=False)
    event_ids = SelectMultipleField(
        _l("Tautkan bazar / pameran"), coerce=db_int, validate_choice=False
    )


class ReportForm(Form):
    reason = TextAreaField(
        _l("Apa yang salah atau menyesatkan?"), validators=[required(), length(2000, 10)]
    )


class ModerationForm(Form):
    action = SelectField(
        _l("Tindakan"),
        choices=choices(
            [
                ("dismissed", _l("Abaikan laporan")),
                ("corrected", _l("Perlu diralat (tampilkan Ralat)")),
                ("unpublished", _l("Turunkan pengumuman")),
            ]
        ),
    )
    note = TextAreaField(
        _l("Catatan"),
        validators=[Optional(), length(2000)],
        description=_l("Untuk ralat: apa yang salah dan apa yang benar (tampil di pengumuman)"),
    )


class AspirationForm(Form):
    kelurahan_id = SelectField(_l("Kelurahan Anda"), coerce=db_int, validate_choice=False)
    category = SelectField(
        _l("Jenis"),
        choices=choices(CATEGORY_LABELS.items()),
    )
    text = TextAreaField(_l("Pesan untuk KIM"), validators=[required(), length(4000, 15)])
    photo = FileField(_l("Foto (tidak wajib)"))


class AspirationResponseForm(Form):
    status = SelectField(
        _l("Status"),
        choices=choices(STATUS_LABELS.items()),
    )
    target = SelectField(
        _l("Diteruskan ke (jika status diteruskan)"),
        choices=choices([("", _l("—")), *TARGETS.items()]),
        validate_choice=False,  # the service names a missing or unknown office
    )
    note = TextAreaField(_l("Jawaban / catatan"), validators=[Optional(), length(4000)])
    publish = BooleanField(_l("Tampilkan jawaban untuk umum (tanpa nama warga)"))


class TrainingForm(Form):
    title = StringField(_l("Judul"), validators=[required(), length(160)])
    topic = StringField(
        _l("Topik"),
        validators=[required(), length(120)],
        description=_l("Misalnya: pembukuan sederhana, foto produk, sertifikasi halal"),
    )
    place = StringField(_l("Tempat"), validators=[required(), length(200)])
    starts_at = DateTimeLocalField(_l("Waktu"), validators=[required()], format="%Y-%m-%dT%H:%M")
    capacity = IntegerField(
        _l("Kapasitas"), default=30, validators=[required(), NumberRange(1, 1000)]
    )
    description = TextAreaField(_l("Keterangan"), validators=[Optional(), length(4000)])


class ClarificationForm(Form):
    """A hoax clarification: the claim, the verdict, the explanation and the sources."""

    title = StringField(_l("Judul"), validators=[required(), length(160)])
    claim = TextAreaField(
        _l("Klaim yang beredar (salin apa adanya)"), validators=[required(), length(4000, 10)]
    )
    screenshot = FileField(_l("Tangkapan layar klaim (tidak wajib)"))
    verdict = SelectField(
        _l("Putusan"),
        choices=choices([("", _l("Pilih putusan")), *VERDICTS.items()]),
        validators=[required()],
    )
    explanation = TextAreaField(_l("Penjelasan (Markdown)"), validators=[required(), length(20000)])
    sources = TextAreaField(
        _l("Sumber, satu per baris"),
        validators=[required(), length(6000)],
        description=_l("Nama | https://alamat — alamat situs pemerintah (.go.id) ditandai resmi"),
    )
    source = StringField(
        _l("Diklarifikasi oleh"),
        validators=[required(), length(160)],
        description=_l("Misalnya: KIM Uwung Jaya bersama Kelurahan Uwung Jaya"),
    )
    report_ids = SelectMultipleField(
        _l("Laporan warga yang dijawab"), coerce=db_int, validate_choice=False
    )
    city_wide = BooleanField(_l("Untuk seluruh kota (admin kota)"))


class MentoringForm(Form):
    visited_on = DateField(_l("Tanggal kunjungan (kosong = hari ini)"), validators=[Optional()])
    topic = SelectField(_l("Topik"), choices=choices(MENTORING_TOPICS.items()))
    notes = TextAreaField(_l("Catatan dan saran"), validators=[required(), length(4000, 10)])
    next_step = StringField(_l("Langkah berikutnya (tidak wajib)"), validators=[length(300)])
    next_step_on = DateField(_l("Tanggal langkah berikutnya"), validators=[Optional()])


class RelayForm(Form):
    note = TextAreaField(
        _l("Catatan untuk warga kelurahan Anda"),
        validators=[required(), length(2000, 10)],
        description=_l("Misalnya: pendaftaran dibantu di sekretariat KIM, Sabtu pukul 09.00"),
    )


class AssistedStoreForm(StoreBasicsForm):
    """A store a KIM opens for a resident: who the resident is, then the store's basics."""

    resident_name = StringField(_l("Nama warga pemilik toko"), validators=[required(), length(120)])
    resident_phone = StringField(
        _l("Nomor WhatsApp warga"),
        validators=[required(), length(20)],
        description=_l("Tautan untuk mengambil alih toko dikirim ke nomor ini"),
    )
