"""In a real browser: a recruiter triages a job's applicants (issue 15, item 4). They sort by
best match, filter by status, move two applicants at once (one is refused and the page says
why), write a private team note, and see a new applicant arrive live with the same match a
reload shows. The candidate's pages and APIs never show the note. The dashboard fits a
phone and a desktop, light and dark (screenshots kept in RIZEOS_TRIAGE_SHOTS when set)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.client import User
from tests.pages.conftest import Browser
from tests.pages.test_browser_hiring import OVERFLOW, UNLABELLED_CELLS, phone_page

NOTE = "Great SQL answers; ask about the on-call story in round two."
# Where the screenshots go, to be looked at (not compared): set RIZEOS_TRIAGE_SHOTS to keep
# them; by default pytest's temporary directory.
SHOTS_ENV = "RIZEOS_TRIAGE_SHOTS"


async def candidate(api, name: str, skills: dict, resume: str | None = None) -> User:
    user = await api.sign_up(["student"], full_name=name)
    profile = {"headline": "Computer Science student", "skills": skills}
    if resume:
        upload = await api.upload(user, "resume", b"%PDF-1.4 " + name.encode(), filename=resume)
        profile["resume_url"] = upload["url"]
    await api.patch(f"/api/profiles/{user.id}", profile, as_=user, expect=200)
    return user


async def apply(api, user: User, job_id: str) -> dict:
    return await api.post(f"/api/jobs/{job_id}/applications", {}, as_=user, expect=201)


def row(page: Page, name: str):
    return page.locator("#applicants tbody tr[data-application-id]", has_text=name)


async def names(page: Page) -> list[str]:
    return await page.locator(
        "#applicants tbody tr[data-application-id] a.candidate"
    ).all_inner_texts()


async def shoot(page: Page, folder: Path, name: str) -> None:
    await page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get(SHOTS_ENV) or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def test_recruiter_sorts_filters_bulk_moves_and_notes(browser: Browser, api, shots):
    recruiter = await api.sign_up(["employer"], full_name="Rita Recruiter")
    company = await api.company(recruiter, name="Acme Data")
    job = await api.job(recruiter, company["id"], title="Data Intern")  # python, postgresql
    ana = await candidate(
        api, "Ana Lovelace", {"claimed": ["Python", "PostgreSQL"]}, resume="ana-cv.pdf"
    )
    ben = await candidate(api, "Ben Okafor", {"claimed": ["Python"]})
    cy = await candidate(api, "Cy Cobol", {"claimed": ["Cobol"]})
    applied = {}
    for user, name in ((ana, "Ana"), (ben, "Ben"), (cy, "Cy")):
        applied[name] = await apply(api, user, job["id"])

    hr = await browser.page(
        recruiter, f"/jobs/{job['id']}/applicants", viewport={"width": 1280, "height": 900}
    )
    await expect(hr.locator('[data-count="all"]')).to_have_text("3")
    await expect(hr.locator('[data-count="submitted"]')).to_have_text("3")
    await expect(hr.locator('[data-count="hired"]')).to_have_text("0")
    assert await names(hr) == ["Cy Cobol", "Ben Okafor", "Ana Lovelace"]  # newest first
    resume = row(hr, "Ana Lovelace").locator(".resume")
    await expect(resume.get_by_role("link", name="ana-cv.pdf")).to_be_visible()
    await expect(resume.locator("time")).to_have_text("uploaded just now")

    # Best match first.
    await hr.get_by_label("Sort by").select_option("score")
    await hr.wait_for_url("**sort=score**")
    assert await names(hr) == ["Ana Lovelace", "Ben Okafor", "Cy Cobol"]
    await expect(row(hr, "Cy Cobol").locator("td[data-label=Match]")).to_contain_text(
        "Missing python, postgresql"
    )

    # One move, then the Viewed filter shows just that one.
    await row(hr, "Ben Okafor").get_by_role("button", name="Move to viewed").click()
    await expect(row(hr, "Ben Okafor").locator("[data-status]")).to_have_text("viewed")
    await expect(hr.locator('[data-count="viewed"]')).to_have_text("1")
    await hr.get_by_role("link", name="Viewed 1").click()
    await hr.wait_for_url("**status=viewed**")
    assert await names(hr) == ["Ben Okafor"]
    await hr.get_by_role("link", name="All 3").click()
    await hr.wait_for_url(lambda url: "status=" not in url)

    # Bulk: shortlisting Ben (viewed) works; Ana (submitted) must be viewed first.
    await hr.get_by_label("Select Ana Lovelace").check()
    await hr.get_by_label("Select Ben Okafor").check()
    await expect(hr.locator("#bulk-selected")).to_have_text("2 selected")
    await hr.get_by_label("Move selected to").select_option("shortlisted")
    await hr.get_by_role("button", name="Move", exact=True).click()
    result = hr.locator("#bulk-result")
    await expect(result).to_contain_text("Moved 1 to shortlisted. Not moved: 1.")
    await expect(result.locator("li")).to_have_text(
        "Ana Lovelace: cannot move a submitted application to shortlisted;"
        " allowed next: viewed, rejected"
    )
    await expect(row(hr, "Ben Okafor").locator("[data-status]")).to_have_text("shortlisted")
    await expect(row(hr, "Ana Lovelace").locator("[data-status]")).to_have_text("submitted")
    await expect(hr.locator('[data-count="shortlisted"]')).to_have_text("1")
    await expect(hr.locator('[data-count="viewed"]')).to_have_text("0")
    assert (await api.get(f"/api/applications/{applied['Ben']['id']}", as_=ben))["status"] == (
        "shortlisted"
    )

    # A private note on Ana's application.
    notes = row(hr, "Ana Lovelace").locator("details[data-notes]")
    await notes.locator("summary").click()
    await notes.get_by_role("button", name="Add note").click()
    await expect(notes.locator(".field-error")).to_have_text("write a note first")
    await notes.get_by_label("New note").fill(NOTE)
    await notes.get_by_role("button", name="Add note").click()
    await expect(notes.locator(".note")).to_contain_text(NOTE)
    await expect(notes.locator(".note")).to_contain_text("Rita Recruiter")
    await expect(notes.locator("[data-note-count]")).to_have_text("1")
    await shoot(hr, shots, "triage-after-bulk-and-note-1280")

    # A new applicant arrives live, placed by score, with the match a reload shows.
    dee = await candidate(api, "Dee Postgres", {"claimed": ["PostgreSQL"]})
    await apply(api, dee, job["id"])
    live = row(hr, "Dee Postgres")
    await expect(live).to_be_visible()
    await expect(live.locator(".new-badge")).to_be_visible()
    await expect(hr.locator('[data-count="all"]')).to_have_text("4")
    live_match = await live.locator("td[data-label=Match]").inner_text()
    live_order = await names(hr)
    await hr.reload()
    assert await row(hr, "Dee Postgres").locator("td[data-label=Match]").inner_text() == live_match
    assert await names(hr) == live_order
    reloaded_notes = row(hr, "Ana Lovelace").locator("details[data-notes]")
    await expect(reloaded_notes.locator("[data-note-count]")).to_have_text("1")
    await reloaded_notes.locator("summary").click()
    await expect(reloaded_notes.locator(".note")).to_contain_text(NOTE)

    # The candidate never sees the note: not on their pages, not through the API.
    student = await browser.page(ana, "/applications")
    await expect(student.locator("tbody tr", has_text="Data Intern")).to_be_visible()
    for path in ("/applications", f"/jobs/{job['id']}", f"/people/{ana.id}"):
        await student.goto(path)
        assert NOTE not in await student.content(), path
    await api.get(f"/api/applications/{applied['Ana']['id']}/notes", as_=ana, expect=404)
    mine = await api.get(f"/api/applications/{applied['Ana']['id']}", as_=ana, expect=200)
    assert NOTE not in str(mine)
    browser.check()


async def test_dashboard_fits_phone_and_desktop_in_both_themes(browser: Browser, api, shots):
    recruiter = await api.sign_up(["employer"], full_name="Rita Recruiter")
    company = await api.company(recruiter, name="Acme Robotics")
    job = await api.job(recruiter, company["id"], title="NLP Intern")
    skills = {"claimed": ["Python", "Natural Language Processing", "Kubernetes"]}
    for name in ("Ana Lovelace", "Bartholomew Featherstonehaugh-Worthington"):
        user = await candidate(api, name, skills, resume="a-rather-long-resume-file-name-2026.pdf")
        application = await apply(api, user, job["id"])
        await api.post(
            f"/api/applications/{application['id']}/notes", {"body": NOTE}, as_=recruiter
        )
    path = f"/jobs/{job['id']}/applicants?sort=score"
    for scheme in ("light", "dark"):
        phone = await phone_page(browser, recruiter, path, scheme)
        await expect(phone.locator("#applicants tbody tr[data-application-id]")).to_have_count(2)
        notes = phone.locator("details[data-notes]").first
        await notes.locator("summary").click()
        await expect(notes.locator(".note")).to_contain_text(NOTE)
        assert await phone.evaluate(UNLABELLED_CELLS) == []
        assert await phone.evaluate(OVERFLOW) == {"page": 0, "cut": []}
        await shoot(phone, shots, f"dashboard-390-{scheme}")
        desktop = await browser.page(
            recruiter, path, viewport={"width": 1280, "height": 900}, color_scheme=scheme
        )
        await expect(desktop.locator("#applicants tbody tr[data-application-id]")).to_have_count(2)
        assert await desktop.evaluate(OVERFLOW) == {"page": 0, "cut": []}
        await shoot(desktop, shots, f"dashboard-1280-{scheme}")
        hiring = await browser.page(
            recruiter, "/hiring", viewport={"width": 390, "height": 844}, color_scheme=scheme
        )
        await expect(hiring.locator(".pipeline-counts")).to_contain_text("submitted 2")
        await shoot(hiring, shots, f"hiring-390-{scheme}")
    browser.check()


async def announce(page: Page, job_id: str, application_id: str, submitted_at: str) -> None:
    """An application.created notification as app.js hands it to the page (live, or
    replayed after the page loaded)."""
    await page.evaluate(
        """([job_id, application_id, submitted_at]) => document.dispatchEvent(
            new CustomEvent("rizeos:notification", {detail: {type: "application.created",
              payload: {job_id, application_id, submitted_at}}}))""",
        [job_id, application_id, submitted_at],
    )


async def test_live_rows_are_deduplicated_by_id_and_counted_by_the_server(
    browser: Browser, api, db
):
    recruiter = await api.sign_up(["employer"], full_name="Rita Recruiter")
    company = await api.company(recruiter, name="Acme Data")
    job = await api.job(recruiter, company["id"], title="Data Intern")  # python, postgresql
    ana = await candidate(api, "Ana Lovelace", {"claimed": ["Python", "PostgreSQL"]})
    ben = await candidate(api, "Ben Okafor", {"claimed": ["Python"]})
    applied = {"Ana": await apply(api, ana, job["id"]), "Ben": await apply(api, ben, job["id"])}
    path = f"/jobs/{job['id']}/applicants?sort=score"
    hr = await browser.page(recruiter, path, viewport={"width": 1280, "height": 900})
    all_count = hr.locator('[data-count="all"]')
    await expect(all_count).to_have_text("2")

    # A replayed event of a row shown: no twin, and the counts are the server's (the wrong
    # figure planted here is put right).
    await hr.evaluate("document.querySelector('[data-count=\"all\"]').textContent = '99'")
    for _ in range(2):
        await announce(hr, job["id"], applied["Ana"]["id"], applied["Ana"]["submitted_at"])
    await expect(all_count).to_have_text("2")
    await expect(hr.locator("#applicant-count")).to_have_text("2 applicants")
    await expect(row(hr, "Ana Lovelace")).to_have_count(1)

    # An application the page does not show, submitted (by the database's clock) before the
    # page was rendered: still added, wherever its times put it.
    cy = await candidate(api, "Cy Cobol", {"claimed": ["Cobol"]})
    async with db.connection() as conn:
        cy_id, cy_at = await conn.fetchrow(
            "INSERT INTO job_applications (job_id, candidate_id, submitted_at)"
            " VALUES ($1, $2, now() - interval '1 hour') RETURNING id, submitted_at",
            uuid.UUID(job["id"]),
            cy.id,
        )
    await announce(hr, job["id"], str(cy_id), cy_at.isoformat())
    await expect(row(hr, "Cy Cobol")).to_be_visible()
    await expect(all_count).to_have_text("3")
    assert await names(hr) == ["Ana Lovelace", "Ben Okafor", "Cy Cobol"]

    # An event whose row cannot be read (gone, here never there): ignored, no script error.
    await announce(hr, job["id"], str(uuid.uuid4()), cy_at.isoformat())

    # On a later page of the score sort, a newcomer placed above every row shown (here tying
    # the best score, and newer) belongs on an earlier page: counted, not inserted; one
    # scoring among them is inserted in place.
    await hr.evaluate("document.getElementById('applicants').dataset.firstPage = 'false'")
    dee = await candidate(api, "Dee Postgres", {"claimed": ["Python", "PostgreSQL"]})  # ties Ana
    await apply(api, dee, job["id"])
    await expect(all_count).to_have_text("4")
    await expect(row(hr, "Dee Postgres")).to_have_count(0)
    eve = await candidate(api, "Eve Pythonista", {"claimed": ["Python"]})
    await apply(api, eve, job["id"])
    await expect(all_count).to_have_text("5")
    await expect(row(hr, "Eve Pythonista")).to_be_visible()
    assert await names(hr) == ["Ana Lovelace", "Eve Pythonista", "Ben Okafor", "Cy Cobol"]
    browser.check()
