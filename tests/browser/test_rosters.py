"""The roster's inline editor in a real browser: typing an ID number shows sex, birth date and group (R-ROS-2, R-GRP-1)."""

from __future__ import annotations

from datetime import date

from app.competitions.models import StageKind
from app.extensions import db
from app.rosters.idcard import make_id_number
from tests.browser.conftest import sign_in


def test_typing_an_id_number_shows_the_derived_group_then_the_row_is_saved(live_server, tablet, city, f):
    competition = f.gen_competition(deadlines={StageKind.PRELIMINARY: date(2099, 12, 2)})
    entry = f.gen_entry(competition, city.central, name="王老师", birth=date(1970, 5, 5))
    db.session.commit()
    errors = []
    tablet.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(tablet, live_server, "school")
    tablet.goto(f"{live_server}/rosters/{competition.id}/schools/{city.central.id}")

    # add a teacher: the derived values appear as the number is typed, before saving
    add = tablet.locator("#add-form")
    add.locator("select[name=subject_id]").select_option(label="小学数学")
    number = make_id_number("370921", date(1980, 1, 1), 7)  # born on the cutoff day → youth
    add.locator("input[name=id_number]").type(number.lower() if number.endswith("X") else number, delay=10)
    derived = tablet.locator("#derived-new")
    derived.locator("[data-group]").wait_for()
    assert (
        "小学青年组" in derived.inner_text()
        and "1980-01-01" in derived.inner_text()
        and "男" in derived.inner_text()
    )
    add.locator("input[name=name]").fill("李新")
    add.locator("button:has-text('添加')").click()
    tablet.locator("#add-form .flash.success").wait_for()
    tablet.locator("#entry-rows tr:has-text('李新')").wait_for()

    # edit a row in place: a wrong check digit is explained as it is typed
    row = tablet.locator(f"#entry-{entry.id}")
    row.locator("a:has-text('编辑')").click()
    # htmx wires up swapped-in content when it settles (~20 ms); a person never types faster than that
    tablet.wait_for_function(
        f"() => document.querySelector('#entry-{entry.id} form') && "
        "!document.querySelector('.htmx-added, .htmx-settling')"
    )
    field = tablet.locator(f"#entry-{entry.id} input[name=id_number]")
    field.fill(entry.id_number[:-1] + ("0" if entry.id_number[-1] != "0" else "1"))
    tablet.locator(f"#derived-{entry.id} .error:has-text('校验码错误')").wait_for()
    field.fill(entry.id_number)
    tablet.locator(f"#derived-{entry.id}:has-text('中老年组')").wait_for()
    tablet.locator(f"#entry-{entry.id} input[name=name]").fill("王老师改")
    tablet.locator(f"#entry-{entry.id} button:has-text('保存')").click()
    tablet.locator(f"#entry-{entry.id} td:has-text('王老师改')").wait_for()
    assert tablet.locator(".stat").first.inner_text().startswith("2")
    assert errors == []
