"""Forms of the rosters domain."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app.rosters.models import ExemptionReason
from app.web.forms import optional_int


def _optional_int(value):
    """Lenient: a subject id typed into the inline editor that is not a number reads as "none chosen"."""
    try:
        return optional_int(value)
    except (TypeError, ValueError):
        return None


class EntryForm(FlaskForm):
    """One roster row. Validation lives in the service (it knows the competition); the form only carries text."""

    name = StringField("姓名", validators=[Length(max=64)])
    id_number = StringField("身份证号", validators=[Length(max=40)])
    subject_id = SelectField("学科", coerce=_optional_int, validate_choice=False)
    phone = StringField("手机号码", validators=[Optional(), Length(max=20)])
    award_name = StringField("近年县级及以上一等奖", validators=[Optional(), Length(max=200)])
    award_year = StringField("获奖年份", validators=[Optional(), Length(max=8)])
    reason = StringField("修改原因（名单截止后必填）", validators=[Optional(), Length(max=500)])


class ImportForm(FlaskForm):
    file = FileField("xlsx 文件", validators=[FileRequired("请选择要导入的 xlsx 文件。")])
    remove_missing = BooleanField("删除名单上有、但文件中没有的教师（文件即本校全体教师）")
    reason = StringField("修改原因（名单截止后必填）", validators=[Optional(), Length(max=500)])


class ExemptionForm(FlaskForm):
    reason = SelectField("免赛理由", choices=[(r.value, r.label) for r in ExemptionReason])
    detail = TextAreaField("情况说明（不公开）", validators=[Optional(), Length(max=500)])


class DecisionForm(FlaskForm):
    note = StringField("意见", validators=[Optional(), Length(max=500)])


class ReasonForm(FlaskForm):
    reason = StringField("原因", validators=[Optional(), Length(max=500)])


class StampedForm(FlaskForm):
    file = FileField(
        "盖章名单扫描件（PDF、JPG 或 PNG，不超过 10 MB）", validators=[FileRequired("请选择扫描件。")]
    )
