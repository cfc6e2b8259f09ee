"""The evidence a signing form carries: the drawn signature image and the form token that records
when the form was shown and exactly which text it showed. Raises ``PledgeError`` (a
``ServiceError`` naming the form field) for anything a person sent wrong."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import io
import struct
import warnings
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from lms.services import ServiceError
from lms.uploads import ImageError, validate_png

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PNG_PREFIX = "data:image/png;base64,"


class PledgeError(ServiceError):
    """A mistake a person can fix; ``field`` names the form field."""


class PledgeErrors(PledgeError):
    """Several mistakes found in one pass over the form (``errors``, each naming its field): the
    page shows them all at once."""

    def __init__(self, errors: list[PledgeError]) -> None:
        super().__init__(str(errors[0]), errors[0].field)
        self.errors = errors


class PledgeTextChanged(PledgeError):
    """The pledge text changed between showing the form and submitting it: nothing is signed,
    the page shows the new text."""


# --- the form token (when the page was opened, what it showed) -------------------------------------


@dataclass(frozen=True)
class FormToken:
    opened_at: dt.datetime
    text_sha256: str


def _form_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="ikrar-pledge-form")


def issue_form_token(user_id: int, program_id: int, text_id: int, shown_sha256: str) -> str:
    """A signed token for one learner, program and pledge text version, holding the SHA-256 of
    the exact text the form shows (placeholders filled)."""
    return _form_serializer().dumps({"u": user_id, "p": program_id, "t": text_id, "h": shown_sha256})


def read_form_token(token: str, user_id: int, program_id: int, text_id: int) -> FormToken:
    """The time the form was shown and the hash of the text it showed; an expired, forged or
    foreign token is an error. A token for another version of the pledge text means the text
    changed meanwhile (``PledgeTextChanged``)."""
    max_age = int(current_app.config["PLEDGE_FORM_MAX_AGE"])
    invalid = PledgeError(_l("Formulir tidak sah. Muat ulang halaman lalu coba lagi."), "form_token")
    try:
        payload, opened = _form_serializer().loads(token or "", max_age=max_age, return_timestamp=True)
    except SignatureExpired:
        raise PledgeError(
            _l("Formulir sudah kedaluwarsa. Muat ulang halaman, baca kembali pakta, lalu tanda tangani lagi."),
            "form_token",
        ) from None
    except BadSignature:
        raise invalid from None
    if (
        not isinstance(payload, dict)
        or set(payload) != {"u", "p", "t", "h"}
        or payload["u"] != user_id
        or payload["p"] != program_id
        or not isinstance(payload["h"], str)
    ):
        raise invalid
    if payload["t"] != text_id:
        raise text_changed()
    return FormToken(opened_at=opened.astimezone(dt.UTC), text_sha256=payload["h"])


def text_changed() -> PledgeTextChanged:
    return PledgeTextChanged(
        _l(
            "Teks pakta telah diubah sejak halaman ini dibuka, jadi pakta "
            "belum ditandatangani. Baca teks terbaru di bawah ini, lalu "
            "tanda tangani lagi."
        ),
        "form_token",
    )


# --- the drawn signature --------------------------------------------------------------------------


def decode_signature_image(data_url: str) -> bytes:
    """A drawn signature: a ``data:image/png;base64,`` URL holding a real, sane PNG."""
    from PIL import Image, UnidentifiedImageError

    cfg = current_app.config
    max_bytes = cfg["PLEDGE_MAX_IMAGE_BYTES"]
    not_png = PledgeError(_l("Tanda tangan harus berupa gambar PNG."), "signature")
    too_big = PledgeError(_l("Gambar tanda tangan terlalu besar. Hapus lalu tanda tangani lagi."), "signature")
    broken = PledgeError(_l("Gambar tanda tangan rusak. Hapus lalu tanda tangani lagi."), "signature")
    if not data_url.startswith(PNG_PREFIX):
        raise not_png
    raw_b64 = data_url[len(PNG_PREFIX) :]
    if len(raw_b64) > max_bytes * 4 // 3 + 8:
        raise too_big
    try:
        png = base64.b64decode(raw_b64, validate=True)
    except (binascii.Error, ValueError):
        raise broken from None
    if len(png) > max_bytes:
        raise too_big
    if not png.startswith(PNG_MAGIC):
        raise not_png
    (min_w, max_w), (min_h, max_h) = cfg["PLEDGE_IMAGE_WIDTH"], cfg["PLEDGE_IMAGE_HEIGHT"]
    wrong_size = PledgeError(
        _l(
            "Ukuran gambar tanda tangan tidak sesuai (lebar %(w)s, tinggi "
            "%(h)s piksel). Gunakan bidang tanda tangan di halaman ini.",
            w=f"{min_w}–{max_w}",
            h=f"{min_h}–{max_h}",
        ),
        "signature",
    )
    # The size the header declares, checked before anything is decoded: a small file can declare
    # 20000 × 20000 pixels and would take gigabytes to decode (a decompression bomb).
    if len(png) < 24 or png[12:16] != b"IHDR":
        raise broken
    w, h = struct.unpack(">II", png[16:24])
    if not (min_w <= w <= max_w and min_h <= h <= max_h):
        raise wrong_size
    try:
        validate_png(png, "signature", max_bytes=max_bytes, max_side=max(max_w, max_h))
    except ImageError:
        raise broken from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(png))
            image.load()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise broken from None
    if image.format != "PNG" or image.size != (w, h):
        raise wrong_size
    alpha = image.convert("RGBA").getchannel("A")
    gray = image.convert("L")
    if alpha.getbbox() is None or (
        alpha.getextrema() == (255, 255) and gray.point(lambda v: 255 if v < 200 else 0).getbbox() is None
    ):
        raise PledgeError(
            _l(
                "Tanda tangan masih kosong. Buat tanda tangan Anda di bidang yang "
                "tersedia, atau ketik nama lengkap Anda."
            ),
            "signature",
        )
    return png
