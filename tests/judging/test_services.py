"""Panels, recusal (R-PANEL-1), draws (R-PANEL-2), sheets (R-SCORE-2), results (R-SCORE-3, R-RANK-1)."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.competitions.models import Group, Level, StageKind
from app.draws.models import Draw, DrawStatus
from app.draws.rfc3797 import PoolEntry, order_of_appearance
from app.errors import DomainError, NotAllowed
from app.extensions import db
from app.judging import services
from app.judging.models import ItemScore, Panel, PanelStatus, ScoreSheet, SheetStatus
from app.judging.results import stage_results
from app.judging.services import SheetConflict
from app.roles import Role
from tests.draws.helpers import AFTER_EVENT, EVENT_AT
from tests.judging.helpers import entry, preliminary_panel, values


def submit(setup, judge, index, *scores):
    a = setup.appearance(index)
    return services.submit_sheet(a, judge, values(setup.panel, *scores), version=None, editor=f"t{judge.id}")


class TestPanels:
    def test_recusal_own_school_refused_with_number_and_school(self, city, f):
        s = preliminary_panel(city, open_=False)
        own = f.gen_user(Role.JUDGE, school=city.central)
        with pytest.raises(DomainError, match=f"{s.entries[0].entrant_number}号选手同属青石镇中心小学"):
            services.assign_judge(s.panel, own, by=city.city_admin)

    def test_same_district_allowed_at_preliminary_refused_at_semifinal(self, city, f):
        s = preliminary_panel(city, open_=False)
        assert (
            services.recusal_reason(city.judge, s.entries[0], s.stage) is None
        )  # township school, same district
        semi = s.competition.stage(StageKind.SEMIFINAL)
        reason = services.recusal_reason(city.judge, s.entries[0], semi)
        assert "同属东山县" in reason and "复赛须回避" in reason
        other = f.gen_user(Role.JUDGE, school=city.other_school)
        assert services.recusal_reason(other, s.entries[0], semi) is None

    def test_competitor_added_later_is_flagged_and_blocks_opening(self, city, f):
        s = preliminary_panel(city, open_=False)
        late = entry(s.competition, city.central, s.subject)
        # a judge of the affiliate school conflicts with the affiliate's competitor already in the panel
        with pytest.raises(DomainError, match="前村小学"):
            services.assign_judge(s.panel, f.gen_user(Role.JUDGE, school=city.affiliate), by=city.city_admin)
        s.panel.status = PanelStatus.SETUP
        services.fill_panel(s.panel, by=city.city_admin)
        assert late.id in {a.entry_id for a in s.panel.appearances}
        # make a conflict appear by moving a judge's school after assignment
        s.judges[1].school = city.central
        db.session.flush()
        assert any("须回避" in c for c in services.panel_conflicts(s.panel))

    def test_panel_minimum_enforced_before_opening(self, city):
        s = preliminary_panel(city, judges=2, open_=False)
        with pytest.raises(DomainError, match="至少需要 3 名评委，目前只有 2 名"):
            services.open_panel(s.panel, by=city.city_admin)

    def test_unordered_panel_cannot_open(self, city, f):
        s = preliminary_panel(city, open_=False)
        for a in s.panel.appearances:
            a.position = None
        with pytest.raises(DomainError, match="上课顺序尚未抽签"):
            services.open_panel(s.panel, by=city.city_admin)

    def test_scope_school_admin_of_the_unit_only(self, city):
        s = preliminary_panel(city, open_=False)
        assert services.can_manage_panel(city.school_admin, s.panel)
        assert services.can_manage_panel(city.district_admin, s.panel)
        assert not services.can_manage_panel(city.affiliate_admin, s.panel)
        assert not services.can_manage_panel(city.other_district_admin, s.panel)
        with pytest.raises(NotAllowed):
            services.assign_judge(s.panel, city.judge, by=city.other_district_admin)

    def test_scope_semifinal_by_the_district_final_by_the_city(self, city):
        s = preliminary_panel(city, open_=False)
        semi = services.create_panel(
            s.competition.stage(StageKind.SEMIFINAL),
            s.subject,
            Group.PRIMARY_YOUTH,
            district=city.d1,
            by=city.district_admin,
        )
        final = services.create_panel(
            s.competition.stage(StageKind.FINAL), s.subject, Group.PRIMARY_YOUTH, by=city.city_admin
        )
        assert services.can_manage_panel(city.district_admin, semi) and services.can_manage_panel(
            city.city_admin, semi
        )
        assert not services.can_manage_panel(city.other_district_admin, semi)
        assert not services.can_manage_panel(city.school_admin, semi)
        assert services.can_manage_panel(city.city_admin, final)
        assert not any(services.can_manage_panel(u, final) for u in (city.district_admin, city.school_admin))
        with pytest.raises(NotAllowed):
            services.create_panel(final.stage, s.subject, Group.PRIMARY_YOUTH, by=city.district_admin)
        visible = db.session.scalars(
            sa.select(Panel).where(services.panels_scope_clause(city.other_district_admin))
        )
        assert list(visible) == []

    def test_preliminary_panel_needs_a_unit_school(self, city, f):
        s = preliminary_panel(city, open_=False)
        with pytest.raises(DomainError, match="由青石镇中心小学组织"):
            services.create_panel(
                s.stage, s.subject, Group.PRIMARY_YOUTH, unit_school=city.affiliate, by=city.city_admin
            )


class TestAppearanceDraw:
    """R-PANEL-2 with the R-DRAW-1 two-step: announce pool and future sources, then enter values."""

    def test_announce_then_draw_uses_the_shared_rfc3797_code(self, city):
        s = preliminary_panel(city, entries=5, open_=False)
        s.panel.draw_id = None
        draw = services.announce_appearance_draw(
            s.panel, ["现场掷骰子三次"], by=city.city_admin, event_at=EVENT_AT
        )
        assert draw.status == DrawStatus.ANNOUNCED and len(draw.pool_sha256) == 64
        assert all(p["label"] == "" for p in draw.pool_json)  # nothing that names a teacher
        with pytest.raises(DomainError, match="不能重复"):
            services.announce_appearance_draw(s.panel, ["再来一次"], by=city.city_admin, event_at=EVENT_AT)
        services.perform_appearance_draw(s.panel, [["3", "6", "1"]], by=city.city_admin, now=AFTER_EVENT)
        expected = order_of_appearance(
            [PoolEntry(e.entrant_number, "") for e in s.entries],
            [{"name": "现场掷骰子三次", "values": ["3", "6", "1"]}],
        )
        by_position = sorted(s.panel.appearances, key=lambda a: a.position)
        assert [a.entry.entrant_number for a in by_position] == expected
        assert db.session.get(Draw, draw.id).status == DrawStatus.DRAWN
        with pytest.raises(DomainError, match="不能更改"):
            services.perform_appearance_draw(s.panel, [["1"]], by=city.city_admin, now=AFTER_EVENT)

    def test_draw_without_values_refused(self, city):
        s = preliminary_panel(city, open_=False)
        services.announce_appearance_draw(s.panel, ["掷骰子"], by=city.city_admin, event_at=EVENT_AT)
        with pytest.raises(DomainError, match="录入取值"):
            services.perform_appearance_draw(s.panel, [[]], by=city.city_admin, now=AFTER_EVENT)

    def test_r_draw_1_order_draw_is_never_performed_before_its_event(self, city):
        s = preliminary_panel(city, entries=4, open_=False)
        s.panel.draw_id = None
        with pytest.raises(DomainError, match="请填写抽签时间"):
            services.announce_appearance_draw(s.panel, ["掷骰子"], by=city.city_admin, event_at=None)
        services.announce_appearance_draw(s.panel, ["掷骰子"], by=city.city_admin, event_at=EVENT_AT)
        with pytest.raises(DomainError, match="此前不能抽签"):
            services.perform_appearance_draw(s.panel, [["4"]], by=city.city_admin)
        with pytest.raises(DomainError, match="此前不能抽签"):
            services.preview_appearance_draw(s.panel, [["4"]], by=city.city_admin)
        assert db.session.get(Draw, s.panel.draw_id).record_json is None
        shown = services.preview_appearance_draw(s.panel, [["4", "1"]], by=city.city_admin, now=AFTER_EVENT)
        assert (shown.preview.key, shown.preview.pool_size, shown.preview.count) == ("1.4./", 4, 4)
        assert db.session.get(Draw, s.panel.draw_id).status == DrawStatus.ANNOUNCED

    def test_r_draw_1_moving_the_order_draw_is_a_void_and_a_new_announcement(self, city):
        s = preliminary_panel(city, entries=4, open_=False)
        s.panel.draw_id = None
        first = services.announce_appearance_draw(s.panel, ["掷骰子"], by=city.city_admin, event_at=EVENT_AT)
        with pytest.raises(DomainError, match="作废原因"):
            services.void_appearance_draw(s.panel, "", by=city.city_admin)
        services.void_appearance_draw(s.panel, "停电，改到明天", by=city.city_admin)
        assert (first.status, first.void_reason, s.panel.draw_id) == (DrawStatus.VOID, "停电，改到明天", None)
        later = EVENT_AT + timedelta(days=1)
        second = services.announce_appearance_draw(s.panel, ["掷骰子"], by=city.city_admin, event_at=later)
        assert s.panel.draw_id == second.id and first.event_at == EVENT_AT and second.event_at == later
        with pytest.raises(DomainError, match="此前不能抽签"):
            services.perform_appearance_draw(s.panel, [["2"]], by=city.city_admin, now=AFTER_EVENT)
        services.perform_appearance_draw(s.panel, [["2"]], by=city.city_admin, now=later)
        assert db.session.get(Draw, second.id).status == DrawStatus.DRAWN


class TestSheets:
    def test_autosave_then_submit_locks_and_is_audited(self, city):
        s = preliminary_panel(city)
        a = s.appearance(0)
        sheet = services.save_sheet(a, city.judge, values(s.panel, "90"), version=None, editor="tab1")
        assert sheet.status == SheetStatus.DRAFT and sheet.version == 1
        sheet = services.save_sheet(a, city.judge, values(s.panel, "90", "85"), version=1, editor="tab1")
        assert sheet.version == 2
        with pytest.raises(DomainError, match="还有项目未打分"):
            services.submit_sheet(a, city.judge, {}, version=2, editor="tab1")
        db.session.rollback()
        sheet = services.submit_sheet(
            a, city.judge, values(s.panel, "90", "85", "88", "86.5"), version=2, editor="tab1"
        )
        assert sheet.status == SheetStatus.SUBMITTED
        assert services.sheet_total(sheet, s.panel.form.items) == D("87.15")
        log = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "judging.sheet_submitted"))
        assert log.after["总分"] == "87.15" and log.after["课堂教学"] == "86.50"
        with pytest.raises(SheetConflict, match="已提交并锁定"):
            services.save_sheet(a, city.judge, values(s.panel, "10"), version=sheet.version, editor="tab1")

    def test_other_tab_with_stale_version_gets_a_conflict_not_an_overwrite(self, city):
        s = preliminary_panel(city)
        a = s.appearance(0)
        services.save_sheet(a, city.judge, values(s.panel, "90"), version=None, editor="tabA")  # v1
        services.save_sheet(
            a, city.judge, values(s.panel, "91"), version=1, editor="tabB"
        )  # B loaded v1 → v2
        db.session.commit()
        with pytest.raises(SheetConflict, match="另一个页面或设备"):
            services.save_sheet(a, city.judge, values(s.panel, "50"), version=1, editor="tabA")
        db.session.rollback()
        sheet = services.find_sheet(s.panel.id, city.judge.id, a.entry_id)
        assert sheet.scores and {sc.value for sc in sheet.scores} >= {D("91")}

    def test_same_tab_stale_version_after_an_aborted_request_is_accepted(self, city):
        s = preliminary_panel(city)
        a = s.appearance(0)
        services.save_sheet(a, city.judge, values(s.panel, "90"), version=None, editor="tabA")  # v1
        services.save_sheet(
            a, city.judge, values(s.panel, "91"), version=1, editor="tabA"
        )  # v2, response lost
        sheet = services.save_sheet(a, city.judge, values(s.panel, "92", "80"), version=1, editor="tabA")
        assert sheet.version == 3

    def test_closed_panel_refuses_saves(self, city):
        s = preliminary_panel(city)
        s.panel.status = PanelStatus.CLOSED
        with pytest.raises(SheetConflict, match="不在评分中"):
            services.save_sheet(s.appearance(0), city.judge, values(s.panel, "90"), version=None, editor="t")

    def test_amend_by_head_with_reason_audited_before_after(self, city):
        s = preliminary_panel(city)
        other = s.judges[1]
        sheet = submit(s, other, 0, "90", "85", "88", "86.5")
        with pytest.raises(NotAllowed):
            services.amend_sheet(sheet, values(s.panel, "95"), reason="录入错误", by=s.judges[2])
        with pytest.raises(DomainError, match="必须填写原因"):
            services.amend_sheet(sheet, values(s.panel, "95"), reason=" ", by=city.judge)
        services.amend_sheet(sheet, values(s.panel, "95"), reason="书写技能录入错误", by=city.judge)  # head
        log = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "judging.sheet_amended"))
        assert log.before["书写技能"] == "90.00" and log.after["书写技能"] == "95.00"
        assert log.before["总分"] == "87.15" and log.after["总分"] == "87.65"
        assert log.reason == "书写技能录入错误" and log.actor_id == city.judge.id

    def test_unique_constraints_make_duplicates_impossible(self, city):
        s = preliminary_panel(city)
        sheet = submit(s, city.judge, 0, "90", "85", "88", "86.5")
        db.session.commit()
        with pytest.raises(sa.exc.IntegrityError):
            db.session.add(ScoreSheet(panel_id=s.panel.id, judge_id=city.judge.id, entry_id=sheet.entry_id))
            db.session.flush()
        db.session.rollback()
        with pytest.raises(sa.exc.IntegrityError):
            db.session.add(ItemScore(sheet_id=sheet.id, item_id=s.panel.form.items[0].id, value=D("1")))
            db.session.flush()


class TestSchoolForm:
    def test_school_adds_putonghua_and_reweights(self, city):
        s = preliminary_panel(city, open_=False)
        items = [
            ("书写技能", D("10"), D("100")),
            ("学科经典案例展示", D("10"), D("100")),
            ("教学设计与科技运用", D("25"), D("100")),
            ("课堂教学", D("45"), D("100")),
            ("普通话", D("10"), D("100")),
        ]
        form = services.save_school_form(s.stage, city.central, items, by=city.school_admin)
        db.session.refresh(s.panel)
        assert s.panel.form_id == form.id and [i.name for i in form.items][-1] == "普通话"
        with pytest.raises(DomainError, match="当前为 110%"):
            services.save_school_form(
                s.stage, city.central, items + [("朗读", D("10"), D("100"))], by=city.school_admin
            )
        with pytest.raises(DomainError, match="只有初赛"):
            services.save_school_form(
                s.competition.stage(StageKind.FINAL), city.central, items, by=city.city_admin
            )

    def test_final_featured_item_labelled_by_subject(self, city, f):
        """R-FORM-2: the final's featured item depends on the subject."""
        s = preliminary_panel(city, open_=False)
        forms = services.ensure_default_forms(s.competition)
        featured = next(i for i in forms[StageKind.FINAL].items if i.is_featured)
        assert (
            featured.label_for(f.subject(s.competition, Level.PRIMARY, "音乐")) == "特色项目展示（乐器演奏）"
        )
        assert (
            featured.label_for(f.subject(s.competition, Level.JUNIOR, "历史")) == "特色项目展示（即兴演讲）"
        )
        assert featured.label_for(s.subject) == "特色项目展示（教学设计展示）"


class TestStageResults:
    def test_results_only_with_minimum_sheets_and_ranked(self, city):
        s = preliminary_panel(city, judges=3, entries=3)
        j = s.judges
        submit(s, j[0], 0, "90", "90", "90", "90")
        submit(s, j[1], 0, "80", "80", "80", "80")
        results = {r.entry_id: r for r in stage_results(s.stage)}
        first = s.appearance(0).entry_id
        assert results[first].aggregate is None and results[first].sheets_submitted == 2
        submit(s, j[2], 0, "85", "85", "85", "86")  # 85.5
        # second teacher: 85.15 from all three
        for judge in j:
            submit(s, judge, 1, "85", "85", "85", "85.3")
        # a draft does not count
        services.save_sheet(
            s.appearance(2), j[0], values(s.panel, "99", "99", "99", "99"), version=None, editor="x"
        )
        db.session.commit()
        results = {r.entry_id: r for r in stage_results(s.stage)}
        # (90 + 80 + 85.5) / 3 = 85.1666… → 85.17
        assert results[first].aggregate == D("85.17") and results[first].rank == 1
        second = results[s.appearance(1).entry_id]
        assert second.aggregate == D("85.15") and second.rank == 2
        # item aggregates highest weight first: 课堂教学 50% → (45 + 40 + 43) / 3 = 42.67
        assert results[first].item_aggregates[0] == D("42.67")
        third = results[s.appearance(2).entry_id]
        assert third.aggregate is None and third.rank is None and third.sheets_submitted == 0
        assert [r.entry_id for r in stage_results(s.stage, entry_ids=[first])] == [first]
        # unranked (the room display): the same aggregate from that teacher's rows alone, no rank
        only = stage_results(s.stage, entry_ids=[first], ranked=False)
        assert [(r.entry_id, r.aggregate, r.rank, r.item_aggregates) for r in only] == [
            (first, D("85.17"), None, results[first].item_aggregates)
        ]

    def test_five_judges_trimmed_and_tie_broken_by_heaviest_item(self, city):
        s = preliminary_panel(city, judges=5, entries=2)
        # teacher A: totals 70, 80, 85, 90, 99 → trimmed mean 85
        for judge, score in zip(s.judges, ["70", "80", "85", "90", "99"]):
            submit(s, judge, 0, score, score, score, score)
        # teacher B: 85 each, but 课堂教学 lower (84) and 设计 higher (86.6667)… keep exact: 书写 90, 设计 85, 课堂 84
        # 9 + 8.5 + 25.5 + 42 = 85.0
        for judge in s.judges:
            submit(s, judge, 1, "90", "85", "85", "84")
        db.session.commit()
        results = {r.entry_id: r for r in stage_results(s.stage)}
        a, b = results[s.appearance(0).entry_id], results[s.appearance(1).entry_id]
        assert a.aggregate == b.aggregate == D("85.00")
        assert a.item_aggregates[0] == D("42.50") and b.item_aggregates[0] == D("42.00")
        assert (a.rank, b.rank) == (1, 2)

    def test_four_judges_ties_at_each_tie_break_level(self, city):
        """R-RANK-1 worked example: every teacher totals 85.00; items by weight 课堂 50, 设计 30, 书写 10, 案例 10."""
        s = preliminary_panel(city, judges=4, entries=5)
        sheets = {  # 书写, 案例, 设计, 课堂 — the same from each judge except where a list varies them
            0: ("80", "80", "80", ["88", "92", "90", "90"]),  # 8 + 8 + 24 + 45: 课堂 45, 设计 24, 书写 8
            1: ("90", "70", "80", ["90"] * 4),  # 9 + 7 + 24 + 45: equal to 0 on 课堂 and 设计, ahead on 书写
            2: ("95", "95", "70", ["90"] * 4),  # 9.5 + 9.5 + 21 + 45: equal on 课堂, behind on 设计
            3: ("80", "80", "80", ["90"] * 4),  # exactly like 0: the same rank
            4: ("100", "100", "90", ["76"] * 4),  # 10 + 10 + 27 + 38: behind on 课堂 already
        }
        for index, (a, b, c, d) in sheets.items():
            for judge, classroom in zip(s.judges, d):
                submit(s, judge, index, a, b, c, classroom)
        db.session.commit()
        results = {r.entry_id: r for r in stage_results(s.stage)}
        rows = [results[s.appearance(i).entry_id] for i in range(5)]
        assert {r.aggregate for r in rows} == {D("85.00")}
        assert [r.rank for r in rows] == [2, 1, 4, 2, 5]  # 1, 2, 2, 4, 5
        assert rows[0].item_aggregates == (D("45.00"), D("24.00"), D("8.00"), D("8.00"))

    def test_seven_judges_trim_one_highest_and_one_lowest(self, city):
        s = preliminary_panel(city, judges=7, entries=1)
        for judge, score in zip(s.judges, ["99", "82", "60", "85", "83", "86", "84"]):
            submit(s, judge, 0, score, score, score, score)
        db.session.commit()
        (result,) = stage_results(s.stage)
        # 99 and 60 dropped: (82 + 85 + 83 + 86 + 84) / 5 = 84
        assert result.aggregate == D("84.00") and result.sheets_submitted == 7 and result.rank == 1
        assert result.item_aggregates[0] == D("42.00")  # 课堂 50%: its own highest and lowest dropped too


def test_r_x_1_what_a_judge_may_know_of_a_teacher(city):
    """R-X-1: name and school on an open stage; nothing (not even the organising school) on a blind one."""
    s = preliminary_panel(city)
    teacher = s.appearance(0).entry
    assert services.identity_for_judge(teacher, s.stage) == services.Identity(
        teacher.name, teacher.school.name
    )
    assert services.venue_for_judge(s.panel) == s.panel.unit_school.name
    s.stage.blind = True
    assert services.identity_for_judge(teacher, s.stage) is None
    assert services.venue_for_judge(s.panel) is None
