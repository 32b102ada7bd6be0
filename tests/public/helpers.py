"""Public-listing test data: a competition whose roster carries unique private markers (R-PUB-1)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from app.competitions.models import Competition, Stage, StageKind
from app.extensions import db
from app.public import services
from app.public.models import Listing
from app.rosters.models import Entry, EntryStatus
from app.timeutil import beijing_today
from tests import factories
from tests.draws.helpers import AFTER_EVENT, EVENT_AT

SOURCES = ["2026年12月20日 中国福利彩票3D开奖号码", "抽签现场掷骰子三次的点数"]


@dataclass
class Listed:
    competition: Competition
    preliminary: Stage
    semifinal: Stage
    listing: Listing | None
    entries: dict[str, list[Entry]] = field(default_factory=dict)

    def all_entries(self) -> list[Entry]:
        return [e for group in self.entries.values() for e in group]


def listed(
    city, *, central: int = 7, affiliate: int = 3, other: int = 5, open_listing: bool = True, **settings
) -> Listed:
    """Competitors at the central school (+ affiliate) of 东山县 and at 松岭镇中心小学 of 西岭县, one exempt
    teacher; every private field holds a unique marker; the preliminary listing opened today, city-wide."""
    competition = factories.gen_competition(**settings)
    w = Listed(
        competition, competition.stage(StageKind.PRELIMINARY), competition.stage(StageKind.SEMIFINAL), None
    )
    n = 0
    for label, school, count in (
        ("central", city.central, central),
        ("affiliate", city.affiliate, affiliate),
        ("other", city.other_school, other),
    ):
        w.entries[label] = []
        for i in range(count):
            n += 1
            w.entries[label].append(
                factories.gen_entry(
                    competition,
                    school,
                    name=f"{label[:2]}老师{i}",
                    number=100 + n,
                    phone=f"1390000{n:04d}",
                    birth=date(1981, 1, 1) + timedelta(days=37 * n),
                )
            )
    w.entries["exempt"] = [
        factories.gen_entry(
            competition,
            city.central,
            name="免赛老师",
            number=900,
            phone="13911119999",
            birth=date(1966, 3, 3),
            status=EntryStatus.EXEMPT,
            status_reason="MARK-EXEMPT-REASON-病休",
        )
    ]
    if open_listing:
        w.listing = services.open_listing(w.preliminary, by=city.city_admin, start=beijing_today())
    db.session.commit()
    return w


def advance_central_unit(w: Listed, city):
    """The semifinal of the central unit (10 competitors → quota 3: 2 recommended, 1 drawn), drawn and
    published; the semifinal listing opened today. Returns (unit, draw)."""
    from app.advancement import services as advancement

    advancement.freeze_quotas(w.semifinal, by=city.city_admin)
    unit = _unit(w, city.central)
    advancement.set_nominations(unit, advancement.suggest_by_rank(unit), by=city.school_admin)
    advancement.confirm_unit(unit, by=city.district_admin)
    draw = advancement.announce_unit_draw(unit, SOURCES, by=city.district_admin, event_at=EVENT_AT)
    advancement.perform_draw(draw, [[3, 1, 4], [6, 2, 5]], by=city.district_admin, now=AFTER_EVENT)
    services.open_listing(w.semifinal, by=city.city_admin, start=beijing_today())
    db.session.commit()
    return unit, draw


def _unit(w: Listed, school):
    import sqlalchemy as sa

    from app.advancement.models import AdvancementUnit

    return db.session.scalar(
        sa.select(AdvancementUnit).where(
            AdvancementUnit.stage_id == w.semifinal.id, AdvancementUnit.unit_school_id == school.id
        )
    )
