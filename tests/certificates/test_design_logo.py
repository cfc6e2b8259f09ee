"""The certificate design page once it has a logo: saving again without a new file keeps the
logo, ticking "remove" removes it (both were 500s), and issued PDFs render with and without it."""

from __future__ import annotations

import io

from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from certificates.models import CertificateDesign
from lms.db import db
from tests.conftest import csrf_token, login

from .conftest import issue, load

FORM = {
    "title_id": "Sertifikat",
    "title_en": "Certificate",
    "language": "id",
    "primary_color": "#0b5d3b",
    "accent_color": "#b8860b",
    "signer_name": "Bupati Bangka",
    "signer_title": "Bupati",
    "jp_hours": "4",
}


def _logo_png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (120, 120), "white")
    ImageDraw.Draw(image).ellipse((10, 10, 110, 110), fill=(11, 93, 59))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _signature_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (200, 60), "navy").save(out, "PNG")
    return out.getvalue()


def _stored(app: Flask, agency_id: int) -> CertificateDesign:
    with app.app_context():
        tpl = db.session.scalar(select(CertificateDesign).where(CertificateDesign.agency_id == agency_id))
        assert tpl is not None
        db.session.expunge(tpl)
        return tpl


def _pdf_images(pdf: bytes) -> list[tuple[int, int]]:
    return [image.image.size for page in PdfReader(io.BytesIO(pdf)).pages for image in page.images]


def test_save_again_and_remove_logo_and_signature(app: Flask, make, world) -> None:
    client = app.test_client()
    login(client, world["admin"].email)
    path = f"/admin/agencies/{world['agency'].id}/certificates/design"
    logo = _logo_png()

    first = client.post(
        path,
        data={
            **FORM,
            "csrf_token": csrf_token(client, path),
            "logo": (io.BytesIO(logo), "logo.png"),
            "signature": (io.BytesIO(_signature_png()), "ttd.png"),
        },
        content_type="multipart/form-data",
    )
    assert first.status_code == 302
    page = client.get(path)
    assert page.status_code == 200 and "Logo sendiri sudah diunggah" in page.get_data(as_text=True)

    # Save again without choosing a file (the browser sends an empty file part): logo kept.
    again = client.post(
        path,
        data={
            **FORM,
            "csrf_token": csrf_token(client, path),
            "title_id": "Sertifikat Pelatihan",
            "logo": (io.BytesIO(b""), ""),
            "signature": (io.BytesIO(b""), ""),
        },
        content_type="multipart/form-data",
    )
    assert again.status_code == 302
    # ...and as a plain form with no file part at all.
    plain = client.post(path, data={**FORM, "csrf_token": csrf_token(client, path), "title_id": "Sertifikat Pelatihan"})
    assert plain.status_code == 302
    tpl = _stored(app, world["agency"].id)
    assert tpl.title_id == "Sertifikat Pelatihan"
    assert tpl.logo == logo and tpl.logo_mime == "image/png" and tpl.signature

    with_logo = issue(app, world["learner"], world["program"])
    snapshot = load(app, with_logo.code).snapshot
    assert snapshot["template"]["logo"].startswith("data:image/png;base64,")
    assert (120, 120) in _pdf_images(with_logo.pdf)

    # Remove the logo and the signature image (no new files).
    removed = client.post(
        path,
        data={
            **FORM,
            "csrf_token": csrf_token(client, path),
            "remove_logo": "y",
            "remove_signature": "y",
            "logo": (io.BytesIO(b""), ""),
        },
        content_type="multipart/form-data",
    )
    assert removed.status_code == 302
    tpl = _stored(app, world["agency"].id)
    assert tpl.logo is None and tpl.logo_mime is None and tpl.signature is None
    page = client.get(path).get_data(as_text=True)
    assert "Logo sendiri sudah diunggah" not in page

    without_logo = issue(app, make.user(world["agency"], name="Budi Santoso"), world["program"])
    assert load(app, without_logo.code).snapshot["template"]["logo"] is None
    assert without_logo.pdf.startswith(b"%PDF") and _pdf_images(without_logo.pdf) == []
    # The certificate issued with the logo keeps it.
    assert load(app, with_logo.code).pdf == with_logo.pdf


def test_remove_and_upload_in_one_post_keeps_the_new_logo(app: Flask, world) -> None:
    client = app.test_client()
    login(client, world["admin"].email)
    path = f"/admin/agencies/{world['agency'].id}/certificates/design"
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="4" cx="5" cy="5"/></svg>'
    assert (
        client.post(
            path,
            data={**FORM, "csrf_token": csrf_token(client, path), "logo": (io.BytesIO(_logo_png()), "logo.png")},
            content_type="multipart/form-data",
        ).status_code
        == 302
    )
    both = client.post(
        path,
        data={
            **FORM,
            "csrf_token": csrf_token(client, path),
            "remove_logo": "y",
            "logo": (io.BytesIO(svg), "logo.svg"),
        },
        content_type="multipart/form-data",
    )
    assert both.status_code == 302
    tpl = _stored(app, world["agency"].id)
    assert tpl.logo == svg and tpl.logo_mime == "image/svg+xml"
