"""Template filters and globals: Rupiah, Jakarta time, WhatsApp links."""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import quote, urlsplit

from flask import Flask, current_app, g, request, url_for
from flask.globals import _cv_request
from flask_babel import format_date, format_datetime, format_number
from jinja2.filters import do_urlencode
from markupsafe import Markup, escape
from werkzeug.security import safe_join

from marketplace.core.db import jakarta_today, to_jakarta, utcnow
from marketplace.core.locale import gettext as _
from marketplace.core.locale import locale_name
from marketplace.core.money import format_rupiah
from marketplace.core.phone import display_phone


def security_headers_for(config, stripe: bool = False) -> list[tuple[str, str]]:
    """The headers every answer carries (HSTS in production, no sniffing or framing, the
    content security policy); ``stripe`` for the pay page alone, which loads Stripe.js from
    Stripe (card data must never touch our server)."""
    headers = []
    if config.get("ENV_NAME") == "production" and config.get("HSTS_MAX_AGE"):
        headers.append(
            ("Strict-Transport-Security", f"max-age={config['HSTS_MAX_AGE']}; includeSubDomains")
        )
    headers += [
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("X-Frame-Options", "DENY"),
    ]
    origin = inline = ""
    if stripe:
        parts = urlsplit(config["STRIPE_JS_URL"])
        origin = f" {parts.scheme}://{parts.netloc}"
        inline = " 'unsafe-inline'"  # Stripe's card element styles its own iframe
    headers.append(
        (
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'"
            f"{inline}{origin}; script-src 'self'{origin}; frame-src 'self'{origin}; "
            f"connect-src 'self'{origin}; form-action 'self'; frame-ancestors 'none'; "
            "base-uri 'self'",
        )
    )
    return headers


def escape_text(text: str) -> str:
    """``text`` (a str) with the characters HTML gives a meaning escaped, exactly as
    ``markupsafe.escape`` writes them, as a plain str: for markup put together in Python (a
    listing's cards), where ``escape``'s Markup object, made for each value and then joined
    into a string anyway, cost more than the escaping itself (~1 µs a value, 7 a card)."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
    )


#: (the choices, the locale) → the choices' <option> tags, kept by the process: the reference
#: lists (every kelurahan, the categories) are the same tuples until they change, and a filter
#: form shows them on every listing (two hundred options on a search page)
_OPTIONS: dict[tuple[int, str], tuple[object, tuple[str, ...], dict]] = {}


def select_options(choices, selected=None) -> Markup:
    """``<option>`` tags for ``choices`` (objects with ``id`` and ``label``, an attribute or a
    method taking the locale), the one whose id is ``selected`` marked so."""
    locale = locale_name()
    key = (id(choices), locale)
    kept = _OPTIONS.get(key)
    if kept is None or kept[0] is not choices:
        if len(_OPTIONS) > 32:
            _OPTIONS.clear()
        tags, index = [], {}
        for n, choice in enumerate(choices):
            label = choice.label(locale) if callable(choice.label) else choice.label
            tags.append(f'<option value="{escape(choice.id)}">{escape(label)}</option>')
            index[choice.id] = n
        kept = _OPTIONS[key] = (choices, tuple(tags), index)
    _choices, tags, index = kept
    chosen = index.get(selected)
    if chosen is None:
        return Markup("".join(tags))  # noqa: S704 - every value and label escaped above
    marked = tags[chosen].replace("<option ", "<option selected ", 1)
    return Markup("".join((*tags[:chosen], marked, *tags[chosen + 1 :])))  # noqa: S704


def plain_text(value) -> str:
    """The text ``value`` says: a template's words (``_()`` under autoescape gives markup, the
    names in it escaped: "Sate &amp; Gule") as the characters they show ("Sate & Gule"), for
    what leaves the page as text (a WhatsApp or Telegram message); anything else as it is."""
    return value.unescape() if isinstance(value, Markup) else str(value)


def urlencode_text(value) -> str:
    """Jinja's ``urlencode`` of the text ``value`` shows (``plain_text``): a query built from a
    template's words carries "Sate & Gule", not "Sate &amp; Gule"."""
    return do_urlencode(plain_text(value) if isinstance(value, Markup) else value)


def wa_link(phone: str, message: str = "") -> str:
    """A click-to-chat link (wa.me) with a prefilled message (the text it shows, not markup)."""
    link = f"https://wa.me/{phone}"
    return f"{link}?text={quote(plain_text(message))}" if message else link


def jakarta_datetime(moment: datetime | None, fmt: str = "d MMM yyyy, HH.mm") -> str:
    if moment is None:
        return ""
    return format_datetime(moment, fmt)


def _label(table: str, code: str) -> str:
    """A Suara Warga kind or state in words (kim.aspirations holds the words)."""
    from marketplace.kim import aspirations

    return str(getattr(aspirations, table).get(code, code))


def store_status_label(status: str | None) -> str:
    """A store's state in words ("Menunggu verifikasi"), never the stored code."""
    from marketplace.stores.models import STATUS_LABELS

    if not status:
        return "—"
    return str(STATUS_LABELS.get(status, status))


def reopen_text(next_open: datetime | None) -> str:
    """'buka lagi pukul 16.00', 'buka lagi besok pukul 06.00', 'buka lagi Senin pukul 06.00'."""
    if next_open is None:
        return _("tutup sampai pemberitahuan berikutnya")
    today = to_jakarta(utcnow()).date()
    clock = next_open.strftime("%H.%M")
    if next_open.date() == today:
        return _("buka lagi pukul %(time)s", time=clock)
    if next_open.date() == today + timedelta(days=1):
        return _("buka lagi besok pukul %(time)s", time=clock)
    return _(
        "buka lagi %(day)s pukul %(time)s",
        day=format_date(next_open.date(), "EEEE, d MMM"),
        time=clock,
    )


WEEKDAYS_ID = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
WEEKDAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def weekday_name(index: int) -> str:
    return (WEEKDAYS_EN if locale_name() == "en" else WEEKDAYS_ID)[index]


def url_with(**changes) -> str:
    """The current URL with some query arguments changed (None removes one)."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def pagination(results, param: str = "page", anchor: str = "") -> Markup:
    """A list's "previous / page N of M / next" links (nothing when it has one page; "page N"
    when the list is open-ended: ``Page.open_ended``), each link the current URL with
    ``param`` changed and ``anchor`` after it. A function rather than a macro: every listing
    shows it, and Jinja's macro call and its three words cost more than the links
    themselves."""
    if not results or results.pages <= 1:
        return Markup("")
    after = escape(anchor)
    # the words outside the f-strings, where the catalogue's extraction finds them
    label, previous = escape(_("Halaman")), escape(_("Sebelumnya"))
    following = escape(_("Berikutnya"))
    if getattr(results, "open_ended", False):  # a Page (core.db); Flask-SQLAlchemy's has none
        # counted through this page only: a next one, how many more not known
        where = _("Halaman %(page)d", page=results.page)
    else:
        where = _("Halaman %(page)d dari %(pages)d", page=results.page, pages=results.pages)
    parts = [f'<nav class="pagination" aria-label="{label}">']
    if results.has_prev:
        link = escape(url_with(**{param: results.prev_num}))
        parts.append(f'<a href="{link}{after}" rel="prev">← {previous}</a>')
    parts.append(f"<span>{escape(where)}</span>")
    if results.has_next:
        link = escape(url_with(**{param: results.next_num}))
        parts.append(f'<a href="{link}{after}" rel="next">{following} →</a>')
    parts.append("</nav>")
    return Markup("".join(parts))  # noqa: S704 - every value above is escaped


#: how many built paths a process keeps for the templates (cleared when full)
URL_MEMO_SIZE = 20_000


def memo_url_for(endpoint: str, **values) -> str:
    """``url_for`` for templates, remembering the paths it built: a listing builds ~100 links
    (each card's product and store, the menus, the static files), most of them the same on
    every page. Paths only, in a request (they depend on the app's root there); external URLs,
    relative endpoints and unhashable values go to ``url_for``. A static file's path is
    remembered with its content's version, so a changed file gets its new URL.

    It reads the request's context once (``_cv_request``, the variable behind Flask's own
    proxies) rather than through ``request`` and ``current_app``: each proxy lookup costs about
    as much as the dictionary lookup this function exists for."""
    ctx = _cv_request.get(None)
    if ctx is None or endpoint[:1] == ".":
        return url_for(endpoint, **values)
    if endpoint == "static":
        filename = values.get("filename")
        if len(values) != 1 or not isinstance(filename, str):
            return url_for(endpoint, **values)
        key = (ctx.request.script_root, endpoint, filename, static_version(ctx.app, filename))
    else:
        if any(name[:1] == "_" for name in values):  # _external, _anchor…
            return url_for(endpoint, **values)
        try:
            # the value's type too: True == 1 == 1.0, but they are written differently
            key = (
                ctx.request.script_root,
                endpoint,
                *((k, type(v), v) for k, v in sorted(values.items())),
            )
            hash(key)
        except TypeError:
            return url_for(endpoint, **values)
    memo = ctx.app.extensions.get("pkk_url_memo")
    if memo is None:
        memo = ctx.app.extensions.setdefault("pkk_url_memo", {})
    path = memo.get(key)
    if path is None:
        path = url_for(endpoint, **values)
        if len(memo) >= URL_MEMO_SIZE:
            memo.clear()
        memo[key] = path
    return path


#: characters a path keeps as they are (``url_for`` escapes the others)
_PLAIN = re.compile(r"[A-Za-z0-9._~-]+\Z")
_PLAIN_PATH = re.compile(r"[A-Za-z0-9._~/-]+\Z")


def url_maker(endpoint: str, **stand_in) -> Callable[[object], str]:
    """``value -> url_for(endpoint, name=value)`` for the many values of a listing (each card's
    product, store and photo), ``stand_in`` giving the name and a value of the right kind:
    the path is built once with the stand-in and each value put in its place. A value with a
    character a path must escape (or a "/" outside a ``path`` argument) goes to ``url_for``."""
    ((name, sample),) = stand_in.items()
    built = memo_url_for(endpoint, **stand_in)
    before, found, after = built.partition(str(sample))
    if not found or str(sample) in after:
        return lambda value: memo_url_for(endpoint, **{name: value})
    plain = _PLAIN_PATH if "/" in str(sample) else _PLAIN

    def make(value) -> str:
        text = str(value)
        if plain.match(text) and not isinstance(value, bool):
            return f"{before}{text}{after}"
        return memo_url_for(endpoint, **{name: value})

    return make


def icon(name: str) -> Markup:
    """An icon of the sprite (static/img/icons.svg), hidden from screen readers (its link or
    button names it). A function rather than a macro: a page shows about eight, and a macro
    call costs Jinja several times a function's."""
    sprite = memo_url_for("static", filename="img/icons.svg")
    return Markup(  # noqa: S704 - the sprite's URL and the name are escaped
        '<svg class="icon" width="24" height="24" aria-hidden="true" focusable="false">'
        f'<use href="{escape(sprite)}#i-{escape(name)}"/></svg>'
    )


#: rendered fragments by (root, locale, static files' generation, name, inputs); cleared when full
_FRAGMENTS: dict[tuple, Markup] = {}
FRAGMENT_MEMO_SIZE = 2_000


#: a hole's stand-in while its fragment is rendered: characters of Unicode's private use area,
#: which no template writes and escaping leaves as they are
_HOLE = "\ue000{}\ue001"
_HOLES = re.compile("\ue000(\\w+)\ue001")


def fragment(name: str, holes: dict[str, str] | None = None, **inputs) -> Markup:
    """``templates/_fragments/<name>.html`` rendered with ``inputs`` alone, remembered by the
    process for each language and set of inputs. The menus every page shows (the bottom bar,
    the footer's links: some thirty links, words and icons) come out the same for the same
    inputs, and rendering them again on each page cost a tenth of a listing. A fragment may use
    the template globals (``_``, ``url_for``, ``icon``, ``current_locale``) but must read nothing
    of the request or the user beyond its inputs; its inputs must be few-valued (a role, an
    endpoint, a count).

    ``holes``: text of many values (the words searched, the page's path) that the fragment
    prints, as it is, and never tests or changes: it is rendered with a stand-in for each, and
    each page puts the value, escaped, where the stand-in was (a ``Markup`` value, already
    safe, as it is: the options of a list). Test a hole's presence with an input of its own."""
    ctx = _cv_request.get(None)
    template = f"_fragments/{name}.html"
    if ctx is None:
        markup = current_app.jinja_env.get_template(template).render(**inputs, **(holes or {}))
        return Markup(markup)  # noqa: S704 - a template
    key = (
        ctx.request.script_root,
        locale_name(),
        _STATIC_GENERATION[0],
        name,
        tuple(sorted(holes or ())),
        *sorted(inputs.items()),
    )
    found = _FRAGMENTS.get(key)
    if found is None:
        env = ctx.app.jinja_env
        stand_ins = {hole: _HOLE.format(hole) for hole in holes or ()}
        rendered = env.get_template(template).render(**inputs, **stand_ins)
        # text, hole's name, text, ...: the holes at the odd places
        found = Markup(rendered) if not holes else tuple(_HOLES.split(rendered))  # noqa: S704
        if len(_FRAGMENTS) >= FRAGMENT_MEMO_SIZE:
            _FRAGMENTS.clear()
        _FRAGMENTS[key] = found
    if not holes:
        return found
    parts = list(found)
    parts[1::2] = (
        value if isinstance(value := holes[hole], Markup) else escape_text(str(value))
        for hole in parts[1::2]
    )
    return Markup("".join(parts))  # noqa: S704 - the template's text, and each hole escaped


#: a year: a static file's URL carries its content's hash, so a changed file has a new URL
STATIC_MAX_AGE = 365 * 24 * 3600
#: how long a process trusts a static file's version before looking at the file again
STATIC_RECHECK_SECONDS = 1.0


def _static_hash(folder: str, filename: str, mtime: float) -> str:
    key = (folder, filename, mtime)
    if key not in _HASHES:
        with open(os.path.join(folder, filename), "rb") as handle:
            _HASHES[key] = hashlib.sha256(handle.read()).hexdigest()[:12]
    return _HASHES[key]


_HASHES: dict[tuple[str, str, float], str] = {}
#: bumped when a static file's version changes (a fragment names its files' versioned URLs)
_STATIC_GENERATION = [0]
#: (folder, filename) -> (when it was looked at, its version)
_VERSIONS: dict[tuple[str, str], tuple[float, str | None]] = {}


def static_version(app: Flask, filename: str) -> str | None:
    """The content hash of a static file, None if it is not a file. The file is looked at
    again after STATIC_RECHECK_SECONDS (a page names ~15 static files: a stat each is wasted
    when they change only on a deploy), and hashed again only when its mtime changed."""
    folder = app.static_folder or ""
    now = time.monotonic()
    seen = _VERSIONS.get((folder, filename))
    if seen is not None and now - seen[0] < STATIC_RECHECK_SECONDS:
        return seen[1]
    path = safe_join(folder, filename)
    if path is None or not os.path.isfile(path):
        version = None
    else:
        version = _static_hash(folder, filename, os.path.getmtime(path))
    if seen is not None and seen[1] != version:
        _STATIC_GENERATION[0] += 1
    if len(_VERSIONS) >= URL_MEMO_SIZE:
        _VERSIONS.clear()
    _VERSIONS[(folder, filename)] = (now, version)
    return version


def register(app: Flask) -> None:
    @app.url_defaults
    def versioned_static(endpoint, values):
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = static_version(app, values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def cache_static(response):
        if request.endpoint == "static" and response.status_code in (200, 304):
            version = request.args.get("v")
            if version and version == static_version(app, request.view_args["filename"]):
                response.cache_control.public = True
                response.cache_control.max_age = STATIC_MAX_AGE
                response.cache_control.immutable = True
        return response

    app.jinja_env.filters["rupiah"] = format_rupiah
    app.jinja_env.filters["urlencode"] = urlencode_text
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["jakarta"] = jakarta_datetime
    app.jinja_env.filters["phone"] = display_phone
    app.jinja_env.filters["store_status"] = store_status_label
    app.jinja_env.filters["aspiration_category"] = lambda code: _label("CATEGORY_LABELS", code)
    app.jinja_env.filters["aspiration_status"] = lambda code: _label("STATUS_LABELS", code)
    app.jinja_env.filters["jakarta_date"] = lambda day: format_date(day, "EEEE, d MMMM yyyy")
    app.jinja_env.filters["format_date"] = format_date
    from marketplace.core.locale import install_template_gettext
    from marketplace.core.web import public_url

    install_template_gettext(app.jinja_env)
    app.jinja_env.globals.update(
        wa_link=wa_link,
        public_url=public_url,
        reopen_text=reopen_text,
        weekday_name=weekday_name,
        url_with=url_with,
        pagination=pagination,
        url_for=memo_url_for,
        icon=icon,
        fragment=fragment,
        jakarta_today=jakarta_today,
        select_options=select_options,
        current_locale=locale_name,
    )

    @app.after_request
    def security_headers(response):
        for name, value in security_headers_for(app.config, stripe=bool(g.get("csp_stripe"))):
            response.headers.setdefault(name, value)
        return response
