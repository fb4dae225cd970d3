"""User-facing domain errors and the HTTP error pages."""

from __future__ import annotations

from flask import Flask, g, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, SecurityError


class DomainError(Exception):
    """A rule said no; ``message`` is translated and safe to show to the user."""

    status_code = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(DomainError):
    status_code = 403


class InvalidTransition(DomainError):
    status_code = 409


def _render(status: int, title: str, message: str):
    if status >= 500:
        # the database may be what failed: the page must not need it (no cart count, no badges)
        g.plain_page = True
    if request.accept_mimetypes.best == "application/json":
        return {"error": message}, status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register_errorhandlers(app: Flask) -> None:
    """Render 4xx/5xx errors as pages in the user's language."""

    messages = {
        400: (lambda: _("Permintaan tidak valid"), lambda: _("Periksa kembali isian Anda.")),
        403: (
            lambda: _("Akses ditolak"),
            lambda: _("Anda tidak punya izin untuk membuka halaman ini."),
        ),
        404: (
            lambda: _("Halaman tidak ditemukan"),
            lambda: _("Halaman yang Anda cari tidak ada atau sudah dipindahkan."),
        ),
        405: (lambda: _("Metode tidak diizinkan"), lambda: _("Permintaan ini tidak didukung.")),
        413: (
            lambda: _("Berkas terlalu besar"),
            lambda: _("Ukuran berkas maksimal sekitar 12 MB. Pilih foto yang lebih kecil."),
        ),
        429: (
            lambda: _("Terlalu banyak percobaan"),
            lambda: _("Tunggu sebentar, lalu coba lagi."),
        ),
        500: (
            lambda: _("Terjadi kesalahan"),
            lambda: _("Maaf, ada gangguan di server. Silakan coba lagi nanti."),
        ),
    }

    def handle_http(error: HTTPException):
        code = error.code or 500
        title, message = messages.get(code, messages[400] if code < 500 else messages[500])
        return _render(code, title(), message())

    def handle_csrf(error: CSRFError):
        return _render(
            400,
            _("Sesi formulir kedaluwarsa"),
            _("Formulir ini sudah kedaluwarsa atau tidak sah. Muat ulang halaman lalu kirim lagi."),
        )

    def handle_domain(error: DomainError):
        return _render(error.status_code, _("Tidak dapat diproses"), error.message)

    def handle_500(error: Exception):
        app.logger.exception("Unhandled error", exc_info=error)
        title, message = messages[500]
        return _render(500, title(), message())

    def handle_foreign_host(error: SecurityError):
        # no page can be built for a Host the site does not answer (no URLs, no templates)
        return "400 Bad Request: unknown host\n", 400, {"Content-Type": "text/plain"}

    def handle_database(error: OperationalError):
        """A statement that ran past DATABASE_STATEMENT_TIMEOUT_MS (or a database that is gone)
        is a busy server, not a broken page: 503 with a hint to retry."""
        from marketplace.extensions import db

        db.session.rollback()
        app.logger.warning("database unavailable or too slow: %s", error.orig)
        body, status = _render(
            503,
            _("Server sedang sibuk"),
            _("Permintaan ini terlalu lama diproses. Coba lagi sebentar lagi."),
        )
        return body, status, {"Retry-After": "5"}

    app.register_error_handler(OperationalError, handle_database)
    app.register_error_handler(SecurityError, handle_foreign_host)
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(DomainError, handle_domain)
    app.register_error_handler(500, handle_500)
