"""R-COMP-1 / R-COMP-2: competitions with stages, deadlines, subjects and every rule setting; the rules in force."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.audit.models import AuditEntry
from app.competitions import services
from app.competitions.models import Competition, Level, Rounding, StageKind, SubjectKind
from app.errors import DomainError
from app.extensions import db
from tests.querycount import count_queries


def _form(**overrides) -> dict:
    data = {
        "name": "2027年大赛",
        "year": "2027",
        "description": "",
        "preliminary_deadline": "2027-12-02",
        "semifinal_deadline": "2027-12-16",
        "final_deadline": "2027-12-30",
        "semifinal_blind": "y",
        "final_blind": "y",
        "final_announce_scores": "y",
        "youth_cutoff": "1981-01-01",
        "award_window_years": "4",
        "retire_male_before": "1966-09-01",
        "retire_female_before": "1971-09-01",
        "semifinal_ratio": "30",
        "semifinal_recommend_ratio": "60",
        "final_ratio": "10",
        "final_recommend_ratio": "60",
        "rounding": "largest_remainder",
        "panel_min_judges": "3",
        "trim_threshold": "5",
        "semifinal_first_ratio": "20",
        "semifinal_second_ratio": "30",
        "final_first_ratio": "20",
        "final_second_ratio": "30",
        "final_third_ratio": "50",
        "team_award_ratio": "20",
        "listing_days": "7",
        "objection_requires_identity": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_r_comp_1_defaults_are_the_seeds_values(app):
    competition = services.create_competition("赛事", 2026)
    assert [s.kind for s in competition.stages] == list(StageKind)
    assert (competition.youth_cutoff, competition.award_window_years) == (date(1980, 1, 1), 5)
    assert (competition.retire_male_before, competition.retire_female_before) == (
        date(1965, 9, 1),
        date(1970, 9, 1),
    )
    assert competition.semifinal_ratio == Decimal("0.30") and competition.rounding == Rounding.PER_UNIT
    assert [s.blind for s in competition.stages] == [False, True, True]


def test_r_comp_2_subjects_carry_their_level(app):
    competition = services.create_competition("赛事", 2026)
    labels = {s.label for s in competition.subjects}
    assert {"小学语文", "小学科学", "初中物理", "初中化学", "初中历史", "初中地理"} <= labels
    music = next(s for s in competition.subjects if s.label == "初中音乐")
    assert music.kind == SubjectKind.MUSIC and music.kind.featured_item == "乐器演奏"


def test_city_admin_creates_a_competition_with_every_setting(client, login, city):
    login(city.city_admin)
    page = client.get("/competitions/new")
    assert page.status_code == 200 and 'value="1980-01-01"' in page.text and 'value="30"' in page.text
    response = client.post("/competitions/new", data=_form())
    assert response.status_code == 303
    competition = db.session.scalar(sa.select(Competition))
    assert competition.youth_cutoff == date(1981, 1, 1) and competition.award_window_years == 4
    assert competition.rounding == Rounding.LARGEST_REMAINDER and competition.listing_days == 7
    assert competition.final_third_ratio == Decimal("0.5000")
    assert competition.stage(StageKind.PRELIMINARY).deadline == date(2027, 12, 2)
    assert (
        competition.stage(StageKind.FINAL).announce_scores
        and not competition.stage(StageKind.PRELIMINARY).blind
    )
    assert db.session.scalar(sa.select(AuditEntry.action)) == "competition.create"
    detail = client.get(response.headers["Location"])
    assert "1981年1月1日" in detail.text and "最大余数法" in detail.text and "初赛截止日期" in detail.text


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"semifinal_deadline": "2027-11-01"}, "依次为初赛、复赛、决赛"),
        ({"final_third_ratio": "60"}, "决赛各等奖比例之和不能超过 100%"),
        ({"semifinal_ratio": "130"}, "应在 0 至 100 之间"),
        ({"name": ""}, "请填写赛事名称"),
        ({"panel_min_judges": "0"}, "至少要有 1 名评委"),
    ],
)
def test_bad_settings_rerender_with_a_message_and_save_nothing(client, login, city, overrides, message):
    login(city.city_admin)
    response = client.post("/competitions/new", data=_form(**overrides))
    assert response.status_code == 422 and message in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Competition)) == 0


def test_edit_changes_settings_and_keeps_stages(client, login, city, f):
    competition = f.gen_competition()
    db.session.commit()
    login(city.city_admin)
    form = client.get(f"/competitions/{competition.id}/edit")
    assert 'value="测试赛事"' in form.text
    assert client.post(f"/competitions/{competition.id}/edit", data=_form(name="改名")).status_code == 303
    competition = db.session.get(Competition, competition.id)
    assert competition.name == "改名" and len(competition.stages) == 3


def test_rules_in_force_lists_deadlines_and_settings_without_private_data(app, f):
    competition = f.gen_competition(deadlines={StageKind.PRELIMINARY: date(2026, 12, 2)})
    rules = dict(services.rules_in_force(competition))
    assert rules["初赛截止日期"] == "2026年12月2日" and rules["复赛截止日期"] == "未定"
    assert rules["青年组出生日期界限（当日及以后出生为青年组）"] == "1980年1月1日"
    assert rules["复赛名额占初赛参赛人数比例"] == "30%"
    assert rules["复赛评审方式"].startswith("匿名评审")
    assert not any("R-" in label for label in rules)


def test_subjects_added_and_removed_only_while_unused(client, login, city, f):
    competition = f.gen_competition()
    entry = f.gen_entry(competition, city.central)
    db.session.commit()
    login(city.city_admin)
    assert (
        client.post(
            f"/competitions/{competition.id}/subjects",
            data={"level": "primary", "name": "书法", "kind": "art"},
        ).status_code
        == 303
    )
    duplicate = client.post(
        f"/competitions/{competition.id}/subjects", data={"level": "primary", "name": "书法", "kind": "art"}
    )
    assert duplicate.status_code == 422 and "已有“书法”" in duplicate.text
    used = client.post(f"/competitions/subjects/{entry.subject_id}/delete", follow_redirects=True)
    assert "不能删除该学科" in used.text
    calligraphy = next(s for s in db.session.get(Competition, competition.id).subjects if s.name == "书法")
    client.post(f"/competitions/subjects/{calligraphy.id}/delete")
    assert all(s.name != "书法" for s in db.session.get(Competition, competition.id).subjects)


def test_only_the_city_admin_changes_competitions(client, login, city, f):
    competition = f.gen_competition()
    db.session.commit()
    for user in (city.district_admin, city.school_admin):
        login(user)
        assert client.get(f"/competitions/{competition.id}").status_code == 200
        assert client.get(f"/competitions/{competition.id}/edit").status_code == 403
        assert client.post("/competitions/new", data=_form()).status_code == 403
    assert client.get(f"/competitions/{competition.id}/rules.xlsx").status_code == 200
    with pytest.raises(DomainError):
        services.add_subject(
            city.city_admin, competition, level=Level.PRIMARY, name="语文", kind=SubjectKind.OTHER
        )


def test_competition_list_and_its_export(client, login, city, f):
    f.gen_competition(name="甲赛事", deadlines={StageKind.PRELIMINARY: date(2026, 12, 2)})
    db.session.commit()
    login(city.school_admin)
    assert "甲赛事" in client.get("/competitions").text
    sheet = load_workbook(io.BytesIO(client.get("/competitions.xlsx").data)).active
    assert [c.value for c in sheet[2]] == [
        2026,
        "甲赛事",
        datetime(2026, 12, 2),
        "未定",
        "未定",
    ]  # a real date


def test_competition_list_loads_every_stage_at_once(client, login, city, f):
    """Each row shows three deadlines: the stages come in one query, not one per competition."""

    def statements(url: str) -> int:
        with count_queries() as seen:
            assert client.get(url).status_code == 200
        return len(seen)

    f.gen_competition(name="甲赛事")
    db.session.commit()
    login(city.city_admin)
    few = [statements("/competitions"), statements("/competitions.xlsx")]
    for year in (2027, 2028, 2029):
        f.gen_competition(name=f"{year}年大赛", year=year)
    db.session.commit()
    assert [statements("/competitions"), statements("/competitions.xlsx")] == few
