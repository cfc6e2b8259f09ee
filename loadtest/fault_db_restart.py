"""Fault run: restart PostgreSQL while learners browse; prove clean 503s and self-recovery.

    .venv/bin/python loadtest/fault_db_restart.py [--seconds 30] [--threads 16]

Threads log in as demo learners and keep loading their pages; after a third of the run PostgreSQL is
stopped for a few seconds and started again. Pass: every response is 200 or 503, no 503 page shows a
traceback, and the first 200 after PostgreSQL is back arrives within 10 seconds. Results are
appended to loadtest/RESULTS.md.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter

from stack import ROOT, Stack, app_env, fresh_database, lms, restart_postgres

DEMO_PASSWORD = "ikrar-demo-2026"


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def _get(opener, url: str) -> tuple[int, str]:
    try:
        with opener.open(url, timeout=10) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
    except OSError:
        return 0, ""


def login(opener, base: str, nip: str) -> None:
    status, html = _get(opener, f"{base}/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    data = urllib.parse.urlencode({"identifier": nip, "password": DEMO_PASSWORD, "csrf_token": token})
    opener.open(f"{base}/login", data=data.encode(), timeout=10).read()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args()

    url = fresh_database("ikrar_fault")
    env = app_env(url, 0)
    lms(env, "db", "upgrade")
    lms(env, "demo")
    nips = ["199003152015032001", "198805122014031003", "199507202023212112"]
    events: list[tuple[float, int, bool]] = []
    lock = threading.Lock()
    with Stack(url, workers=4, rq_workers=0) as stack:
        stop_at = time.time() + args.seconds

        def browse(i: int) -> None:
            opener = _opener()
            login(opener, stack.base_url, nips[i % len(nips)])
            while time.time() < stop_at:
                status, body = _get(opener, f"{stack.base_url}/")
                with lock:
                    events.append((time.time(), status, "Traceback" in body))

        threads = [threading.Thread(target=browse, args=(i,)) for i in range(args.threads)]
        for t in threads:
            t.start()
        time.sleep(args.seconds / 3)
        stopped, started = restart_postgres(down_seconds=4)
        for t in threads:
            t.join()

    statuses = Counter(s for _, s, _ in events)
    tracebacks = sum(1 for *_, tb in events if tb)
    first_ok = min((t for t, s, _ in events if s == 200 and t > started), default=None)
    recovery = (first_ok - started) if first_ok else float("inf")
    bad = {s: n for s, n in statuses.items() if s not in (200, 503)}
    ok = not bad and tracebacks == 0 and recovery < 10
    line = (
        f"| {time.strftime('%Y-%m-%d %H:%M')} | PostgreSQL stopped {started - stopped:.1f} s during "
        f"{args.seconds:.0f} s × {args.threads} threads | {dict(statuses)} | tracebacks {tracebacks} | "
        f"first 200 after restart {recovery:.2f} s | {'PASS' if ok else 'FAIL'} |"
    )
    print(line)
    results = ROOT / "loadtest" / "RESULTS.md"
    with results.open("a") as fh:
        fh.write(line + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
