"""Judging screens: the judge's flow (R-SCORE-2, R-X-1), organisers (scope R-ROLE-1, R-XLS-1), R-X-2, R-X-3."""

import io
import json
import re
from datetime import timedelta
from decimal import Decimal as D

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.audit.models import AuditEntry
from app.draws.models import Draw
from app.errors import DomainError
from app.extensions import db
from app.judging import services, signin
from app.judging.models import ItemScore, Panel, ScoreSheet, SheetStatus, SignInCode
from app.roles import Role
from app.timeutil import utcnow
from tests.draws.helpers import EVENT_AT, beijing_form, move_clock
from tests.judging.helpers import preliminary_panel, values
from tests.querycount import count_queries

HX = {"HX-Request": "true"}


def _form(setup, *scores, version=0, editor="tab1"):
    return {**values(setup.panel, *scores), "version": str(version), "editor": editor}


def _db_values(sheet_id):
    return [
        v
        for (v,) in db.session.execute(
            sa.select(ItemScore.value).where(ItemScore.sheet_id == sheet_id).order_by(ItemScore.item_id)
        )
    ]


class TestJudgeFlow:
    def test_queue_in_order_with_status(self, city, client, login):
        s = preliminary_panel(city)
        services.save_sheet(s.appearance(1), city.judge, values(s.panel, "90"), version=None, editor="x")
        db.session.commit()
        login(city.judge)
        html = client.get("/judging/my").get_data(as_text=True)
        assert html.index("1号") < html.index("2号") < html.index("3号")
        assert html.count("未评") == 2 and html.count("草稿") == 1

    def test_blind_stage_hides_name_and_school_from_the_judge(self, city, client, login):
        s = preliminary_panel(city)
        s.stage.blind = True
        other = services.submit_sheet(
            s.appearance(0), s.judges[1], values(s.panel, "90", "90", "90", "90"), version=None, editor="x"
        )
        db.session.commit()
        login(city.judge)  # the panel head: also sees the others' sheets
        pages = [
            client.get(url)
            for url in ["/judging/my", f"/judging/score/{s.appearance(0).id}", f"/judging/sheets/{other.id}"]
        ]
        pages.append(
            client.post(
                f"/judging/score/{s.appearance(0).id}/autosave",
                data={**values(s.panel, "88"), "version": "0", "editor": "t"},
                headers=HX,
            )
        )
        for response in pages:
            assert response.status_code == 200
            html = response.get_data(as_text=True)
            for e in s.entries:
                assert e.name not in html
            assert "青石镇中心小学" not in html and "前村小学" not in html
        s.stage.blind = False
        db.session.commit()
        assert s.appearance(0).entry.name in client.get(f"/judging/score/{s.appearance(0).id}").get_data(
            as_text=True
        )

    def test_autosave_returns_only_the_status_with_the_server_total(self, city, client, login):
        s = preliminary_panel(city)
        login(city.judge)
        a = s.appearance(0)
        r = client.post(
            f"/judging/score/{a.id}/autosave", data=_form(s, "90", "85", "88", "86.5"), headers=HX
        )
        assert r.status_code == 200
        html = r.get_data(as_text=True)
        assert html.lstrip().startswith('<div id="sheet-status"') and "87.15" in html
        assert 'name="version" value="1"' in html
        sheet = db.session.scalar(sa.select(ScoreSheet))
        assert _db_values(sheet.id) == [D("90"), D("85"), D("88"), D("86.5")]

    def test_bad_value_422_changes_nothing(self, city, client, login):
        s = preliminary_panel(city)
        login(city.judge)
        a = s.appearance(0)
        client.post(f"/judging/score/{a.id}/autosave", data=_form(s, "90"), headers=HX)
        r = client.post(f"/judging/score/{a.id}/autosave", data=_form(s, "95", "120", version=1), headers=HX)
        assert r.status_code == 422 and "0 到 100 之间" in r.get_data(as_text=True)
        assert _db_values(db.session.scalar(sa.select(ScoreSheet.id)))[0] == D("90")

    def test_two_tabs_conflict_409_with_a_reload_offer(self, city, client, login):
        s = preliminary_panel(city)
        login(city.judge)
        a = s.appearance(0)
        client.post(f"/judging/score/{a.id}/autosave", data=_form(s, "90", editor="A"), headers=HX)
        client.post(f"/judging/score/{a.id}/autosave", data=_form(s, "91", version=1, editor="B"), headers=HX)
        r = client.post(
            f"/judging/score/{a.id}/autosave", data=_form(s, "50", version=1, editor="A"), headers=HX
        )
        assert r.status_code == 409
        assert "另一个页面或设备" in r.get_data(as_text=True) and "重新载入" in r.get_data(as_text=True)
        # the answer keeps the stale version: sending the same form again conflicts again, never overwrites
        assert 'name="version" value="1"' in r.get_data(as_text=True)
        r = client.post(
            f"/judging/score/{a.id}/autosave", data=_form(s, "50", version=1, editor="A"), headers=HX
        )
        assert r.status_code == 409
        assert _db_values(db.session.scalar(sa.select(ScoreSheet.id)))[0] == D("91")

    def test_submit_locks_and_later_posts_are_refused(self, city, client, login):
        s = preliminary_panel(city)
        login(city.judge)
        a = s.appearance(0)
        r = client.post(f"/judging/score/{a.id}/submit", data=_form(s, "90", "85", "88", "86.5"))
        assert r.status_code == 303
        html = client.get(f"/judging/score/{a.id}").get_data(as_text=True)
        assert "已提交" in html and "readonly" in html and "autosave" not in html
        for url in (
            f"/judging/score/{a.id}/autosave",
            f"/judging/score/{a.id}/submit",
            f"/judging/score/{a.id}",
        ):
            r = client.post(url, data=_form(s, "10", "10", "10", "10", version=99), headers=HX)
            assert r.status_code == 409, url
        assert _db_values(db.session.scalar(sa.select(ScoreSheet.id))) == [
            D("90"),
            D("85"),
            D("88"),
            D("86.5"),
        ]

    def test_r_score_2_htmx_submit_answers_the_locked_status_at_once(self, city, client, login):
        """R-SCORE-2: the tablet's submit gets the locked status area back (no redirect, no flash left over)."""
        s = preliminary_panel(city)
        login(city.judge)
        a = s.appearance(0)
        r = client.post(
            f"/judging/score/{a.id}/submit", data=_form(s, "60", "93.25", "63", "86.5"), headers=HX
        )
        html = r.get_data(as_text=True)
        assert r.status_code == 200 and html.lstrip().startswith('<div id="sheet-status"')
        assert 'data-locked="true"' in html and "已提交" in html and "77.48" in html
        assert db.session.scalar(sa.select(ScoreSheet.status)) == SheetStatus.SUBMITTED
        assert "已提交并锁定" not in client.get("/judging/my").get_data(as_text=True)

    def test_submit_incomplete_is_refused_and_nothing_locked(self, city, client, login):
        s = preliminary_panel(city)
        login(city.judge)
        r = client.post(f"/judging/score/{s.appearance(0).id}/submit", data=_form(s, "90"))
        assert r.status_code == 422 and "还有项目未打分" in r.get_data(as_text=True)
        assert (
            db.session.scalar(
                sa.select(sa.func.count(ScoreSheet.id)).where(ScoreSheet.status == SheetStatus.SUBMITTED)
            )
            == 0
        )

    def test_judge_of_another_panel_gets_403_and_changes_nothing(self, city, client, login, f):
        s = preliminary_panel(city)
        outsider = f.gen_user(Role.JUDGE, school=city.other_school)
        db.session.commit()
        login(outsider)
        a = s.appearance(0)
        assert client.get(f"/judging/score/{a.id}").status_code == 403
        assert client.post(f"/judging/score/{a.id}/autosave", data=_form(s, "90")).status_code == 403
        assert db.session.scalar(sa.select(sa.func.count(ScoreSheet.id))) == 0

    def test_judge_cannot_open_another_judges_sheet(self, city, client, login):
        s = preliminary_panel(city)
        sheet = services.submit_sheet(
            s.appearance(0), s.judges[1], values(s.panel, "1", "2", "3", "4"), version=None, editor="x"
        )
        db.session.commit()
        login(s.judges[2])  # same panel, not the head
        assert client.get(f"/judging/sheets/{sheet.id}").status_code == 403
        login(city.judge)  # the head may open and amend
        assert client.get(f"/judging/sheets/{sheet.id}").status_code == 200

    def test_amend_needs_reason_then_is_audited(self, city, client, login):
        s = preliminary_panel(city)
        sheet = services.submit_sheet(
            s.appearance(0), s.judges[1], values(s.panel, "90", "85", "88", "86.5"), version=None, editor="x"
        )
        db.session.commit()
        login(city.district_admin)
        r = client.post(
            f"/judging/sheets/{sheet.id}", data={**values(s.panel, "95", "85", "88", "86.5"), "reason": ""}
        )
        assert r.status_code == 422 and "必须填写原因" in r.get_data(as_text=True)
        r = client.post(
            f"/judging/sheets/{sheet.id}",
            data={**values(s.panel, "95", "85", "88", "86.5"), "reason": "书写技能登记错误"},
        )
        assert r.status_code == 303
        log = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "judging.sheet_amended"))
        assert (log.before["总分"], log.after["总分"]) == ("87.15", "87.65")
        login(city.other_district_admin)
        assert (
            client.post(
                f"/judging/sheets/{sheet.id}", data={**values(s.panel, "1"), "reason": "xx"}
            ).status_code
            == 403
        )


class TestOrganisers:
    def test_index_lists_panels_in_scope_only(self, city, client, login):
        s = preliminary_panel(city)
        login(city.school_admin)
        assert s.panel.name in client.get("/judging/").get_data(as_text=True)
        login(city.other_district_admin)
        assert s.panel.name not in client.get("/judging/").get_data(as_text=True)
        assert client.get(f"/judging/panels/{s.panel.id}").status_code == 403
        login(city.affiliate_admin)
        assert client.get(f"/judging/panels/{s.panel.id}").status_code == 403

    def test_index_poll_answers_the_rows_it_selects(self, city, client, login):
        """The list polls every 15 s with hx-select="#panel-rows": the fragment must carry that element."""
        s = preliminary_panel(city)
        login(city.district_admin)
        with count_queries() as page_queries:
            page = client.get("/judging/").get_data(as_text=True)
        with count_queries() as poll_queries:
            rows = client.get("/judging/", headers=HX).get_data(as_text=True)
        assert 'hx-select="#panel-rows"' in page
        assert rows.lstrip().startswith('<tbody id="panel-rows">') and s.panel.name in rows
        assert len(poll_queries) < len(page_queries)  # no create-panel options for a poll

    def test_out_of_scope_assignment_403_changes_nothing(self, city, client, login, f):
        s = preliminary_panel(city, open_=False)
        extra = f.gen_user(Role.JUDGE, school=city.other_school)
        db.session.commit()
        login(city.other_district_admin)
        assert (
            client.post(f"/judging/panels/{s.panel.id}/judges", data={"user_id": extra.id}).status_code == 403
        )
        assert len(db.session.get(Panel, s.panel.id).judges) == 3

    def test_recusal_refused_with_reason_in_the_page(self, city, client, login, f):
        s = preliminary_panel(city, open_=False)
        own = f.gen_user(Role.JUDGE, school=city.central)
        db.session.commit()
        login(city.district_admin)
        r = client.post(f"/judging/panels/{s.panel.id}/judges", data={"user_id": own.id})
        assert r.status_code == 422 and "须回避" in r.get_data(as_text=True)

    def test_panel_page_progress_results_spread_in_few_queries(self, city, client, login):
        s = preliminary_panel(city)
        for judge, score in zip(s.judges, ["80", "90", "100"]):
            services.submit_sheet(
                s.appearance(0), judge, values(s.panel, score, score, score, score), version=None, editor="x"
            )
        db.session.commit()
        login(city.district_admin)
        html = client.get(f"/judging/panels/{s.panel.id}").get_data(as_text=True)
        assert "90.00" in html  # the aggregate
        assert "+10.00" in html and "-10.00" in html  # judge spread
        with count_queries() as poll_queries:
            poll = client.get(f"/judging/panels/{s.panel.id}", headers=HX).get_data(as_text=True)
        assert "90.00" in poll and "+10.00" in poll and "<html" not in poll
        # the poll does not list the candidate judges again
        assert not any("FROM users" in q and "users.role" in q.split("WHERE")[-1] for q in poll_queries)

    def test_panel_page_and_exports_never_query_per_row(self, city, client, login):
        small, large = preliminary_panel(city, entries=2), preliminary_panel(city, entries=8)
        login(city.city_admin)
        for page in ("", "/sheets.xlsx", "/spread.xlsx"):
            counts = []
            for s in (small, large):
                with count_queries() as hits:
                    assert client.get(f"/judging/panels/{s.panel.id}{page}").status_code == 200
                counts.append(len(hits))
            assert counts[0] == counts[1], page

    def test_exports(self, city, client, login):
        s = preliminary_panel(city)
        services.submit_sheet(
            s.appearance(0), city.judge, values(s.panel, "90", "85", "88", "86.5"), version=None, editor="x"
        )
        db.session.commit()
        login(city.district_admin)
        r = client.get(f"/judging/panels/{s.panel.id}/sheets.xlsx")
        ws = load_workbook(io.BytesIO(r.data)).active
        rows = list(ws.iter_rows(values_only=True))
        assert rows[0][:6] == ("出场序号", "参赛号", "姓名", "学校", "评委", "状态")
        assert rows[1][-2] == 87.15 and rows[1][6] == 90  # numbers, shown 0.00 (R-XLS-1)
        r = client.get("/judging/panels.xlsx")
        assert (
            list(load_workbook(io.BytesIO(r.data)).active.iter_rows(values_only=True))[1][1] == s.panel.name
        )
        services.submit_sheet(
            s.appearance(0), s.judges[1], values(s.panel, "80", "80", "80", "80"), version=None, editor="y"
        )
        db.session.commit()
        r = client.get(f"/judging/panels/{s.panel.id}/spread.xlsx")
        rows = list(load_workbook(io.BytesIO(r.data)).active.iter_rows(values_only=True))
        # 87.15 and 80: panel mean 83.575 → the first judge +3.575 → +3.58, the second −3.58
        assert rows[0] == ("评委", "所在学校", "已提交", "平均分", "平均偏差")
        assert [row[2:] for row in rows[1:3]] == [(1, 87.15, 3.58), (1, 80, -3.58)]

    def test_create_panel_and_open_requires_minimum(self, city, client, login, f):
        s = preliminary_panel(city, open_=False)
        login(city.school_admin)
        r = client.post(
            "/judging/panels",
            data={
                "stage_id": s.stage.id,
                "subject_id": s.subject.id,
                "group": "senior",
                "unit_school_id": city.central.id,
            },
        )
        assert r.status_code == 303
        new = db.session.scalar(sa.select(Panel).order_by(Panel.id.desc()))
        r = client.post(f"/judging/panels/{new.id}/status", data={"status": "open"})
        assert r.status_code == 422 and "至少需要 3 名评委" in r.get_data(as_text=True)

    def test_school_form_refuses_weights_not_100(self, city, client, login):
        s = preliminary_panel(city, open_=False)
        login(city.school_admin)
        assert client.get(f"/judging/forms/{s.stage.id}").status_code == 200
        data = {
            "name": ["书写技能", "课堂教学", "普通话"],
            "weight": ["10", "80", "20"],
            "max_points": ["100"] * 3,
        }
        r = client.post(f"/judging/forms/{s.stage.id}", data=data)
        assert r.status_code == 422 and "当前为 110%" in r.get_data(as_text=True)
        data["weight"] = ["10", "70", "20"]
        assert client.post(f"/judging/forms/{s.stage.id}", data=data).status_code == 303
        login(city.affiliate_admin)
        assert (
            client.post(f"/judging/forms/{s.stage.id}?school={city.central.id}", data=data).status_code == 403
        )


class TestQrSignIn:
    """R-X-2: single-use, expiring, PIN, rate-limited."""

    def test_print_codes_then_sign_in_once(self, city, client, login, app):
        s = preliminary_panel(city)
        login(city.district_admin)
        html = client.post(f"/judging/panels/{s.panel.id}/codes").get_data(as_text=True)
        assert html.count("<svg") == 3
        token = re.search(r"/judge/signin/([\w-]+)", html).group(1)
        pins = re.findall(r"PIN：<strong>(\d{6})</strong>", html)
        code = db.session.scalar(
            sa.select(SignInCode).where(SignInCode.token_hash == signin.token_hash(token))
        )
        assert token not in str(code.token_hash)  # only the hash is stored
        client.post("/logout")
        pin = next(p for p in pins if signin.check_password_hash(code.pin_hash, p))
        r = client.post(f"/judge/signin/{token}", data={"pin": "000000" if pin != "000000" else "111111"})
        assert r.status_code == 422 and "还可以再试 4 次" in r.get_data(as_text=True)
        r = client.post(f"/judge/signin/{token}", data={"pin": pin})
        assert r.status_code == 303 and r.headers["Location"].endswith("/judging/my")
        assert client.get("/judging/my").status_code == 200
        assert "已使用过" in client.get(f"/judge/signin/{token}").get_data(as_text=True)

    def test_expired_code_refused(self, city, client, login):
        s = preliminary_panel(city)
        codes = signin.issue_codes(s.panel, by=city.city_admin, now=utcnow() - timedelta(days=2))
        db.session.commit()
        r = client.post(f"/judge/signin/{codes[0].token}", data={"pin": codes[0].pin})
        assert r.status_code == 410 and "已失效" in r.get_data(as_text=True)

    def test_issuing_codes_is_audited_under_the_units_district(self, city):
        s = preliminary_panel(city)
        signin.issue_codes(s.panel, by=city.city_admin)
        entry = db.session.scalar(
            sa.select(AuditEntry).where(AuditEntry.action == "judging.signin_codes_issued")
        )
        assert (entry.district_id, entry.school_id) == (city.central.district_id, city.central.id)

    def test_a_code_spent_on_another_device_meanwhile_is_refused(self, city):
        s = preliminary_panel(city)
        issued = signin.issue_codes(s.panel, by=city.city_admin)[0]
        db.session.commit()
        code = signin.find_code(issued.token)
        # the other tablet redeems it between this request's lookup and its own redeem
        db.session.execute(
            sa.update(SignInCode)
            .where(SignInCode.id == code.id)
            .values(used_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        with pytest.raises(DomainError, match="已使用过"):
            signin.redeem(code, issued.pin)

    def test_end_of_beijing_day(self):
        from datetime import datetime

        # 2026-11-24 15:59 UTC is 23:59 in Beijing → expires 16:00 UTC; 16:00 UTC is the next Beijing day
        assert signin.end_of_beijing_day(datetime(2026, 11, 24, 15, 59)) == datetime(2026, 11, 24, 16, 0)
        assert signin.end_of_beijing_day(datetime(2026, 11, 24, 16, 0)) == datetime(2026, 11, 25, 16, 0)

    def test_attempts_rate_limited(self, city, client, rate_limits_on):
        s = preliminary_panel(city)
        codes = signin.issue_codes(s.panel, by=city.city_admin)
        db.session.commit()
        statuses = [
            client.post(f"/judge/signin/{codes[0].token}", data={"pin": "x"}).status_code for _ in range(6)
        ]
        assert statuses[-1] == 429


class TestLiveDisplay:
    """R-X-3: public, opt-in, the aggregate only once all sheets are in and only with 当场亮分."""

    def test_display(self, city, client):
        s = preliminary_panel(city)
        assert client.get(f"/display/panels/{s.panel.id}").status_code == 404  # not opted in
        s.stage.live_display = True
        s.stage.announce_scores = True
        db.session.commit()
        html = client.get(f"/display/panels/{s.panel.id}").get_data(as_text=True)
        assert "1号" in html and "every 3s" in html and "评分中" in html
        assert s.appearance(0).entry.name not in html
        for judge in s.judges[:2]:
            services.submit_sheet(
                s.appearance(0), judge, values(s.panel, "90", "90", "90", "90"), version=None, editor="x"
            )
        db.session.commit()
        assert "最后得分" not in client.get(f"/display/panels/{s.panel.id}", headers=HX).get_data(
            as_text=True
        )
        services.submit_sheet(
            s.appearance(0), s.judges[2], values(s.panel, "81", "81", "81", "81"), version=None, editor="x"
        )
        db.session.commit()
        html = client.get(f"/display/panels/{s.panel.id}", headers=HX).get_data(as_text=True)
        assert "87.00" in html and "<html" not in html


def test_order_draw_values_typed_with_spaces_or_commas_form_the_same_key(client, login, city, monkeypatch):
    """R-PANEL-2 / R-DRAW-1: one parser of source values for every draw — "3 11 17" is three numbers;
    the order draw is refused before its announced event time and performs only from its confirmation."""
    keys = []
    for day, typed in enumerate(("3 11 17", "3，11、17")):
        event = EVENT_AT + timedelta(days=day)
        move_clock(monkeypatch, event - timedelta(days=1))
        s = preliminary_panel(city, entries=4, open_=False)
        s.panel.draw_id = None
        db.session.commit()
        login(city.city_admin)
        announce = {"step": "announce", "sources": "现场掷骰子", **beijing_form(event)}
        assert client.post(f"/judging/panels/{s.panel.id}/draw", data=announce).status_code == 303
        draw_form = {"step": "draw", "values": typed}
        early = client.post(f"/judging/panels/{s.panel.id}/draw", data={**draw_form, "confirm": "1"})
        assert early.status_code == 422 and "此前不能抽签" in early.get_data(as_text=True)
        move_clock(monkeypatch, event)
        shown = client.post(f"/judging/panels/{s.panel.id}/draw", data=draw_form)
        page = shown.get_data(as_text=True)
        assert shown.status_code == 200 and "3.11.17./" in page and "确认抽签" in page
        assert db.session.get(Draw, db.session.get(Panel, s.panel.id).draw_id).record_json is None
        confirmed = {"step": "draw", "source-0": typed, "confirm": "1"}  # what the confirmation re-posts
        assert client.post(f"/judging/panels/{s.panel.id}/draw", data=confirmed).status_code == 303
        draw = db.session.get(Draw, db.session.get(Panel, s.panel.id).draw_id)
        keys.append(json.loads(draw.record_json)["key"])
    assert keys == ["3.11.17./", "3.11.17./"]
