"""The plugin's signals are sent by its services, once per event: issuing (also from the
``program_completed`` handler), reissuing and revoking."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from certificates import services
from certificates.signals import certificate_issued, certificate_revoked
from lms.db import db
from lms.signals import program_completed


@pytest.fixture
def sent(app: Flask) -> Iterator[dict[str, list[dict[str, Any]]]]:
    """Every ``certificate_issued`` and ``certificate_revoked`` sent while the test runs."""
    calls: dict[str, list[dict[str, Any]]] = {"issued": [], "revoked": []}

    def on_issued(sender: Any, **kwargs: Any) -> None:
        calls["issued"].append(kwargs)

    def on_revoked(sender: Any, **kwargs: Any) -> None:
        calls["revoked"].append(kwargs)

    certificate_issued.connect(on_issued, sender=app)
    certificate_revoked.connect(on_revoked, sender=app)
    yield calls
    certificate_issued.disconnect(on_issued, sender=app)
    certificate_revoked.disconnect(on_revoked, sender=app)


def test_signal_names_follow_the_glossary() -> None:
    assert certificate_issued.name == "certificates.certificate-issued"
    assert certificate_revoked.name == "certificates.certificate-revoked"


def test_issued_once_per_new_certificate_and_revoked_once(app: Flask, world, sent) -> None:
    learner, program = world["learner"], world["program"]
    with app.app_context():
        program_completed.send(app, user_id=learner.id, program_id=program.id, completion_id=None)
        db.session.commit()
        first = services.current_for(learner.id, program.id)
        assert first is not None
        assert sent["issued"] == [{"certificate_id": first.id, "user_id": learner.id, "program_id": program.id}]

        # the handler called again for the same completion, and the service directly: no new send
        program_completed.send(app, user_id=learner.id, program_id=program.id, completion_id=None)
        assert services.issue_certificate(learner.id, program.id).id == first.id
        db.session.commit()
        assert len(sent["issued"]) == 1

        new = services.reissue(first, actor=None)
        db.session.commit()
        assert len(sent["issued"]) == 2 and sent["issued"][1]["certificate_id"] == new.id
        assert sent["revoked"] == []

        services.revoke(new, "Terbit karena salah data", actor=None)
        db.session.commit()
        assert sent["revoked"] == [{"certificate_id": new.id, "user_id": learner.id, "program_id": program.id}]
        assert len(sent["issued"]) == 2


def test_no_signal_when_revoking_is_refused(app: Flask, world, sent) -> None:
    with app.app_context():
        cert = services.issue_certificate(world["learner"].id, world["program"].id)
        with pytest.raises(services.CertificateError):
            services.revoke(cert, "tak", actor=None)
        db.session.rollback()
    assert sent["revoked"] == []
