from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import Optional

from marketplace.core.forms import Form, length, required
from marketplace.core.inputs import db_int


class KelurahanForm(Form):
    kecamatan_id = SelectField(_l("Kecamatan"), coerce=db_int, validate_choice=False)
    name = StringField(_l("Nama kelurahan"), validators=[required(), length(80)])
    postal_code = StringField(_l("Kode pos"), validators=[Optional(), length(5)])


class RenameKelurahanForm(Form):
    name = StringField(_l("Nama kelurahan"), validators=[required(), length(80)])
    postal_code = StringField(_l("Kode pos"), validators=[Optional(), length(5)])


def kelurahan_choices() -> list[SelectChoice]:
    """Every kelurahan, grouped by kecamatan, for select fields."""
    from marketplace.areas.services import all_kelurahan

    return [SelectChoice(k.id, k.name, optgroup=k.kecamatan.name) for k in all_kelurahan()]
