"""Forms of the competitions domain; the settings fields are built from ``services.SETTINGS``."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.competitions.models import Level, Rounding, StageKind, SubjectKind
from app.competitions.services import SETTINGS

STAGE_FLAGS = [
    ("blind", "匿名评审"),  # R-X-1
    ("announce_scores", "当场亮分"),  # R-X-3
    ("live_display", "开放大屏"),  # R-X-3
]


class _CompetitionFormBase(FlaskForm):
    name = StringField("赛事名称", validators=[DataRequired("请填写赛事名称。"), Length(max=128)])
    year = IntegerField(
        "年度", validators=[InputRequired("请填写年度。"), NumberRange(2000, 2100, "年度应为四位数字。")]
    )
    description = TextAreaField("说明", validators=[Optional(), Length(max=2000)])


def _setting_field(label: str, kind: str):
    if kind == "date":
        return DateField(label, validators=[InputRequired("请填写日期。")])
    if kind == "int":
        return IntegerField(
            label, validators=[InputRequired("请填写整数。"), NumberRange(0, 1000, "数值超出范围。")]
        )
    if kind == "ratio":
        return DecimalField(
            label.replace("（R-", "（%，R-"),
            places=None,
            validators=[InputRequired("请填写百分比。"), NumberRange(0, 100, "应在 0 至 100 之间。")],
        )
    if kind == "bool":
        return BooleanField(label)
    return SelectField(label, choices=[(r.value, r.label) for r in Rounding])


def _build_form():
    attrs = {}
    for kind in StageKind:
        attrs[f"{kind.value}_deadline"] = DateField(f"{kind.label}截止日期", validators=[Optional()])
        for flag, label in STAGE_FLAGS:
            attrs[f"{kind.value}_{flag}"] = BooleanField(f"{kind.label}{label}")
    for attr, label, kind in SETTINGS:
        attrs[attr] = _setting_field(label, kind)
    return type("CompetitionForm", (_CompetitionFormBase,), attrs)


CompetitionForm = _build_form()


class SubjectForm(FlaskForm):
    level = SelectField("学段", choices=[(lv.value, lv.label) for lv in Level])
    name = StringField("学科名称", validators=[DataRequired("请填写学科名称。"), Length(max=32)])
    kind = SelectField("决赛特色项目", choices=[(k.value, k.label) for k in SubjectKind])


class ConfirmForm(FlaskForm):
    """A bare form for POST buttons (carries the CSRF token)."""
