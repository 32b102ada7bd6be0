"""Judging test data: a competition with default forms, a preliminary panel and its competitors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.auth.models import User
from app.competitions.models import Competition, Group, Level, Stage, StageKind, Subject
from app.extensions import db
from app.judging import services
from app.judging.models import Appearance, Panel
from app.orgs.models import School
from app.roles import Role
from app.rosters.models import Entry
from tests import factories


def entry(
    competition: Competition,
    school: School,
    subject: Subject,
    *,
    birth: date = date(1990, 3, 1),
    name: str | None = None,
    number: int | None = None,
) -> Entry:
    """A competing entry; born 1990, so in the youth group (青年组) of its level."""
    return factories.gen_entry(competition, school, subject_=subject, birth=birth, name=name, number=number)


@dataclass
class Setup:
    competition: Competition
    stage: Stage
    subject: Subject
    panel: Panel
    judges: list[User]
    entries: list[Entry]

    def appearance(self, index: int) -> Appearance:
        return sorted(self.panel.appearances, key=lambda a: a.position or 0)[index]


def preliminary_panel(city, *, judges: int = 3, entries: int = 3, open_: bool = True, **settings) -> Setup:
    """A preliminary panel of the central school's unit: competitors from central + affiliate, judges
    from the township school (no recusal), ordered 1..n, opened."""
    competition = factories.gen_competition(**settings)
    services.ensure_default_forms(competition)
    stage = competition.stage(StageKind.PRELIMINARY)
    subject = factories.subject(competition, Level.PRIMARY, "语文")
    schools = [city.central, city.affiliate]
    made = [entry(competition, schools[i % 2], subject) for i in range(entries)]
    panel = services.create_panel(
        stage, subject, Group.PRIMARY_YOUTH, unit_school=city.central, by=city.city_admin, room="三楼录播室"
    )
    services.fill_panel(panel, by=city.city_admin)
    people = [city.judge] + [factories.gen_user(Role.JUDGE, school=city.township) for _ in range(judges - 1)]
    for i, judge in enumerate(people):
        services.assign_judge(panel, judge, by=city.city_admin, is_head=i == 0)
    services.set_order(panel, [e.id for e in made])
    if open_:
        services.open_panel(panel, by=city.city_admin)
    db.session.commit()
    return Setup(competition, stage, subject, panel, people, made)


def values(panel: Panel, *scores: str) -> dict[str, str]:
    """Form fields for the panel's items in form order."""
    return {f"item-{item.id}": score for item, score in zip(panel.form.items, scores)}
