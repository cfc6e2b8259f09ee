"""Load and fault run: N learners play the whole journey against a production-like stack.

    .venv/bin/python loadtest/run_load.py                       # 500 learners, faults on
    .venv/bin/python loadtest/run_load.py --learners 50 --no-faults   # quick debug run

One command, loopback only, bounded and self-stopping:
  1. a fresh PostgreSQL database ``ikrar_load``: ``lms db upgrade``, ``lms modules import``, then
     ``loadtest/seed.py`` (one agency, N learners sharing one argon2 hash, one open program that
     requires module ``netralitas-asn`` and pledge ``netralitas-asn``);
  2. ``stack.Stack``: gunicorn (``--workers`` sync workers) + ``--rq-workers`` ``lms worker``
     processes, ``LMS_REDIS_URL`` set;
  3. N simulated learners (one thread each, started at ``--spawn-rate`` per second; each does the
     journey once and stops): log in -> module page -> every lesson (GET + POST "mark read") ->
     start quiz -> answer correctly (answers from ``questions.yaml`` matched on the Indonesian text
     shown) -> sign the Pakta Integritas (all commitments, password, typed name) -> home ->
     download the certificate PDF. A step answered 503 (or with no answer at all) is retried after
     a short wait, as a person would; every response's status and latency is recorded;
  4. faults (``--pg-restart`` / ``--redis-stop``, both on by default; ``--no-faults`` disables
     both): PostgreSQL is restarted when a fifth of the learners are done, Redis is stopped at
     40 % and started again ``--redis-down`` seconds later; a certificate ZIP job is
     requested while Redis is down (runs in-process) and again after it is back (runs on RQ);
  5. checks (PASS/FAIL each), see loadtest/README.md;
  6. appends a row to loadtest/RESULTS.md; exit status 1 on any FAIL.

Bounds: ``--run-time`` seconds for the journeys (learners not done by then are reported as not
completed), ``--max-requests`` in total; the stack is stopped and PostgreSQL/Redis are running again
when the script ends, whatever happened.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import http.cookiejar
import json
import random
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

import seed  # noqa: E402
import stack  # noqa: E402
from stack import ROOT, VENV_BIN  # noqa: E402

SLUG = "netralitas-asn"
PLEDGE_KEY = "netralitas-asn"
DB_NAME = "ikrar_load"
RESTORE_DB = "ikrar_load_restore"
OUT = ROOT / "loadtest" / "out"
RECOVERY_GRACE = 10.0  # seconds after PostgreSQL is back within which a 503 still counts as the fault's
RETRY_STATUSES = {0, 502, 503, 504}  # 0: no answer (refused, reset, timed out)


class Aborted(Exception):
    """The run's time or request budget is spent."""


class JourneyError(Exception):
    pass


# --- recording ------------------------------------------------------------------------------------


@dataclass
class Event:
    t: float
    step: str
    status: int
    seconds: float
    traceback: bool
    clean_503: bool
    error: str = ""  # for status 0: why there was no answer


@dataclass
class Recorder:
    max_requests: int
    deadline: float
    events: list[Event] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self) -> int:
        return len(self.events)

    def add(self, event: Event) -> None:
        with self.lock:
            self.events.append(event)

    def check_budget(self) -> None:
        if time.time() > self.deadline or len(self.events) >= self.max_requests:
            raise Aborted


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # hand the 3xx back to the caller


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


class Client:
    timeout = 120.0  # seconds a patient person waits for a page (set from --timeout)

    def __init__(self, base: str, rec: Recorder) -> None:
        self.base = base
        self.rec = rec
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def _once(self, step: str, path: str, data: dict | list | None) -> Response:
        self.rec.check_budget()
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body)
        started = time.time()
        error = ""
        try:
            with self.opener.open(req, timeout=self.timeout) as r:
                resp = Response(r.status, r.read(), {k.lower(): v for k, v in r.headers.items()})
        except urllib.error.HTTPError as exc:
            resp = Response(exc.code, exc.read(), {k.lower(): v for k, v in exc.headers.items()})
        except OSError as exc:
            resp = Response(0, b"", {})
            reason = getattr(exc, "reason", exc)
            error = (
                "timeout" if isinstance(reason, TimeoutError) or "timed out" in str(reason) else type(reason).__name__
            )
        elapsed = time.time() - started
        tb = b"Traceback" in resp.body
        clean = resp.status == 503 and not tb and b"<html" in resp.body.lower()
        self.rec.add(Event(started, step, resp.status, elapsed, tb, clean, error))
        return resp

    def request(
        self, step: str, path: str, data: dict | list | None = None, expect: tuple[int, ...] = (200,)
    ) -> Response:
        """One step; 503 or no answer: wait a little and retry (a person would)."""
        attempt = 0
        while True:
            resp = self._once(step, path, data)
            if resp.status in expect:
                return resp
            if resp.status in RETRY_STATUSES:
                attempt += 1
                time.sleep(min(1.0 + attempt * 0.5, 5.0) + random.random())
                continue
            raise JourneyError(f"{step}: HTTP {resp.status} for {path}")


# --- page parsing ---------------------------------------------------------------------------------

_INPUT = re.compile(r"<input\b[^>]*>", re.I)
_ATTR = re.compile(r'([a-zA-Z_:-]+)="([^"]*)"')


def inputs(page: str) -> list[dict[str, str]]:
    return [{k.lower(): html.unescape(v) for k, v in _ATTR.findall(tag)} for tag in _INPUT.findall(page)]


def hidden(page: str, name: str) -> str:
    for attrs in inputs(page):
        if attrs.get("name") == name:
            return attrs.get("value", "")
    raise JourneyError(f"no field {name!r} on the page")


def _norm(text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def answer_key() -> dict[str, set[str]]:
    """Indonesian question text -> the Indonesian texts of its correct choices."""
    bank = yaml.safe_load((ROOT / "modules" / "content" / SLUG / "questions.yaml").read_text())
    return {_norm(q["text"]["id"]): {_norm(c["text"]["id"]) for c in q["choices"] if c.get("correct")} for q in bank}


_FIELDSET = re.compile(r'<fieldset class="panel question">(.*?)</fieldset>', re.S)
_LEGEND = re.compile(r'<legend><span class="question-number">[^<]*</span>(.*?)</legend>', re.S)
_CHOICE = re.compile(
    r'<input type="(?:radio|checkbox)" name="(q-\d+)" value="(\d+)"[^>]*>\s*'
    r"<span>(.*?)</span>",
    re.S,
)


def quiz_answers(page: str, key: dict[str, set[str]]) -> list[tuple[str, str]]:
    pairs = []
    blocks = _FIELDSET.findall(page)
    if not blocks:
        raise JourneyError("no questions on the attempt page")
    for block in blocks:
        legend = _LEGEND.search(block)
        if legend is None or _norm(legend.group(1)) not in key:
            raise JourneyError("a question on the page is not in questions.yaml")
        correct = key[_norm(legend.group(1))]
        for name, value, text in _CHOICE.findall(block):
            if _norm(text) in correct:
                pairs.append((name, value))
    return pairs


# --- the journey ----------------------------------------------------------------------------------


@dataclass
class Outcome:
    index: int
    done: bool = False
    error: str | None = None
    attempt_id: int | None = None
    signature_id: int | None = None
    certificate_code: str | None = None
    pdf_sha256: str | None = None


def journey(base: str, rec: Recorder, i: int, program_id: int, key: dict[str, set[str]], out: Outcome) -> None:
    c = Client(base, rec)
    page = c.request("login_get", "/login").text
    c.request(
        "login_post",
        "/login",
        {"identifier": seed.learner_email(i), "password": seed.PASSWORD, "csrf_token": hidden(page, "csrf_token")},
        expect=(302, 303),
    )
    page = c.request("module", f"/modules/{SLUG}").text
    lessons = list(dict.fromkeys(re.findall(rf'href="/modules/{SLUG}/lessons/([a-z0-9-]+)"', page)))
    if not lessons:
        raise JourneyError("no lessons on the module page")
    for lesson in lessons:
        page = c.request("lesson_get", f"/modules/{SLUG}/lessons/{lesson}").text
        c.request(
            "lesson_read",
            f"/modules/{SLUG}/lessons/{lesson}/read",
            {"csrf_token": hidden(page, "csrf_token")},
            expect=(302, 303),
        )
    resp = c.request(
        "quiz_start", f"/modules/{SLUG}/quiz", {"csrf_token": hidden(page, "csrf_token")}, expect=(302, 303)
    )
    m = re.search(rf"/modules/{SLUG}/quiz/attempts/(\d+)$", resp.location)
    if m is None:
        raise JourneyError(f"quiz start went to {resp.location!r}")
    out.attempt_id = int(m.group(1))
    page = c.request("attempt_get", f"/modules/{SLUG}/quiz/attempts/{out.attempt_id}").text
    form = [("csrf_token", hidden(page, "csrf_token")), ("confirm", "y"), ("submit", "1"), *quiz_answers(page, key)]
    c.request("quiz_submit", f"/modules/{SLUG}/quiz/attempts/{out.attempt_id}", form, expect=(302, 303))
    page = c.request("result", f"/modules/{SLUG}/quiz/attempts/{out.attempt_id}/result").text
    sign_path = f"/pledges/programs/{program_id}/{PLEDGE_KEY}/sign"
    page = c.request("sign_get", sign_path).text
    commitments = [a["value"] for a in inputs(page) if a.get("name") == "commitments"]
    form = [
        ("csrf_token", hidden(page, "csrf_token")),
        ("form_token", hidden(page, "form_token")),
        ("password", seed.PASSWORD),
        ("typed_name", seed.learner_name(i)),
        ("signature", ""),
        *[("commitments", v) for v in commitments],
    ]
    resp = c.request("sign_post", sign_path, form, expect=(302, 303))
    m = re.search(r"/pledges/receipts/(\d+)$", resp.location)
    if m is None:
        raise JourneyError(f"signing went to {resp.location!r}")
    out.signature_id = int(m.group(1))
    page = c.request("home", "/").text
    m = re.search(r'href="(?:https?://[^"/]+)?/certificates/([A-Z0-9]+)\.pdf"', page)
    if m is None:
        raise JourneyError("no certificate link on the home page")
    out.certificate_code = m.group(1)
    pdf = c.request("certificate_pdf", f"/certificates/{out.certificate_code}.pdf").body
    if not pdf.startswith(b"%PDF"):
        raise JourneyError("the certificate download is not a PDF")
    out.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    out.done = True


def run_learner(base: str, rec: Recorder, i: int, program_id: int, key: dict[str, set[str]], out: Outcome) -> None:
    try:
        journey(base, rec, i, program_id, key, out)
    except Aborted:
        out.error = "time or request budget spent"
    except JourneyError as exc:
        out.error = str(exc)
    except Exception as exc:  # noqa: BLE001 - a generator bug must show, not kill the thread
        out.error = f"{type(exc).__name__}: {exc}"


# --- faults ---------------------------------------------------------------------------------------


@dataclass
class Faults:
    pg_window: tuple[float, float] | None = None
    redis_window: tuple[float, float] | None = None
    zip_jobs: list[dict[str, object]] = field(default_factory=list)
    log: list[str] = field(default_factory=list)


def admin_zip_job(
    base: str,
    agency_id: int,
    program_id: int,
    label: str,
    rec: Recorder | None = None,
    posted: threading.Event | None = None,
) -> dict[str, object]:
    """Log in as the agency admin and request the program's certificate ZIP; wait for it."""
    rec = rec or Recorder(max_requests=10_000, deadline=time.time() + 300)
    c = Client(base, rec)
    page = c.request("admin_login_get", "/login").text
    c.request(
        "admin_login_post",
        "/login",
        {"identifier": seed.ADMIN_EMAIL, "password": seed.PASSWORD, "csrf_token": hidden(page, "csrf_token")},
        expect=(302, 303),
    )
    page = c.request("admin_list", f"/admin/agencies/{agency_id}/certificates").text
    resp = c.request(
        "admin_zip",
        f"/admin/programs/{program_id}/certificates.zip",
        {"csrf_token": hidden(page, "csrf_token")},
        expect=(302, 303),
    )
    job_id = int(re.search(r"/jobs/(\d+)$", resp.location).group(1))
    if posted is not None:
        posted.set()
    status: dict[str, object] = {}
    while time.time() < rec.deadline - 5:
        status = json.loads(c.request("admin_job", f"/admin/agencies/{agency_id}/certificates/jobs/{job_id}.json").text)
        if status.get("status") in ("done", "failed"):
            break
        time.sleep(1)
    return {
        "label": label,
        "job_id": job_id,
        "status": status.get("status"),
        "done": status.get("done"),
        "total": status.get("total"),
    }


def rq_jobs_seen() -> int:
    return sum(p.read_text(errors="replace").count("rq_entry") for p in OUT.glob("rq-*.log"))


def inject_faults(
    args: argparse.Namespace,
    base: str,
    outcomes: list[Outcome],
    faults: Faults,
    stop: threading.Event,
    agency_id: int,
    program_id: int,
    rec: Recorder,
) -> None:
    """PostgreSQL restart when 20 % of the learners are done, Redis stop at 40 % (or by time).
    The admin's ZIP request while Redis is down is recorded with the learners' requests."""
    n = len(outcomes)
    started = time.time()

    def wait_until(fraction: float, latest: float) -> None:
        while not stop.is_set():
            if sum(o.done for o in outcomes) >= fraction * n or time.time() - started > latest:
                return
            time.sleep(0.5)

    if args.pg_restart:
        wait_until(0.2, args.run_time * 0.3)
        if stop.is_set():
            return
        t0 = time.time()
        stopped, back = stack.restart_postgres(down_seconds=args.pg_down)
        faults.pg_window = (t0, back)
        faults.log.append(f"PostgreSQL down {back - stopped:.1f} s at +{t0 - started:.0f} s")
        time.sleep(RECOVERY_GRACE + 2)  # keep the two fault windows apart
    if args.redis_stop:
        wait_until(0.4, args.run_time * 0.5)
        if stop.is_set():
            return
        t0 = time.time()
        stack.stop_redis()
        before = rq_jobs_seen()
        holder: list[dict[str, object]] = []
        posted = threading.Event()

        def down_job() -> None:
            try:
                holder.append(admin_zip_job(base, agency_id, program_id, "redis down", rec, posted))
            except Exception as exc:  # noqa: BLE001 - reported by the jobs check
                holder.append({"label": "redis down", "status": f"error {exc}"})

        admin = threading.Thread(target=down_job)
        admin.start()
        try:  # down for --redis-down s, and until the ZIP request was answered (at most 180 s)
            while time.time() < t0 + 180 and (
                time.time() < t0 + args.redis_down or (admin.is_alive() and not posted.is_set())
            ):
                time.sleep(0.2)
        finally:
            stack.start_redis()
        back = time.time()
        admin.join(timeout=300)
        if holder:
            holder[0]["rq"] = rq_jobs_seen() > before
            faults.zip_jobs.append(holder[0])
        faults.redis_window = (t0, back)
        faults.log.append(f"Redis down {back - t0:.1f} s at +{t0 - started:.0f} s")
        time.sleep(2)
        before = rq_jobs_seen()
        try:
            job = admin_zip_job(base, agency_id, program_id, "redis back")
        except (Aborted, JourneyError) as exc:
            job = {"label": "redis back", "status": f"error {type(exc).__name__} {exc}"}
        time.sleep(1)
        job["rq"] = rq_jobs_seen() > before
        faults.zip_jobs.append(job)


# --- checks ---------------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def run_checks(
    args: argparse.Namespace,
    env: dict[str, str],
    info: dict[str, object],
    rec: Recorder,
    outcomes: list[Outcome],
    faults: Faults,
    base: str,
    grace: float,
) -> list[tuple[str, bool, str]]:
    checks: list[tuple[str, bool, str]] = []

    def check(name: str, ok: bool, detail: str = "") -> None:
        checks.append((name, ok, detail))
        print(f"{'PASS' if ok else 'FAIL'}  {name}{': ' + detail if detail else ''}", flush=True)

    def in_window(e: Event, window: tuple[float, float] | None) -> bool:
        """The request was in flight at some moment between the fault and ``grace`` s after."""
        return window is not None and e.t <= window[1] + grace and e.t + e.seconds >= window[0]

    fives = [e for e in rec.events if e.status >= 500]
    unexpected = [e for e in fives if not (e.status == 503 and in_window(e, faults.pg_window))]
    check(
        "no 5xx except clean 503 while PostgreSQL was down" if args.pg_restart else "zero 5xx",
        not unexpected,
        f"{len(fives)} 5xx, unexpected {Counter(e.status for e in unexpected)}"
        if unexpected
        else f"{len(fives)} 503 inside the PostgreSQL window",
    )
    dirty = [e for e in fives if e.traceback or (e.status == 503 and not e.clean_503)]
    check("every 5xx is the clean 503 page (no Traceback)", not dirty, f"{len(dirty)} not clean")
    no_answer = [e for e in rec.events if e.status == 0]
    check(
        f"every request got an HTTP answer within {Client.timeout:g} s",
        not no_answer,
        f"{len(no_answer)} without answer {dict(Counter(e.error for e in no_answer))}",
    )
    done = [o for o in outcomes if o.done]
    errors = Counter(o.error for o in outcomes if not o.done)
    check(
        "every learner completed the journey",
        len(done) == len(outcomes),
        f"{len(done)}/{len(outcomes)}" + (f"; {dict(errors.most_common(3))}" if errors else ""),
    )

    import os

    os.environ.update(env)
    from sqlalchemy import text

    from lms import create_app
    from lms.db import db
    from lms.models import Program, User

    app = create_app()
    with app.app_context():

        def q(sql: str, **params: object) -> list[tuple]:
            return [tuple(r) for r in db.session.execute(text(sql), params).all()]

        pid = info["program_id"]
        emails = {seed.learner_email(o.index): o for o in done}
        uid_of = {e: u for u, e in q("SELECT id, email FROM users WHERE role = 'learner'") if e in emails}
        by_user = {uid_of[e]: o for e, o in emails.items()}
        comp = dict(
            q("SELECT user_id, count(*) FROM program_completions WHERE program_id = :p GROUP BY user_id", p=pid)
        )
        bad = [u for u in by_user if comp.get(u) != 1]
        check(
            "each completed learner has exactly one ProgramCompletion",
            not bad,
            f"{len(by_user) - len(bad)}/{len(by_user)} ok",
        )
        certs = defaultdict(list)
        for u, code, sha in q(
            "SELECT user_id, code, pdf_sha256 FROM certificates_certificates "
            "WHERE program_id = :p AND status = 'valid'",
            p=pid,
        ):
            certs[u].append((code, sha))
        bad = [u for u, o in by_user.items() if certs.get(u) != [(o.certificate_code, o.pdf_sha256)]]
        check(
            "each has exactly one valid certificate, the one downloaded (code and SHA-256)",
            not bad,
            f"{len(by_user) - len(bad)}/{len(by_user)} ok",
        )
        ledger = defaultdict(list)
        for u, sid in q(
            "SELECT s.user_id, s.id FROM pledges_ledger l JOIN pledges_signatures s "
            "ON s.id = l.signature_id WHERE s.program_id = :p",
            p=pid,
        ):
            ledger[u].append(sid)
        bad = [u for u, o in by_user.items() if ledger.get(u) != [o.signature_id]]
        check(
            "each has exactly one ledger entry, for the signature on the receipt",
            not bad,
            f"{len(by_user) - len(bad)}/{len(by_user)} ok",
        )
        attempts = defaultdict(list)
        for u, aid, submitted, passed in q(
            "SELECT user_id, id, submitted_at IS NOT NULL, passed FROM modules_quiz_attempts WHERE slug = :s", s=SLUG
        ):
            attempts[u].append((aid, submitted, passed))
        sigs = Counter(u for (u,) in q("SELECT user_id FROM pledges_signatures WHERE program_id = :p", p=pid))
        bad_a = [u for u, o in by_user.items() if attempts.get(u) != [(o.attempt_id, True, True)]]
        bad_s = [u for u in by_user if sigs.get(u) != 1]
        all_certs = Counter(
            u for (u,) in q("SELECT user_id FROM certificates_certificates WHERE program_id = :p", p=pid)
        )
        bad_c = [u for u in by_user if all_certs.get(u) != 1]
        check(
            "no attempt, signature or certificate lost or duplicated",
            not (bad_a or bad_s or bad_c),
            f"attempts off {len(bad_a)}, signatures off {len(bad_s)}, certificates off {len(bad_c)}",
        )
        seqs = [s for (s,) in q("SELECT seq FROM pledges_ledger ORDER BY seq")]
        n_sigs = q("SELECT count(*) FROM pledges_signatures")[0][0]
        check(
            "ledger is gap-free and has one entry per signature",
            seqs == list(range(1, len(seqs) + 1))
            and q("SELECT count(*) FROM pledges_ledger WHERE kind = 'signature'")[0][0] == n_sigs,
            f"{len(seqs)} entries, {n_sigs} signatures",
        )

        from lms.dashboard.services import program_figures

        program = db.session.get(Program, pid)
        admin = db.session.scalar(db.select(User).where(User.email == seed.ADMIN_EMAIL))
        figures = program_figures(program, admin)
        assigned = q(
            "SELECT count(*) FROM users WHERE agency_id = :a AND role = 'learner' AND active", a=info["agency_id"]
        )[0][0]
        completed = q("SELECT count(DISTINCT user_id) FROM program_completions WHERE program_id = :p", p=pid)[0][0]
        passed_n = q("SELECT count(DISTINCT user_id) FROM modules_quiz_attempts WHERE slug = :s AND passed", s=SLUG)[0][
            0
        ]
        signed_n = q("SELECT count(DISTINCT user_id) FROM pledges_signatures WHERE program_id = :p", p=pid)[0][0]
        met = figures.total.met
        req_cols = [c.key for c in figures.columns if c.source == "requirement"]
        want = {"assigned": assigned, "completed": completed, "module met": passed_n, "pledge met": signed_n}
        got = {
            "assigned": figures.total.assigned,
            "completed": figures.total.completed,
            "module met": met.get(req_cols[0]) if req_cols else None,
            "pledge met": met.get(req_cols[1]) if len(req_cols) > 1 else None,
        }
        check("dashboard figures equal the database", want == got, f"dashboard {got}, SQL {want}")
        counts = {
            t: q(f"SELECT count(*) FROM {t}")[0][0]
            for t in (  # noqa: S608 - fixed names
                "users",
                "modules_quiz_attempts",
                "pledges_signatures",
                "pledges_ledger",
                "certificates_certificates",
                "program_completions",
            )
        }
        db.session.remove()
        db.engine.dispose()

    # the dashboard page itself, as the agency admin
    rec2 = Recorder(max_requests=100, deadline=time.time() + 60)
    c = Client(base, rec2)
    page = c.request("admin_login_get", "/login").text
    c.request(
        "admin_login_post",
        "/login",
        {"identifier": seed.ADMIN_EMAIL, "password": seed.PASSWORD, "csrf_token": hidden(page, "csrf_token")},
        expect=(302, 303),
    )
    page = _norm(c.request("dashboard", f"/admin/programs/{pid}").text)
    shown = str(completed) in page and str(assigned) in page
    check("dashboard page shows the completed and assigned counts", shown, f"looked for {completed} and {assigned}")

    rc = subprocess.run(
        [str(VENV_BIN / "lms"), "pledges", "verify-ledger"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    check("lms pledges verify-ledger exits 0", rc.returncode == 0, rc.stdout.strip()[-200:])

    if faults.redis_window is not None:
        during = [e for e in rec.events if in_window(e, faults.redis_window) and not in_window(e, faults.pg_window)]
        ok_during = sum(1 for e in during if e.status < 400)
        check(
            "app kept serving while Redis was down",
            ok_during > 0 and not any(e.status >= 500 for e in during),
            f"{ok_during} of {len(during)} answers were 2xx/3xx",
        )
        jobs_ok = (
            len(faults.zip_jobs) == 2
            and all(j["status"] == "done" for j in faults.zip_jobs)
            and faults.zip_jobs[0]["rq"] is False
            and faults.zip_jobs[1]["rq"] is True
        )
        check(
            "jobs: in-process while Redis was down, on the RQ worker again once it was back",
            jobs_ok,
            json.dumps(faults.zip_jobs),
        )

    if not args.skip_backup:
        checks_backup(env, counts, check)
    return checks


def checks_backup(env: dict[str, str], counts: dict[str, int], check) -> None:
    dump = OUT / "ikrar.dump"
    dump.unlink(missing_ok=True)
    rc = subprocess.run(
        [str(VENV_BIN / "lms"), "backup", "-o", str(dump)], env=env, cwd=ROOT, capture_output=True, text=True
    )
    check(
        "lms backup writes a dump",
        rc.returncode == 0 and dump.exists(),
        f"{dump.stat().st_size if dump.exists() else 0} bytes {rc.stderr.strip()[-200:]}",
    )
    url = stack.fresh_database(RESTORE_DB)
    renv = dict(env, LMS_SQLALCHEMY_DATABASE_URI=url)
    rc = subprocess.run(
        [str(VENV_BIN / "lms"), "restore", str(dump)], env=renv, cwd=ROOT, capture_output=True, text=True
    )
    check("lms restore into an empty database", rc.returncode == 0, rc.stderr.strip()[-300:])
    rc = subprocess.run(
        [str(VENV_BIN / "lms"), "pledges", "verify-ledger"], env=renv, cwd=ROOT, capture_output=True, text=True
    )
    check("restored copy passes verify-ledger", rc.returncode == 0, rc.stdout.strip()[-200:])
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        rows = conn.execute("SELECT code, pdf, pdf_sha256 FROM certificates_certificates").fetchall()
        bad = [code for code, pdf, sha in rows if pdf is None or hashlib.sha256(bytes(pdf)).hexdigest() != sha]
        check(
            "restored: every certificate PDF matches its recorded SHA-256",
            bool(rows) and not bad,
            f"{len(rows) - len(bad)}/{len(rows)} match",
        )
        restored = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
            for t in counts
        }
    check("restored row counts equal the original", restored == counts, json.dumps(restored))


# --- main -----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--spawn-rate", type=float, default=25.0, help="learners started per second")
    parser.add_argument("--run-time", type=float, default=480.0, help="seconds for all journeys")
    parser.add_argument("--max-requests", type=int, default=0, help="total request budget (default: 40 per learner)")
    parser.add_argument(
        "--timeout", type=float, default=120.0, help="seconds a simulated person waits for an answer before retrying"
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--rq-workers", type=int, default=2)
    parser.add_argument("--pg-restart", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--pg-down", type=float, default=4.0, help="seconds PostgreSQL stays down")
    parser.add_argument("--redis-stop", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--redis-down", type=float, default=15.0, help="seconds Redis stays down")
    parser.add_argument("--no-faults", action="store_true", help="same as --no-pg-restart --no-redis-stop")
    parser.add_argument("--skip-backup", action="store_true")
    parser.add_argument("--no-results", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args()
    if args.no_faults:
        args.pg_restart = args.redis_stop = False
    max_requests = args.max_requests or 40 * args.learners
    Client.timeout = args.timeout
    OUT.mkdir(parents=True, exist_ok=True)
    began = time.time()

    print(f"seeding {DB_NAME} with {args.learners} learners ...", flush=True)
    stack.start_redis() if subprocess.run(
        ["redis-cli", "-h", "127.0.0.1", "ping"], capture_output=True
    ).returncode else None
    url = stack.fresh_database(DB_NAME)
    port = stack.free_port()
    env = stack.app_env(url, port)
    stack.lms(env, "db", "upgrade")
    stack.lms(env, "modules", "import", f"modules/content/{SLUG}")
    seeded = subprocess.run(
        [str(VENV_BIN / "python"), str(ROOT / "loadtest" / "seed.py"), "--learners", str(args.learners)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    info = json.loads(seeded.stdout.strip().splitlines()[-1])
    key = answer_key()

    outcomes = [Outcome(i) for i in range(args.learners)]
    faults = Faults()
    stop = threading.Event()
    try:
        with stack.Stack(url, workers=args.workers, rq_workers=args.rq_workers, log_dir=OUT) as st:
            env = st.env
            print(
                f"stack up at {st.base_url}: {args.workers} gunicorn workers, "
                f"{args.rq_workers} RQ workers; {args.learners} learners at {args.spawn_rate}/s",
                flush=True,
            )
            rec = Recorder(max_requests=max_requests, deadline=time.time() + args.run_time)
            t_start = time.time()
            injector = threading.Thread(
                target=inject_faults,
                args=(args, st.base_url, outcomes, faults, stop, info["agency_id"], info["program_id"], rec),
            )
            injector.start()
            threads = []
            for o in outcomes:
                t = threading.Thread(
                    target=run_learner, args=(st.base_url, rec, o.index, info["program_id"], key, o), daemon=True
                )
                t.start()
                threads.append(t)
                time.sleep(1.0 / args.spawn_rate)
            last = 0.0
            while any(t.is_alive() for t in threads) and time.time() < rec.deadline + args.timeout + 5:
                time.sleep(1)
                if time.time() - last > 15:
                    last = time.time()
                    print(
                        f"  +{time.time() - t_start:.0f} s: {sum(o.done for o in outcomes)} done, "
                        f"{rec.count()} requests, {Counter(e.status for e in rec.events)}",
                        flush=True,
                    )
            journeys_s = time.time() - t_start
            stop.set()
            injector.join(timeout=330)
            print(f"journeys finished in {journeys_s:.0f} s; faults: {faults.log}", flush=True)
            checks = run_checks(args, env, info, rec, outcomes, faults, st.base_url, grace=RECOVERY_GRACE)
    finally:
        stop.set()
        if subprocess.run(["redis-cli", "-h", "127.0.0.1", "ping"], capture_output=True).returncode:
            stack.start_redis()

    statuses = Counter(e.status for e in rec.events)
    by_step: dict[str, list[float]] = defaultdict(list)
    for e in rec.events:
        if e.status and e.status < 400:
            by_step[e.step].append(e.seconds * 1000)
    lat = ", ".join(f"{s} {pct(v, 50):.0f}/{pct(v, 95):.0f}" for s, v in by_step.items())
    print("latency p50/p95 ms per step:", lat)
    failed = [name for name, ok, _ in checks if not ok]
    verdict = "PASS" if not failed else "FAIL: " + "; ".join(failed)
    settings = (
        f"{args.learners} learners @ {args.spawn_rate:g}/s, gunicorn {args.workers}w + "
        f"RQ {args.rq_workers}w, faults: " + (", ".join(faults.log) or "none")
    )
    row = (
        f"| {time.strftime('%Y-%m-%d %H:%M')} | {settings} | "
        f"{sum(o.done for o in outcomes)}/{args.learners} in {journeys_s:.0f} s "
        f"({len(rec.events) / journeys_s:.0f} req/s) | {dict(sorted(statuses.items()))} | {lat} | "
        f"{sum(ok for _, ok, _ in checks)}/{len(checks)} checks | {verdict} |"
    )
    print(row)
    print(f"total {time.time() - began:.0f} s")
    if not args.no_results:
        with (ROOT / "loadtest" / "RESULTS.md").open("a") as fh:
            fh.write(row + "\n")
    return 0 if not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
