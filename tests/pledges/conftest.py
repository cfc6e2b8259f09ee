"""Helpers for the pledges tests: a program that requires the default pact, PNG signatures, and a
client that opens the signing page and submits it."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any

import pytest
from PIL import Image, ImageDraw

from lms.db import db
from lms.models import Agency, ElectionKind, Program, Unit, User
from pledges import services
from pledges.content import DEFAULT_KEY
from tests.conftest import PASSWORD, login


def png_bytes(width: int = 400, height: int = 150, blank: bool = False, noise: bool = False) -> bytes:
    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    if noise:
        import os

        image = Image.frombytes("RGBA", (width, height), os.urandom(width * height * 4))
    elif not blank:
        ImageDraw.Draw(image).line(
            [(10, height - 10), (width // 2, 10), (width - 10, height - 20)], fill=(0, 0, 0, 255), width=4
        )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def data_url(raw: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(raw).decode()


@dataclass
class Setup:
    agency: Agency
    unit: Unit
    program: Program
    learners: list[User]

    @property
    def sign_path(self) -> str:
        return f"/pledges/programs/{self.program.id}/{DEFAULT_KEY}/sign"


@pytest.fixture
def default_text(app) -> int:
    with app.app_context():
        template = services.ensure_default_text()
        db.session.commit()
        return template.id


@pytest.fixture
def setup(app, make, default_text) -> Setup:
    agency = make.agency(name="Pemerintah Kabupaten Contoh")
    unit = make.unit(agency, "Dinas Pendidikan")
    learners = [make.user(agency, unit_id=unit.id, name=f"Pegawai Uji {i}", position="Guru") for i in range(3)]
    election = make.election(
        kind=ElectionKind.PILKADA_SERENTAK,
        name="Pemilihan Gubernur, Bupati, dan Wali Kota Serentak Tahun 2024",
        name_en="2024 Simultaneous Regional Head Elections",
        voting_day=dt.date(2024, 11, 27),
    )
    program = make.program(
        agency, requirements=[("pledge", DEFAULT_KEY)], title="Sosialisasi Netralitas ASN 2024", election=election
    )
    return Setup(agency, unit, program, learners)


def open_form(client, path: str) -> dict[str, str]:
    html = client.get(path).get_data(as_text=True)
    csrf = re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', html)
    token = re.search(r'id="form_token" name="form_token" type="hidden" value="([^"]+)"', html)
    assert csrf and token, html[:2000]
    return {"csrf_token": csrf.group(1), "form_token": token.group(1)}


def good_data(form: dict[str, str], **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        **form,
        "commitments": [str(i) for i in range(1, 8)],
        "password": PASSWORD,
        "signature": data_url(png_bytes()),
        "typed_name": "",
    }
    data.update(overrides)
    return data


def sign(client, s: Setup, learner: User, **overrides: Any):
    login(client, learner.nip)
    form = open_form(client, s.sign_path)
    return client.post(s.sign_path, data=good_data(form, **overrides), headers={"User-Agent": "pytest-agent/1.0"})
