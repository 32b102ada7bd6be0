"""Forms of the awards domain (CSRF on every POST)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length


class PublishForm(FlaskForm):
    district_id = HiddenField()
    confirm_unscored = BooleanField("无成绩者不获奖：我已确认评分已结束，尚无成绩的选手（缺考等）不参与评奖")


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        "撤销原因",
        validators=[DataRequired("请填写撤销原因。"), Length(max=500, message="原因最多500字。")],
        description="撤销后该名单的证书将无法通过验证；原因记入审计日志。",
    )
