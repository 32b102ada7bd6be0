"""R-SCORE-3 暂定: until every judge of the panel has submitted for a teacher, the aggregate is
provisional wherever it is shown — results, panel page, room display (R-X-3), advancement."""

from decimal import Decimal as D

from app.advancement import services as advancement
from app.advancement.models import AdvancementUnit
from app.competitions.models import StageKind
from app.extensions import db
from app.judging import services
from app.judging.models import PanelStatus
from app.judging.results import stage_results
from tests.judging.helpers import preliminary_panel, values

HX = {"HX-Request": "true"}


def _five_judges(city, **settings):
    """Five judges (minimum three): teacher 1 has 3 of 5 sheets, teacher 2 all 5, teacher 3 none."""
    s = preliminary_panel(city, judges=5, **settings)
    for judge, score in zip(s.judges[:3], ("80", "90", "85")):
        services.submit_sheet(s.appearance(0), judge, values(s.panel, *[score] * 4), version=None, editor="x")
    for judge, score in zip(s.judges, ("70", "80", "85", "90", "99")):
        services.submit_sheet(s.appearance(1), judge, values(s.panel, *[score] * 4), version=None, editor="x")
    db.session.commit()
    return s


def test_r_score_3_results_say_provisional_until_every_judge_has_submitted(city):
    s = _five_judges(city)
    results = {r.entry_id: r for r in stage_results(s.stage)}
    three, five, none = (results[s.appearance(i).entry_id] for i in range(3))
    assert (three.aggregate, three.sheets_submitted, three.provisional) == (D("85.00"), 3, True)
    assert (five.aggregate, five.provisional) == (D("85.00"), False)  # (80 + 85 + 90) / 3, trimmed
    assert (none.aggregate, none.provisional) == (None, False)  # no result at all, nothing to mark
    only = stage_results(s.stage, entry_ids=[three.entry_id], ranked=False)
    assert [r.provisional for r in only] == [True]


def test_r_score_3_panel_page_marks_the_provisional_aggregate(city, client, login):
    s = _five_judges(city)
    login(city.city_admin)
    for headers in ({}, HX):  # the page and its 10-second poll
        html = client.get(f"/judging/panels/{s.panel.id}", headers=headers).get_data(as_text=True)
        rows = html.split("<tr")
        row = {i: next(r for r in rows if f">{s.appearance(i).entry.name}<" in r) for i in range(2)}
        assert "85.00" in row[0] and "暂定" in row[0]
        assert "85.00" in row[1] and "暂定" not in row[1]


def test_r_x_3_display_announces_only_the_final_figure_and_says_when_the_panel_has_finished(city, client):
    s = _five_judges(city)
    s.stage.live_display = s.stage.announce_scores = True
    db.session.commit()
    html = client.get(f"/display/panels/{s.panel.id}", headers=HX).get_data(as_text=True)
    assert "1号" in html and "评分中" in html and "85.00" not in html  # 3 of 5: not announced
    services.set_current(s.panel, 2, by=city.city_admin)
    db.session.commit()
    html = client.get(f"/display/panels/{s.panel.id}", headers=HX).get_data(as_text=True)
    assert "2号" in html and "85.00" in html and "暂定" not in html
    services.set_status(s.panel, PanelStatus.CLOSED, by=city.city_admin)
    db.session.commit()
    html = client.get(f"/display/panels/{s.panel.id}").get_data(as_text=True)
    assert "本组评分已结束" in html and "当前选手" not in html and "2号" not in html


def test_r_score_3_advancement_suggestions_mark_the_provisional_aggregate(city, client, login):
    s = _five_judges(city)
    semifinal = s.competition.stage(StageKind.SEMIFINAL)
    advancement.freeze_quotas(semifinal, by=city.city_admin)
    db.session.commit()
    unit = (
        db.session.query(AdvancementUnit)
        .filter_by(stage_id=semifinal.id, unit_school_id=city.central.id)
        .one()
    )
    flags = {c.entry.id: (c.aggregate, c.provisional) for c in advancement.candidates(unit)}
    assert flags[s.appearance(0).entry_id] == (D("85.00"), True)
    assert flags[s.appearance(1).entry_id] == (D("85.00"), False)
    login(city.school_admin)
    html = client.get(f"/advancement/units/{unit.id}").get_data(as_text=True)
    rows = html.split("<tr")
    assert "暂定" in next(r for r in rows if f">{s.appearance(0).entry.name}<" in r)
    assert "暂定" not in next(r for r in rows if f">{s.appearance(1).entry.name}<" in r)
