"""The judging demo: the demo judge meets a live panel with a queue; 东山县 has preliminary rankings."""

import sqlalchemy as sa

from app import demo
from app.auth.models import User
from app.competitions.models import Competition, StageKind
from app.extensions import db
from app.judging import services
from app.judging.models import Panel, PanelJudge, PanelStatus, ScoreSheet, SheetStatus
from app.judging.results import stage_results
from app.orgs.models import School


def test_demo_judge_has_a_live_queue_and_the_district_has_rankings(app, client, login):
    demo.load(teachers=2000)
    db.session.commit()
    judge = db.session.scalar(sa.select(User).where(User.username == "judge"))
    live = db.session.scalars(
        sa.select(Panel)
        .join(PanelJudge)
        .where(PanelJudge.user_id == judge.id, Panel.status == PanelStatus.OPEN)
    ).all()
    assert len(live) == 1
    panel = live[0]
    assert panel.unit_school.code == "D02-C01" and services.is_head(judge, panel)
    assert len(panel.judges) == 5 and len(panel.appearances) >= 8  # five judges: the trimmed mean applies
    assert [i.name for i in panel.form.items][-1] == "普通话"  # the unit's own form (R-FORM-1)
    assert all(not services.panel_conflicts(p) for p in db.session.scalars(sa.select(Panel)))  # R-PANEL-1
    mine = {
        s.entry_id: s.status
        for s in db.session.scalars(
            sa.select(ScoreSheet).where(ScoreSheet.panel_id == panel.id, ScoreSheet.judge_id == judge.id)
        )
    }
    others = db.session.scalar(
        sa.select(sa.func.count(ScoreSheet.id)).where(
            ScoreSheet.panel_id == panel.id, ScoreSheet.judge_id != judge.id
        )
    )
    assert list(mine.values()) == [SheetStatus.SUBMITTED] * 2 and others > 8

    this_year = db.session.scalar(sa.select(Competition).order_by(Competition.year.desc()).limit(1))
    stage = this_year.stage(StageKind.PRELIMINARY)
    district_schools = set(
        db.session.scalars(sa.select(School.id).join(School.district).where(School.district.has(code="D02")))
    )
    results = stage_results(stage)
    ranked = [r for r in results if r.aggregate is not None]
    assert len(ranked) > 300 and all(r.rank for r in ranked)
    from app.rosters.models import Entry

    ranked_schools = set(
        db.session.scalars(sa.select(Entry.school_id).where(Entry.id.in_([r.entry_id for r in ranked])))
    )
    assert ranked_schools <= district_schools

    login(judge)
    html = client.get("/judging/my").get_data(as_text=True)
    assert "我已提交 2 / " in html and "正在上课" in html
