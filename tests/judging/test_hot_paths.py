"""Hot paths of the judging day: autosave and the judge's queue in a fixed, small number of SQL
statements, whatever the number of panels or teachers (R-SCORE-2)."""

from app.extensions import db
from app.judging import services
from app.judging.models import PanelStatus
from tests.judging.helpers import preliminary_panel, values
from tests.querycount import count_queries

HX = {"HX-Request": "true"}


def _queue_statements(client):
    with count_queries() as hits:
        assert client.get("/judging/my").status_code == 200
    return hits


def test_r_score_2_judge_queue_statements_do_not_grow_with_the_panels(city, client, login):
    first = preliminary_panel(city, entries=2)
    services.save_sheet(first.appearance(0), city.judge, values(first.panel, "90"), version=None, editor="x")
    db.session.commit()
    login(city.judge)
    one = _queue_statements(client)
    for n in range(4):  # more panels, open and finished, with more teachers and sheets
        s = preliminary_panel(city, entries=5)
        services.submit_sheet(
            s.appearance(0), city.judge, values(s.panel, "90", "90", "90", "90"), version=None, editor="x"
        )
        services.submit_sheet(
            s.appearance(1), s.judges[1], values(s.panel, "80", "80", "80", "80"), version=None, editor="x"
        )
        if n % 2:
            services.set_status(s.panel, PanelStatus.CLOSED, by=city.city_admin)
    db.session.commit()
    five = _queue_statements(client)
    assert len(five) == len(one)
    assert len(five) <= 4, five  # the signed-in user, the panels, their appearances, the sheets


def test_r_score_2_autosave_statements(city, client, login):
    """Autosave: the user, the appearance with its panel, form, items and the judge's sheet with its
    scores (one round trip), the version compare-and-set, and one batched UPDATE of the changed items:
    three statements of judging's own for a sheet of any size, in a city of any size."""
    s = preliminary_panel(city)
    login(city.judge)
    url = f"/judging/score/{s.appearance(0).id}/autosave"
    client.post(url, data={**values(s.panel, "90"), "version": "0", "editor": "t"}, headers=HX)
    form = {**values(s.panel, "91", "80", "70"), "version": "1", "editor": "t"}
    with count_queries() as hits:
        assert client.post(url, data=form, headers=HX).status_code == 200
    # the signed-in user is loaded once (by primary key, auth's loader; the answer's headers read the
    # session, not the expired user row); judging's own part is one read and the two writes of the save
    ours = [q for q in hits if "FROM users" not in q]
    assert len(hits) - len(ours) == 1
    assert len(hits) == 4
    kinds = [q.split()[0] for q in ours]
    assert kinds == ["SELECT", "UPDATE", "UPDATE"], ours
    assert ours[1].startswith("UPDATE score_sheets") and "RETURNING" in ours[1]  # the compare-and-set


def test_judging_forms_keep_csrf_on(city, client, login, csrf_on):
    """The judging forms (Flask-WTF) refuse a POST without the token, and change nothing."""
    s = preliminary_panel(city, open_=False)
    login(city.city_admin)
    before = len(s.panel.judges)
    extra = s.judges[1]
    assert client.post(f"/judging/panels/{s.panel.id}/judges", data={"user_id": extra.id}).status_code == 400
    url = f"/judging/score/{s.appearance(0).id}/autosave"
    login(city.judge)
    assert client.post(url, data={**values(s.panel, "90"), "version": "0"}, headers=HX).status_code == 400
    db.session.expire_all()
    assert len(s.panel.judges) == before
