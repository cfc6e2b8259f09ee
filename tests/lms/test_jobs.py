"""Background jobs fall back to a thread when Redis cannot take them."""

import threading

from lms import jobs

DONE = threading.Event()
SEEN: list = []


def remember(app, value):
    SEEN.append((app.name, value))
    DONE.set()


def test_job_runs_in_a_thread_when_redis_is_down(app):
    old = app.config.get("REDIS_URL")
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    DONE.clear()
    try:
        assert jobs.submit(app, remember, 42, name="t") == "thread"
    finally:
        app.config["REDIS_URL"] = old
    assert DONE.wait(5)
    assert SEEN[-1] == (app.name, 42)


def test_job_runs_in_a_thread_without_redis(app):
    DONE.clear()
    assert jobs.submit(app, remember, 7) == "thread"
    assert DONE.wait(5) and SEEN[-1][1] == 7
