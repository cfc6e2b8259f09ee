"""Background work: an RQ queue when ``REDIS_URL`` is set, an in-process thread otherwise.

Callers hand over ``target(app, *args)`` (a module-level function; RQ pickles its path). Progress
lives in the caller's own table, so any instance can show it. If Redis cannot take the job (down,
unreachable) the work runs in a thread of this process instead of failing the request.
Start workers with ``lms worker``: one warm app per worker process serves every job.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_app_context

JobTarget = Callable[..., None]
_worker_app: Flask | None = None


def _path(target: JobTarget) -> str:
    return f"{target.__module__}:{target.__qualname__}"


def _resolve(path: str) -> JobTarget:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def rq_entry(target_path: str, *args: Any) -> None:
    """What RQ runs: the worker's app (pushed by ``lms worker``, or created once), then the target."""
    global _worker_app
    if has_app_context():
        app = current_app._get_current_object()
    else:
        if _worker_app is None:
            from lms import create_app

            _worker_app = create_app()
        app = _worker_app
    _resolve(target_path)(app, *args)


def submit(app: Flask, target: JobTarget, *args: Any, name: str = "job") -> str:
    """Run ``target(app, *args)`` in the background; returns "rq" or "thread"."""
    url = app.config.get("REDIS_URL")
    if url:
        from redis import Redis
        from redis.exceptions import RedisError
        from rq import Queue

        try:
            connection = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
            Queue(app.config.get("JOB_QUEUE", "ikrar"), connection=connection).enqueue(
                rq_entry, _path(target), *args, job_timeout=3600
            )
            return "rq"
        except RedisError as exc:
            app.logger.warning("job queue unavailable (%s); running %s in-process", exc, name)
    threading.Thread(target=target, args=(app, *args), name=name, daemon=True).start()
    return "thread"
