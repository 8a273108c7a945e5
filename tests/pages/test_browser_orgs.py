"""In a real browser: a company admin invites a recruiter who accepts and can then hire; an
institute admin approves a student's join request and the student hears of it live; opening
an application marks it viewed."""

from __future__ import annotations

from playwright.async_api import expect

from tests.pages.conftest import Browser, hiring_setup


async def test_admin_invites_a_recruiter_who_accepts_and_hires(browser: Browser, api):
    admin, company, job = await hiring_setup(api, name="Ada Admin")
    recruiter = await api.sign_up(["employer"], full_name="Ray Recruiter")
    page = await browser.page(admin, f"/organizations/{company['id']}/members")
    await page.get_by_role("link", name="Edit the organization").click()
    await page.get_by_label("Location").fill("Lisbon")
    await page.get_by_role("button", name="Save").click()
    await page.wait_for_url(f"**/companies/{company['id']}")
    await expect(page.locator("main")).to_contain_text("Lisbon")
    await page.goto(f"/organizations/{company['id']}/members")
    await page.get_by_label("Their email").fill(recruiter.email)
    await page.get_by_label("Role").select_option("recruiter")
    await page.get_by_role("button", name="Invite").click()
    await expect(page.locator("#members tr", has_text="Ray Recruiter")).to_contain_text("invited")

    ray = await browser.page(recruiter, "/organizations")
    await expect(ray.locator("#notif-count")).to_have_text("1")
    await ray.get_by_role("button", name="Notifications, 1 unread").click()
    # The link leads to the page already open: wait for that navigation itself (waiting for
    # the URL returned at once, and Accept was then clicked on the page being left).
    async with ray.expect_navigation(url="**/organizations"):
        await (
            ray.locator("#notif-list")
            .get_by_role("link", name=f"Membership invited: {company['name']}")
            .click()
        )
    await expect(ray.locator("#notif-count")).to_be_hidden()  # opening it marked it read
    await ray.locator("#invitations").get_by_role("button", name="Accept").click()
    await expect(ray.locator("#active-memberships")).to_contain_text(company["name"])
    # Colleagues can message each other about their organization.
    await ray.get_by_role("link", name="members").click()
    await (
        ray.locator("#members tr", has_text="Ada Admin")
        .get_by_role("button", name="Message")
        .click()
    )
    await ray.wait_for_url("**/messages/*")
    await expect(ray.locator("#conversation-title")).to_have_text("Ada Admin")

    await ray.goto(f"/jobs/{job['id']}")
    await ray.get_by_role("link", name="See applicants").click()
    await expect(ray.locator("#applicants tr.empty")).to_be_visible()
    browser.check()


async def test_institute_admin_approves_a_join_request_live(browser: Browser, api):
    dean = await api.sign_up(["professional"], full_name="Dean")
    institute = await api.institute(dean, name="Northfield University")
    student = await api.sign_up(["student"], full_name="Sam Student")
    sam = await browser.page(student, "/onboarding?q=Northfield")
    await sam.get_by_role("button", name="Request to join").click()
    await expect(sam.locator("#institutes")).to_contain_text("Request sent")

    page = await browser.page(dean, f"/organizations/{institute['id']}/members")
    row = page.locator("#members tr", has_text="Sam Student")
    await expect(row).to_contain_text("asked to join")
    await row.get_by_role("button", name="Approve").click()
    await expect(page.locator("#members tr", has_text="Sam Student")).to_contain_text("active")
    await expect(sam.locator("#toasts")).to_contain_text("Membership approved: Northfield")
    browser.check()


async def test_opening_an_application_marks_it_viewed_for_the_candidate(browser: Browser, api):
    recruiter, _, job = await hiring_setup(api)
    student = await api.sign_up(["student"], full_name="Sam Student")
    await api.post(
        f"/api/jobs/{job['id']}/applications", {"cover_letter": "Hi!"}, as_=student, expect=201
    )
    sam = await browser.page(student, "/applications")
    hr = await browser.page(recruiter, f"/jobs/{job['id']}/applicants")
    row = hr.locator("#applicants tbody tr", has_text="Sam Student")
    await expect(row.locator("[data-status]")).to_have_text("submitted")  # looking is not opening
    await row.get_by_text("Cover letter").click()
    await expect(row.locator("[data-status]")).to_have_text("viewed")
    await expect(sam.locator("tbody tr", has_text=job["title"])).to_contain_text("viewed")
    browser.check()
