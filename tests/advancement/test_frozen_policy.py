"""R-Q-3 (issue 15.8): frozen quotas keep the ratios and rounding policy they were frozen with; a later
change of settings is shown as a difference only a new freeze would apply. And freezing goes through a
confirmation screen with the numbers (issue 15.7)."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from app.advancement import services
from app.advancement.models import AdvancementUnit
from app.competitions.models import Rounding
from app.extensions import db
from tests.advancement.helpers import world


def test_r_q_3_frozen_page_keeps_per_unit_rounding_and_shows_the_difference(client, login, city):
    """Worked example. 东山县: central unit 9 teachers (30% = 2.7 → 3), township 5 (1.5 → 2); 西岭县 17
    (5.1 → 5): frozen per unit, total 10. Switched to 最大余数法: 东山县 gets round(30% × 14 = 4.2) = 4,
    floors 2 + 1 and the one left to the larger remainder (0.7, central) → 3 + 1: total 9, one unit
    differs. The page still says 四舍五入 and shows that difference."""
    w = world(city, central=6, affiliate=3, township=5, other=17)
    services.freeze_quotas(w.semifinal, by=city.city_admin)
    db.session.commit()
    for unit in db.session.scalars(sa.select(AdvancementUnit)):
        assert (unit.rounding, unit.quota_ratio, unit.recommend_ratio) == (
            Rounding.PER_UNIT,
            Decimal("0.3000"),
            Decimal("0.6000"),
        )
    w.competition.rounding = Rounding.LARGEST_REMAINDER
    w.competition.semifinal_recommend_ratio = Decimal("0.50")
    db.session.commit()

    login(city.city_admin)
    html = client.get(f"/advancement/stages/{w.semifinal.id}/quotas").get_data(as_text=True)
    lead = html[html.index('<p class="lead">') : html.index("</p>", html.index('<p class="lead">'))]
    assert "各单位分别四舍五入" in lead and "最大余数法" not in lead and "60%" in lead
    change = html[html.index('id="policy-change"') :]
    assert "各单位分别四舍五入 → 最大余数法（总数不变）" in change and "推荐比例 60% → 50%" in change
    assert "名额合计 9（冻结为 10），1 个单位的名额不同" in change and "重新冻结" in change
    assert db.session.scalar(sa.select(sa.func.sum(AdvancementUnit.quota))) == 10  # nothing recomputed


def test_unchanged_settings_show_no_difference(client, login, city):
    w = world(city)
    services.freeze_quotas(w.semifinal, by=city.city_admin)
    db.session.commit()
    login(city.city_admin)
    assert 'id="policy-change"' not in client.get(f"/advancement/stages/{w.semifinal.id}/quotas").get_data(
        as_text=True
    )


def test_freeze_confirmation_screen_changes_nothing_and_shows_the_numbers(client, login, city):
    w = world(city, central=6, affiliate=3, township=5, other=17)
    login(city.city_admin)
    url = f"/advancement/stages/{w.semifinal.id}/freeze"
    for first in (client.get(url), client.post(url)):
        html = first.get_data(as_text=True)
        assert first.status_code == 200 and 'id="confirm-freeze"' in html
        assert "获得名额的单位</dt><dd><b>3</b> 个（2 个区县" in html
        assert "名额合计</dt><dd><b>10</b> 个：推荐 <b>6</b>，抽取 <b>4</b>" in html
        assert "各单位分别四舍五入" in html
    db.session.rollback()
    assert w.semifinal.frozen_at is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AdvancementUnit)) == 0
    assert client.post(url, data={"confirm": "1"}).status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AdvancementUnit)) == 3
