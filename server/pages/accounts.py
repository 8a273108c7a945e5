"""Pages for accounts: sign up, log in, email verification, password reset, onboarding."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from server import keys
from server.applications import schemas as app_schemas
from server.applications.service import ApplicationService
from server.jobs import schemas as job_schemas
from server.jobs.service import JobService
from server.matching.service import MatchingService
from server.orgs import schemas as org_schemas
from server.orgs.memberships import MembershipService
from server.orgs.service import OrganizationService
from server.pages.web import PageRequest, page, redirect, safe_next

SIGNUP_ROLES = (
    ("student", "Student", "find internships and jobs, join your institute"),
    ("professional", "Professional", "find jobs and grow your career"),
    ("employer", "Employer", "create a company, post jobs, hire"),
    ("freelancer", "Freelancer", "offer services as gigs"),
)


def sign_in_providers(p: PageRequest) -> list[tuple[str, str]]:
    """(name, label) of each identity provider: a "Continue with" button each."""
    return [(pr.name, pr.label) for pr in p.request.app[keys.SETTINGS].oidc_providers]


@page("/", "home.html", login=False)
async def home(p: PageRequest) -> dict[str, Any]:
    """The landing page for visitors (the newest open jobs show what is on offer); for a
    signed-in user, the way into their own work: their recent applications and the jobs that
    match them when they look for work."""
    latest = await JobService(p.db).search(job_schemas.JobSearchQuery(limit=6))
    context: dict[str, Any] = {"latest": latest.items}
    # Where deleting an account lands (static/js/pages/account_delete.js): say it is done.
    context["farewell"] = p.request.query.get("account") == "deleted"
    viewer = p.viewer
    if viewer is not None and viewer.has("student", "professional"):
        context["recommended"] = (await MatchingService(p.db).recommended(viewer.id, 3)).items
        mine = await ApplicationService(p.db).list_mine(
            viewer.id, app_schemas.ApplicationListQuery(limit=4)
        )
        context["applications"] = mine.items
    return context


@page("/signup", "signup.html", login=False)
async def sign_up(p: PageRequest) -> dict[str, Any] | web.StreamResponse:
    if p.viewer is not None:
        return redirect("/welcome")
    chosen = p.request.query.get("role")
    return {"roles": SIGNUP_ROLES, "chosen": chosen, "providers": sign_in_providers(p)}


@page("/login", "login.html", login=False)
async def log_in(p: PageRequest) -> dict[str, Any] | web.StreamResponse:
    target = safe_next(p.request.query.get("next"), "/welcome")
    if p.viewer is not None:
        return redirect(target)
    return {"next": target, "providers": sign_in_providers(p)}


@page("/welcome", "error.html")
async def welcome(p: PageRequest) -> web.StreamResponse:
    """Where a new session lands: the first step of the workflow of the user's role."""
    user = p.user
    if not user.roles:  # signed up with an identity provider and not chosen yet
        return redirect("/welcome/roles")
    if user.has("student"):
        return redirect("/onboarding")
    if user.has("employer"):
        return redirect("/hiring")
    if user.has("freelancer"):
        return redirect("/freelance")
    return redirect("/jobs")


@page("/welcome/roles", "choose_roles.html")
async def choose_roles(p: PageRequest) -> dict[str, Any] | web.StreamResponse:
    """The first step for someone who signed up with an identity provider: the same role
    choices as the sign-up page."""
    if p.user.roles:
        return redirect("/welcome")
    return {"roles": SIGNUP_ROLES, "chosen": p.request.query.get("role")}


@page("/verify-email", "verify_email.html", login=False)
async def verify_email(p: PageRequest) -> dict[str, Any]:
    return {"token": p.request.query.get("token", "")[:256], "done": "done" in p.request.query}


@page("/confirm-email", "confirm_email.html", login=False)
async def confirm_email(p: PageRequest) -> dict[str, Any]:
    """The link mailed to a new address (issue 17): confirming it makes it the account's."""
    return {"token": p.request.query.get("token", "")[:256], "done": "done" in p.request.query}


@page("/forgot-password", "forgot_password.html", login=False)
async def forgot_password(p: PageRequest) -> dict[str, Any]:
    return {}


@page("/reset-password", "reset_password.html", login=False)
async def reset_password(p: PageRequest) -> dict[str, Any]:
    return {"token": p.request.query.get("token", "")[:256]}


@page("/onboarding", "onboarding.html")
async def onboarding(p: PageRequest) -> dict[str, Any]:
    """Workflow 2, step 1: a student finds their institute and asks to join it."""
    search, errors = p.query(org_schemas.OrganizationSearch, drop=("type",))
    search.type = "institute"
    institutes = await OrganizationService(p.db).search(search) if not errors else None
    mine = await MembershipService(p.db).list_for_user(
        p.user.id, org_schemas.MembershipListQuery(limit=100)
    )
    member_of = {m.organization.id: m for m in mine.items if m.status != "inactive"}
    return {
        "q": search.q or "",
        "institutes": institutes,
        "errors": errors,
        "member_of": member_of,
        "memberships": [m for m in mine.items if m.organization.type == "institute"],
    }
