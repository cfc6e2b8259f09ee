"""Checks for uploaded images (agency logos, certificate signatures, pledge signatures).

Only real PNGs and plain SVGs pass: an SVG may carry no script, foreignObject, event handler,
external reference, DOCTYPE or entity, no CSS that loads anything (``@import``, ``url()`` other
than to a fragment of the same document, an ``xml-stylesheet``), and no animation that changes a
link or sets a ``javascript:``/``data:`` value, so it can be embedded anywhere without running code
or fetching anything.
Uploaded bytes are only ever embedded in PDFs or served as images, never as HTML.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

from flask_babel import lazy_gettext as _l

from lms.services import ServiceError

MAX_IMAGE_BYTES = 1024 * 1024


class ImageError(ServiceError):
    pass


def validate_png(data: bytes, field: str, max_bytes: int = MAX_IMAGE_BYTES, max_side: int = 4000) -> tuple[int, int]:
    """Return (width, height) of a real PNG, or raise ``ImageError`` naming the field."""
    from PIL import Image

    if len(data) > max_bytes:
        raise ImageError(_l("Gambar terlalu besar (maksimal %(kb)d KB).", kb=max_bytes // 1024), field)
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt, size = img.format, img.size
            img.verify()
    except Exception:  # noqa: BLE001 - anything unreadable is "not a PNG"
        raise ImageError(_l("Berkas bukan gambar PNG yang sah."), field) from None
    if fmt != "PNG" or max(size) > max_side:
        raise ImageError(_l("Berkas bukan gambar PNG yang sah."), field)
    return size


ANIMATION_TAGS = frozenset({"animate", "set", "animatemotion", "animatetransform", "discard"})
ANIMATION_VALUES = ("to", "from", "by", "values")
# CSS that can load something from outside: @import, url() to anything but a fragment of this
# document, image-set() (takes plain strings), and any escape (``\75 rl(`` is ``url(``).
_CSS_URL = re.compile(r"url\(\s*(?![\s'\"]*#)", re.IGNORECASE)
_CSS_OTHER = re.compile(r"@import|image-set\(|\\", re.IGNORECASE)
_URL_NOISE = re.compile(r"[\x00-\x20]")


def _css_loads_something(css: str) -> bool:
    return bool(_CSS_URL.search(css) or _CSS_OTHER.search(css))


def _code_url(value: str) -> bool:
    """A ``javascript:`` or ``data:`` URL, as a browser reads it (tabs, newlines, spaces and
    control characters dropped, any case)."""
    return _URL_NOISE.sub("", value).lower().startswith(("javascript:", "data:"))


def validate_svg(data: bytes, field: str, max_bytes: int = MAX_IMAGE_BYTES) -> None:
    bad = _l("Berkas bukan gambar SVG yang aman.")
    if len(data) > max_bytes:
        raise ImageError(_l("Gambar terlalu besar (maksimal %(kb)d KB).", kb=max_bytes // 1024), field)
    lowered = data.lower()
    if b"<!doctype" in lowered or b"<!entity" in lowered or b"<?xml-stylesheet" in lowered:
        raise ImageError(bad, field)
    try:
        root = ET.fromstring(data)  # noqa: S314 - DTDs and entities are refused above
    except ET.ParseError:
        raise ImageError(bad, field) from None
    if not root.tag.endswith("svg"):
        raise ImageError(bad, field)
    for el in root.iter():
        tag = el.tag.rsplit("}", 1)[-1].lower()
        if tag in ("script", "foreignobject"):
            raise ImageError(bad, field)
        if tag == "style" and _css_loads_something("".join(el.itertext())):
            raise ImageError(bad, field)
        for name, value in el.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                raise ImageError(bad, field)
            if local == "href" and not value.startswith(("#", "data:image/png", "data:image/jpeg")):
                raise ImageError(bad, field)
            # style="..." and presentation attributes (fill, filter, mask...) take CSS too
            if _css_loads_something(value) if local == "style" else bool(_CSS_URL.search(value)):
                raise ImageError(bad, field)
        if tag in ANIMATION_TAGS:
            target = el.attrib.get("attributeName", "").strip().rsplit(":", 1)[-1].lower()
            if target == "href":  # animating a link changes where it goes: refused outright
                raise ImageError(bad, field)
            for attr in ANIMATION_VALUES:
                if any(_code_url(v) for v in el.attrib.get(attr, "").split(";")):
                    raise ImageError(bad, field)


def validate_logo(data: bytes, filename: str, field: str = "logo", max_bytes: int = MAX_IMAGE_BYTES) -> str:
    """Return the MIME type of a PNG or safe SVG logo."""
    if data.startswith(b"\x89PNG"):
        validate_png(data, field, max_bytes)
        return "image/png"
    if filename.lower().endswith(".svg") or data.lstrip()[:5] in (b"<?xml", b"<svg ", b"<svg>"):
        validate_svg(data, field, max_bytes)
        return "image/svg+xml"
    raise ImageError(_l("Logo harus berupa PNG atau SVG."), field)
