"""In a real browser (issue 15, items 1 and 6): a student sees how they match a job, applies
with a resume and a cover letter, then replaces the resume on their profile; the recruiter
still opens the file applied with (the same bytes), until the student withdraws. The pages
are photographed at 390 and 1280 px, light and dark (RIZEOS_SCREENSHOTS=dir keeps them)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.client import User
from tests.pages.conftest import Browser
from tests.pages.test_screenshots import UNLABELLED

SIZES = {"390": {"width": 390, "height": 844}, "1280": {"width": 1280, "height": 800}}


@pytest.fixture
def target(tmp_path: Path) -> Path:
    path = Path(os.environ.get("RIZEOS_SCREENSHOTS") or tmp_path)
    path.mkdir(parents=True, exist_ok=True)
    return path


async def photograph(browser: Browser, user: User, path: str, name: str, target: Path) -> None:
    """``path`` at both sizes in both themes, each a full-page PNG; no control unlabelled,
    nothing wider than the screen."""
    for size, viewport in SIZES.items():
        for theme in ("light", "dark"):
            page = await browser.page(user, path, viewport=viewport, color_scheme=theme)
            await expect(page.locator("main")).to_be_visible()
            # the score's parts open, so their layout is checked and photographed too
            await page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            assert await page.evaluate(UNLABELLED) == []
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{name} {size} {theme} scrolls sideways"
            await page.screenshot(path=target / f"{name}-{size}-{theme}.png", full_page=True)
            await page.context.close()


async def open_status(page: Page, href: str) -> tuple[int, bytes]:
    """Open a file link with the page's own cookies, as a click would: status and bytes."""
    response = await page.context.request.get(href)
    return response.status, await response.body() if response.ok else b""


async def test_recruiter_downloads_the_resume_applied_with_after_the_profile_changes(
    browser: Browser, api, target: Path
):
    recruiter = await api.sign_up(["employer"], full_name="Rita Recruiter")
    company = await api.company(recruiter, name="Acme Robotics")
    job = await api.job(
        recruiter,
        company["id"],
        title="Backend Intern",
        description="Python services on PostgreSQL.",
        skills_required=["Python", "PostgreSQL"],
    )
    student = await api.sign_up(["student"], full_name="Ana Student")
    first = await api.upload(student, "resume", b"%PDF first resume", filename="Ana CV 2025.pdf")
    await api.patch(
        f"/api/profiles/{student.id}",
        {
            "headline": "Backend developer",
            "resume_url": first["url"],
            "skills": {"claimed": ["Python", "PostgreSQL"]},
        },
        as_=student,
        expect=200,
    )

    # The job page explains the match instead of a bare percentage, and offers the resume.
    page = await browser.page(student, f"/jobs/{job['id']}")
    await expect(page.locator("#match-summary")).to_have_text("You have both listed skills")
    await expect(page.locator("#matched-skills")).to_contain_text("Python claimed")
    await page.locator(".score-parts summary").click()
    await expect(page.locator(".score-parts")).to_contain_text("60% when only claimed")
    picker = page.get_by_label("Resume to send")
    await expect(picker.locator("option:checked")).to_have_text("Ana CV 2025.pdf · on your profile")
    await photograph(browser, student, f"/jobs/{job['id']}", "apply-form", target)

    await page.get_by_label("Cover letter (optional)").fill("  I build APIs.\nHire me.  ")
    await page.get_by_role("button", name="Apply").click()
    applied = page.locator("#applied-resume")
    await expect(applied).to_contain_text("Ana CV 2025.pdf")
    await expect(page.locator("#my-application")).to_contain_text("submitted")
    [application] = (await api.get("/api/me/applications", as_=student))["items"]
    assert application["cover_letter"] == "I build APIs.\nHire me."
    await photograph(browser, student, f"/jobs/{job['id']}", "applied", target)

    # A new resume on the profile changes nothing about what was sent.
    second = await api.upload(student, "resume", b"%PDF second resume", filename="Ana CV 2026.pdf")
    await api.patch(
        f"/api/profiles/{student.id}", {"resume_url": second["url"]}, as_=student, expect=200
    )
    mine = await browser.page(student, "/applications")
    await expect(mine.locator("#my-applications")).to_contain_text("Ana CV 2025.pdf")
    await photograph(browser, student, "/applications", "my-applications", target)

    review = await browser.page(recruiter, f"/jobs/{job['id']}/applicants")
    sent = f"/api/files/{first['id']}"
    link = review.locator(f'a[href="{sent}"]')
    await expect(link).to_have_count(1)
    await expect(link).to_have_text("Ana CV 2025.pdf")  # the file sent, by name
    assert await open_status(review, sent) == (200, b"%PDF first resume")
    assert await review.locator(f'a[href="/api/files/{second["id"]}"]').count() == 0
    seen = await api.get(f"/api/applications/{application['id']}", as_=recruiter, expect=200)
    assert seen["resume_filename"] == "Ana CV 2025.pdf"
    assert seen["resume_uploaded_at"] == first["completed_at"]

    # Withdrawn: the company loses the file; the student still has it.
    browser.confirms.add("Withdraw this application?")
    await mine.get_by_role("button", name="Withdraw").click()
    await expect(mine.locator("#my-applications [data-status]")).to_have_text("withdrawn")
    assert (await open_status(review, sent))[0] == 404
    assert await open_status(mine, sent) == (200, b"%PDF first resume")
    browser.check()


async def test_a_resume_uploaded_on_the_apply_form_is_chosen_and_sent(
    browser: Browser, api, target: Path
):
    recruiter = await api.sign_up(["employer"])
    company = await api.company(recruiter, name="Acme Robotics")
    job = await api.job(recruiter, company["id"], skills_required=["Go", "Rust"])
    student = await api.sign_up(["student"], full_name="Bo Student")
    await api.patch(
        f"/api/profiles/{student.id}",
        {"headline": "Systems programmer", "skills": {"claimed": ["Go"]}},
        as_=student,
        expect=200,
    )
    page = await browser.page(student, f"/jobs/{job['id']}")
    await expect(page.locator("#match-summary")).to_have_text("You have 1 of 2 listed skills")
    await expect(page.locator("#missing-skills")).to_have_text("Rust")
    picker = page.get_by_label("Resume to send")
    await expect(picker.locator("option:checked")).to_have_text("No resume")
    await photograph(browser, student, f"/jobs/{job['id']}", "apply-form-missing", target)

    # a file that is not one of Bo's resumes (here: a recruiter's) is refused on the field
    foreign = await api.upload(recruiter, "resume", b"%PDF not bo's")
    await picker.evaluate(
        "(s, url) => { s.append(new Option('Not mine', url)); s.value = url; }", foreign["url"]
    )
    await page.get_by_role("button", name="Apply").click()
    await expect(page.locator("#f-resume_url + .field-error")).to_contain_text("no upload of yours")
    await expect(picker).to_have_attribute("aria-invalid", "true")
    assert await api.get("/api/me/applications", as_=student) == {"items": [], "next": None}

    await page.get_by_label("Or upload a new one").set_input_files(
        files=[{"name": "Bo tailored.pdf", "mimeType": "application/pdf", "buffer": b"%PDF bo"}]
    )
    await expect(picker.locator("option:checked")).to_have_text(
        "Bo tailored.pdf · uploaded just now"
    )
    await page.get_by_role("button", name="Apply").click()
    await expect(page.locator("#applied-resume")).to_contain_text("Bo tailored.pdf")
    [application] = (await api.get("/api/me/applications", as_=student))["items"]
    assert await api.download(application["resume_url"], recruiter) == b"%PDF bo"
    browser.check()
