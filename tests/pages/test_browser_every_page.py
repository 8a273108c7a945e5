"""Every page, for every persona that can see it, on a phone (390x844) and a desktop
(1280x800), in the light and the dark theme: the document never scrolls sideways and no box
cuts its content off, no script or console error, no failed request but the 4xx a page
expects (EXPECTED_4XX), and every visible form control is labelled.

The data is seeded (a company with a job with an attachment and a logo, an application,
a gig with a cover image, an institute with a member, a conversation) and the pages are then
visited in turn: one browser, one context per persona, size and theme; each size and theme
is a test of its own (with its own seeded data), so the suite's workers run them side by
side. A failure names the page, persona, size and theme, and what went wrong; all of them
are listed at the end.

Every page route of server/pages/*.py is visited (and /api/docs), with real ids, by every
persona that may see it, except ``/welcome``, which only redirects to a persona's first page
(visited), and ``POST /unsubscribe/{token}``, an action tested in its own file.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from playwright.async_api import BrowserContext, Page, expect
from playwright.async_api import Error as PlaywrightError

from server import keys
from server.config import OidcProvider
from server.job_alerts.unsubscribe import digest_unsubscribe_token
from server.messaging.unsubscribe import unsubscribe_token
from tests.client import User
from tests.enrichment.conftest import pdf_resume
from tests.gigs.conftest import gig_body
from tests.pages.conftest import Browser
from tests.pages.test_browser_uploads import PNG
from tests.pages.test_screenshots import UNLABELLED

SIZES = {"390x844": {"width": 390, "height": 844}, "1280x800": {"width": 1280, "height": 800}}
THEMES = ("light", "dark")

# The 4xx answers a page causes on purpose, by the page's path: (method, path, status).
# Anything else at or above 400 is a failure.
EXPECTED_4XX: dict[str, set[tuple[str, str, int]]] = {
    # A confirmation link whose token is not one we issued: the page submits it and shows why
    # it failed.
    "/verify-email?token=not-a-token": {("POST", "/api/auth/verify-email", 422)},
    "/confirm-email?token=not-a-token": {("POST", "/api/auth/email-change/confirm", 422)},
}

# Where the document is wider than the viewport, the elements sticking out on the right
# that have no child sticking out themselves (the culprits), with their right edge.
OVERFLOW = """() => {
  const width = window.innerWidth;
  const doc = document.documentElement;
  if (doc.scrollWidth <= width) return null;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + [...el.classList].map((c) => "." + c).join("");
  const wide = new Set([...document.body.querySelectorAll("*")].filter((el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.right > width + 0.5;
  }));
  const culprits = [...wide].filter((el) => ![...el.children].some((c) => wide.has(c)));
  return `scroll width ${doc.scrollWidth} > ${width}: ` + culprits.slice(0, 4).map((el) =>
    `${name(el)} (right edge ${Math.round(el.getBoundingClientRect().right)}px, `
    + `"${(el.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 30)}")`).join("; ");
}"""


# Content cut off inside a box that hides its overflow (the chip cut as "Mac|hine"),
# which the document's width does not show. Text meant to end in an ellipsis, visually
# hidden text and form controls (whose value scrolls inside them) are not cut.
CLIPPED = """() => {
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + [...el.classList].map((c) => "." + c).join("");
  return [...document.querySelectorAll("body *")].filter((el) => {
    if (el.matches("input, textarea, select")) return false;
    const style = getComputedStyle(el);
    if (!["hidden", "clip"].includes(style.overflowX) || style.textOverflow === "ellipsis") {
      return false;
    }
    return el.clientWidth > 2 && el.scrollWidth > el.clientWidth + 1;
  }).slice(0, 4).map((el) => `${name(el)} (${el.scrollWidth}px of content in ${el.clientWidth}px, `
    + `"${(el.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 30)}")`);
}"""


@dataclass
class Persona:
    name: str
    user: User | None
    paths: list[str]


@dataclass
class Sweep:
    """What went wrong, each line naming where."""

    failures: list[str] = field(default_factory=list)

    def fail(self, where: str, what: str) -> None:
        self.failures.append(f"{where}: {what}")


@pytest.fixture
def settings(settings):
    """Two identity providers, so the sign-in and sign-up pages show their "Continue with"
    buttons (never pressed here: the issuers are not contacted)."""
    providers = (
        OidcProvider(name="google", label="Google", client_id="x", issuer="http://127.0.0.1:9"),
        OidcProvider(
            name="uni_sso",
            label="Northfield University SSO",
            client_id="x",
            issuer="http://127.0.0.1:9/sso",
        ),
    )
    return dataclasses.replace(settings, oidc_providers=providers)


async def seed(api, client) -> list[Persona]:
    # Realistic, and long where real data is long: names, titles, skills, an unbroken URL.
    recruiter = await api.sign_up(["employer"], full_name="Rita Okonkwo-Bergström")
    logo = await api.upload(recruiter, "org_logo", PNG, content_type="image/png")
    company = await api.company(
        recruiter,
        name="Acme Robotics & Automation GmbH",
        location="Berlin, Germany",
        website_url="https://acme.example",
        description="We build friendly robots for warehouses and hospitals.",
        logo_url=logo["url"],
    )
    brief = await api.upload(recruiter, "job_attachment", pdf_resume("Brief"))
    job = await api.job(
        recruiter,
        company["id"],
        title="Backend Engineering Intern (Python, PostgreSQL, Kubernetes)",
        description="Join Acme Robotics as a backend intern. You will build real things.\n"
        "Read more: https://acme.example/careers/2026/backend-engineering-intern/brief",
        skills_required=["python", "postgresql", "kubernetes", "machine-learning-operations"],
        location="Berlin",
        remote=True,
        salary_min=300000,
        salary_max=450000,
        salary_currency="EUR",
        attachments=[{"title": "The brief", "type": "pdf", "url": brief["url"]}],
    )

    dean = await api.sign_up(["professional"], full_name="Dana Dean")
    institute = await api.institute(dean, name="Northfield University", location="Leeds")

    student = await api.sign_up(["student"], full_name="Samantha Alexandra Montgomery")
    await api.patch(
        f"/api/profiles/{student.id}",
        {
            "headline": "CS student at Northfield University, looking for a backend internship",
            "bio": "I build APIs and small robots.",
            "skills": {
                "claimed": ["Python", "PostgreSQL", "Docker", "Kubernetes", "Machine Learning"]
            },
            "education": [
                {"institution": "Northfield University", "degree": "BSc", "start_year": 2023}
            ],
        },
        as_=student,
        expect=200,
    )
    request = await api.post(
        f"/api/organizations/{institute['id']}/memberships",
        {"role_in_org": "student"},
        as_=student,
        expect=201,
    )
    await api.post(f"/api/memberships/{request['id']}/approve", as_=dean, expect=200)
    application = await api.post(
        f"/api/jobs/{job['id']}/applications",
        {"cover_letter": "I would love to join."},
        as_=student,
        expect=201,
    )
    conversation = await api.post(
        "/api/conversations",
        {
            "participant_ids": [str(student.id)],
            "context": {"type": "application", "id": application["id"]},
            "message": {"content": "Hi Sam, thanks for applying! Free for a call on Monday?"},
        },
        as_=recruiter,
        expect=201,
    )
    await api.post(
        f"/api/conversations/{conversation['id']}/messages",
        {
            "content": "Hi Rita, Monday works. My projects: "
            "https://github.com/samantha-montgomery/warehouse-robot-fleet-scheduler"
        },
        as_=student,
        expect=201,
    )

    freelancer = await api.sign_up(["freelancer"], full_name="Fay Freelancer")
    cover = await api.upload(freelancer, "gig_media", PNG, content_type="image/png")
    gig = await api.post(
        "/api/gigs",
        gig_body(media_gallery=[{"type": "image", "url": cover["url"], "title": "Cover"}]),
        as_=freelancer,
        expect=201,
    )

    # issue 16 (orders): the student ordered Fay's gig; she accepted and delivered.
    sketch = await api.upload(
        student, "order_file", PNG, filename="club-sketch.png", content_type="image/png"
    )
    order = await api.order(
        student,
        gig["id"],
        requirements="A logo for my robotics club: friendly, round, works in one colour.",
        attachments=[sketch["url"]],
    )
    await api.order_action(freelancer, order["id"], "accept")
    drafts = await api.upload(
        freelancer, "order_file", pdf_resume("Drafts"), filename="logo-drafts.pdf"
    )
    delivery = {
        "message": "Three drafts attached: tell me which one you like.",
        "files": [drafts["url"]],
    }
    await api.order_action(freelancer, order["id"], "deliver", delivery)
    order_pages = [f"/orders/{order['id']}", "/me/orders?role=buyer"]

    # issue 15, H1 (apply): a student who has not applied yet, with a resume on the profile
    # and another one uploaded, sees the job page's resume picker and how they match.
    newcomer = await api.sign_up(["student"], full_name="Priya Raman-Whitfield")
    on_profile = await api.upload(
        newcomer, "resume", pdf_resume("Priya"), filename="Priya Raman-Whitfield CV 2026.pdf"
    )
    await api.upload(newcomer, "resume", pdf_resume("Priya"), filename="Backend internships.pdf")
    await api.patch(
        f"/api/profiles/{newcomer.id}",
        {"resume_url": on_profile["url"], "skills": {"claimed": ["Python", "Go"]}},
        as_=newcomer,
        expect=200,
    )
    not_applied = Persona("student not applied", newcomer, [f"/jobs/{job['id']}", "/applications"])

    newcomer_without_roles = await api.sign_up(["student"], full_name="Noor Al-Hashimi")
    async with client.app[keys.DB].connection() as conn:
        await conn.execute("UPDATE users SET roles = '{}' WHERE id = $1", newcomer_without_roles.id)

    secret = client.app[keys.SETTINGS].secret_key
    public = [
        "/",
        "/jobs",
        f"/jobs/{job['id']}",
        f"/companies/{company['id']}",
        "/gigs",
        f"/gigs/{gig['id']}",
        "/docs/problems",
    ]
    # issue 15, H4 (institutes): the institute page (students for its admin, figures for all),
    # and an email domain on the members page.
    await api.post(
        f"/api/organizations/{institute['id']}/domains",
        {"domain": "northfield.example"},
        as_=dean,
        expect=201,
    )
    public.append(f"/institutes/{institute['id']}")
    signed_in = [*public, "/profile", "/messages", "/organizations", "/settings/notifications"]
    signed_in.append("/settings/account")  # issue 17: account and security
    # issue 15 (H3): saved jobs and job alerts (the student's full, the others' empty)
    await api.call("PUT", f"/api/me/saved-jobs/{job['id']}", as_=student, expect=200)
    alert = {"q": "backend intern", "skills": ["Python"], "location": "Berlin", "remote": True}
    alert |= {"company_id": company["id"], "frequency": "daily"}
    await api.post("/api/me/job-alerts", alert, as_=student, expect=201)
    signed_in += ["/me/saved-jobs", "/me/job-alerts"]
    public_alerts = [f"/unsubscribe/job-alerts/{digest_unsubscribe_token(secret, student.id)}"]
    return [
        Persona(
            "signed out",
            None,
            [
                *public,
                "/api/docs",  # a page of its own, the same for everyone (no header)
                "/jobs?q=python&location=Berlin",
                "/signup",
                "/signup?role=employer",
                "/login",
                "/forgot-password",
                "/reset-password?token=not-a-token",
                "/verify-email",
                "/verify-email?done=1",
                "/verify-email?token=not-a-token",
                "/confirm-email",  # issue 17: the link mailed to a new address
                "/confirm-email?done=1",
                "/confirm-email?token=not-a-token",
                f"/unsubscribe/{unsubscribe_token(secret, student.id)}",
                *public_alerts,
            ],
        ),
        Persona(
            "student",
            student,
            [
                *signed_in,
                "/onboarding",
                "/onboarding?q=Northfield",
                "/applications",
                f"/people/{student.id}",
                f"/people/{recruiter.id}",
                f"/messages/{conversation['id']}",
                f"/organizations/{institute['id']}/members",
                *order_pages,
            ],
        ),
        Persona(
            "recruiter",
            recruiter,
            [
                *signed_in,
                "/hiring",
                "/jobs/new",
                f"/jobs/new?company_id={company['id']}",
                f"/jobs/{job['id']}/edit",
                f"/jobs/{job['id']}/applicants",
                "/companies/new",
                f"/organizations/{company['id']}/members",
                f"/organizations/{company['id']}/edit",
                f"/people/{student.id}",
                f"/messages/{conversation['id']}",
            ],
        ),
        Persona(
            "freelancer",
            freelancer,
            [
                *signed_in,
                "/freelance",
                "/gigs/new",
                f"/gigs/{gig['id']}/edit",
                f"/people/{freelancer.id}",
                "/me/orders?role=seller",
                *order_pages,
            ],
        ),
        not_applied,  # issue 15, H1
        # issue 17: someone who signed up with an identity provider and has not chosen roles
        # yet (tests/pages/test_browser_oidc.py signs one up through a real provider).
        Persona(
            "signed up with a provider",
            newcomer_without_roles,
            ["/welcome/roles", "/", "/jobs", f"/jobs/{job['id']}", "/profile", "/settings/account"],
        ),
        Persona(
            "institute admin",
            dean,
            [
                *signed_in,
                "/companies/new?type=institute",
                f"/organizations/{institute['id']}/members",
                f"/organizations/{institute['id']}/edit",
                f"/people/{student.id}",
            ],
        ),
    ]


def watch(page: Page, problems: list[str], responses: list[tuple[str, str, int]]) -> None:
    """Collect what goes wrong on ``page`` into the current visit's lists."""

    async def dismiss(dialog) -> None:
        problems.append(f"a {dialog.type} dialog opened: {dialog.message}")
        await dialog.dismiss()

    def console(message) -> None:
        # A 4xx/5xx response also logs "Failed to load resource": the responses say which.
        if message.type == "error" and "Failed to load resource" not in message.text:
            problems.append(f"console error: {message.text}")

    def failed(request) -> None:
        # Leaving a page aborts what it still had in flight (a socket's poll): not a failure.
        if request.failure != "net::ERR_ABORTED":
            problems.append(f"request failed: {request.method} {request.url} {request.failure}")

    def answered(response) -> None:
        if response.status >= 400:
            parts = urlsplit(response.url)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            responses.append((response.request.method, path, response.status))

    page.on("dialog", dismiss)
    page.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))
    page.on("console", console)
    page.on("requestfailed", failed)
    page.on("response", answered)


# The images in view have arrived (leaving while one streams would cut its response off).
IMAGES_IN_VIEW_LOADED = """() => [...document.images].every(
  (img) => img.complete || img.getBoundingClientRect().top > window.innerHeight)"""


async def check_page(page: Page, persona: Persona, path: str, where: str, sweep: Sweep) -> None:
    answer = await page.goto(path)
    if answer is None or answer.status >= 400:
        sweep.fail(where, f"the page answered {answer.status if answer else 'nothing'}")
        return
    if persona.user is not None and await page.locator("body[data-user-id]").count():
        # The page's sockets are up (and its first fetches done): leaving now aborts
        # nothing that would log an error.
        await page.locator("body[data-chat=live]").wait_for(state="attached")
    await page.wait_for_function(IMAGES_IN_VIEW_LOADED)
    overflow = await page.evaluate(OVERFLOW)
    if overflow:
        sweep.fail(where, f"scrolls sideways: {overflow}")
    clipped = await page.evaluate(CLIPPED)
    if clipped:
        sweep.fail(where, f"content cut off: {clipped}")
    unlabelled = await page.evaluate(UNLABELLED)
    if unlabelled:
        sweep.fail(where, f"form controls without a label: {unlabelled}")
    menu = page.locator("#menu-button")
    if path == persona.paths[0] and await menu.is_visible():
        # The collapsed navigation, opened, fits too.
        await menu.click()
        await expect(menu).to_have_attribute("aria-expanded", "true")
        overflow = await page.evaluate(OVERFLOW)
        if overflow:
            sweep.fail(where, f"with the menu open, scrolls sideways: {overflow}")


async def visit_all(
    browser: Browser, persona: Persona, size: str, theme: str, sweep: Sweep
) -> None:
    context: BrowserContext = await browser.context(
        persona.user, viewport=SIZES[size], color_scheme=theme
    )
    page = await context.new_page()
    problems: list[str] = []
    responses: list[tuple[str, str, int]] = []
    watch(page, problems, responses)
    try:
        for path in persona.paths:
            where = f"{path} [{persona.name}, {size}, {theme}]"
            problems.clear()
            responses.clear()
            try:
                await check_page(page, persona, path, where, sweep)
            except PlaywrightError as exc:  # a wait that timed out: say where, go on
                sweep.fail(where, exc.message.splitlines()[0])
            expected = EXPECTED_4XX.get(path, set())
            for method, url, status in responses:
                if (method, url, status) not in expected:
                    sweep.fail(where, f"{method} {url} answered {status}")
            for problem in problems:
                sweep.fail(where, problem)
    finally:
        await context.close()


# GET routes of server/pages that are not pages a person sees: the icon, and /welcome (a
# redirect to the role's first step, each of which is swept).
NOT_PAGES = {"/favicon.ico", "/welcome"}


def unvisited_pages(app, personas: list[Persona]) -> list[str]:
    """Page routes (by pattern) that no persona's list visits: a new page joins the sweep or
    this names it."""
    visited = {urlsplit(path).path for persona in personas for path in persona.paths}
    missing = []
    for route in app.router.routes():
        if route.method != "GET" or not route.handler.__module__.startswith("server.pages"):
            continue
        info = route.resource.get_info()
        name = info.get("path") or info["formatter"]
        pattern = info.get("pattern")
        seen = any(pattern.fullmatch(v) if pattern else v == name for v in visited)
        if name not in NOT_PAGES and not seen:
            missing.append(name)
    return sorted(missing)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES)
async def test_every_page_fits_loads_cleanly_and_labels_its_controls(
    browser: Browser, api, client, size: str, theme: str
):
    """One size and theme per test, so the suite's workers sweep them side by side."""
    personas = await seed(api, client)
    assert unvisited_pages(client.app, personas) == []
    sweep = Sweep()
    for persona in personas:
        await visit_all(browser, persona, size, theme, sweep)
    report = "\n".join(sorted(sweep.failures))
    assert not sweep.failures, f"{len(sweep.failures)} problem(s) on the pages:\n{report}"


async def test_a_field_error_is_announced_with_its_field(browser: Browser):
    """static/js/forms.js puts each problem+json field error after its control and names it
    in the control's aria-describedby, so a screen reader reads it when the field takes
    focus; a corrected submit clears both."""
    page = await browser.page(path="/signup")
    email = page.get_by_label("Email")
    await email.fill("not-an-email")
    await page.get_by_label("Password").fill("long enough password")
    await page.get_by_role("button", name="Sign up").click()
    await expect(email).to_have_attribute("aria-invalid", "true")
    described = await email.get_attribute("aria-describedby")
    note = page.locator(f"#{described.split()[-1]}")
    await expect(note).to_have_class("field-error")
    # (The description may carry the error icon's generated "!" before the text.)
    message = await note.text_content()
    await expect(email).to_have_accessible_description(re.compile(re.escape(message)))
    await email.fill("someone@example.com")
    await page.get_by_role("button", name="Sign up").click()
    await expect(page.locator(".field-error")).to_have_count(0)
    browser.check()
