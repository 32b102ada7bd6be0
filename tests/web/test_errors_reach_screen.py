"""Every error the server renders reaches the screen where the user acted (issue 15.2; SPEC R-AW-2,
R-PUB-2, R-PANEL-1, R-ROS-5): the one rule of app/web/errors.py, seen from the server's side.
The browser half (static/js/app.js) is exercised in tests/browser/test_errors.py."""

from __future__ import annotations

import io
from datetime import date

import sqlalchemy as sa

from app.awards.models import Award
from app.competitions.models import StageKind
from app.extensions import db
from app.roles import Role
from app.rosters.models import StampedList
from tests.awards.helpers import competitors, stub_results
from tests.judging.helpers import preliminary_panel
from tests.rosters import scanfiles

HX = {"HX-Request": "true"}
BOOSTED = {"HX-Request": "true", "HX-Boosted": "true"}


def test_fragment_error_is_an_alert_retargeted_beside_the_element(client, city, login):
    """A refused htmx request that swaps part of a page: an alert box placed before what sent it."""
    login(city.judge)
    response = client.get("/admin/schools", headers=HX)
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert 'role="alert"' in html and "无权" in html and "<html" not in html
    assert response.headers["HX-Retarget"] == "this" and response.headers["HX-Reswap"] == "beforebegin"
    assert response.headers["X-Error-Page"] == "1"


def test_boosted_navigation_error_is_a_full_page_in_the_layout_with_a_way_back(client, city, login):
    login(city.city_admin)
    response = client.get("/no-such-page", headers={**BOOSTED, "Referer": "http://localhost/admin/schools"})
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and "<html" in html and "页面不存在" in html
    assert "退出" in html  # the layout, with its menu
    assert 'href="http://localhost/admin/schools"' in html and "返回上一页" in html
    assert "HX-Retarget" not in response.headers
    foreign = client.get("/no-such-page", headers={"Referer": "http://evil.example/x"})
    assert "evil.example" not in foreign.get_data(as_text=True)


def test_r_panel_1_refused_assignment_boosted_is_an_alert_beside_the_form_not_a_bare_line(
    city, client, login, f
):
    """The 回避 refusal of a boosted form: an alert for beside the assignment form (htmx), and without
    JS the full page in the layout with a way back — never one bare line of text."""
    s = preliminary_panel(city, open_=False)
    own = f.gen_user(Role.JUDGE, school=city.central)
    db.session.commit()
    login(city.district_admin)
    url = f"/judging/panels/{s.panel.id}/judges"
    boosted = client.post(url, data={"user_id": own.id}, headers=BOOSTED)
    html = boosted.get_data(as_text=True)
    assert boosted.status_code == 422 and "须回避" in html and 'role="alert"' in html
    assert boosted.headers["HX-Retarget"] == "this" and boosted.headers["HX-Reswap"] == "beforebegin"
    assert boosted.headers["HX-Push-Url"] == "false"  # the address stays the panel page
    plain = client.post(url, data={"user_id": own.id}, headers={"Referer": f"http://localhost{url[:-7]}"})
    html = plain.get_data(as_text=True)
    assert plain.status_code == 422 and "<html" in html and "须回避" in html and "返回上一页" in html


def test_r_ros_5_refused_stamped_upload_shows_in_the_stamped_section(client, login, city, f):
    competition = f.gen_competition(deadlines={StageKind.PRELIMINARY: date(2099, 12, 2)})
    db.session.commit()
    login(city.school_admin)
    url = f"/rosters/{competition.id}/schools/{city.central.id}/stamped"
    bad = {"file": (io.BytesIO(b"MZ not a pdf"), "名单.pdf")}
    plain = client.post(url, content_type="multipart/form-data", data=bad)
    html = plain.get_data(as_text=True)
    assert plain.status_code == 422 and "<html" in html
    section = html[html.index('id="stamped"') :]
    assert "只接受 PDF、JPG 或 PNG" in section  # inside the section, not in the top flash
    assert 'class="flash error"' not in html[: html.index('id="stamped"')]
    fragment = client.post(
        url, content_type="multipart/form-data", data={"file": (io.BytesIO(b"MZ"), "a.pdf")}, headers=HX
    )
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 422 and body.lstrip().startswith('<section class="card" id="stamped">')
    assert "只接受 PDF、JPG 或 PNG" in body
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StampedList)) == 0
    png = scanfiles.png()  # a whole PNG: magic bytes alone are refused (issue 12.7)
    ok = client.post(
        url, content_type="multipart/form-data", data={"file": (io.BytesIO(png), "s.png")}, headers=HX
    )
    assert ok.status_code == 200 and "盖章名单已上传" in ok.get_data(as_text=True)


def test_r_aw_2_fake_code_after_a_genuine_one_replaces_the_verdict(client, login, city, f, monkeypatch):
    """The verdict block is what htmx swaps: a fake code's 404 is that block saying 没有找到, never the
    earlier green card."""
    competition = f.gen_competition()
    entries = competitors(competition, StageKind.SEMIFINAL, [city.central], 5)
    db.session.commit()
    stub_results(monkeypatch, {e.id: str(90 - i) for i, e in enumerate(entries)})
    login(city.district_admin)
    client.post(
        f"/awards/{competition.id}/publish/semifinal", data={"district_id": city.d1.id, "confirm": "1"}
    )
    code = db.session.scalars(sa.select(Award.code)).first()
    client.post("/logout")
    good = client.get(f"/verify?code={code}", headers=HX, follow_redirects=True)
    assert good.status_code == 200 and "证书有效" in good.get_data(as_text=True)
    fake = client.get("/verify?code=ZZZZ-2222", headers=HX, follow_redirects=True)
    html = fake.get_data(as_text=True)
    assert fake.status_code == 404 and "没有找到验证码" in html and "证书有效" not in html
    assert "<html" not in html and "verdict bad" in html
    junk = client.get("/verify?code=%3F%3F%3F", headers=HX)
    assert junk.status_code == 404 and "没有找到验证码" in junk.get_data(as_text=True)


def test_r_pub_2_wrong_tracking_code_shows_the_servers_message(client):
    response = client.get("/p/objections?code=ABCDE-FGHJK", headers=BOOSTED)
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and "没有找到该查询码对应的异议" in html and "<html" in html
