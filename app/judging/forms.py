"""Forms of the judging domain (Flask-WTF: CSRF on every POST). Field names are the ones the
templates and the tablet's script post; the rules behind the values live in the services."""

from __future__ import annotations

from flask import request
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, StringField

from app.errors import DomainError


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


def _int_or_none(text) -> int | None:
    """An id or number as posted; anything else is None (the view then refuses with a message)."""
    text = str(text if text is not None else "").strip()
    return int(text) if text.isdigit() else None


class ValueList(Field):
    """Every value posted under one name, in order (the rows of a table form: name, name, …)."""

    def process_formdata(self, valuelist):
        self.data = list(valuelist)

    def _value(self):  # pragma: no cover - never rendered by WTForms, the templates write the rows
        return ""


class JudgingForm(FlaskForm):
    def check(self) -> None:
        """Validate, raising the first error as a DomainError the view shows (a bad id, a missing field)."""
        if not self.validate():
            raise DomainError(next(m for errors in self.errors.values() for m in errors))


class SheetForm(JudgingForm):
    """A score sheet as the tablet posts it: item fields ``item-<id>`` plus the version it was typed on."""

    version = StringField(filters=[_stripped])
    editor = StringField(filters=[_stripped])

    @property
    def expected_version(self) -> int | None:
        return _int_or_none(self.version.data)

    @property
    def scores(self) -> dict[str, str]:
        """The typed item values (``item-<id>`` → text): the service validates them per item."""
        return {k: v for k, v in request.form.items() if k.startswith("item-")}


class AmendForm(SheetForm):
    reason = StringField(filters=[_stripped])


class PanelCreateForm(JudgingForm):
    stage_id = StringField(filters=[_int_or_none])
    subject_id = StringField(filters=[_int_or_none])
    group = StringField(filters=[_stripped])
    unit_school_id = StringField(filters=[_int_or_none])
    district_id = StringField(filters=[_int_or_none])
    room = StringField(filters=[_stripped])
    name = StringField(filters=[_stripped])


class AssignJudgeForm(JudgingForm):
    user_id = StringField(filters=[_int_or_none])
    is_head = BooleanField()


class PanelStatusForm(JudgingForm):
    status = StringField(filters=[_stripped])


class CurrentForm(JudgingForm):
    position = StringField(filters=[_int_or_none])


class PinForm(JudgingForm):
    pin = StringField(filters=[_stripped])


class SchoolFormForm(JudgingForm):
    """R-FORM-1: a unit's own form as rows of (name, weight, max points), blank rows left out."""

    name = ValueList()
    weight = ValueList()
    max_points = ValueList()

    @property
    def rows(self) -> list[tuple[str, str, str]]:
        names, weights, maxes = (f.data or [] for f in (self.name, self.weight, self.max_points))
        return [(n, w, m) for n, w, m in zip(names, weights, maxes) if n.strip() or w.strip()]
