"""Run the benchmarks; each part alone or all of them (the default).

.venv/bin/python bench/run.py [all|dashboard|verify|issue|quiz|pledge] [--no-seed] [options]

  dashboard  seed 1 M users (COPY), program dashboard + staff import      (ikrar_bench*)
  verify     GET /v/<code> under gunicorn, 1 M certificates, wrk c16/c64   (ikrar_bench_verify)
  issue      certificate issue vs bare WeasyPrint; 1,000 through 2 RQ workers (ikrar_bench_issue)
  quiz       quiz submit vs /healthz, 100,000 learners                     (ikrar_bench_quiz)
  pledge     pledge sign vs /healthz, 100,000 learners                     (ikrar_bench_pledge)

Every part prints the machine, the absolute figures, the baseline of the same run and the ratio.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import (  # noqa: E402
    bench_dashboard,
    bench_import,
    bench_issue,
    bench_pledge,
    bench_quiz,
    bench_verify,
    seed,
)
from bench.common import database_exists  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "part", nargs="?", default="all", choices=["all", "dashboard", "verify", "issue", "quiz", "pledge"]
    )
    parser.add_argument("--no-seed", action="store_true", help="reuse the seeded databases (dashboard, verify, quiz)")
    dash = parser.add_argument_group("dashboard")
    dash.add_argument("--users", type=int, default=1_000_000)
    dash.add_argument("--agency-size", type=int, default=50_000)
    dash.add_argument("--import-rows", type=int, default=100_000)
    dash.add_argument("--runs", type=int, default=9)
    dash.add_argument("--skip-pg-import", action="store_true")
    ver = parser.add_argument_group("verify")
    ver.add_argument("--certs", type=int, default=1_000_000)
    ver.add_argument("--duration", default="15s", help="wrk duration per measurement")
    ver.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    iss = parser.add_argument_group("issue")
    iss.add_argument("--issue-runs", type=int, default=30)
    iss.add_argument("--bulk", type=int, default=1000)
    iss.add_argument("--batch", type=int, default=50)
    qz = parser.add_argument_group("quiz")
    qz.add_argument("--learners", type=int, default=100_000)
    qz.add_argument("--sessions", type=int, default=400)
    qz.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    part = args.part

    if part in ("all", "dashboard"):
        if not args.no_seed:
            seed.seed(args.users, args.agency_size)
        bench_dashboard.run(args.runs)
        bench_import.run(args.import_rows, args.skip_pg_import)
    if part in ("all", "verify"):
        if not args.no_seed or not database_exists(bench_verify.DB):
            bench_verify.seed(args.certs)
        bench_verify.run(args.duration, args.workers)
    if part in ("all", "issue"):
        bench_issue.run(args.issue_runs, args.bulk, args.batch)
    if part in ("all", "quiz"):
        if not args.no_seed or not database_exists(bench_quiz.DB):
            bench_quiz.seed(args.learners)
        bench_quiz.run(args.sessions, args.concurrency, args.learners, args.workers)
    if part in ("all", "pledge"):
        if not args.no_seed or not database_exists(bench_pledge.DB):
            bench_pledge.seed(args.learners)
        bench_pledge.run(min(args.sessions, 300), args.concurrency, args.learners, args.workers)


if __name__ == "__main__":
    main()
