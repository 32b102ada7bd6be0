"""One view serves the whole page or, for htmx, just the named block it swaps."""

from __future__ import annotations

from flask import make_response, render_template, request
from jinja2_fragments.flask import render_block


def wants_fragment() -> bool:
    """True for htmx requests that swap part of a page (boosted navigation wants the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_page_or_block(template: str, block: str, status: int = 200, **context):
    """Render ``block`` of ``template`` for htmx requests, the whole page otherwise."""
    if wants_fragment():
        html = render_block(template, block, **context)
    else:
        html = render_template(template, **context)
    response = make_response(html, status)
    response.vary.add("HX-Request")
    return response
