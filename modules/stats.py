"""Quiz statistics of a program for its admins: totals, per topic (named by the lesson's title)
and per question. Reads only."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import case, func, select

from lms.db import db
from lms.models import Program, User
from lms.scoping import scope
from lms.services.programs import member_ids
from modules.importing import active_module, newest
from modules.models import Choice, Lesson, Question, QuizAttempt, TrainingModule
from modules.rendering import tr


@dataclass
class QuestionStat:
    question: Question
    version: int
    answered: int
    correct: int
    wrong_choice: Choice | None
    wrong_count: int

    @property
    def percent_correct(self) -> float:
        return round(100.0 * self.correct / self.answered, 1) if self.answered else 0.0


@dataclass
class ModuleStats:
    slug: str
    module: TrainingModule | None
    attempts: int
    learners: int
    passed_attempts: int
    passed_learners: int
    average_score: float | None
    questions: list[QuestionStat]
    topics: list[tuple[str, float, int]]  # (topic: the lesson's title, percent correct, answers)
    titles: dict[str, str] = field(default_factory=dict)  # topic (lesson key) -> the lesson's title

    @property
    def pass_rate(self) -> float:
        return round(100.0 * self.passed_attempts / self.attempts, 1) if self.attempts else 0.0


def module_stats(program: Program, slug: str, viewer: User | None = None) -> ModuleStats:
    """Submitted attempts of the program's learners on one module: totals in SQL, per-question
    counts from the stored result sheets (streamed). With ``viewer``, only the learners that
    admin may see count (``lms.scoping``: an admin limited to units sees those units)."""
    members = member_ids(program)
    if viewer is not None:
        members = scope(members, viewer, User.agency_id, User.unit_id)
    where = (QuizAttempt.slug == slug, QuizAttempt.submitted_at.is_not(None), QuizAttempt.user_id.in_(members))
    row = db.session.execute(
        select(
            func.count(QuizAttempt.id),
            func.count(func.distinct(QuizAttempt.user_id)),
            func.sum(case((QuizAttempt.passed.is_(True), 1), else_=0)),
            func.avg(QuizAttempt.score),
        ).where(*where)
    ).one()
    passed_learners = (
        db.session.scalar(
            select(func.count(func.distinct(QuizAttempt.user_id))).where(*where, QuizAttempt.passed.is_(True))
        )
        or 0
    )
    answered: Counter[int] = Counter()
    correct: Counter[int] = Counter()
    wrong: dict[int, Counter[int]] = defaultdict(Counter)
    sheets = db.session.execute(
        select(QuizAttempt.results, QuizAttempt.answers).where(*where).execution_options(yield_per=500)
    )
    for results, answers in sheets:
        for qid, ok in (results or {}).items():
            answered[int(qid)] += 1
            correct[int(qid)] += bool(ok)
            if not ok:
                for cid in (answers or {}).get(qid, []):
                    wrong[int(qid)][cid] += 1
    questions = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(list(answered) or [-1])))}
    choices = {
        c.id: c for c in db.session.scalars(select(Choice).where(Choice.question_id.in_(list(answered) or [-1])))
    }
    versions = dict(
        db.session.execute(select(TrainingModule.id, TrainingModule.version).where(TrainingModule.slug == slug)).all()
    )
    stats = []
    for qid, n in answered.items():
        q = questions[qid]
        wrong_pick = next(
            (cid for cid, _ in wrong[qid].most_common() if cid in choices and not choices[cid].is_correct), None
        )
        stats.append(
            QuestionStat(
                q,
                versions.get(q.module_id, 0),
                n,
                correct[qid],
                choices.get(wrong_pick) if wrong_pick else None,
                wrong[qid][wrong_pick] if wrong_pick else 0,
            )
        )
    stats.sort(key=lambda s: (s.percent_correct, s.question.key))
    by_topic: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for s in stats:
        by_topic[s.question.topic or "-"][0] += s.correct
        by_topic[s.question.topic or "-"][1] += s.answered
    module = active_module(slug) or newest(slug)
    titles = topic_titles(slug)
    topics = sorted(
        ((titles.get(t, t), round(100.0 * c / n, 1), n) for t, (c, n) in by_topic.items() if n), key=lambda t: t[1]
    )
    return ModuleStats(
        slug=slug,
        module=module,
        attempts=row[0] or 0,
        learners=row[1] or 0,
        passed_attempts=row[2] or 0,
        passed_learners=passed_learners,
        average_score=round(float(row[3]), 1) if row[3] is not None else None,
        questions=stats,
        topics=topics,
        titles=titles,
    )


def topic_titles(slug: str) -> dict[str, str]:
    """{topic (a lesson key): the lesson's title in the current language}, newest version last
    so its titles win; a topic that is no lesson key keeps its name."""
    rows = db.session.execute(
        select(Lesson.key, Lesson.title)
        .join(TrainingModule, TrainingModule.id == Lesson.module_id)
        .where(TrainingModule.slug == slug)
        .order_by(TrainingModule.version)
    )
    return {key: tr(title) for key, title in rows}
