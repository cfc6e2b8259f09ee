"""The one pager macro: page links keep the list's filters, and a single page shows no pager."""

from __future__ import annotations

from flask import render_template_string
from sqlalchemy import select

from lms.db import db
from lms.models import User

PAGER = '{% from "macros/pager.html" import pager %}{{ pager(p, "staff.index", agency_id=1, q="siti") }}'


def test_pager_links_keep_filters(app, make) -> None:
    agency = make.agency()
    for _ in range(5):
        make.user(agency)
    with app.test_request_context():
        middle = db.paginate(select(User).order_by(User.id), page=2, per_page=2, error_out=False)
        html = render_template_string(PAGER, p=middle)
        assert "Halaman 2 dari 3" in html
        assert 'href="/admin/agencies/1/staff?page=1&amp;q=siti"' in html
        assert 'href="/admin/agencies/1/staff?page=3&amp;q=siti"' in html
        single = db.paginate(select(User), page=1, per_page=50, error_out=False)
        assert "pager" not in render_template_string(PAGER, p=single)
