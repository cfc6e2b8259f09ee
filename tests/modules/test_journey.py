"""The learner's way through a module (issue 14): a passed quiz leads on to the next step of the
program, the lesson title is shown once, the quiz deadline is in the agency's zone and the page
language, and English pages leave nothing in Indonesian."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from lms.db import db
from lms.requirements import LearnerStep, RequirementChoice, RequirementKind
from modules.models import QuizAttempt
from tests.conftest import login
from tests.modules.helpers import SLUG, answer_form, copy_pack, import_mini, token
from tests.modules.test_quiz import _start, _submit


class PactKind(RequirementKind):
    """A stand-in for the pact plugin's step: never met, with a link (the core is all we rely on)."""

    name = "pact-test"
    title = "Pakta"

    def choices(self, agency_id: int) -> list[RequirementChoice]:
        return [RequirementChoice(ref="pakta", label="Pakta")]

    def label(self, ref: str) -> str:
        return "Tanda tangani Pakta Integritas"

    def met_user_ids(self, ref: str, program_id: int):
        return select(db.literal(0)).where(db.false())

    def learner_step(self, user_id: int, ref: str, program_id: int) -> LearnerStep:
        return LearnerStep(label=self.label(ref), met=False, url=f"/test-pact/{program_id}")


def _main_button(html: str) -> tuple[str, str]:
    match = re.search(r'<a class="button primary block next-step" href="([^"]+)">([^<]+)</a>', html)
    assert match, "the result page has no main button"
    return match.group(1), match.group(2).strip()


def _pass(app, client) -> str:
    attempt_id, html = _start(client)
    resp = _submit(client, attempt_id, html, answer_form(app, attempt_id, right=True))
    return resp.location


def test_passed_quiz_leads_on_to_the_pact(app, make, client, requirement_kinds) -> None:
    requirement_kinds(PactKind())
    import_mini(app)
    agency = make.agency()
    other = make.program(agency, requirements=[("pact-test", "lain")], deadline=dt.date.today() + dt.timedelta(days=2))
    program = make.program(agency, requirements=[("module", SLUG), ("pact-test", "pakta")])
    learner = make.user(agency)
    login(client, learner.nip)
    result = client.get(_pass(app, client)).text
    href, text = _main_button(result)
    # the program that requires this module, not the nearer one that does not
    assert href == f"/test-pact/{program.id}" and href != f"/test-pact/{other.id}"
    assert text == "Lanjutkan: Tanda tangani Pakta Integritas"
    assert 'href="/">Kembali ke Program saya</a>' in result  # still a way back, as a secondary button


def test_passed_quiz_with_nothing_left_leads_to_my_programs(app, make, client) -> None:
    import_mini(app)
    agency = make.agency()
    make.program(agency, requirements=[("module", SLUG)])
    learner = make.user(agency)
    login(client, learner.nip)
    href, text = _main_button(client.get(_pass(app, client)).text)
    assert href == "/" and text == "Kembali ke Program saya"


def test_lesson_title_shown_once(app, make, client) -> None:
    import_mini(app)
    learner = make.user(make.agency())
    login(client, learner.nip)
    html = client.get(f"/modules/{SLUG}/lessons/dasar").text
    assert html.count("<h1") == 1 and "<h1>Dasar netralitas</h1>" in html
    assert "Mengapa netral" not in html  # the file's own "# " heading is not repeated under it
    assert "ASN melayani semua warga" in html  # the body itself is still there


def _deadline_at(app, attempt_id: int, when: dt.datetime) -> None:
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        attempt.deadline = when
        db.session.commit()


@pytest.mark.parametrize(
    "lang,expected",
    [("id", "Kirim sebelum 2 Jan 2099 12.30 WIT."), ("en", "Submit before Jan 2, 2099 12:30 PM WIT.")],
)
def test_quiz_deadline_in_the_agency_zone_and_page_language(app, make, client, lang, expected) -> None:
    import_mini(app)
    learner = make.user(make.agency(timezone="Asia/Jayapura"))  # WIT, UTC+9
    login(client, learner.nip)
    attempt_id, _html = _start(client)
    _deadline_at(app, attempt_id, dt.datetime(2099, 1, 2, 3, 30, tzinfo=dt.UTC))  # stored UTC
    html = client.get(f"/modules/{SLUG}/quiz/attempts/{attempt_id}?lang={lang}").text
    assert expected in re.sub(r"[\u00a0\u202f]", " ", html)  # CLDR puts a narrow no-break space before PM
    assert "1/2/99" not in html and "2/1/99" not in html  # no numeric (US) dates
    page = client.get(f"/modules/{SLUG}?lang={lang}").text  # the attempt history, same zone
    assert " WIT" in page and "WIB" not in page


# Indonesian UI words that must not reach the English result page (the rule lines' legal terms,
# e.g. "Pasal", "ayat", "huruf", are citations and stay).
INDONESIAN = [
    "Nilai Anda",
    "LULUS",
    "soal dijawab benar",
    "Pembahasan",
    "Benar",
    "Salah",
    "Dasar aturan",
    "jawaban benar",
    "pilihan Anda",
    "Kembali",
    "Program saya",
    "Ulangi",
]


def test_english_result_page_has_no_indonesian(app, make, client, tmp_path) -> None:
    pack = copy_pack(tmp_path)
    questions = pack / "questions.yaml"
    questions.write_text(questions.read_text().replace("Pasal 5 huruf n", "Pasal 5 huruf n dan Pasal 14 huruf i"))
    import_mini(app, pack)
    learner = make.user(make.agency())
    login(client, learner.nip)
    location = _pass(app, client)
    html = client.get(f"{location}?lang=en").text
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    text = re.sub(r"<[^>]+>", " ", main)
    assert " dan " not in text
    assert "PP Nomor 94 Tahun 2021 Pasal 5 huruf n and Pasal 14 huruf i" in text  # the citation, its "and" in English
    assert "Your score: 100%" in text and "Back to My programs" in text
    for word in INDONESIAN:
        assert not re.search(rf"\b{re.escape(word)}\b", text), word
    # the Indonesian page keeps the rule as written
    assert "Pasal 5 huruf n dan Pasal 14 huruf i" in client.get(f"{location}?lang=id").text


def test_rule_connectives_translated_only_in_english() -> None:
    from modules.rendering import rule_text

    rule = (
        "UU Nomor 7 Tahun 2017 Pasal 280 ayat (3) dan Pasal 494; PP Nomor 94 Tahun 2021 Pasal 5 huruf n angka 1 dan 2"
    )
    assert rule_text(rule, "en") == (
        "UU Nomor 7 Tahun 2017 Pasal 280 ayat (3) and Pasal 494; PP Nomor 94 Tahun 2021 Pasal 5 huruf n angka 1 and 2"
    )
    assert rule_text(rule, "id") == rule
    assert rule_text("Pedoman Kepegawaian", "en") == "Pedoman Kepegawaian"  # "dan" inside a word stays
    assert rule_text(None, "en") == ""


def test_english_quiz_form_errors(app, make, client) -> None:
    import_mini(app)
    learner = make.user(make.agency())
    login(client, learner.nip)
    attempt_id, html = _start(client)
    data = dict(answer_form(app, attempt_id, right=True))
    data["csrf_token"] = token(html)
    resp = client.post(f"/modules/{SLUG}/quiz/attempts/{attempt_id}?lang=en", data=data)  # not confirmed
    assert resp.status_code == 400
    assert "Tick “I am sure” to submit. Your answers have not been submitted yet." in resp.text
    assert "Centang" not in resp.text and "Jawaban Anda" not in resp.text
    bad = client.post(
        f"/modules/{SLUG}/quiz/attempts/{attempt_id}?lang=en", data={"csrf_token": token(html), "q-x": "1"}
    )
    assert bad.status_code == 400 and "Formulir" not in bad.text


def test_english_quiz_statistics_name_topics_by_lesson_title(app, make, client) -> None:
    from tests.modules.test_requirement import _attempt

    import_mini(app)
    agency = make.agency()
    program = make.program(agency, requirements=[("module", SLUG)])
    _attempt(app, make.user(agency).id, right=True)
    login(client, make.admin(agency).email)
    page = client.get(f"/admin/programs/{program.id}/quiz?lang=en").text
    topics = page.split("By topic")[1].split("By question")[0]
    assert '<td data-label="Topic">Social media</td>' in topics and "media-sosial" not in page
