"""Security headers on every response: one after_request hook (issue 12 pt 5).

The CSP allows scripts and styles from our own origin only — no inline ``<script>``, no ``on…=``
attributes (their behaviour lives in static/js/app.js) and no inline styles (htmx's own indicator
``<style>`` is switched off by ``includeIndicatorStyles: false`` in the htmx-config meta tag; its
rules are in static/css). Pages can't be framed, except the room display (大屏), which the same site may
embed. Signed-in pages and downloads carry private data (ID numbers, scores): never stored by a browser
or proxy cache.
"""

from __future__ import annotations

from flask import Flask, Response, request, session

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors {frame}"
)
# The live room display may be embedded by pages of the same site (a hall screen showing several rooms).
FRAMEABLE_BY_SAME_ORIGIN = frozenset({"judging.display"})


def security_headers(response: Response) -> Response:
    frameable = request.endpoint in FRAMEABLE_BY_SAME_ORIGIN
    response.headers["Content-Security-Policy"] = CSP.format(frame="'self'" if frameable else "'none'")
    response.headers["X-Frame-Options"] = "SAMEORIGIN" if frameable else "DENY"  # browsers without CSP 2
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    if _private():
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
        response.vary.add("Cookie")
    return response


def _private() -> bool:
    """A response for a signed-in user (pages, fragments, xlsx and PDF downloads) is private.

    Read from the session, not from ``current_user``: after the view's commit the user row is expired,
    and asking it would cost every autosave one more SELECT.
    """
    if request.endpoint == "static":
        return False
    return "_user_id" in session


def register(app: Flask) -> None:
    app.after_request(security_headers)
