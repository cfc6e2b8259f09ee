"""Start and stop a production-like Ikrar stack on loopback for load and fault runs.

gunicorn (sync workers) on PostgreSQL with Redis, plus RQ workers. Every process is a child of the
calling script and is stopped when the ``Stack`` context exits; nothing listens beyond 127.0.0.1.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import AbstractContextManager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/3"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_database(name: str) -> str:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def app_env(database_url: str, port: int, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "LMS_SECRET_KEY": "load-test-secret-key-not-for-production",
            "LMS_SQLALCHEMY_DATABASE_URI": database_url,
            "LMS_REDIS_URL": REDIS_URL,
            "LMS_BASE_URL": f"http://127.0.0.1:{port}",
            # The load generator is one IP: per-IP limits would only measure themselves.
            "LMS_RATELIMIT_LOGIN": "100000 per minute",
            "LMS_RATELIMIT_LOGIN_ACCOUNT": "1000 per minute",
            "LMS_RATELIMIT_PUBLIC": "1000000 per minute",
            "LMS_RATELIMIT_PLEDGE_SIGN": "100000 per minute",
        }
    )
    env.update(extra)
    return env


def lms(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(VENV_BIN / "lms"), *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    return result.stdout


class Stack(AbstractContextManager["Stack"]):
    def __init__(self, database_url: str, workers: int = 4, rq_workers: int = 2, log_dir: Path | None = None) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = app_env(database_url, self.port)
        self.workers = workers
        self.rq_workers = rq_workers
        self.log_dir = log_dir or ROOT / "loadtest" / "out"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.processes: list[subprocess.Popen[bytes]] = []

    def _spawn(self, name: str, argv: list[str]) -> None:
        log = open(self.log_dir / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        self.processes.append(
            subprocess.Popen(argv, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        )

    def __enter__(self) -> Stack:
        self._spawn(
            "gunicorn",
            [
                str(VENV_BIN / "gunicorn"),
                "-w",
                str(self.workers),
                "-k",
                "sync",
                "-b",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
                "wsgi:app",
            ],
        )
        for i in range(self.rq_workers):
            self._spawn(f"rq-{i}", [str(VENV_BIN / "lms"), "worker"])
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as r:  # noqa: S310
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("the app did not become healthy; see loadtest/out/gunicorn.log")

    def __exit__(self, *exc: object) -> None:
        for proc in self.processes:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.processes:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def restart_postgres(down_seconds: float = 3.0) -> tuple[float, float]:
    """Stop PostgreSQL, wait, start it again; return (stopped_at, started_at)."""
    cluster = sorted(os.listdir("/etc/postgresql"))[0]
    stopped = time.time()
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "stop", "-m", "fast"], check=True)
    time.sleep(down_seconds)
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "start"], check=True)
    return stopped, time.time()


def stop_redis() -> None:
    subprocess.run(["redis-cli", "-h", "127.0.0.1", "shutdown", "nosave"], check=False, capture_output=True)


def start_redis() -> None:
    subprocess.run(
        [
            "redis-server",
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "--port",
            "6379",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        check=True,
        capture_output=True,
    )


if __name__ == "__main__":  # smoke: start the stack on an empty database and stop it
    url = fresh_database("ikrar_load_smoke")
    lms(app_env(url, 0), "db", "upgrade")
    with Stack(url, workers=2, rq_workers=0) as stack:
        print("healthy at", stack.base_url)
    sys.exit(0)
