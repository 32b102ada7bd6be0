"""HTTP views of the draws domain: the public record pages and the verifier download (R-DRAW-1 (4), (5)).

Also the one confirmation screen every purpose shows before a draw is performed; the purposes'
own views (advancement, judging) check access and call :func:`confirmation_page`.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask import Blueprint, Response, abort

import app.draws as draws_package
from app.competitions.models import Stage
from app.draws import services
from app.draws.models import Draw
from app.draws.rfc3797 import DrawError, canonical_source, selection_steps, verify_record
from app.errors import get_or_raise
from app.extensions import db
from app.rosters.models import Entry
from app.web.access import public
from app.web.render import render_page_or_block

bp = Blueprint("draws", __name__)

CSS = "css/advancement.css"
VERIFIER_FILES = ("rfc3797.py", "verify.py")


def public_draw(draw_id: int) -> Draw:
    return get_or_raise(Draw, draw_id, "抽签记录不存在。")


@bp.route("/draws/<int:draw_id>")
@public
def draw_public(draw_id: int):
    """The published draw: commitment, event time and future sources when announced; the full
    record and every step once drawn; the reason when void; links to the original and to re-draws
    (R-DRAW-2) and to what replaced a void announcement; how to verify it yourself."""
    draw = public_draw(draw_id)
    record = services.record_of(draw)
    steps, problems, disqualified, canonical = [], [], set(), []
    if record is not None:
        for source in record.sources:
            try:
                canonical.append(canonical_source(source["values"]))
            except DrawError as error:  # the verification below names it too
                canonical.append(str(error))
        labels = {e.number: e.label for e in record.pool}
        numbers = [e.number for e in record.pool]
        steps = [
            (s, numbers[s.position], labels[numbers[s.position]])
            for s in selection_steps(record.key, len(record.pool), record.count)
        ]
        problems = verify_record(record)
        disqualified = set(
            db.session.scalars(
                sa.select(Entry.entrant_number).where(
                    Entry.competition_id == draw.competition_id,
                    Entry.entrant_number.in_(record.selected),
                    Entry.disqualified_at.is_not(None),
                )
            )
        )
    children = db.session.scalars(sa.select(Draw).where(Draw.parent_id == draw.id).order_by(Draw.id)).all()
    return render_page_or_block(
        "draws/public.html",
        "draw",
        draw=draw,
        record=record,
        steps=steps,
        problems=problems,
        children=children,
        successors=services.successors(draw),
        canonical=canonical,
        disqualified=disqualified,
        event_text=services.beijing_text(draw.event_at) if draw.event_at else None,
        stage=db.session.get(Stage, draw.stage_id),
        css=CSS,
    )


@bp.route("/draws/<int:draw_id>.json")
@public
def draw_json(draw_id: int):
    """The record in its one format (announced, drawn or void); the verifier accepts a drawn one."""
    draw = public_draw(draw_id)
    response = Response(services.published_json(draw), mimetype="application/json")
    response.headers["Content-Disposition"] = f'inline; filename="draw-{draw.id}.json"'
    return response


@bp.route("/draws/verifier/<name>")
@public
def verifier_file(name: str):
    """The stand-alone verifier (R-DRAW-1 (5)) as shipped: two standard-library Python files."""
    if name not in VERIFIER_FILES:
        abort(404)
    text = (Path(draws_package.__file__).parent / name).read_text(encoding="utf-8")
    response = Response(text, mimetype="text/x-python")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def confirmation_page(
    draw: Draw, preview: services.Preview, *, action: str, fields: dict[str, str], back: str, what: str
):
    """R-DRAW-1 (2): the confirmation screen before a perform (works without JS).

    Shows the values as entered, each source's normalised part and the key, pool size and count;
    its 确认抽签 button re-posts ``fields`` to ``action`` with ``confirm=1`` — only that POST draws.
    """
    return render_page_or_block(
        "draws/confirm.html",
        "confirm",
        draw=draw,
        preview=preview,
        action=action,
        fields=fields,
        back=back,
        what=what,
        event_text=services.beijing_text(draw.event_at) if draw.event_at else None,
        css=CSS,
    )
