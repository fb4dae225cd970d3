from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import Optional, ValidationError

from marketplace.core.forms import Form, length, required
from marketplace.core.inputs import db_int


class KelurahanForm(Form):
    kecamatan_id = SelectField(_l("Kecamatan"), coerce=db_int, validate_choice=False)
    name = StringField(_l("Nama kelurahan"), validators=[required(), length(80)])
    postal_code = StringField(_l("Kode pos"), validators=[Optional(), length(5)])


class RenameKelurahanForm(Form):
    name = StringField(_l("Nama kelurahan"), validators=[required(), length(80)])
    postal_code = StringField(_l("Kode pos"), validators=[Optional(), length(5)])


class KelurahanField(StringField):
    """A kelurahan typed by name or postal code, with the 104 names offered as suggestions
    (``<datalist>``, see ``_macros/areas.html``). ``data`` is its id, 0 while none is chosen:
    never a silent default."""

    def process_data(self, value) -> None:
        self.data = value or 0
        self.raw = ""

    def process_formdata(self, valuelist) -> None:
        from marketplace.areas.services import find_kelurahan

        self.raw = (valuelist[0] if valuelist else "")[:200]
        if self.raw.strip() == "0":  # "none chosen", as a select's placeholder sends it
            self.raw = ""
        self.found = find_kelurahan(self.raw)
        self.data = self.found[0].id if len(self.found) == 1 else 0

    def _value(self) -> str:
        if self.raw:
            return self.raw
        if self.data:
            from marketplace.areas.services import find_kelurahan

            found = find_kelurahan(str(self.data))
            return found[0].name if found else ""
        return ""

    def pre_validate(self, form) -> None:
        if self.data:
            return
        found = getattr(self, "found", [])
        if len(found) > 1:
            raise ValidationError(
                _l(
                    "Kode pos %(code)s dipakai beberapa kelurahan: %(names)s. "
                    "Ketik nama kelurahan Anda.",
                    code=self.raw.strip(),
                    names=", ".join(k.name for k in found),
                )
            )
        if self.raw.strip():
            raise ValidationError(
                _l(
                    'Kelurahan "%(text)s" tidak ada di Kota Tangerang. Pilih kelurahan dari '
                    "daftar: ketik namanya atau kode posnya.",
                    text=self.raw.strip()[:80],
                )
            )
        raise ValidationError(
            _l("Pilih kelurahan toko Anda: KIM kelurahan itulah yang memverifikasi toko.")
        )


def kelurahan_choices() -> list[SelectChoice]:
    """Every kelurahan, grouped by kecamatan, for select fields."""
    from marketplace.areas.services import all_kelurahan

    return [SelectChoice(k.id, k.name, optgroup=k.kecamatan.name) for k in all_kelurahan()]
