"""Advancement test data: a small city with competitors in three preliminary units."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app.advancement import services
from app.advancement.models import AdvancementUnit
from app.competitions.models import Competition, Stage, StageKind
from app.extensions import db
from app.rosters.models import Entry, EntryStatus
from tests import factories

SOURCES = ["2026年12月20日 中国福利彩票3D开奖号码", "抽签现场掷骰子三次的点数"]


@dataclass
class World:
    competition: Competition
    semifinal: Stage
    final: Stage
    entries: dict[str, list[Entry]] = field(default_factory=dict)

    def unit(self, school) -> AdvancementUnit:
        return next(
            u
            for u in db.session.query(AdvancementUnit).filter_by(stage_id=self.semifinal.id)
            if u.unit_school_id == school.id
        )


def world(
    city, *, central: int = 7, affiliate: int = 3, township: int = 5, other: int = 17, **settings
) -> World:
    """Central unit 10 (7 + 3 affiliated), township 5, the other district's central school 17;
    the seat school's teachers are excluded. Every entry carries marker private data."""
    competition = factories.gen_competition(**settings)
    w = World(competition, competition.stage(StageKind.SEMIFINAL), competition.stage(StageKind.FINAL))
    for label, school, n in (
        ("central", city.central, central),
        ("affiliate", city.affiliate, affiliate),
        ("township", city.township, township),
        ("other", city.other_school, other),
    ):
        w.entries[label] = [
            factories.gen_entry(competition, school, name=f"{label}{i}", phone=f"PM-{label[:3]}-{i:03d}")
            for i in range(n)
        ]
    w.entries["seat"] = [
        factories.gen_entry(competition, city.seat, status=EntryStatus.EXCLUDED, birth=date(1970, 1, 1))
        for _ in range(4)
    ]
    db.session.commit()
    return w


def freeze_and_confirm(w: World, city, school) -> AdvancementUnit:
    """Freeze the semifinal (if needed), submit the suggestion for ``school``'s unit, confirm it."""
    if w.semifinal.frozen_at is None:
        services.freeze_quotas(w.semifinal, by=city.city_admin)
    unit = w.unit(school)
    services.set_nominations(unit, services.suggest_by_rank(unit), by=city.city_admin)
    services.confirm_unit(unit, by=city.city_admin)
    db.session.commit()
    return unit
