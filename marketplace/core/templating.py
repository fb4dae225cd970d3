"""Template filters and globals: Rupiah, Jakarta time, WhatsApp links."""

from __future__ import annotations

import hashlib
import os
from datetime import datetime, timedelta
from urllib.parse import quote, urlsplit

from flask import Flask, g, request, url_for
from flask_babel import format_date, format_datetime, format_number, get_locale
from flask_babel import gettext as _
from werkzeug.security import safe_join

from marketplace.core.db import to_jakarta, utcnow
from marketplace.core.money import format_rupiah
from marketplace.core.phone import display_phone


def wa_link(phone: str, message: str = "") -> str:
    """A click-to-chat link (wa.me) with a prefilled message."""
    link = f"https://wa.me/{phone}"
    return f"{link}?text={quote(message)}" if message else link


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
    return (WEEKDAYS_EN if str(get_locale()) == "en" else WEEKDAYS_ID)[index]


def url_with(**changes) -> str:
    """The current URL with some query arguments changed (None removes one)."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


#: a year: a static file's URL carries its content's hash, so a changed file has a new URL
STATIC_MAX_AGE = 365 * 24 * 3600


def _static_hash(folder: str, filename: str, mtime: float) -> str:
    key = (folder, filename, mtime)
    if key not in _HASHES:
        with open(os.path.join(folder, filename), "rb") as handle:
            _HASHES[key] = hashlib.sha256(handle.read()).hexdigest()[:12]
    return _HASHES[key]


_HASHES: dict[tuple[str, str, float], str] = {}


def static_version(app: Flask, filename: str) -> str | None:
    """The content hash of a static file (cached until the file changes), None if it is not
    a file."""
    folder = app.static_folder or ""
    path = safe_join(folder, filename)
    if path is None or not os.path.isfile(path):
        return None
    return _static_hash(folder, filename, os.path.getmtime(path))


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
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["jakarta"] = jakarta_datetime
    app.jinja_env.filters["phone"] = display_phone
    app.jinja_env.filters["store_status"] = store_status_label
    app.jinja_env.filters["aspiration_category"] = lambda code: _label("CATEGORY_LABELS", code)
    app.jinja_env.filters["aspiration_status"] = lambda code: _label("STATUS_LABELS", code)
    app.jinja_env.filters["jakarta_date"] = lambda day: format_date(day, "EEEE, d MMMM yyyy")
    app.jinja_env.filters["format_date"] = format_date
    from marketplace.core.web import public_url

    app.jinja_env.globals.update(
        wa_link=wa_link,
        public_url=public_url,
        reopen_text=reopen_text,
        weekday_name=weekday_name,
        url_with=url_with,
        current_locale=lambda: str(get_locale()),
    )

    @app.after_request
    def security_headers(response):
        if app.config.get("ENV_NAME") == "production" and app.config.get("HSTS_MAX_AGE"):
            response.headers.setdefault(
                "Strict-Transport-Security",
                f"max-age={app.config['HSTS_MAX_AGE']}; includeSubDomains",
            )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        # The pay page alone loads Stripe.js from Stripe (card data must never touch our server).
        stripe = inline = ""
        if g.get("csp_stripe"):
            parts = urlsplit(app.config["STRIPE_JS_URL"])
            stripe = f" {parts.scheme}://{parts.netloc}"
            inline = " 'unsafe-inline'"  # Stripe's card element styles its own iframe
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'"
            f"{inline}{stripe}; script-src 'self'{stripe}; frame-src 'self'{stripe}; "
            f"connect-src 'self'{stripe}; form-action 'self'; frame-ancestors 'none'; "
            "base-uri 'self'",
        )
        return response
