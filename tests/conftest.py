"""Shared fixtures: a real database (SQLite file, or PostgreSQL when LMS_TEST_DATABASE_URL is set),
the app with every plugin, a test client, a live server for the browser tests, and factories."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import re
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from werkzeug.serving import make_server

from lms import create_app
from lms.db import Base, db, utcnow
from lms.extensions import limiter
from lms.models import Agency, Election, ElectionKind, EmploymentType, Program, ProgramStatus, Role, Unit, User
from lms.requirements import RequirementKind
from lms.security import hash_password

PASSWORD = "correct-horse-battery"
_HASH = hash_password(PASSWORD)
PG_URL = os.environ.get("LMS_TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not PG_URL:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'ikrar.db'}"
        return
    # Unique per checkout and xdist worker, so parallel runs on one server never collide.
    tag = hashlib.sha1(os.path.abspath(__file__).encode()).hexdigest()[:6]
    yield fresh_pg_database(f"ikrar_test_{tag}_{_worker()}")


def fresh_pg_database(name: str, drop_only: bool = False) -> str:
    """(Re)create an empty PostgreSQL database next to LMS_TEST_DATABASE_URL and return its URL."""
    import psycopg

    admin_url = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')
    return re.sub(r"/[^/]+$", f"/{name}", PG_URL)


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "BASE_URL": "http://localhost",
            "SERVER_NAME": None,
        }
    )
    with app.app_context():
        Base.metadata.create_all(db.engine)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _truncate_all() -> None:
    tables = list(reversed(Base.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(autouse=True)
def _clean_db(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test starts on empty tables, with fresh rate-limit counters, and leaves no requirement
    kind registered that it found missing."""
    if "app" not in request.fixturenames:
        yield
        return
    app: Flask = request.getfixturevalue("app")
    kinds = app.extensions["lms.requirements"].names()
    with app.app_context():
        _truncate_all()
        limiter.reset()
    yield
    with app.app_context():
        db.session.remove()
    leaked = set(app.extensions["lms.requirements"].names()) - set(kinds)
    assert not leaked, f"requirement kinds left registered (use requirement_kinds): {leaked}"


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: FlaskClient, identifier: str, password: str = PASSWORD):
    token = csrf_token(client)
    return client.post("/login", data={"identifier": identifier, "password": password, "csrf_token": token})


def _in_own_context(method):
    """Run a factory method in its own app context, so no context (and no ``g`` or DB session)
    leaks into the test client's requests; returned objects are detached but loaded."""

    def wrapper(self, *args, **kwargs):
        with self.app.app_context():
            obj = method(self, *args, **kwargs)
            if obj is not None:
                db.session.refresh(obj)
            return obj

    return wrapper


class Factory:
    """Small builders for test data; every object is committed in its own app context."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._seq = 0

    def _next(self) -> int:
        self._seq += 1
        return self._seq

    @_in_own_context
    def agency(self, code: str | None = None, **kw: Any) -> Agency:
        n = self._next()
        agency = Agency(code=code or f"AG{n}", name=kw.pop("name", f"Instansi {n}"), **kw)
        db.session.add(agency)
        db.session.commit()
        return agency

    @_in_own_context
    def unit(self, agency: Agency, name: str | None = None) -> Unit:
        unit = Unit(agency_id=agency.id, name=name or f"Unit {self._next()}")
        db.session.add(unit)
        db.session.commit()
        return unit

    def nip(self, sex: int = 1) -> str:
        n = self._next()
        return f"19900101201501{sex}{n:03d}"

    @_in_own_context
    def user(self, agency: Agency | None = None, role: Role = Role.LEARNER, **kw: Any) -> User:
        kw.setdefault("employment_type", EmploymentType.PNS)
        if role == Role.LEARNER and "nip" not in kw:
            kw["nip"] = self.nip()
        kw.setdefault("password_hash", _HASH)
        kw.setdefault("activated_at", utcnow())
        user = User(
            agency_id=agency.id if agency else None, role=role, name=kw.pop("name", f"Pegawai {self._next()}"), **kw
        )
        db.session.add(user)
        db.session.commit()
        return user

    def admin(self, agency: Agency, **kw: Any) -> User:
        return self.user(
            agency,
            Role.AGENCY_ADMIN,
            email=kw.pop("email", f"admin{self._next()}@x.go.id"),
            employment_type=EmploymentType.NON_ASN,
            **kw,
        )

    def platform_admin(self) -> User:
        return self.user(
            None, Role.PLATFORM_ADMIN, email=f"root{self._next()}@x.go.id", employment_type=EmploymentType.NON_ASN
        )

    @_in_own_context
    def election(self, **kw: Any) -> Election:
        today = dt.date.today()
        election = Election(
            kind=kw.pop("kind", ElectionKind.PEMILU),
            name=kw.pop("name", f"Pemilihan Umum Tahun {today.year + 1} ({self._next()})"),
            voting_day=kw.pop("voting_day", today + dt.timedelta(days=60)),
            **kw,
        )
        db.session.add(election)
        db.session.commit()
        return election

    @_in_own_context
    def program(
        self,
        agency: Agency,
        requirements: list[tuple[str, str]] = (),
        status: ProgramStatus = ProgramStatus.OPEN,
        **kw: Any,
    ) -> Program:
        from lms.models import ProgramRequirement

        today = dt.date.today()
        election = kw.pop("election", None) or self.election()
        program = Program(
            agency_id=agency.id,
            election_id=election.id,
            title=kw.pop("title", f"Program {self._next()}"),
            starts_on=kw.pop("starts_on", today - dt.timedelta(days=1)),
            deadline=kw.pop("deadline", today + dt.timedelta(days=10)),
            status=status,
            **kw,
        )
        program.requirements = [ProgramRequirement(kind=k, ref=r, position=i) for i, (k, r) in enumerate(requirements)]
        db.session.add(program)
        db.session.commit()
        program.requirements  # noqa: B018 - load before the context closes
        return program


@pytest.fixture
def make(app: Flask) -> Factory:
    return Factory(app)


@pytest.fixture
def requirement_kinds(app: Flask) -> Iterator[Callable[[RequirementKind], RequirementKind]]:
    """``requirement_kinds(kind)`` registers a test's own requirement kind; every kind registered
    this way is unregistered when the test ends, so no fake kind leaks into the next test."""
    registry = app.extensions["lms.requirements"]
    added: list[RequirementKind] = []

    def register(kind: RequirementKind) -> RequirementKind:
        registry.register(kind)
        added.append(kind)
        return kind

    yield register
    for kind in added:
        registry.unregister(kind)


# --- services some tests need: one marker and one probe each ------------------------------------
# `@pytest.mark.postgres_only` runs on the PostgreSQL pass (LMS_TEST_DATABASE_URL) and is skipped on
# SQLite; `@pytest.mark.redis` needs the Redis at LMS_TEST_REDIS_URL (fixture `redis_url`). A
# service that is configured or expected but unreachable skips the test locally and FAILS it when
# the environment variable CI is set, so CI never turns a dead service into skips.


@functools.cache
def postgres_problem() -> str | None:
    if not PG_URL:
        return None
    import psycopg

    try:
        psycopg.connect(PG_URL.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3).close()
    except psycopg.Error as exc:
        return f"PostgreSQL unreachable at LMS_TEST_DATABASE_URL: {exc}"
    return None


@functools.cache
def redis_problem() -> str | None:
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=0.5, socket_timeout=2).ping()
    except RedisError as exc:
        return f"Redis unreachable at {REDIS_URL}: {exc}"
    return None


def _service_missing(problem: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(problem, pytrace=False)
    pytest.skip(problem)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres_only"):
        if not PG_URL:
            pytest.skip("needs PostgreSQL: runs on the LMS_TEST_DATABASE_URL pass")
        if problem := postgres_problem():
            _service_missing(problem)
    if item.get_closest_marker("redis") and (problem := redis_problem()):
        _service_missing(problem)


@pytest.fixture
def redis_url() -> str:
    """The test Redis (a database of its own); use with ``@pytest.mark.redis``."""
    return REDIS_URL


# --- live server for browser tests ----------------------------------------------------------------


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    playwright_sync = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is missing: run scripts/setup.sh --test")
    with playwright_sync.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


SCREENSHOTS = os.path.join(os.path.dirname(__file__), "..", "docs", "screenshots")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--screenshots",
        action="store_true",
        help="write the README screenshots into docs/screenshots (SQLite run only)",
    )


_write_screenshots = False


def pytest_configure(config: pytest.Config) -> None:
    global _write_screenshots
    config.addinivalue_line("markers", "redis: needs the test Redis (skipped locally without it)")
    _write_screenshots = bool(config.getoption("--screenshots", default=False))


def screenshot(page: Any, name: str) -> None:
    """Save a README screenshot when asked with ``--screenshots``; never on the PostgreSQL pass."""
    if PG_URL or not _write_screenshots:
        return
    os.makedirs(SCREENSHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)
