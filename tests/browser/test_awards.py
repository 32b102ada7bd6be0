"""R-AW-1/R-AW-2 in a browser: the district previews and publishes its semifinal awards, prints the
certificates (A4, one per page, QR code), and on a phone anyone finds the result and verifies a code."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.awards.models import Award
from app.competitions.models import StageKind
from app.extensions import db
from tests.awards.helpers import competitors, stub_results
from tests.browser.conftest import sign_in


def test_publish_print_and_verify_on_a_phone(live_server, tablet, phone, city, f, monkeypatch):
    competition = f.gen_competition(name="清河市教学技能大赛")
    entries = competitors(competition, StageKind.SEMIFINAL, [city.central, city.affiliate], 10)
    db.session.commit()
    stub_results(monkeypatch, {e.id: str(100 - i) for i, e in enumerate(entries)})
    errors = []
    tablet.on("pageerror", lambda error: errors.append(str(error)))
    phone.on("pageerror", lambda error: errors.append(str(error)))

    sign_in(tablet, live_server, "district")
    tablet.goto(f"{live_server}/awards")
    tablet.click("a:has-text('预览')")
    tablet.wait_for_url("**/preview/semifinal*")
    tablet.screenshot(path="/tmp/awards_preview.png", full_page=True)
    assert tablet.locator(".prize-first").count() == 2 and tablet.locator(".prize-second").count() == 3
    tablet.click("#publish button:has-text('发布')")
    tablet.wait_for_selector(
        "#confirm-publish"
    )  # the confirmation screen: prizes and certificates in numbers
    assert "生成证书" in tablet.locator("#confirm-publish").inner_text()
    tablet.click("#confirm-publish button:has-text('确认发布')")
    tablet.wait_for_url("**/awards/releases/*")
    assert "已发布" in tablet.content() and entries[0].name in tablet.content()

    tablet.click("a:has-text('打印证书')")
    tablet.wait_for_selector("article.certificate")
    assert tablet.locator("article.certificate").count() == 5
    assert tablet.locator("article.certificate .cert-qr svg").count() == 5
    tablet.screenshot(path="/tmp/awards_certificates.png")  # for a human to look at
    tablet.emulate_media(media="print")
    pdf = tablet.pdf(prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 5  # one A4 page per certificate

    db.session.rollback()
    award = db.session.scalars(sa.select(Award).where(Award.entry_id == entries[1].id)).one()

    phone.goto(f"{live_server}/results/{competition.id}")
    assert phone.locator(".award-card").count() == 5
    phone.screenshot(path="/tmp/awards_results_phone.png")
    phone.fill("input[name=q]", entries[1].name)
    phone.wait_for_function("document.querySelectorAll('.award-card').length === 1")
    assert "一等奖" in phone.locator(".award-card").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    phone.goto(f"{live_server}/verify")
    phone.fill("input[name=code]", award.display_code.lower())
    phone.click("button:has-text('验证')")
    phone.wait_for_selector(".verdict")
    verdict = phone.locator(".verdict").inner_text()
    phone.screenshot(path="/tmp/awards_verify_phone.png", full_page=True)
    assert "证书有效" in verdict and entries[1].name in verdict and "一等奖" in verdict
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == []
