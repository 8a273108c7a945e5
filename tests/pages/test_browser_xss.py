"""User-typed markup is shown as text everywhere: names, job titles, company names, gigs,
chat messages, live rows and toasts. No dialog may open and no script error may occur."""

from __future__ import annotations

from playwright.async_api import expect

from tests.pages.conftest import Browser

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'


async def test_markup_payloads_render_as_text(browser: Browser, api):
    recruiter = await api.sign_up(["employer"], full_name=f"Rita {IMG}")
    company = await api.company(recruiter, name=f"Acme {SCRIPT}")
    job = await api.job(
        recruiter, company["id"], title=f"Intern {SCRIPT}", description=f"About {IMG}"
    )
    student = await api.sign_up(["student", "freelancer"], full_name=f"Sam {SCRIPT}")
    await api.patch(
        f"/api/profiles/{student.id}", {"headline": IMG, "bio": SCRIPT}, as_=student, expect=200
    )
    gig = await api.post(
        "/api/gigs",
        {
            "title": f"Gig {IMG}",
            "description": SCRIPT,
            "skills": ["x<b>y</b>"],
            "pricing_tiers": {
                "basic": {"price": 1000, "currency": "USD", "delivery_days": 3, "description": IMG}
            },
        },
        as_=student,
        expect=201,
    )

    hr = await browser.page(recruiter, f"/jobs/{job['id']}/applicants")
    # The dashboard's notifications are live before the student applies: an application
    # made while its first list was still loading would add the row without a toast.
    await expect(hr.locator("body[data-notifications=live]")).to_have_count(1)
    board = await browser.page(student, "/jobs?q=intern")
    await expect(board.get_by_role("link", name=f"Intern {SCRIPT}")).to_be_visible()
    await expect(board.locator("#job-results")).to_contain_text(f"Acme {SCRIPT}")
    await board.get_by_role("link", name=f"Intern {SCRIPT}").click()
    await expect(board.locator("#job-title")).to_have_text(f"Intern {SCRIPT}")
    await expect(board.locator(".prose")).to_have_text(f"About {IMG}")
    await board.get_by_role("button", name="Apply").click()
    await expect(board.locator("#my-application")).to_be_visible()

    # Inserted live by script on the dashboard, and in the toast.
    row = hr.locator("#applicants tbody tr", has_text=f"Sam {SCRIPT}")
    await expect(row).to_contain_text(IMG)
    await expect(hr.locator("#toasts")).to_contain_text(f"Intern {SCRIPT}")
    await hr.reload()
    await expect(hr.locator("#applicants tbody tr", has_text=f"Sam {SCRIPT}")).to_be_visible()

    await hr.locator("#applicants tbody tr").first.get_by_role("button", name="Message").click()
    await hr.wait_for_url("**/messages/*")
    chat = await browser.page(student, hr.url.replace(browser.base_url, ""))
    await expect(chat.locator("body[data-chat=live]")).to_have_count(1)
    await expect(chat.locator("#conversation-title")).to_have_text(f"Rita {IMG}")
    for text in (SCRIPT, IMG):
        await hr.locator("#message-input").fill(text)
        await hr.locator("#message-input").press("Enter")
    await expect(chat.locator("#messages .message .content")).to_have_text([SCRIPT, IMG])
    await expect(chat.locator("#messages .sender").first).to_have_text(f"Rita {IMG}")
    await expect(chat.locator("#conversation-list")).to_contain_text(IMG)

    profile = await browser.page(recruiter, f"/people/{student.id}")
    await expect(profile.locator("#profile-name")).to_have_text(f"Sam {SCRIPT}")
    await expect(profile.locator(".lead")).to_have_text(IMG)
    gig_page = await browser.page(recruiter, f"/gigs/{gig['id']}")
    await expect(gig_page.locator("#gig-title")).to_have_text(f"Gig {IMG}")
    await expect(gig_page.locator(".tier")).to_contain_text(IMG)
    company_page = await browser.page(None, f"/companies/{company['id']}")
    await expect(company_page.locator("#org-name")).to_contain_text(f"Acme {SCRIPT}")

    for page in (hr, board, chat, profile, gig_page, company_page):
        assert await page.locator("img[src=x]").count() == 0
    browser.check()
