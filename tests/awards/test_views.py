"""Award screens: preview → publish → certificates (QR to the verify page), withdraw, xlsx exports,
scope refusals, and the public pages, which never show private data (R-PUB-1, R-AW-2, R-XLS-1)."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.awards.models import Award, AwardRelease
from app.awards.views import qr_svg
from app.competitions.models import StageKind
from app.extensions import db
from tests.awards.helpers import competitors, stub_results
from tests.querycount import count_queries

MARK_ID = "110101199001011237"
MARK_PHONE = "13987650000"
MARK_REASON = "REASON-MARKER-私密"
BIRTH = date(1990, 1, 1)


@pytest.fixture
def season(city, f, monkeypatch):
    """10 semifinal competitors of 东山县 with private fields holding marker strings; scores 100, 99, …"""
    competition = f.gen_competition(name="测试大赛")
    entries = competitors(competition, StageKind.SEMIFINAL, [city.central, city.affiliate], 10, birth=BIRTH)
    entries[0].id_number, entries[0].phone, entries[0].status_reason = MARK_ID, MARK_PHONE, MARK_REASON
    for i, e in enumerate(entries[1:], start=1):
        e.phone, e.status_reason = f"1398765{i:04d}", f"{MARK_REASON}{i}"
    db.session.commit()
    stub_results(monkeypatch, {e.id: str(100 - i) for i, e in enumerate(entries)})
    return competition, entries


def _publish(client, login, user, competition, district):
    login(user)
    return client.post(
        f"/awards/{competition.id}/publish/semifinal", data={"district_id": district.id, "confirm": "1"}
    )


def _assert_nothing_private(html: str, entries) -> None:
    for e in entries:
        assert e.id_number not in html and (e.phone or "@@") not in html
    assert MARK_REASON not in html
    assert "1990-01-01" not in html and "1990年1月1日" not in html and "19900101" not in html


def test_preview_then_publish_then_release_page(client, login, city, season):
    competition, entries = season
    login(city.district_admin)
    page = client.get(f"/awards/{competition.id}/preview/semifinal")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "东山县" in html and "预览" in html
    assert html.count("prize-first") == 2 and html.count("prize-second") == 3
    response = _publish(client, login, city.district_admin, competition, city.d1)
    assert response.status_code == 303
    release = db.session.scalars(sa.select(AwardRelease)).one()
    assert response.headers["Location"].endswith(f"/awards/releases/{release.id}")
    html = client.get(f"/awards/releases/{release.id}").get_data(as_text=True)
    assert entries[0].name in html and release.awards[0].display_code in html
    # Publishing twice is refused with the form re-rendered (422), nothing changes.
    again = _publish(client, login, city.district_admin, competition, city.d1)
    assert again.status_code == 422 and "已经发布" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AwardRelease)) == 1


def test_scope_refusals(client, login, city, season):
    competition, _ = season
    login(city.other_district_admin)
    refused = client.get(f"/awards/{competition.id}/preview/semifinal?district={city.d1.id}")
    assert refused.status_code == 403 and "范围" in refused.get_data(as_text=True)
    refused = _publish(client, login, city.other_district_admin, competition, city.d1)
    assert refused.status_code == 403
    assert client.get(f"/awards/{competition.id}/preview/final").status_code == 403
    login(city.school_admin)
    assert client.get(f"/awards/{competition.id}/preview/semifinal").status_code == 403
    assert client.get(f"/awards/{competition.id}/preview/nonsense").status_code == 403  # role refused first
    login(city.city_admin)
    assert client.get(f"/awards/{competition.id}/preview/nonsense").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AwardRelease)) == 0


def test_certificates_carry_code_and_qr_to_the_verify_page(client, login, city, season, app):
    competition, entries = season
    _publish(client, login, city.city_admin, competition, city.d1)
    release = db.session.scalars(sa.select(AwardRelease)).one()
    login(city.school_admin)  # central school admin: central + its affiliate
    html = client.get(f"/awards/releases/{release.id}/certificates").get_data(as_text=True)
    assert html.count('class="certificate"') == 5
    award = release.awards[0]
    url = f"http://localhost/verify/{award.code}"
    assert url in html and award.display_code in html and qr_svg(url) in html
    assert "<svg" in qr_svg(url)
    # a batch for one school
    html = client.get(f"/awards/releases/{release.id}/certificates?school={city.affiliate.id}").get_data(
        as_text=True
    )
    expected = sum(1 for a in release.awards if a.school_id == city.affiliate.id)
    assert html.count('class="certificate"') == expected
    # another district's school admin sees none of them
    from app.roles import Role
    from tests.factories import gen_user

    outsider = gen_user(Role.SCHOOL_ADMIN, school=city.other_school)
    db.session.commit()
    login(outsider)
    html = client.get(f"/awards/releases/{release.id}/certificates").get_data(as_text=True)
    assert 'class="certificate"' not in html and "没有可打印的证书" in html


def test_verify_page_shows_public_facts_only_and_follows_withdrawal(client, login, city, season):
    competition, entries = season
    _publish(client, login, city.district_admin, competition, city.d1)
    award = db.session.scalars(sa.select(Award).where(Award.entry_id == entries[0].id)).one()
    client.post("/logout")
    typed = client.get(f"/verify?code={award.code[:4].lower()}-{award.code[4:].lower()}")
    assert typed.status_code == 303 and typed.headers["Location"].endswith(f"/verify/{award.code}")
    page = client.get(f"/verify/{award.code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "证书有效" in html
    for fact in (entries[0].name, city.central.name, "测试大赛", "复赛", "一等奖", "东山县教育局"):
        assert fact in html
    _assert_nothing_private(html, entries)
    assert client.get("/verify/ZZZZ2222").status_code == 404

    login(city.district_admin)
    bad = client.post(f"/awards/releases/{award.release_id}/withdraw", data={"reason": ""})
    assert bad.status_code == 422 and "请填写撤销原因" in bad.get_data(as_text=True)
    done = client.post(f"/awards/releases/{award.release_id}/withdraw", data={"reason": "成绩复核后更正"})
    assert done.status_code == 303
    html = client.get(f"/verify/{award.code}").get_data(as_text=True)
    assert "撤销" in html and "证书无效" in html and "证书有效" not in html
    assert client.get(f"/awards/releases/{award.release_id}/certificates").status_code == 404


def test_public_results_search_and_no_private_data(client, login, city, season):
    competition, entries = season
    empty = client.get(f"/results/{competition.id}").get_data(as_text=True)
    assert "尚未发布" in empty
    _publish(client, login, city.district_admin, competition, city.d1)
    client.post("/logout")
    html = client.get(f"/results/{competition.id}").get_data(as_text=True)
    assert all(e.name in html for e in entries[:5]) and entries[5].name not in html
    _assert_nothing_private(html, entries)
    found = client.get(f"/results/{competition.id}?q={entries[1].name}", headers={"HX-Request": "true"})
    body = found.get_data(as_text=True)
    assert found.status_code == 200 and entries[1].name in body and entries[0].name not in body
    assert "<html" not in body  # the htmx fragment only
    by_school = client.get(f"/results/{competition.id}?q=前村").get_data(as_text=True)
    assert all((e.name in by_school) == (e.school_id == city.affiliate.id) for e in entries[:5])
    assert client.get("/results/987654").status_code == 404


def _sheet(response):
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.data)).worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_xlsx_exports_of_preview_and_release(client, login, city, season):
    competition, entries = season
    login(city.district_admin)
    rows = _sheet(client.get(f"/awards/{competition.id}/export/semifinal.xlsx"))
    assert rows[0][:4] == ["组别", "名次", "编号", "姓名"]
    assert rows[1][3] == entries[0].name and rows[1][-1] == "一等奖" and rows[1][6] == 100
    assert len(rows) == 11
    _publish(client, login, city.district_admin, competition, city.d1)
    release = db.session.scalars(sa.select(AwardRelease)).one()
    rows = _sheet(client.get(f"/awards/releases/{release.id}/export.xlsx"))
    assert len(rows) == 6 and rows[1][0] == "一等奖" and re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}", rows[1][-1])
    for kind in ("team", "organisation"):
        login(city.city_admin)
        assert _sheet(client.get(f"/awards/{competition.id}/export/{kind}.xlsx"))[0][0] == "类别"


@pytest.mark.parametrize("who", ["city_admin", "district_admin", "school_admin"])
def test_index_for_each_admin(client, login, city, season, who):
    competition, _ = season
    login(getattr(city, who))
    html = client.get("/awards").get_data(as_text=True)
    assert "奖项" in html and competition.name in html
    assert ("预览" in html) == (who != "school_admin")


def test_certificate_scope_of_a_district_admin(client, login, city, season):
    competition, _ = season
    _publish(client, login, city.city_admin, competition, city.d1)
    release = db.session.scalars(sa.select(AwardRelease)).one()
    login(city.other_district_admin)
    page = client.get(f"/awards/releases/{release.id}")
    assert page.status_code == 200 and "打印证书" not in page.get_data(as_text=True)
    assert "撤销名单" not in page.get_data(as_text=True)
    login(city.district_admin)
    page = client.get(f"/awards/releases/{release.id}").get_data(as_text=True)
    assert "打印证书（5）" in page and "撤销名单" in page


def test_team_and_organisation_previews_render(client, login, city, season):
    competition, _ = season
    login(city.city_admin)
    team = client.get(f"/awards/{competition.id}/preview/team").get_data(as_text=True)
    assert "尚未发布" in team and "东山县复赛奖项" in team
    org = client.get(f"/awards/{competition.id}/preview/organisation").get_data(as_text=True)
    assert "青石镇中心小学" in org and "未按时" in org


@pytest.mark.parametrize("size", [10, 20])
def test_pages_use_few_queries_whatever_the_number_of_awards(client, login, city, f, monkeypatch, size):
    """≤ 3 queries for the public pages, a constant handful for the admin ones — never one per row."""
    competition = f.gen_competition()
    entries = competitors(competition, StageKind.SEMIFINAL, [city.central, city.affiliate], size)
    db.session.commit()
    stub_results(monkeypatch, {e.id: str(100 - i) for i, e in enumerate(entries)})
    _publish(client, login, city.city_admin, competition, city.d1)
    release = db.session.scalars(sa.select(AwardRelease)).one()
    code = release.awards[0].code
    login(city.school_admin)  # the widest admin case: certificate scope needs the user's schools
    budgets = {
        f"/awards/releases/{release.id}": 4,
        f"/awards/releases/{release.id}/certificates": 4,
        f"/results/{competition.id}": 3,
        f"/verify/{code}": 3,
    }
    for url, budget in budgets.items():
        if url.startswith(("/results", "/verify")):
            client.post("/logout")
        client.get(url)  # warm-up (session user load etc. is counted below as well)
        with count_queries() as q:
            assert client.get(url).status_code == 200
        assert len(q) <= budget, (url, len(q))


def test_certificate_of_a_teacher_disqualified_after_publication_no_longer_verifies(
    client, login, city, season
):
    competition, entries = season
    _publish(client, login, city.district_admin, competition, city.d1)
    award = db.session.scalars(sa.select(Award).where(Award.entry_id == entries[0].id)).one()
    from app.timeutil import utcnow

    entries[0].disqualified_at = utcnow()
    db.session.commit()
    html = client.get(f"/verify/{award.code}").get_data(as_text=True)
    assert "取消资格" in html and "证书无效" in html and "证书有效" not in html


def test_publish_form_carries_its_csrf_token(client, login, city, season, csrf_on):
    competition, _ = season
    login(city.district_admin)
    page = client.get(f"/awards/{competition.id}/preview/semifinal").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    url = f"/awards/{competition.id}/publish/semifinal"
    assert client.post(url, data={"district_id": city.d1.id}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AwardRelease)) == 0
    done = client.post(url, data={"district_id": city.d1.id, "csrf_token": token, "confirm": "1"})
    assert done.status_code == 303


def test_index_lists_award_counts_in_the_same_queries_however_many_lists(client, login, city, season):
    """The award list overview counts each list's awards in one query, not one per list."""
    competition, _ = season
    _publish(client, login, city.city_admin, competition, city.d1)
    url = f"/awards?competition={competition.id}"
    client.get(url)
    with count_queries() as one:
        html = client.get(url).get_data(as_text=True)
    assert '<td class="num">5</td>' in html
    for _ in range(2):  # withdraw and publish again: three lists, two of them withdrawn
        release = db.session.scalars(sa.select(AwardRelease).where(AwardRelease.live.is_(True))).one()
        client.post(f"/awards/releases/{release.id}/withdraw", data={"reason": "成绩更正后重新发布"})
        _publish(client, login, city.city_admin, competition, city.d1)
    with count_queries() as three:
        html = client.get(url).get_data(as_text=True)
    assert html.count('<td class="num">5</td>') == 3
    assert len(three) == len(one)


def test_preview_states_the_rule_and_each_pool_counts_r_aw_1(client, login, city, season):
    """10 semifinal competitors at 20% / 30%: 2 first and 3 second prizes, stated and given; no finalists yet."""
    competition, _ = season
    login(city.city_admin)
    html = re.sub(
        r"\s+",
        " ",
        client.get(f"/awards/{competition.id}/preview/semifinal?district={city.d1.id}").get_data(
            as_text=True
        ),
    )
    assert "一等奖 20%、二等奖 30%" in html
    assert "应评 一等奖 2，二等奖 3；实评 一等奖 2，二等奖 3" in html
    final = client.get(f"/awards/{competition.id}/preview/final").get_data(as_text=True)
    assert "还没有决赛选手" in final
