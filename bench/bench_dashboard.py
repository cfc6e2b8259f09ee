"""Time the program dashboard (unit table + per-day chart) for the seeded agency, through the full
Flask view with the test client, against a baseline route in the same run: a bare
``SELECT count(*) FROM users WHERE agency_id = ?`` rendered by a tiny template.

    .venv/bin/python bench/bench_dashboard.py [--runs 9]   (after bench/seed.py)
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import median_ms, pg_url, register_kind  # noqa: E402
from bench.seed import ADMIN_EMAIL, ADMIN_PASSWORD, ROOT_EMAIL  # noqa: E402


def run(runs: int) -> dict[str, float]:
    from flask import render_template_string
    from sqlalchemy import func, select

    from lms import create_app
    from lms.db import db
    from lms.models import User

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": pg_url(), "RATELIMIT_ENABLED": False})
    register_kind(app)

    def baseline():
        n = db.session.scalar(select(func.count()).select_from(User).where(User.agency_id == 1))
        return render_template_string("<p>{{ n }}</p>", n=n)

    app.add_url_rule("/bench-baseline", "bench_baseline", baseline)
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    resp = client.post("/login", data={"identifier": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "csrf_token": token})
    assert resp.status_code == 302, "login failed: run bench/seed.py first"
    page = client.get("/admin/programs/1")
    assert page.status_code == 200 and "Unit 001" in page.get_data(as_text=True)
    with app.app_context():
        users = db.session.scalar(select(func.count()).select_from(User))
        staff = db.session.scalar(select(func.count()).select_from(User).where(User.agency_id == 1))
    base = median_ms(lambda: client.get("/bench-baseline"), runs)
    dash = median_ms(lambda: client.get("/admin/programs/1"), runs)
    people = median_ms(lambda: client.get("/admin/programs/1/staff?unit=1&incomplete=1"), runs)
    national = None
    root = app.test_client()
    html = root.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    if (
        root.post(
            "/login",
            data={"identifier": ROOT_EMAIL, "password": ADMIN_PASSWORD, "csrf_token": token},
        ).status_code
        == 302
    ):
        national = median_ms(lambda: root.get("/admin/national"), max(3, runs // 3))
    print(f"PostgreSQL, {users:,} users, agency of {staff:,} staff, median of {runs} runs")
    print(f"  baseline (count + tiny template): {base:8.1f} ms")
    print(
        f"  program dashboard (unit table):   {dash:8.1f} ms  ({dash / base:.1f}x baseline)"
        f"  target < 300 ms: {'OK' if dash < 300 else 'MISSED'}"
    )
    print(f"  people of one unit, not complete: {people:8.1f} ms  ({people / base:.1f}x baseline)")
    if national is not None:
        print(
            f"  national table (platform admin):  {national:8.1f} ms  ({national / base:.1f}x "
            "baseline; two aggregates over every user and completion)"
        )
    return {"national_ms": national, "baseline_ms": base, "dashboard_ms": dash, "people_ms": people}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    run(parser.parse_args().runs)


if __name__ == "__main__":
    main()
