"""Permission checks in one place: role decorators and load-or-404 + ownership helpers.

Each check leans on a model predicate (``store.is_managed_by(user)``, ``user.can_moderate(area)``)
so that routes never re-implement a rule.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from marketplace.extensions import db

ModelT = TypeVar("ModelT")


def role_required(*roles: str) -> Callable:
    """Allow the view only to signed-in users holding one of ``roles`` (403 otherwise)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def get_or_404(model: type[ModelT], ident: Any) -> ModelT:
    """Load a row by primary key or answer 404."""
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


def require(allowed: bool) -> None:
    """Answer 403 unless ``allowed``."""
    if not allowed:
        abort(403)


def get_owned_or_404(model: type[ModelT], ident: Any, predicate: str, user: Any) -> ModelT:
    """Load a row (404 if absent) and check ``row.<predicate>(user)`` (403 if false)."""
    obj = get_or_404(model, ident)
    require(bool(getattr(obj, predicate)(user)))
    return obj
