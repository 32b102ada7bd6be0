"""Forms of the public domain. Rules live in services; these carry fields, CSRF and lengths."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.public.models import ObjectionStatus
from app.public.services import MAX_LISTING_DAYS
from app.web.forms import optional_int


class ObjectionForm(FlaskForm):
    reason = TextAreaField(
        "异议理由",
        validators=[DataRequired("请写明异议的理由和事实。"), Length(max=2000)],
        description="请写明具体事实（如材料不实、年龄或身份不符等），至少5个字。",
    )
    filer_name = StringField("您的真实姓名", validators=[Length(max=64)])
    filer_phone = StringField(
        "联系电话", validators=[Length(max=20)], render_kw={"inputmode": "tel", "autocomplete": "tel"}
    )


class TrackForm(FlaskForm):
    class Meta:
        csrf = False  # a GET look-up

    code = StringField(
        "查询码",
        validators=[DataRequired("请输入查询码。"), Length(max=20)],
        render_kw={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"},
    )


class ListingForm(FlaskForm):
    district_id = SelectField("公示范围", coerce=optional_int, validators=[Optional()])
    start = DateField(
        "公示开始日期",
        validators=[InputRequired("请选择公示开始日期。")],
        description="从当天 0:00（北京时间）开始。",
    )
    days = IntegerField(
        "公示天数",
        validators=[
            InputRequired("请填写公示天数。"),
            NumberRange(min=1, max=MAX_LISTING_DAYS, message=f"公示天数应为 1–{MAX_LISTING_DAYS} 天。"),
        ],
    )
    note = TextAreaField(
        "公示说明",
        validators=[Optional(), Length(max=2000)],
        description="例如受理异议的单位与方式；显示在公示页上方。",
    )


class AnnouncementForm(FlaskForm):
    district_id = SelectField("发布单位", coerce=optional_int, validators=[Optional()])
    title = StringField("标题", validators=[DataRequired("请填写公告标题。"), Length(max=200)])
    body = TextAreaField(
        "正文", validators=[DataRequired("请填写公告正文。"), Length(max=20000)], render_kw={"rows": 10}
    )
    pinned = BooleanField("置顶")


class ResolveForm(FlaskForm):
    outcome = RadioField(
        "处理结果",
        choices=[(ObjectionStatus.DISMISSED.value, "异议不成立"), (ObjectionStatus.UPHELD.value, "异议成立")],
        validators=[InputRequired("请选择处理结果。")],
    )
    fraud = BooleanField("认定弄虚作假，取消该教师参赛资格（空出的抽取名额将重新抽取）")
    note = TextAreaField(
        "处理说明（公开）",
        validators=[DataRequired("请填写处理说明。"), Length(max=500)],
        description="向异议人和公众公开；取消资格时作为公开说明显示在公示页。不要写入身份证号、电话等隐私。",
    )
