"""Templates decide nothing and say no rule ids (R-ROLE-1, R-UI-1).

Permission decisions are domain functions handed to templates as booleans; a template never compares a
role or an enum value to a literal. Rule ids (R-…) live in code, tests and ``{# #}`` comments only.
These tests read the files; they render nothing.
"""

from __future__ import annotations

import ast
import enum
import importlib
import pkgutil
import re
from pathlib import Path

import app as app_package
from app.enums import LabelledEnum

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
APP = ROOT / "app"

# Handled by the judging and draws engineers; they remove their entries at merge.
EXCLUDED_FROM_LITERAL_CHECK: tuple[str, ...] = ()

COMMENT = re.compile(r"\{#.*?#\}", re.S)
RULE_ID = re.compile(r"R-[A-Z]+-\d")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        yield path.relative_to(TEMPLATES).as_posix(), COMMENT.sub("", path.read_text(encoding="utf-8"))


def _enum_values() -> set[str]:
    """Every value of every enum the app declares (roles, statuses, stage kinds …)."""
    for info in pkgutil.walk_packages(app_package.__path__, "app."):
        importlib.import_module(info.name)
    values: set[str] = set()
    pending = [LabelledEnum, enum.StrEnum]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("app."):
            values.update(m.value for m in cls)
    return values


def literal_comparisons(text: str, values: set[str]) -> list[str]:
    """The places in template ``text`` that test a role or an enum value against a literal."""
    found = [m.group(0) for m in re.finditer(r"role\.value|\bRole\.|\.value\s*(?:==|!=|\bin\b)", text)]
    # a decision taken in the template from the user object, instead of a boolean from the view
    found += [m.group(0) for m in re.finditer(r"current_user\.(?:can_\w+|is_city|role(?!\.label))", text)]
    found += [m.group(0) for m in re.finditer(r"\[[\w.]*\.value\]|'status\.value'|\"status\.value\"", text)]
    quoted = "|".join(re.escape(v) for v in sorted(values, key=len, reverse=True))
    literal = rf"""(['"])(?:{quoted})\1"""
    found += [
        m.group(0)
        for m in re.finditer(rf"(?:==|!=|\bequalto\b['\"]?,?)\s*{literal}|{literal}\s*(?:==|!=)", text)
    ]
    found += [m.group(0) for m in re.finditer(rf"\bin\s*[(\[][^)\]]*{literal}[^)\]]*[)\]]", text)]
    return found


def test_the_checker_catches_what_it_should():
    values = {"school_admin", "drawn", "semifinal"}
    bad = [
        '{% if current_user.role.value == "school_admin" %}',
        "{% if stage.kind.value == 'semifinal' %}",
        "{{ {'drawn': '已抽取'}[d.status.value] }}",
        "{% if draws|selectattr('status.value', 'equalto', 'drawn')|list %}",
        "{% if x in ('drawn', 'void') %}",
        '{% if step == "semifinal" %}',
        "{% if Role.CITY_ADMIN %}",
        "{% if current_user.can_manage_district(a.district_id) %}",
        "{% if current_user.role == admin %}",
    ]
    assert all(literal_comparisons(t, values) for t in bad)
    good = ["{% if can_review %}", '{% if mode == "edit" %}', '<span class="prize-{{ a.prize.value }}">']
    assert not any(literal_comparisons(t, values) for t in good)


def test_r_role_1_no_template_compares_a_role_or_an_enum_value_to_a_literal():
    """Every template, the judging and draw screens included (EXCLUDED_FROM_LITERAL_CHECK is empty)."""
    values = _enum_values()
    assert {"school_admin", "drawn", "competing", "semifinal"} <= values
    offenders = {
        name: hits
        for name, text in _templates()
        if not name.startswith(EXCLUDED_FROM_LITERAL_CHECK)
        if (hits := literal_comparisons(text, values))
    }
    assert offenders == {}


def test_r_ui_1_no_rule_id_in_visible_template_text():
    """Rule ids may stay in ``{# #}`` comments only."""
    offenders = {name: RULE_ID.findall(text) for name, text in _templates() if RULE_ID.search(text)}
    assert offenders == {}


def _chinese_literals_with_rule_ids(source: str) -> list[tuple[int, str]]:
    """String literals with Chinese text and a rule id, outside docstrings (what a user could read)."""
    tree = ast.parse(source)
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    hits = []
    for node in ast.walk(tree):
        is_text = (
            isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
        )
        if is_text and CJK.search(node.value) and RULE_ID.search(node.value):
            hits.append((node.lineno, node.value))
    return hits


def test_r_ui_1_no_rule_id_in_a_chinese_message_of_the_app():
    """Flash texts, DomainError messages, labels: Chinese string literals carry no rule id."""
    offenders = {
        path.relative_to(ROOT).as_posix(): hits
        for path in sorted(APP.rglob("*.py"))
        if (hits := _chinese_literals_with_rule_ids(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}
