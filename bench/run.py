"""Run every dashboard benchmark: seed (PostgreSQL, COPY), dashboard render, staff import.

.venv/bin/python bench/run.py [--users 1000000] [--agency-size 50000] [--import-rows 100000]
                              [--runs 9] [--no-seed] [--skip-pg-import]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import bench_dashboard, bench_import, seed  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--agency-size", type=int, default=50_000)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--no-seed", action="store_true", help="reuse an existing ikrar_bench")
    parser.add_argument("--skip-pg-import", action="store_true")
    args = parser.parse_args()
    if not args.no_seed:
        seed.seed(args.users, args.agency_size)
    bench_dashboard.run(args.runs)
    bench_import.run(args.import_rows, args.skip_pg_import)


if __name__ == "__main__":
    main()
