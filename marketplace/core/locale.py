"""Language choice: Bahasa Indonesia by default, English when the visitor switches."""

from __future__ import annotations

from flask import current_app, has_request_context, session


def select_locale() -> str:
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    chosen = session.get("lang")
    return chosen if chosen in current_app.config["LANGUAGES"] else default
