"""/docs/problems: what each problem ``type`` the API answers means, one anchor per type.

Rendered from ``server.errors.PROBLEM_TYPES``, the list every problem the code emits takes
its type from, so the page cannot leave one out or describe one that is gone.
"""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from server.errors import PROBLEM_TYPES, RETRY_AFTER_S, is_outage
from server.pages.web import routes, secure_headers, viewer_of


@routes.get("/docs/problems")
async def problem_types(request: web.Request) -> web.StreamResponse:
    try:
        viewer = await viewer_of(request)
    except Exception as exc:
        if not is_outage(exc):
            raise
        # The page needs no data, and 503 answers link to it: serve it anonymously.
        viewer = None
    context = {"viewer": viewer, "types": PROBLEM_TYPES, "retry_after": RETRY_AFTER_S}
    response = aiohttp_jinja2.render_template("problems.html", request, context)
    return secure_headers(request, response)
