"""R-AW-1 (issue 15.4): a prize list is published only when every competitor of its scope has a final
result or is recorded absent/withdrawn by an admin with a reason; the preview says why not. And the
publish step goes through a confirmation screen with the numbers (issue 15.7)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.awards import services
from app.awards.models import AbsenceKind, AwardKind, AwardRelease, StageAbsence
from app.awards.services import Scope
from app.competitions.models import Group, StageKind
from app.errors import DomainError
from app.extensions import db
from app.judging import services as judging
from app.roles import Role
from tests import factories
from tests.awards.helpers import competitors

ROW = ["90", "90", "90", "90"]


def _semifinal_in_progress(city):
    """东山县's semifinal, one panel 评分中 with 4 judges, 5 competitors: nos. 1–3 scored by all four,
    no. 4 by three (an aggregate, but provisional), no. 5 by nobody."""
    competition = factories.gen_competition()
    judging.ensure_default_forms(competition)
    subject = factories.subject(competition)
    entries = competitors(
        competition, StageKind.SEMIFINAL, [city.central, city.affiliate], 5, subject_=subject
    )
    stage = competition.stage(StageKind.SEMIFINAL)
    panel = judging.create_panel(stage, subject, Group.PRIMARY_YOUTH, by=city.city_admin, district=city.d1)
    judging.fill_panel(panel, by=city.city_admin)
    judges = [factories.gen_user(Role.JUDGE, school=city.other_school) for _ in range(4)]
    for i, judge in enumerate(judges):
        judging.assign_judge(panel, judge, by=city.city_admin, is_head=i == 0)
    judging.set_order(panel, [e.id for e in entries])
    judging.open_panel(panel, by=city.city_admin)
    appearances = {a.entry_id: a for a in panel.appearances}
    raw = {f"item-{item.id}": v for item, v in zip(panel.form.items, ROW)}
    for n, entry in enumerate(entries):
        for judge in judges[: {0: 4, 1: 4, 2: 4, 3: 3, 4: 0}[n]]:
            judging.submit_sheet(appearances[entry.id], judge, raw, version=None, editor=f"t{judge.id}")
    db.session.commit()
    return competition, stage, panel, entries, judges, appearances, raw


def test_r_aw_1_publish_refused_while_scoring_lists_panel_and_competitors(city):
    competition, stage, panel, entries, judges, appearances, raw = _semifinal_in_progress(city)
    scope = Scope(AwardKind.SEMIFINAL, city.d1.id)
    ready = services.readiness(stage, services.individual_pools(stage, city.d1.id))
    assert (ready.competitors, ready.final) == (5, 3)
    assert ready.missing == [entries[3], entries[4]]  # a provisional aggregate is not final
    assert [(p.name, p.waiting) for p in ready.panels] == [(panel.name, 2)]
    with pytest.raises(DomainError, match="2 名选手没有最终成绩") as error:
        services.publish(competition, scope, by=city.district_admin)
    assert panel.name in error.value.message and entries[4].name in error.value.message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AwardRelease)) == 0

    # The fourth judge submits for no. 4; no. 5 is recorded 缺考 with a reason (audited).
    judging.submit_sheet(appearances[entries[3].id], judges[3], raw, version=None, editor="t")
    with pytest.raises(DomainError, match="原因"):
        services.record_absence(stage, entries[4], AbsenceKind.ABSENT, " ", by=city.district_admin)
    services.record_absence(stage, entries[4], AbsenceKind.ABSENT, "因病未到场", by=city.district_admin)
    log = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "awards.absence_recorded"))
    assert log.reason == "因病未到场" and log.actor_id == city.district_admin.id
    release = services.publish(competition, scope, by=city.district_admin)
    # 5 competitors: 一等奖 round(1.0) = 1, 二等奖 round(1.5) = 2 — but nos. 1–4 tie at 90.00: all 一等奖.
    assert entries[4].id not in [a.entry_id for a in release.awards] and len(release.awards) == 4


def test_r_aw_1_only_the_scopes_organiser_records_absence(city):
    competition, stage, _, entries, *_ = _semifinal_in_progress(city)
    with pytest.raises(DomainError, match="范围"):
        services.record_absence(
            stage, entries[4], AbsenceKind.WITHDRAWN, "弃权", by=city.other_district_admin
        )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StageAbsence)) == 0


def test_r_aw_1_preview_says_why_and_publish_post_is_refused(client, login, city):
    competition, stage, panel, entries, *_ = _semifinal_in_progress(city)
    login(city.district_admin)
    html = client.get(f"/awards/{competition.id}/preview/semifinal").get_data(as_text=True)
    section = html[html.index('id="readiness"') :]
    assert panel.name in section and "评分中" in section and entries[4].name in section
    assert "2 人尚无最终成绩" in section and "暂不能发布" in section
    refused = client.post(
        f"/awards/{competition.id}/publish/semifinal", data={"district_id": city.d1.id, "confirm": "1"}
    )
    assert refused.status_code == 422 and "没有最终成绩" in refused.get_data(as_text=True)
    bad = client.post(
        f"/awards/{competition.id}/absences/semifinal",
        data={"entry_id": entries[4].id, "kind": "absent", "reason": ""},
    )
    assert bad.status_code == 422
    ok = client.post(
        f"/awards/{competition.id}/absences/semifinal",
        data={"entry_id": entries[4].id, "kind": "withdrawn", "reason": "本人书面申请弃权"},
    )
    assert ok.status_code == 303
    absence = db.session.scalars(sa.select(StageAbsence)).one()
    assert absence.kind == AbsenceKind.WITHDRAWN and absence.recorded_by_id == city.district_admin.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AwardRelease)) == 0


def test_publish_confirmation_screen_changes_nothing_and_shows_the_numbers(client, login, city):
    """Issue 15.7: the first POST renders the consequences (prizes, certificates); only confirm=1 acts."""
    competition, stage, _, entries, judges, appearances, raw = _semifinal_in_progress(city)
    judging.submit_sheet(appearances[entries[3].id], judges[3], raw, version=None, editor="t")
    services.record_absence(stage, entries[4], AbsenceKind.ABSENT, "未到场", by=city.district_admin)
    db.session.commit()
    login(city.district_admin)
    url = f"/awards/{competition.id}/publish/semifinal"
    first = client.post(url, data={"district_id": city.d1.id})
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and 'id="confirm-publish"' in html
    assert "一等奖</dt><dd><b>4</b>" in html and "生成证书</dt><dd><b>4</b> 份" in html
    assert 'name="confirm" value="1"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AwardRelease)) == 0
    done = client.post(url, data={"district_id": city.d1.id, "confirm": "1"})
    assert done.status_code == 303
    assert len(db.session.scalars(sa.select(AwardRelease)).one().awards) == 4
