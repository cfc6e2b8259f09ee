"""The SVG checker for uploaded logos: hostile SVGs that load outside resources through CSS or that
run code through animation are refused; ordinary logos (gradients, local references) still pass.
(The first hostile SVGs, script, event handlers, entities and foreignObject, are tested through
the agency form in test_admin.py.)"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from lms.db import db
from lms.models import Agency
from lms.uploads import ImageError, validate_logo, validate_svg
from tests.conftest import csrf_token, login

NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'


def svg(body: str, attrs: str = "") -> bytes:
    return f'<svg {NS} viewBox="0 0 10 10"{attrs}>{body}</svg>'.encode()


HOSTILE = {
    # CSS that loads something from outside
    "style url()": svg('<style>circle { fill: url(https://evil.example/x.svg#p) }</style><circle r="4"/>'),
    "style url() with quotes and spaces": svg("<style>rect{fill:URL( 'http://evil.example/a' )}</style>"),
    "style @import url": svg('<style>@import url("https://evil.example/x.css");</style>'),
    "style @import string": svg('<style>@IMPORT "https://evil.example/x.css";</style>'),
    "style url in CDATA": svg("<style><![CDATA[ .a { background: url(//evil.example/t) } ]]></style>"),
    "style escaped url": svg(r"<style>.a { fill: \75 rl(https://evil.example/x) }</style>"),
    "style image-set": svg('<style>.a { background: image-set("https://evil.example/a.png" 1x) }</style>'),
    "style @font-face": svg("<style>@font-face { font-family: x; src: url(https://evil.example/f) }</style>"),
    "style attribute url": svg('<rect width="5" height="5" style="fill: url(http://evil.example/x)"/>'),
    "style attribute @import": svg("<rect style=\"@import 'https://evil.example/x.css'\"/>"),
    "presentation attribute url": svg('<rect width="5" height="5" fill="url(https://evil.example/p.svg#g)"/>'),
    "filter attribute url": svg('<g filter="url(http://evil.example/f.svg#f)"/>'),
    "xml-stylesheet": b'<?xml-stylesheet href="https://evil.example/x.css"?>' + svg(""),
    # Animation that sets a link (a click or a renderer then follows it)
    "set href": svg('<a href="#x"><set attributeName="href" to="javascript:alert(1)"/><text y="5">x</text></a>'),
    "set xlink:href": svg('<a xlink:href="#x"><set attributeName="xlink:href" to="#y"/><text y="5">x</text></a>'),
    "animate href with values": svg(
        '<a href="#x"><animate attributeName="href" values="#a;javascript:alert(1)"/><text y="5">x</text></a>'
    ),
    "animate href, other prefix": svg(
        '<a href="#x"><animate xmlns:l="http://www.w3.org/1999/xlink" attributeName="l:href" to="#b"/></a>'
    ),
    "animate HREF with spaces": svg('<a href="#x"><animate attributeName=" HREF " to="#b"/></a>'),
    "animateTransform href": svg('<image href="#i"><animateTransform attributeName="href" to="#z"/></image>'),
    "animateMotion href": svg('<animateMotion attributeName="xlink:href" to="#z"/>'),
    "discard href": svg('<discard attributeName="href" to="#z"/>'),
    "animate to javascript:": svg('<a href="#x"><animate attributeName="target" to="javascript:alert(1)"/></a>'),
    "animate from data:": svg('<animate attributeName="fill" from="data:text/html,&lt;b&gt;"/>'),
    "animate values with data:": svg('<animate attributeName="fill" values="red; data:text/html,x"/>'),
    "set to JaVaScRiPt with tab": svg('<set attributeName="fill" to=" java&#9;script:alert(1)"/>'),
    "animate by javascript:": svg('<animate attributeName="x" by="javascript:alert(1)"/>'),
}

SAFE = {
    "plain shapes": svg('<circle r="4" cx="5" cy="5" style="fill: #c00; stroke: black"/>'),
    "gradient by local reference": svg(
        '<defs><linearGradient id="g"><stop offset="0" stop-color="red"/></linearGradient></defs>'
        "<style>.a { fill: url(#g) }</style>"
        '<rect class="a" width="5" height="5" fill="url( \'#g\' )" style="stroke:url(#g)"/>'
    ),
    "colour animation": svg('<circle r="4"><animate attributeName="fill" values="red;blue" dur="2s"/></circle>'),
    "use of a local symbol": svg(
        '<symbol id="s"><rect width="2" height="2"/></symbol><use href="#s"/><use xlink:href="#s" x="3"/>'
    ),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_svg_is_refused(name):
    with pytest.raises(ImageError) as caught:
        validate_svg(HOSTILE[name], "logo")
    assert caught.value.field == "logo"
    with pytest.raises(ImageError):
        validate_logo(HOSTILE[name], "logo.svg")


@pytest.mark.parametrize("name", list(SAFE))
def test_ordinary_svg_passes(name):
    validate_svg(SAFE[name], "logo")
    assert validate_logo(SAFE[name], "logo.svg") == "image/svg+xml"


@pytest.mark.parametrize(
    "name", ["style url()", "style @import string", "set href", "animate to javascript:", "style attribute url"]
)
def test_hostile_svg_logo_upload_is_a_400_and_stores_nothing(app, client, make, name):
    admin = make.platform_admin()
    login(client, admin.email)
    response = client.post(
        "/admin/agencies/new",
        data={
            "csrf_token": csrf_token(client, "/admin/agencies/new"),
            "code": "SVGX",
            "name": "SVG X",
            "logo": (io.BytesIO(HOSTILE[name]), "logo.svg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "SVG yang aman" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Agency).where(Agency.code == "SVGX")) is None
