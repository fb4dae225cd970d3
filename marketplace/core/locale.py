"""Language choice: Bahasa Indonesia by default, English when the visitor switches."""

from __future__ import annotations

from flask import current_app, has_request_context, session
from flask.globals import _cv_app
from flask_babel import get_locale, get_translations
from jinja2 import pass_context
from markupsafe import Markup


def select_locale() -> str:
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    chosen = session.get("lang")
    return chosen if chosen in current_app.config["LANGUAGES"] else default


def current_translations():
    """The translations of the locale in force, found once per locale per request or job.

    Flask-Babel's ``get_translations`` looks the locale and domain up again on every call (a
    product card asks a handful of times, a listing hundreds); this keeps what it found beside
    the locale it was found for, so ``force_locale`` and ``refresh`` (a new locale object, or
    none) are followed."""
    ctx = _cv_app.get(None)  # the app context itself: ``g`` is a proxy, looked up per call
    try:
        state = ctx.g._flask_babel
        locale = state.babel_locale
    except AttributeError:
        return get_translations()  # first call of the request (it sets the locale), or no app
    kept = getattr(state, "pkk_translations", None)
    if kept is not None and kept[0] is locale:
        return kept[1]
    found = get_translations()
    state.pkk_translations = (locale, found)
    return found


def locale_name() -> str:
    """The code of the locale in force ("id", "en"), as ``str(get_locale())``: found once per
    locale per request or job, as ``current_translations`` (Babel writes a locale's identifier
    anew on each ``str``, and a page asks for it some twenty times: its option lists, its
    fragments, the templates' ``current_locale()``)."""
    ctx = _cv_app.get(None)
    try:
        state = ctx.g._flask_babel
        locale = state.babel_locale
    except AttributeError:
        return str(get_locale())  # first call of the request (it sets the locale), or no app
    kept = getattr(state, "pkk_locale_name", None)
    if kept is not None and kept[0] is locale:
        return kept[1]
    name = str(locale)
    state.pkk_locale_name = (locale, name)
    return name


def gettext(string: str, **variables) -> str:
    """Flask-Babel's ``gettext`` over ``current_translations``, for markup written in Python
    (a listing's cards, its pagination): the same words, without looking the locale and the
    domain up again on every call."""
    text = current_translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """Flask-Babel's ``ngettext`` over ``current_translations`` (see ``gettext``)."""
    variables.setdefault("num", num)
    return current_translations().ungettext(singular, plural, num) % variables


#: the words a template asks for without variables (a page's menus, labels and buttons: ~60 a
#: page), translated and formatted, by (catalogue, words, autoescape); cleared when full
_PLAIN: dict[tuple, str] = {}
PLAIN_MEMO_SIZE = 10_000


@pass_context
def template_gettext(context, string: str, **variables):
    """``_()`` and ``gettext()`` in templates: Jinja's new-style gettext (always a format
    string, variables escaped under autoescape) over ``current_translations``. Words without
    variables come out the same every time for a catalogue: they are remembered."""
    translations = current_translations()
    autoescape = context.eval_ctx.autoescape
    if not variables:
        key = (translations, string, autoescape)
        found = _PLAIN.get(key)
        if found is None:
            found = _format(translations.ugettext(string), autoescape, variables)
            if len(_PLAIN) >= PLAIN_MEMO_SIZE:
                _PLAIN.clear()
            _PLAIN[key] = found
        return found
    return _format(translations.ugettext(string), autoescape, variables)


def _format(text: str, autoescape: bool, variables: dict) -> str:
    if autoescape:
        text = Markup(text)  # noqa: S704 - our own catalogue, as Jinja's i18n extension
    return text % variables


@pass_context
def template_ngettext(context, singular: str, plural: str, num: int, **variables):
    variables.setdefault("num", num)
    text = current_translations().ungettext(singular, plural, num)
    return _format(text, context.eval_ctx.autoescape, variables)


def install_template_gettext(env) -> None:
    """Replace the i18n extension's callables (installed by Flask-Babel) with the ones above."""
    env.globals.update(_=template_gettext, gettext=template_gettext, ngettext=template_ngettext)
