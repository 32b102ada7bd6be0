"""Competitions (赛事): stages, subjects, groups and the rule settings in force (SPEC §2)."""

from flask import Blueprint

bp = Blueprint("competitions", __name__)
