from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from app.orgs.models import SchoolLevel
from app.web.forms import optional_int


class DistrictForm(FlaskForm):
    code = StringField("区县代码", validators=[DataRequired("请输入区县代码。"), Length(max=12)])
    name = StringField("区县名称", validators=[DataRequired("请输入区县名称。"), Length(max=64)])


class SchoolForm(FlaskForm):
    code = StringField(
        "学校代码",
        validators=[
            DataRequired("请输入学校代码。"),
            Length(max=32),
            Regexp(r"^[A-Za-z0-9-]+$", message="学校代码只能包含字母、数字和短横线。"),
        ],
    )
    name = StringField("学校名称", validators=[DataRequired("请输入学校名称。"), Length(max=128)])
    district_id = SelectField("所属区县", coerce=optional_int, validators=[DataRequired("请选择区县。")])
    level = SelectField("学段", choices=[(lv.value, lv.label) for lv in SchoolLevel])
    is_central = BooleanField("中心校")
    is_township_junior = BooleanField("乡镇中学")
    is_seat = BooleanField("区政府所在地学校")
    central_school_id = SelectField("所属中心校（村小填写）", coerce=optional_int)


class ImportForm(FlaskForm):
    file = FileField("xlsx 文件", validators=[FileRequired("请选择要导入的 xlsx 文件。")])
