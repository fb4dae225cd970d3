"""Route helpers shared by every blueprint: the transaction boundary and safe redirects."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Response, abort, current_app, flash, g, render_template, request
from flask_wtf.csrf import CSRFError

from marketplace.core.errors import DomainError, NotAllowed
from marketplace.core.images import Uploads
from marketplace.core.jobs import discard_after_commit, run_after_commit
from marketplace.extensions import csrf, db


def run_service(service: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[bool, Any]:
    """Call a service and commit once; on a DomainError roll back, flash its message.

    Returns (ok, result). This is the one transaction boundary for form posts.
    """
    try:
        result = service(*args, **kwargs)
        db.session.commit()
    except NotAllowed:
        rollback()
        raise  # a permission refusal is a 403 page, not a form message
    except DomainError as error:
        rollback()
        flash(error.message, "error")
        g.service_failed = True
        return False, None
    except Exception:
        rollback()
        raise
    run_after_commit()
    return True, result


def rollback() -> None:
    """Roll back the request's transaction and forget the work it asked for after commit."""
    db.session.rollback()
    discard_after_commit()


def current_uploads() -> Uploads:
    """The upload settings of the running app, for services that store photos."""
    return Uploads.from_config(current_app.config)


def image_response(uploads: Uploads, name: str, public: bool = True):
    """A stored photo as an answer: a year of caching for public ones (their names are never
    reused), none for private ones (receipts); 404 when there is none by that name."""
    data = uploads.read(name)
    if data is None:
        abort(404)
    response = Response(data, mimetype="image/webp")
    if public:
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        response.add_etag()
        response.make_conditional(request)
    else:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def uploaded_file(field):
    """The stream of a file field when the user chose a file, else None."""
    data = field.data
    return data.stream if data is not None and getattr(data, "filename", "") else None


def cross_site_request() -> bool:
    """Whether the browser says this request was sent by another site's page: its
    Sec-Fetch-Site header (every current browser sends it), or without it an Origin other than
    ours. A request with neither comes from a non-browser client or an old browser's own page,
    never from a form forged on another site (the rule of Go's http.CrossOriginProtection)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site not in ("same-origin", "none")
    origin = request.headers.get("Origin")
    # the host alone, as Go compares it: a TLS proxy that does not pass the scheme along must
    # not turn our own pages into another site
    return origin is not None and urlsplit(origin).netloc != request.host


def browser_guarded(view):
    """A form that public pages show to everyone (the language switch, "add to cart") posts
    without a CSRF token, so the shared cached page is the same bytes for every visitor; the
    browser's own headers refuse it when another site's page sent it (``cross_site_request``).
    Kept to actions whose forgery would do no harm worth a token: nothing paid, sent or
    deleted."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if cross_site_request():
            raise CSRFError()
        return view(*args, **kwargs)

    return csrf.exempt(guarded)


def safe_next(default: str) -> str:
    """The ``next`` parameter when it points inside this site, else ``default``."""
    target = request.values.get("next", "")
    parts = urlsplit(target)
    if (
        target.startswith("/")
        and not target.startswith("//")
        and not parts.netloc
        and "\\" not in target
    ):
        return target
    return default


def render_form(template: str, form, **context: Any):
    """Render a form page: 400 when the form or the service refused the input, else 200."""
    failed = bool(form.errors) or g.get("service_failed", False)
    return render_template(template, form=form, **context), 400 if failed else 200


def csv_response(body: str, filename: str) -> Response:
    """A private CSV download (exports of books and figures are never cached)."""
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


def public_url(endpoint: str, **values) -> str:
    """An absolute link that leaves the site (mail, WhatsApp, push, feeds, share texts): always
    on the configured BASE_URL, never on the Host header a request claimed (reset-link
    poisoning). Works outside requests too (jobs)."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)
