"""Another agency's staff pages, uploads and invitations are a 404, for GET and POST."""

import io

from lms.db import db, utcnow
from lms.staff.models import StaffImport
from tests.conftest import csrf_token, login


def test_agency_isolation_every_staff_url_is_404(app, client, make):
    b = make.agency()
    person_b = make.user(b, email="b@x.go.id")
    a = make.agency()
    admin_a = make.admin(a)
    with app.app_context():
        db.session.add(
            StaffImport(
                token="tok-b",
                agency_id=b.id,
                filename="s.csv",
                content=b"x",
                created_at=utcnow(),
                expires_at=utcnow().replace(year=2100),
            )
        )
        db.session.commit()
    login(client, admin_a.email)
    base = f"/admin/agencies/{b.id}/staff"
    gets = [
        base,
        f"{base}/new",
        f"{base}/{person_b.id}",
        f"{base}/import",
        f"{base}/import/tok-b",
        f"{base}/import/tok-b/status",
        f"{base}/invitations",
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    token = csrf_token(client, f"/admin/agencies/{a.id}/staff/import")
    posts = [
        f"{base}/new",
        f"{base}/{person_b.id}",
        f"{base}/{person_b.id}/active",
        f"{base}/{person_b.id}/link",
        f"{base}/import",
        f"{base}/import/tok-b",
        f"{base}/invitations",
    ]
    for url in posts:
        response = client.post(
            url,
            data={"csrf_token": token, "unit_id": "0", "file": (io.BytesIO(b"NIP;Nama\n"), "s.csv")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 404, url
    # agency A's own upload URL with B's token is also 404
    assert client.get(f"/admin/agencies/{a.id}/staff/import/tok-b").status_code == 404
