"""In a real browser: a recruiter posts a job, a student finds it and applies, the
recruiter's open dashboard shows the application live, and the status the recruiter sets
shows live on the student's open page. The dashboard on a phone: every row a card whose
cells keep their column labels, nothing wider than the screen."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.client import PASSWORD, User
from tests.pages.conftest import TIMEOUT_MS, Browser

# Cells of the applicants table (rendered or added live) without their column label.
UNLABELLED_CELLS = """() => [...document.querySelectorAll("#applicants tbody td")]
  .filter((td) => !td.dataset.label).map((td) => td.closest("tr").outerHTML.slice(0, 80))"""
# Anything reaching past the viewport's right edge, or a chip whose text is cut.
OVERFLOW = """() => ({
  page: document.documentElement.scrollWidth - window.innerWidth,
  cut: [...document.querySelectorAll("#applicants .chip")]
    .filter((c) => c.scrollWidth > c.clientWidth + 1 ||
      c.getBoundingClientRect().right > c.closest("td").getBoundingClientRect().right + 1)
    .map((c) => c.textContent),
})"""


async def phone_page(browser: Browser, user: User, path: str, scheme: str = "light") -> Page:
    context = await browser.browser.new_context(
        base_url=browser.base_url, viewport={"width": 390, "height": 844}, color_scheme=scheme
    )
    context.set_default_timeout(TIMEOUT_MS)
    response = await context.request.post(
        "/api/auth/login", data={"email": user.email, "password": PASSWORD}
    )
    assert response.status == 200, await response.text()
    page = await context.new_page()
    browser.watch(page)
    await page.goto(path)
    return page


def label_of(cell) -> object:
    return cell.evaluate("(td) => getComputedStyle(td, '::before').content")


async def test_post_apply_and_follow_the_application_live(browser: Browser, api):
    recruiter = await api.sign_up(["employer"], full_name="Rita Recruiter")
    company = await api.company(recruiter, name="Acme Robotics")
    student = await api.sign_up(["student"], full_name="Sam Student")

    hr = await browser.page(recruiter, "/hiring")
    await expect(hr.get_by_role("link", name="Acme Robotics")).to_be_visible()
    await hr.get_by_role("link", name="Post a job").first.click()
    await hr.get_by_label("Title").fill("Robotics Intern")
    await hr.get_by_label("Description").fill("Build robots in Python.")
    await hr.get_by_label("Skills required").fill("python, ros")
    await hr.get_by_label("Type").select_option("internship")
    await hr.get_by_label("Location").fill("Berlin")
    await hr.get_by_label("Remote").check()
    await hr.get_by_role("button", name="Post the job").click()
    await hr.wait_for_url("**/applicants")
    await expect(hr.locator("#applicants tr.empty")).to_be_visible()
    job_id = hr.url.split("/jobs/")[1].split("/")[0]
    assert (await api.get(f"/api/jobs/{job_id}"))["company_id"] == company["id"]

    candidate = await browser.page(student, "/jobs")
    await candidate.get_by_label("Search").fill("robots")
    await candidate.get_by_label("Skills").fill("python")
    await candidate.get_by_label("Remote").select_option("true")
    await candidate.get_by_role("button", name="Search", exact=True).click()
    await candidate.get_by_role("link", name="Robotics Intern").click()
    await expect(candidate.locator("#job-title")).to_have_text("Robotics Intern")
    await candidate.get_by_label("Cover letter (optional)").fill("I love robots.")
    await candidate.get_by_role("button", name="Apply").click()
    status = candidate.locator("#my-application [data-status]")
    await expect(status).to_have_text("submitted")

    # The recruiter's dashboard, still open, gets the row without a reload, and a toast.
    row = hr.locator("#applicants tbody tr", has_text="Sam Student")
    await expect(row).to_be_visible()
    await expect(row.locator("[data-status]")).to_have_text("submitted")
    await expect(hr.locator("#toasts")).to_contain_text("New application")
    await expect(hr.locator("#notif-count")).to_have_text("1")
    hiring = await browser.page(recruiter, "/hiring")
    listed = hiring.locator(".hiring-job", has_text="Robotics Intern")
    await expect(listed).to_contain_text("1 applicant")
    await expect(listed).to_contain_text("1 new")
    await hr.get_by_role("button", name="Notifications, 1 unread").click()
    await expect(hr.locator("#notif-list li.unread")).to_contain_text("Robotics Intern")
    await hr.get_by_role("button", name="Mark all read").click()
    await expect(hr.locator("#notif-count")).to_be_hidden()
    await hr.keyboard.press("Escape")

    await row.get_by_role("button", name="Move to viewed").click()
    await expect(row.locator("[data-status]")).to_have_text("viewed")
    await expect(status).to_have_text("viewed")  # live on the student's job page
    await row.get_by_role("button", name="Move to shortlisted").click()
    await expect(status).to_have_text("shortlisted")

    mine = await browser.page(student, "/applications")
    await expect(mine.locator("tbody tr", has_text="Robotics Intern")).to_contain_text(
        "shortlisted"
    )
    await row.get_by_role("button", name="Reject").click()
    await expect(mine.locator("tbody tr", has_text="Robotics Intern")).to_contain_text("rejected")
    await expect(mine.locator("#toasts")).to_contain_text("rejected")

    await hr.goto(f"/jobs/{job_id}")
    await hr.get_by_role("link", name="Edit the job").click()
    await expect(hr.get_by_label("Location")).to_have_value("Berlin")
    await expect(hr.get_by_label("Remote")).to_be_checked()
    await hr.get_by_label("Title").fill("Robotics Intern (summer)")
    await hr.get_by_label("Location").fill("")
    await hr.get_by_role("button", name="Save").click()
    await expect(hr.locator("#job-title")).to_have_text("Robotics Intern (summer)")
    edited = await api.get(f"/api/jobs/{job_id}")
    assert (edited["location"], edited["remote"], edited["skills_required"]) == (
        None,
        True,
        ["python", "ros"],
    )

    await hr.get_by_role("link", name="See applicants").click()
    browser.confirms.add("Close this job? It stops taking applications.")
    await hr.get_by_role("button", name="Close the job").click()
    await expect(hr.get_by_role("button", name="Reopen")).to_be_visible()
    assert (await api.get(f"/api/jobs/{job_id}"))["status"] == "closed"
    browser.check()


async def test_applicants_dashboard_fits_a_phone_with_labelled_cells(browser: Browser, api):
    recruiter = await api.sign_up(["employer"], full_name="Rita Recruiter")
    company = await api.company(recruiter, name="Acme Robotics")
    job = await api.job(recruiter, company["id"], title="NLP Intern")
    skills = ["Python", "Machine Learning", "Natural Language Processing", "Kubernetes"]
    for name in ("Ana Lovelace", "Bartholomew Featherstonehaugh-Worthington"):
        student = await api.sign_up(["student"], full_name=name)
        await api.patch(
            f"/api/profiles/{student.id}",
            {"headline": "MSc student in Computational Linguistics", "skills": {"claimed": skills}},
            as_=student,
            expect=200,
        )
        await api.post(
            f"/api/jobs/{job['id']}/applications", {"cover_letter": "Hi"}, as_=student, expect=201
        )

    for scheme in ("light", "dark"):
        hr = await phone_page(browser, recruiter, f"/jobs/{job['id']}/applicants", scheme)
        rows = hr.locator("#applicants tbody tr[data-application-id]")
        await expect(rows).to_have_count(2)
        await expect(rows.locator(".avatar")).to_have_count(2)
        assert await hr.evaluate(UNLABELLED_CELLS) == []
        assert await hr.evaluate(OVERFLOW) == {"page": 0, "cut": []}
        skills_cell = rows.first.locator("td[data-label=Skills]")
        assert await label_of(skills_cell) == '"Skills"'  # the stacked cell names its column
        await expect(skills_cell.locator(".chip")).to_have_count(len(skills))

    # A row added live is built like the rendered ones.
    late = await api.sign_up(["student"], full_name="Cleo Late")
    await api.patch(f"/api/profiles/{late.id}", {"skills": {"claimed": skills}}, as_=late)
    await api.post(f"/api/jobs/{job['id']}/applications", {}, as_=late, expect=201)
    await expect(rows).to_have_count(3)
    live = rows.filter(has_text="Cleo Late")
    await expect(live.locator(".avatar")).to_have_text("CL")
    await expect(live.locator("time[data-relative]")).to_have_text("just now")
    await expect(hr.locator("#applicant-count")).to_have_text("3 applicants")
    assert await hr.evaluate(UNLABELLED_CELLS) == []
    assert await hr.evaluate(OVERFLOW) == {"page": 0, "cut": []}
    assert await label_of(live.locator("td[data-label=Status]")) == '"Status"'
    await live.get_by_role("button", name="Move to viewed").click()
    await expect(live.locator("[data-status]")).to_have_text("viewed")
    browser.check()
