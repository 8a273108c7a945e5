"""In a real browser: a recruiter posts a job, a student finds it and applies, the
recruiter's open dashboard shows the application live, and the status the recruiter sets
shows live on the student's open page."""

from __future__ import annotations

from playwright.async_api import expect

from tests.pages.conftest import Browser


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
    await candidate.get_by_role("button", name="Search").click()
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
