from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField

from marketplace.core.forms import Form, length, required


class HeldRejectForm(Form):
    """The city admin refuses a held card payment; the buyer reads the reason."""

    reason = TextAreaField(_l("Alasan penolakan"), validators=[required(), length(1000)])
