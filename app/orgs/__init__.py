"""Districts and schools of the city (R-ORG-1/2)."""

from flask import Blueprint

bp = Blueprint("orgs", __name__)
