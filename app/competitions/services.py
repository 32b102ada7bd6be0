"""Verbs on competitions. Flush, never commit."""
from __future__ import annotations

from datetime import date

from app.competitions.models import Competition, Level, Stage, StageKind, Subject, SubjectKind
from app.extensions import db

# R-COMP-2: the seed's subjects per level; ``kind`` decides the final's featured item (R-FORM-2).
DEFAULT_SUBJECTS: dict[Level, list[tuple[str, SubjectKind]]] = {
    Level.PRIMARY: [
        ("语文", SubjectKind.OTHER), ("数学", SubjectKind.OTHER), ("英语", SubjectKind.OTHER),
        ("科学", SubjectKind.OTHER), ("道德与法治", SubjectKind.SOCIAL), ("音乐", SubjectKind.MUSIC),
        ("美术", SubjectKind.ART), ("体育与健康", SubjectKind.PE), ("信息科技", SubjectKind.IT),
    ],
    Level.JUNIOR: [
        ("语文", SubjectKind.OTHER), ("数学", SubjectKind.OTHER), ("英语", SubjectKind.OTHER),
        ("物理", SubjectKind.OTHER), ("化学", SubjectKind.OTHER), ("生物学", SubjectKind.OTHER),
        ("道德与法治", SubjectKind.SOCIAL), ("历史", SubjectKind.SOCIAL), ("地理", SubjectKind.SOCIAL),
        ("音乐", SubjectKind.MUSIC), ("美术", SubjectKind.ART), ("体育与健康", SubjectKind.PE),
        ("信息科技", SubjectKind.IT),
    ],
}


def create_competition(
    name: str,
    year: int,
    *,
    deadlines: dict[StageKind, date | None] | None = None,
    with_default_subjects: bool = True,
    **settings,
) -> Competition:
    """R-COMP-1: a competition with its three stages (blind judging on for semifinal and final, R-X-1)."""
    competition = Competition(name=name, year=year, **settings)
    deadlines = deadlines or {}
    for position, kind in enumerate(StageKind):
        competition.stages.append(
            Stage(kind=kind, position=position, deadline=deadlines.get(kind), blind=kind != StageKind.PRELIMINARY)
        )
    if with_default_subjects:
        for level, subjects in DEFAULT_SUBJECTS.items():
            for position, (subject_name, kind) in enumerate(subjects):
                competition.subjects.append(Subject(level=level, name=subject_name, kind=kind, position=position))
    db.session.add(competition)
    db.session.flush()
    return competition
