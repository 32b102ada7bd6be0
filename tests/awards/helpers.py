"""Awards test data: competitors advanced into a stage, with results either judged for real (through
the judging services) or stubbed as EntryResult rows for the award rules' worked examples."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from app.competitions.models import Competition, Group, Stage, StageKind
from app.extensions import db
from app.judging import services as judging
from app.judging.results import EntryResult
from app.orgs.models import School
from app.roles import Role
from app.rosters.models import AdvanceRoute, Entry, StageEntrant
from tests import factories


def advance(stage: Stage, entries: Sequence[Entry]) -> None:
    """Put ``entries`` into a semifinal or final (as if recommended)."""
    for e in entries:
        db.session.add(StageEntrant(stage=stage, entry=e, route=AdvanceRoute.RECOMMENDED))
    db.session.flush()


def competitors(
    competition: Competition, kind: StageKind, schools: Sequence[School], n: int, **fields
) -> list[Entry]:
    """``n`` competing teachers spread over ``schools``, advanced into the ``kind`` stage (not the preliminary)."""
    made = [factories.gen_entry(competition, schools[i % len(schools)], **fields) for i in range(n)]
    if kind != StageKind.PRELIMINARY:
        advance(competition.stage(kind), made)
        if kind == StageKind.FINAL:
            advance(competition.stage(StageKind.SEMIFINAL), made)
    return made


def stub_results(
    monkeypatch, scores: dict[int, Decimal | str | None], group: Group = Group.PRIMARY_YOUTH
) -> None:
    """Make ``stage_results`` return these aggregates (entry id → score; None = no result yet).

    Ties are exact ties: the item aggregates are empty, so equal aggregates share a rank (R-RANK-1).
    """

    def fake(stage, *, entry_ids=None, ranked=True):
        return [
            EntryResult(
                entry_id, None if s is None else Decimal(s), None, group, 0, 3 if s is not None else 0, ()
            )
            for entry_id, s in scores.items()
        ]

    monkeypatch.setattr("app.awards.services.stage_results", fake)


def judged_semifinal(city, scores: Sequence[Sequence[str]]) -> tuple[Competition, list[Entry]]:
    """A real semifinal of 东山县 (d1), 小学语文 青年组: one entry per score row, three judges from 西岭县
    each submitting the row's four item scores. Committed."""
    competition = factories.gen_competition()
    judging.ensure_default_forms(competition)
    subject = factories.subject(competition)
    entries = competitors(
        competition, StageKind.SEMIFINAL, [city.central, city.affiliate], len(scores), subject_=subject
    )
    stage = competition.stage(StageKind.SEMIFINAL)
    panel = judging.create_panel(stage, subject, Group.PRIMARY_YOUTH, by=city.city_admin, district=city.d1)
    judging.fill_panel(panel, by=city.city_admin)
    judges = [factories.gen_user(Role.JUDGE, school=city.other_school) for _ in range(3)]
    for i, judge in enumerate(judges):
        judging.assign_judge(panel, judge, by=city.city_admin, is_head=i == 0)
    judging.set_order(panel, [e.id for e in entries])
    judging.open_panel(panel, by=city.city_admin)
    appearances = {a.entry_id: a for a in panel.appearances}
    items = panel.form.items
    for entry, row in zip(entries, scores):
        for judge in judges:
            raw = {f"item-{item.id}": value for item, value in zip(items, row)}
            judging.submit_sheet(appearances[entry.id], judge, raw, version=None, editor=f"t{judge.id}")
    db.session.commit()
    return competition, entries
