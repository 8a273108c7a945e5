"""In a real browser: a student saves a job and creates alerts from a board search; a
recruiter posts a matching job; the student sees it live (the notifications menu) and in the
next digest email (a real SMTP server, the real worker), exactly once. The board shows the
result count and an "Applied" mark. The pages are photographed at 390 and 1280 px, light and
dark (RIZEOS_SCREENSHOTS=dir keeps the pictures)."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from playwright.async_api import expect

from server.config import Settings
from tests.job_alerts.conftest import matched
from tests.job_alerts.test_delivery import digests_done
from tests.messaging import test_missed_email as missed
from tests.pages.conftest import Browser
from tests.waits import eventually

worker = missed.worker

# No part of a page sticks out sideways; every visible control is labelled.
OVERFLOW = "() => document.scrollingElement.scrollWidth - window.innerWidth"
UNLABELLED = """() => [...document.querySelectorAll("input, select, textarea")]
  .filter((c) => c.type !== "hidden" && !c.closest("template"))
  .filter((c) => !c.labels?.length && !c.getAttribute("aria-label"))
  .map((c) => c.outerHTML)"""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, job_alert_digest_interval_seconds=1.0)


async def mark_applied(db, job_id: str, user) -> None:
    """An application made directly: the apply flow has tests of its own (H1's)."""
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO job_applications (job_id, candidate_id) VALUES ($1::UUID, $2)",
            job_id,
            user.id,
        )


async def test_a_saved_search_alerts_live_and_in_one_digest_email(
    browser: Browser, api, db, worker, smtp
):
    recruiter = await api.sign_up(["employer"], full_name="Rita Recruiter")
    company = await api.company(recruiter, name="Acme Robotics")
    first = await api.job(recruiter, company["id"], title="Python Intern")
    books = {"skills_required": ["excel"], "description": "Keep the books."}
    await api.job(recruiter, company["id"], title="Accountant", **books)
    student = await api.sign_up(["student"], full_name="Sam Student")
    await worker.start()

    sam = await browser.page(student, "/jobs?q=python")
    await expect(sam.locator("#result-count")).to_have_text("1 job")
    card = sam.locator(f'.job-card[data-job-id="{first["id"]}"]')
    save = card.get_by_role("button", name="Save: Python Intern")
    await save.click()
    await expect(card.get_by_role("button", name="Saved: Python Intern")).to_have_attribute(
        "aria-pressed", "true"
    )
    await sam.get_by_label("How often").select_option("instant")
    await sam.get_by_role("button", name="Create alert from this search").click()
    await expect(sam.locator("#alert-form [role=status]")).to_contain_text("Alert created")
    await sam.reload()
    await sam.get_by_label("How often").select_option("daily")
    await sam.get_by_role("button", name="Create alert from this search").click()
    await expect(sam.locator("#alert-form [role=status]")).to_contain_text("daily email")

    await sam.goto("/me/saved-jobs")
    await expect(sam.locator("#saved-jobs .card-title")).to_have_text(["Python Intern"])
    await sam.goto("/me/job-alerts")
    await expect(sam.locator("#job-alerts .alert-card")).to_have_count(2)
    await expect(sam.locator("#job-alerts .card-title").first).to_have_text("“python”")

    # The recruiter posts a matching job (and one that does not match) while Sam is here.
    posted = await api.job(recruiter, company["id"], title="Python Developer")
    await api.job(recruiter, company["id"], title="Bookkeeper", **books)
    await expect(sam.locator("#notif-count")).to_have_text("1")
    await sam.locator("#notif-button").click()
    live = sam.locator("#notif-list a").first
    await expect(live).to_contain_text("Python Developer")
    await expect(live).to_have_attribute("href", f"/jobs/{posted['id']}")

    await eventually(lambda: smtp.to(student.email), what="the digest email")
    await matched(db)
    await digests_done(db)
    [mail] = smtp.to(student.email)
    assert "Python Developer at Acme Robotics" in mail.get_content()
    assert "Bookkeeper" not in mail.get_content()
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    await sam.reload()
    await expect(sam.locator("#notif-count")).to_have_text("1")  # once, live or not
    assert len(smtp.to(student.email)) == 1

    # The board marks what Sam applied to, and the job page keeps the saved state.
    await mark_applied(db, first["id"], student)
    await sam.goto("/jobs?q=python")
    await expect(sam.locator("#result-count")).to_have_text("2 jobs")
    await expect(card.locator("[data-applied]")).to_have_text("Applied")
    posted_card = sam.locator(f'.job-card[data-job-id="{posted["id"]}"]')
    await expect(posted_card.locator("[data-applied]")).to_have_count(0)
    await sam.goto(f"/jobs/{first['id']}")
    await expect(sam.get_by_role("button", name="Saved: Python Intern")).to_be_visible()
    await sam.get_by_role("button", name="Saved: Python Intern").click()
    await expect(sam.get_by_role("button", name="Save: Python Intern")).to_be_visible()
    assert (await api.get("/api/me/saved-jobs", as_=student))["items"] == []
    browser.check()


async def test_an_alerts_see_jobs_link_keeps_its_company_as_a_filter_that_can_be_removed(
    browser: Browser, api
):
    recruiter = await api.sign_up(["employer"], full_name="Rita Recruiter")
    acme = await api.company(recruiter, name="Acme Robotics")
    globex = await api.company(recruiter, name="Globex")
    await api.job(recruiter, acme["id"], title="Python Intern")
    await api.job(recruiter, globex["id"], title="Python Developer")
    student = await api.sign_up(["student"], full_name="Sam Student")
    search = {"frequency": "instant", "q": "python", "company_id": acme["id"]}
    await api.post("/api/me/job-alerts", search, as_=student, expect=201)

    sam = await browser.page(student, "/me/job-alerts")
    await sam.locator("#job-alerts .card-title a").click()
    await expect(sam.locator("#company-filter")).to_contain_text("Only jobs at Acme Robotics")
    await expect(sam.locator("#result-count")).to_have_text("1 job")
    await expect(sam.locator("#job-results .card-title")).to_have_text(["Python Intern"])
    # A new search from the form keeps the company.
    await sam.locator("#q").fill("intern")
    await sam.get_by_role("button", name="Search", exact=True).click()
    await expect(sam.locator("#company-filter")).to_contain_text("Acme Robotics")
    await expect(sam.locator("#job-results .card-title")).to_have_text(["Python Intern"])
    await sam.get_by_role("link", name="Show every company").click()
    await expect(sam.locator("#company-filter")).to_have_count(0)
    await expect(sam.locator("#q")).to_have_value("intern")
    await sam.locator("#q").fill("python")
    await sam.get_by_role("button", name="Search", exact=True).click()
    await expect(sam.locator("#result-count")).to_have_text("2 jobs")
    browser.check()


@pytest.fixture
def target(tmp_path: Path) -> Path:
    path = Path(os.environ.get("RIZEOS_SCREENSHOTS") or tmp_path)
    path.mkdir(parents=True, exist_ok=True)
    return path


async def test_the_pages_fit_a_phone_and_a_desktop_in_both_themes(
    browser: Browser, api, db, target: Path
):
    recruiter = await api.sign_up(["employer"], full_name="Rita Okonkwo-Bergström")
    company = await api.company(recruiter, name="Acme Robotics & Automation GmbH")
    jobs = [
        await api.job(
            recruiter,
            company["id"],
            title=title,
            location="Berlin, Germany",
            skills_required=["python", "postgresql", "kubernetes"],
        )
        for title in (
            "Backend Engineering Intern (Python, PostgreSQL, Kubernetes)",
            "Python Platform Engineer",
            "Data Engineer, Python",
        )
    ]
    await api.post(f"/api/jobs/{jobs[2]['id']}/close", as_=recruiter, expect=200)
    student = await api.sign_up(["student"], full_name="Samantha Alexandra Montgomery")
    for job in jobs[:2] + jobs[2:]:
        await api.call("PUT", f"/api/me/saved-jobs/{job['id']}", as_=student, expect=200)
    await mark_applied(db, jobs[0]["id"], student)
    searches = [
        {"frequency": "instant", "q": "backend engineering intern", "skills": ["Python"]},
        {"frequency": "daily", "location": "Berlin", "remote": True, "company_id": company["id"]},
        {"frequency": "daily"},
    ]
    for search in searches:
        await api.post("/api/me/job-alerts", search, as_=student, expect=201)

    pages = {
        "board": "/jobs?q=python&skills=postgresql",
        "board-company": f"/jobs?q=python&company_id={company['id']}",
        "saved": "/me/saved-jobs",
        "alerts": "/me/job-alerts",
        "job": f"/jobs/{jobs[0]['id']}",
    }
    for size, viewport in {
        "390": {"width": 390, "height": 844},
        "1280": {"width": 1280, "height": 800},
    }.items():
        for scheme in ("light", "dark"):
            context = await browser.context(student, viewport=viewport, color_scheme=scheme)
            page = await context.new_page()
            browser.watch(page)
            for name, path in pages.items():
                await page.goto(path)
                await expect(page.locator("main")).to_be_visible()
                assert await page.evaluate(OVERFLOW) <= 0, f"{name} {size} {scheme} overflows"
                assert await page.evaluate(UNLABELLED) == [], name
                await page.screenshot(
                    path=str(target / f"{name}-{size}-{scheme}.png"), full_page=True
                )
            await context.close()
    browser.check()
