from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from app.roles import Role
from app.web.forms import optional_int


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名。"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码。"), Length(max=128)])
    remember = BooleanField("在此设备上保持登录")


class UserForm(FlaskForm):
    username = StringField(
        "用户名",
        validators=[
            DataRequired("请输入用户名。"),
            Length(min=3, max=64, message="用户名长度为3–64个字符。"),
            Regexp(r"^[A-Za-z0-9_.-]+$", message="用户名只能包含字母、数字、下划线、点和短横线。"),
        ],
    )
    display_name = StringField("姓名", validators=[DataRequired("请输入姓名。"), Length(max=64)])
    role = SelectField("角色", choices=[(r.value, r.label) for r in Role])
    district_id = SelectField("所属区县", coerce=optional_int, validators=[Optional()])
    school_id = SelectField("所属学校", coerce=optional_int, validators=[Optional()])
    password = PasswordField(
        "密码",
        validators=[Optional(), Length(min=8, max=128, message="密码至少8位。")],
        description="新建账号必填；编辑时留空表示不修改。",
    )
    active = BooleanField("启用", default=True)


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "当前密码", validators=[DataRequired("请输入当前密码。"), Length(max=128)]
    )
    new_password = PasswordField(
        "新密码",
        validators=[DataRequired("请输入新密码。"), Length(min=8, max=128, message="新密码为8–128位。")],
    )
    confirm = PasswordField(
        "再次输入新密码",
        validators=[DataRequired("请再次输入新密码。"), EqualTo("new_password", "两次输入的新密码不一致。")],
    )


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(
        "新密码",
        validators=[DataRequired("请输入新密码。"), Length(min=8, max=128, message="新密码为8–128位。")],
    )
    confirm = PasswordField(
        "再次输入新密码",
        validators=[DataRequired("请再次输入新密码。"), EqualTo("new_password", "两次输入的新密码不一致。")],
    )
