"""Stage results for other domains (advancement suggestions, awards): R-SCORE-3 aggregates, R-RANK-1 ranks.

Ranks compare the published figures (aggregate and item aggregates, each rounded once to 0.01):
two teachers shown with the same 88.50 are told apart by the tie-breaks, never by hidden digits.
An item aggregate applies R-SCORE-3 to that item's weighted points (score / max × weight) across the
submitted sheets — the item's own highest and lowest are the ones dropped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import sqlalchemy as sa

from app.competitions.models import Group, Stage
from app.extensions import db
from app.judging.models import Appearance, FormItem, ItemScore, Panel, PanelJudge, ScoreSheet, SheetStatus
from app.judging.scoring import aggregate, item_points, rank_entries, round_score, weighted_total
from app.rosters.models import Entry
from app.rosters.queries import competitors_stmt

__all__ = ["EntryResult", "stage_results", "rank_entries", "sheet_totals"]


@dataclass(frozen=True)
class EntryResult:
    entry_id: int
    aggregate: Decimal | None  # R-SCORE-3; None until panel_min_judges sheets are submitted
    rank: int | None  # R-RANK-1 within stage × group (× subject when competition.rank_by_subject)
    group: Group
    subject_id: int
    sheets_submitted: int
    item_aggregates: tuple[Decimal, ...]  # per item, highest weight first — the tie-break keys
    # R-SCORE-3: an aggregate exists but not every judge of the panel has submitted for this teacher (暂定)
    provisional: bool = False


def ordered_items(items: Collection[FormItem]) -> list[FormItem]:
    """Items by weight descending (the R-RANK-1 tie-break order), form position breaking equal weights."""
    return sorted(items, key=lambda i: (-i.weight, i.position))


def sheet_totals(sheet_ids: Collection[int]) -> dict[int, Fraction]:
    """Unrounded R-SCORE-1 totals of the given sheets, in one query."""
    if not sheet_ids:
        return {}
    rows = db.session.execute(
        sa.select(ItemScore.sheet_id, ItemScore.value, FormItem.max_points, FormItem.weight)
        .join(FormItem, FormItem.id == ItemScore.item_id)
        .where(ItemScore.sheet_id.in_(list(sheet_ids)))
    ).all()
    scores: dict[int, list[tuple]] = {sid: [] for sid in sheet_ids}
    for sheet_id, value, max_points, weight in rows:
        scores[sheet_id].append((value, max_points, weight))
    return {sheet_id: weighted_total(rows_) for sheet_id, rows_ in scores.items()}


def stage_results(
    stage: Stage, *, entry_ids: Collection[int] | None = None, ranked: bool = True
) -> list[EntryResult]:
    """R-SCORE-3 aggregates and R-RANK-1 ranks of every competitor of ``stage`` (three queries).

    An aggregate is ``provisional`` (暂定, R-SCORE-3) until every judge of the teacher's panel has
    submitted: 3 of 5 sheets give a figure, marked provisional; 5 of 5 give the final one.

    Ranks are computed over the whole stage even when ``entry_ids`` narrows the rows returned. With
    ``ranked=False`` only the rows of ``entry_ids`` are read and ``rank`` stays None: an aggregate
    costs the same in a city of 30,000 as in one school (the room display polls for it every 3 s).
    """
    competition = stage.competition
    only = list(entry_ids) if entry_ids is not None and not ranked else None
    base_stmt = competitors_stmt(stage)
    if only is not None:
        base_stmt = base_stmt.where(Entry.id.in_(only))
    base = base_stmt.subquery()
    judges = sa.select(sa.func.count(PanelJudge.id)).where(PanelJudge.panel_id == Panel.id).scalar_subquery()
    competitors = db.session.execute(
        sa.select(
            base.c.id,
            base.c.group,
            base.c.subject_id,
            Appearance.panel_id,
            Panel.form_id,
            judges.label("judges"),
        )
        .select_from(base)
        .outerjoin(Appearance, sa.and_(Appearance.entry_id == base.c.id, Appearance.stage_id == stage.id))
        .outerjoin(Panel, Panel.id == Appearance.panel_id)
        .order_by(base.c.entrant_number)
    ).all()
    form_ids = {row.form_id for row in competitors if row.form_id is not None}
    items_by_form: dict[int, list[FormItem]] = defaultdict(list)
    if form_ids:
        for item in db.session.scalars(sa.select(FormItem).where(FormItem.form_id.in_(form_ids))):
            items_by_form[item.form_id].append(item)
    # sorted once per form, not once per competitor
    items_by_form = {form_id: ordered_items(items) for form_id, items in items_by_form.items()}
    scores = db.session.execute(
        sa.select(ScoreSheet.entry_id, ScoreSheet.panel_id, ScoreSheet.id, ItemScore.item_id, ItemScore.value)
        .join(Panel, Panel.id == ScoreSheet.panel_id)
        .join(ItemScore, ItemScore.sheet_id == ScoreSheet.id)
        .where(
            Panel.stage_id == stage.id,
            ScoreSheet.status == SheetStatus.SUBMITTED,
            ScoreSheet.entry_id.in_(only) if only is not None else sa.true(),
        )
    ).all()
    # entry → sheet → item → value
    sheets: dict[int, dict[int, dict[int, Decimal | None]]] = defaultdict(lambda: defaultdict(dict))
    panel_of = {row.id: row.panel_id for row in competitors}
    for entry_id, panel_id, sheet_id, item_id, value in scores:
        if panel_of.get(entry_id) == panel_id:
            sheets[entry_id][sheet_id][item_id] = value

    threshold, minimum = competition.trim_threshold, competition.panel_min_judges
    computed: list[tuple[EntryResult, tuple]] = []
    for row in competitors:
        items = items_by_form.get(row.form_id, [])
        entry_sheets = sheets.get(row.id, {})
        result_aggregate: Decimal | None = None
        item_aggs: tuple[Decimal, ...] = ()
        if items and len(entry_sheets) >= max(minimum, 1):
            per_item = [
                [
                    item_points(values.get(i.id) or Decimal(0), i.max_points, i.weight)
                    for values in entry_sheets.values()
                ]
                for i in items
            ]
            totals = [
                weighted_total([(values.get(i.id), i.max_points, i.weight) for i in items])
                for values in entry_sheets.values()
            ]
            result_aggregate = round_score(aggregate(totals, threshold))
            item_aggs = tuple(round_score(aggregate(points, threshold)) for points in per_item)
        scope = (row.group, row.subject_id if competition.rank_by_subject else None)
        computed.append(
            (
                EntryResult(
                    row.id,
                    result_aggregate,
                    None,
                    row.group,
                    row.subject_id,
                    len(entry_sheets),
                    item_aggs,
                    result_aggregate is not None and len(entry_sheets) < (row.judges or 0),
                ),
                scope,
            )
        )

    by_scope: dict[tuple, list[EntryResult]] = defaultdict(list)
    for result, scope in computed:
        by_scope[scope].append(result)
    ranks: dict[int, int | None] = {}
    for results in by_scope.values() if ranked else ():
        ranks.update(rank_entries([(r.entry_id, r.aggregate, r.item_aggregates) for r in results]))
    wanted = set(entry_ids) if entry_ids is not None else None
    return [
        EntryResult(
            r.entry_id,
            r.aggregate,
            ranks.get(r.entry_id),
            r.group,
            r.subject_id,
            r.sheets_submitted,
            r.item_aggregates,
            r.provisional,
        )
        for r, _ in computed
        if wanted is None or r.entry_id in wanted
    ]
