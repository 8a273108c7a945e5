"""The layering rule (issue 11): services know nothing of HTTP.

Only route modules use the route decorator module (``server.api``); everything else gets
paging from ``server.paging`` and the caller from ``server.auth.caller``. The modules of a
domain that hold its rules (``service.py``, ``memberships.py``, ``access.py``, ``policy.py``
and the like) import neither ``server.api`` nor aiohttp: a page, a route, a socket handler
and the worker all call them alike.
"""

from __future__ import annotations

import ast
from pathlib import Path

import server

SERVER = Path(server.__file__).resolve().parent

# The modules that speak HTTP through the route decorator, and the ones that build on it.
ROUTE_MODULES = frozenset(
    {
        "server/api.py",
        "server/app.py",
        "server/errors.py",
        "server/health.py",
        "server/openapi.py",
        "server/applications/routes.py",
        "server/auth/routes.py",
        "server/enrichment/routes.py",
        "server/gigs/routes.py",
        "server/jobs/routes.py",
        "server/matching/routes.py",
        "server/messaging/routes.py",
        "server/notifications/routes.py",
        "server/orgs/routes.py",
        "server/profiles/routes.py",
        "server/storage/routes.py",
        "server/uploads/routes.py",
        "server/pages/__init__.py",
        "server/pages/accounts.py",
        "server/pages/chat.py",
        "server/pages/hiring.py",
        "server/pages/orgs.py",
        "server/pages/people.py",
        "server/pages/routes.py",
        "server/pages/web.py",
        # issue 15 (H3)
        "server/job_alerts/routes.py",
        "server/saved_jobs/routes.py",
        # issue 16
        "server/orders/routes.py",
        "server/reviews/routes.py",
        # issue 17: sign in with identity providers
        "server/auth/oidc/routes.py",
        # issue 17
        "server/exports/routes.py",
        # issue 17: your sessions, password and email
        "server/auth/security_routes.py",
        "server/deletion/routes.py",
    }
)

# The domains: their modules hold rules and data access, except the edges below.
DOMAINS = (
    "applications",
    "auth",
    "enrichment",
    "gigs",
    "jobs",
    "matching",
    "messaging",
    "notifications",
    "orgs",
    "profiles",
    "uploads",
    # issue 15 (H3)
    "job_alerts",
    "saved_jobs",
    # issue 16
    "orders",
    "reviews",
    # issue 17
    "exports",
    "deletion",
)

# Domain modules that may import aiohttp besides routes.py: the edges where HTTP, sockets or
# the application's lifecycle meet the domain.
AIOHTTP_EDGES = {
    "server/auth/middleware.py": "the HTTP middleware that finds the caller of a request",
    "server/messaging/namespace.py": "the /chat Socket.IO namespace, built from the app",
    "server/notifications/namespace.py": "the /notifications namespace, built from the app",
    "server/messaging/ratelimit.py": "installs the send limiter on the app (AppKey)",
    "server/messaging/sender.py": "installs the batch writer on the app (AppKey, cleanup_ctx)",
    "server/uploads/sweep.py": "the periodic sweep's cleanup context",
    "server/auth/attempts.py": "installs the password-attempt limiter on the app (AppKey)",
    "server/auth/last_seen.py": "the last-seen writer on the app (AppKey, cleanup_ctx)",
}


def imported_modules(source: str, module: str) -> set[str]:
    """Every module ``source`` imports (absolute names; ``from x import y`` counts as both
    ``x`` and ``x.y``, since ``y`` may be a submodule). ``module`` is the importer's dotted
    name, to resolve relative imports."""
    names: set[str] = set()
    package = module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                parent = ".".join([*base, node.module] if node.module else base)
            else:
                parent = node.module or ""
            names.add(parent)
            names.update(f"{parent}.{alias.name}" for alias in node.names)
    return names


def server_modules() -> dict[str, set[str]]:
    """``server/...py`` path -> the modules it imports."""
    found = {}
    for path in sorted(SERVER.rglob("*.py")):
        relative = path.relative_to(SERVER.parent).as_posix()
        dotted = relative.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
        if path.name == "__init__.py":
            dotted += ".__init__"  # so that relative imports resolve from the package itself
        found[relative] = imported_modules(path.read_text(), dotted)
    return found


def uses_api(imports: set[str]) -> bool:
    return any(name == "server.api" or name.startswith("server.api.") for name in imports)


def uses_aiohttp(imports: set[str]) -> bool:
    return any(name.split(".")[0].startswith("aiohttp") for name in imports)


def is_service_module(path: str) -> bool:
    parts = path.split("/")
    if path.endswith("/service.py"):
        return True
    in_domain = len(parts) == 3 and parts[1] in DOMAINS
    edge = path in ROUTE_MODULES or path in AIOHTTP_EDGES
    return in_domain and parts[2] not in ("routes.py", "__init__.py") and not edge


def test_only_route_modules_import_the_route_decorator_module():
    offenders = [
        path
        for path, imports in server_modules().items()
        if uses_api(imports) and path not in ROUTE_MODULES
    ]
    assert offenders == [], (
        "only route modules may import server.api; paging is in server.paging, "
        f"Caller in server.auth.caller: {offenders}"
    )


def test_services_import_neither_aiohttp_nor_the_route_decorator_module():
    modules = server_modules()
    services = [path for path in modules if is_service_module(path)]
    assert "server/orgs/memberships.py" in services and "server/jobs/service.py" in services
    offenders = [
        path
        for path in services
        if uses_api(modules[path]) or (uses_aiohttp(modules[path]) and path not in AIOHTTP_EDGES)
    ]
    assert offenders == [], f"service modules must not know HTTP: {offenders}"


def test_the_lists_name_modules_that_exist():
    modules = server_modules()
    assert sorted(ROUTE_MODULES - modules.keys()) == []
    assert sorted(AIOHTTP_EDGES.keys() - modules.keys()) == []
    assert [domain for domain in DOMAINS if not (SERVER / domain).is_dir()] == []


def test_the_import_reader_sees_every_spelling():
    assert uses_api(imported_modules("from server.api import endpoint", "server.x.service"))
    assert uses_api(imported_modules("from server import api", "server.x.service"))
    assert uses_api(imported_modules("import server.api as a", "server.x.service"))
    assert uses_api(imported_modules("from ..api import Caller", "server.x.service"))
    assert uses_api(imported_modules("from . import api", "server.__init__"))
    assert not uses_api(imported_modules("from server.paging import Limit", "server.x.service"))
    assert not uses_api(imported_modules("from server import apiary", "server.x.service"))
    assert uses_aiohttp(imported_modules("from aiohttp import web", "server.x.service"))
    assert uses_aiohttp(imported_modules("import aiohttp_jinja2", "server.x.service"))
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from aiohttp import web\n"
    assert uses_aiohttp(imported_modules(source, "server.x.service"))
    assert not uses_aiohttp(imported_modules("import asyncpg", "server.x.service"))
