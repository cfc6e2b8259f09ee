"""Role checks for views. Other roles get 404, so admin pages do not reveal that they exist."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required


def role_required(allowed: Callable[[Any], bool]):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any):
            if not allowed(current_user):
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorator


admin_required = role_required(lambda user: user.is_admin)
platform_required = role_required(lambda user: user.is_platform_admin)
