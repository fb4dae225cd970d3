"""Form helpers shared by every domain (shape checks only)."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, StringField, TextAreaField
from wtforms.validators import (  # noqa: F401 - Optional is re-exported
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from marketplace.core.inputs import CONTROL_CHARS_MESSAGE, has_control_chars
from marketplace.core.money import AmountTooLarge, UnclearAmount, parse_rupiah

REQUIRED = _l("Wajib diisi.")


def required() -> DataRequired:
    return DataRequired(message=REQUIRED)


def input_required() -> InputRequired:
    """Required, judged on what was typed (keeps a field's own parse error)."""
    return InputRequired(message=REQUIRED)


def length(max_len: int, min_len: int = -1) -> Length:
    return Length(
        min=min_len,
        max=max_len,
        message=_l(
            "Panjang isian antara %(min)d dan %(max)d karakter.", min=max(min_len, 0), max=max_len
        ),
    )


class RupiahField(StringField):
    """An amount typed the Indonesian way ('15.000', 'Rp 15.000', '15rb', '1,5jt'); ``data`` is
    whole Rupiah (see core.money.parse_rupiah)."""

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        try:
            self.data = parse_rupiah(valuelist[0])
        except AmountTooLarge as exc:
            raise ValidationError(_l("Jumlah Rupiah terlalu besar.")) from exc
        except UnclearAmount as exc:
            raise ValidationError(
                _l("Tulis jumlah dengan angka, misalnya 12000, 12.000, 12rb atau 1,5jt.")
            ) from exc

    def _value(self):
        return "" if self.data is None else str(self.data)


#: WTForms' own messages, which ship without an Indonesian catalogue.
_WTFORMS_ID = {
    "Not a valid float value.": "Isi dengan angka.",
    "Not a valid decimal value.": "Isi dengan angka.",
    "Not a valid integer value.": "Isi dengan bilangan bulat.",
    "Not a valid date value.": "Tanggal tidak valid.",
    "Not a valid time value.": "Jam tidak valid (contoh 06:00).",
    "Not a valid datetime value.": "Tanggal dan jam tidak valid.",
    "Not a valid choice.": "Pilihan tidak valid.",
    "Invalid Choice: could not coerce.": "Pilihan tidak valid.",
    "Not a valid choice": "Pilihan tidak valid.",
    "This field is required.": "Wajib diisi.",
    "Invalid email address.": "Alamat e-mail tidak valid.",
    "Invalid input.": "Isian tidak valid.",
    "Number must be between %(min)s and %(max)s.": "Angka harus antara %(min)s dan %(max)s.",
    "Number must be at least %(min)s.": "Angka minimal %(min)s.",
    "Number must be at most %(max)s.": "Angka maksimal %(max)s.",
    "The CSRF token is missing.": "Formulir kedaluwarsa. Muat ulang halaman.",
    "The CSRF token is invalid.": "Formulir kedaluwarsa. Muat ulang halaman.",
    "The CSRF token has expired.": "Formulir kedaluwarsa. Muat ulang halaman.",
    "The CSRF tokens do not match.": "Formulir kedaluwarsa. Muat ulang halaman.",
}


class _Translations:
    def gettext(self, string: str) -> str:
        if str(get_locale()) == "en":
            return string
        return _WTFORMS_ID.get(string, string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


class Form(FlaskForm):
    """Every form of the app: WTForms' built-in messages in the user's language, and no
    control characters in any text field (line breaks only in multi-line fields)."""

    class Meta:
        def get_translations(self, form):
            return _Translations()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            texts = field.data if isinstance(field.data, list) else [field.data]
            multiline = isinstance(field, TextAreaField)
            if any(isinstance(t, str) and has_control_chars(t, multiline) for t in texts):
                field.errors = [*field.errors, CONTROL_CHARS_MESSAGE()]
                valid = False
        return valid


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]
