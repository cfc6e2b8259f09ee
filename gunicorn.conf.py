"""Gunicorn settings, read from the directory gunicorn starts in (``gunicorn wsgi:app``).

Several workers need Redis for the rate-limit counters: without it each worker counts on its own
and every limit is multiplied by the number of workers. Start-up is refused in that case; set
LMS_REDIS_URL, run one worker, or (benchmarks only) set LMS_ALLOW_PER_PROCESS_LIMITS=true.
"""

from __future__ import annotations

from typing import Any


def on_starting(server: Any) -> None:
    if server.cfg.workers <= 1:
        return
    from flask import Flask

    from lms import ConfigError, _load_config
    from lms.config import limiter_storage_problem

    probe = Flask("lms", instance_relative_config=True)  # same instance/lms.cfg as the app
    try:
        _load_config(probe, {})
    except ConfigError:
        return  # the app reports it itself
    problem = limiter_storage_problem(probe.config)
    if problem and not probe.config.get("ALLOW_PER_PROCESS_LIMITS"):
        raise SystemExit(f"Refusing to start {server.cfg.workers} workers: {problem}")
