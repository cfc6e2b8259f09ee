"""Demo data: the platform default pledge text, a pledge requirement on every demo program, and signed
pledges for some (not all) demo learners, written through the real signing service and ledger."""

from __future__ import annotations

import base64
import io
import math

from flask import Flask
from sqlalchemy import select

from lms.db import db
from lms.demo import AGENCIES, DEMO_PASSWORD, demo_programs
from lms.models import Role, User
from lms.services import programs as program_service
from pledges import ledger, services

SIGNED_PER_AGENCY = 12
# Named demo learners left unsigned so the signing journey can be tried (e.g. Siti).
LEAVE_UNSIGNED = {nip for spec in AGENCIES for (_n, nip, _k, _e) in spec.named_learners[::2]}


def demo_signature_png(seed: int) -> str:
    """A hand-writing-like squiggle, different for every learner."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (600, 200), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    points = [(40 + x * 5, 100 + 45 * math.sin(x / (4 + seed % 5)) * math.cos(x / 13 + seed)) for x in range(100)]
    draw.line(points, fill=(17, 24, 39, 255), width=4, joint="curve")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def seed(app: Flask) -> None:
    default = services.ensure_default_text()
    for program in demo_programs():
        services.add_requirement(program, default.key)
        pledge_text = services.text_for(default.key, program.agency_id)
        assert pledge_text is not None
        learners = db.session.scalars(
            select(User)
            .where(User.id.in_(program_service.member_ids(program)), User.role == Role.LEARNER)
            .order_by(User.id)
        )
        signed = 0
        for user in learners:
            if signed >= SIGNED_PER_AGENCY:
                break
            if user.nip in LEAVE_UNSIGNED:
                continue
            signed += 1
            if services.find_signature(user.id, program.id, pledge_text.key) is not None:
                continue
            data = services.SignInput(
                form_token=services.form_token_for(user, program, pledge_text),
                ticked=[str(c["id"]) for c in pledge_text.commitments],
                password=DEMO_PASSWORD,
                signature_data_url=demo_signature_png(user.id) if user.id % 3 else None,
                typed_name=None if user.id % 3 else user.name,
                ip="127.0.0.1",
                user_agent="lms demo",
            )
            services.sign_pledge(user, program, pledge_text, data)
    if not ledger.checkpoints():
        ledger.create_checkpoint()
    db.session.flush()
