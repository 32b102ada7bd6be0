"""赛训通 — the competition-style training portal (以赛促训).

The factory lives in ``app.factory``; importing this package stays free of Flask so that
``python -m app.draws.verify`` runs on the standard library alone (R-DRAW-1 (5)).
"""


def create_app(config=None):
    """Build the Flask application (see ``app.factory.create_app``)."""
    from app.factory import create_app as _create_app

    return _create_app(config)
