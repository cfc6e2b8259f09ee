"""Consistent backups of the whole database, and restore into an empty one.

SQLite: the online backup API (safe while the app runs). PostgreSQL: ``pg_dump --format=custom``
and ``pg_restore`` (the client tools of the server's major version must be installed).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    pass


def _pg_args(uri: str) -> tuple[list[str], dict[str, str]]:
    url = make_url(uri)
    args = [
        "-h",
        url.host or "127.0.0.1",
        "-p",
        str(url.port or 5432),
        "-U",
        url.username or "postgres",
        "-d",
        url.database or "",
    ]
    env = {"PGPASSWORD": url.password} if url.password else {}
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} not found: install postgresql-client")
    return path


def backup(uri: str, target: Path) -> Path:
    url = make_url(uri)
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(url.database or "")
        dest = sqlite3.connect(target)
        with dest:
            source.backup(dest)
        source.close()
        dest.close()
    elif url.get_backend_name() == "postgresql":
        args, env = _pg_args(uri)
        subprocess.run(  # noqa: S603 - fixed argv, no shell
            [_tool("pg_dump"), "--format=custom", "--no-owner", "-f", str(target), *args],
            check=True,
            env={**_base_env(), **env},
        )
    else:
        raise BackupError(f"unsupported database {url.get_backend_name()}")
    return target


def restore(uri: str, source: Path) -> None:
    """Restore into an empty database (refuses to overwrite existing tables)."""
    url = make_url(uri)
    if url.get_backend_name() == "sqlite":
        dest = Path(url.database or "")
        if dest.exists() and dest.stat().st_size > 0:
            raise BackupError(f"{dest} exists: restore into an empty database")
        shutil.copyfile(source, dest)
    elif url.get_backend_name() == "postgresql":
        args, env = _pg_args(uri)
        subprocess.run(  # noqa: S603 - fixed argv, no shell
            [_tool("pg_restore"), "--no-owner", "--exit-on-error", *args, str(source)],
            check=True,
            env={**_base_env(), **env},
        )
    else:
        raise BackupError(f"unsupported database {url.get_backend_name()}")


def _base_env() -> dict[str, str]:
    import os

    return dict(os.environ)
