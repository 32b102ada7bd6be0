"""Forms of the awards domain (CSRF on every POST)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.awards.models import AbsenceKind


class PublishForm(FlaskForm):
    district_id = HiddenField()
    confirm = HiddenField()  # "1" on the confirmation screen's button: the POST that acts


class AbsenceForm(FlaskForm):
    """R-AW-1: record a competitor without a result as 缺考 or 弃权, with a reason."""

    entry_id = HiddenField(validators=[DataRequired("请选择选手。")])
    kind = SelectField(
        "情况", choices=[(k.value, k.label) for k in AbsenceKind], default=AbsenceKind.ABSENT.value
    )
    reason = StringField(
        "原因",
        validators=[DataRequired("请填写原因。"), Length(max=500, message="原因最多500字。")],
        render_kw={"placeholder": "如：因病未到场"},
    )


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        "撤销原因",
        validators=[DataRequired("请填写撤销原因。"), Length(max=500, message="原因最多500字。")],
        description="撤销后该名单的证书将无法通过验证；原因记入审计日志。",
    )
