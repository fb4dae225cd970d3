"""Input hygiene in one place: integers that fit the database, text without control characters.

- ``int`` in a URL rule only matches 1 … 2^31−1 (the range of an id column on PostgreSQL), so
  a larger number is a 404, never a database error.
- ``db_int`` is the one parser for integers from query strings and raw form fields
  (``request.args.get("page", 1, type=db_int)``, ``coerce=db_int``): ASCII digits within the
  column's range, or ValueError (which Werkzeug and WTForms turn into "absent" / "invalid").
- Control characters: ``Form`` refuses them field by field (core/forms.py); the request guard
  below refuses a NUL anywhere (which PostgreSQL cannot store) and a ``next`` with CR/LF.
"""

from __future__ import annotations

import re
import unicodedata

from flask import Flask, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

from marketplace.core.errors import DomainError

#: the largest value of a 32-bit signed integer column (ids, quantities) on PostgreSQL
DB_INT_MAX = 2**31 - 1
_INT = re.compile(r"-?[0-9]{1,10}")
#: tab, line feed and carriage return are text in a multi-line field; other C0/C1 controls
#: never are (they break XML feeds, CSV files and terminals)
_LINE_BREAKS = {"\t", "\n", "\r"}


def CONTROL_CHARS_MESSAGE() -> str:  # noqa: N802 - reads as the constant it stands for
    return _("Isian berisi karakter yang tidak diizinkan. Hapus lalu kirim lagi.")


def db_int(value: str) -> int:
    """Parse an integer typed or posted by a user: ASCII digits, within the column's range."""
    value = str(value).strip()
    if not _INT.fullmatch(value):
        raise ValueError("not an integer")
    number = int(value)
    if not -DB_INT_MAX <= number <= DB_INT_MAX:
        raise ValueError("out of range")
    return number


def has_control_chars(text: str, multiline: bool = False) -> bool:
    """True when ``text`` holds a control character (line breaks allowed when multiline)."""
    return any(
        unicodedata.category(ch) == "Cc" and not (multiline and ch in _LINE_BREAKS) for ch in text
    )


class DbIntConverter(IntegerConverter):
    """``<int:…>`` limited to positive ids the database can hold."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - Werkzeug's signature
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(map, *args, **kwargs)


def _refuse_control_input() -> None:
    values = [*request.args.values(), request.path]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values.extend(request.form.values())
    if any("\x00" in value for value in values) or has_control_chars(
        request.values.get("next", "")
    ):
        raise DomainError(CONTROL_CHARS_MESSAGE())


def register_input_guard(app: Flask) -> None:
    """Bounded ``int`` in URL rules (before any blueprint registers), and the request guard."""
    app.url_map.converters["int"] = DbIntConverter
    app.before_request(_refuse_control_input)
