"""In a real browser, files go straight to storage through the grant flow: a resume (with
its progress bar, then enriched by the worker, live), a job's attachments, a gig's media and
a chat attachment."""

from __future__ import annotations

import dataclasses

import pytest
from playwright.async_api import expect

from server.config import Settings
from tests.enrichment.conftest import pdf_resume
from tests.pages.conftest import Browser
from tests.pages.test_browser_chat import conversation_between

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


@pytest.fixture
def settings(settings: Settings, port: int, request: pytest.FixtureRequest) -> Settings:
    """The enrichment worker runs in the web process, as it does in the embedded setup.
    Parametrized with "default" (indirectly), PUBLIC_URL has its default shape,
    http://localhost:PORT, while the browser opens http://127.0.0.1:PORT."""
    settings = dataclasses.replace(settings, run_worker="yes")
    if getattr(request, "param", None) == "default":
        settings = dataclasses.replace(settings, public_url=f"http://localhost:{port}")
    return settings


async def test_resume_upload_with_progress_then_enriched_live(browser: Browser, api):
    student = await api.sign_up(["student"], full_name="Ada Lovelace")
    await api.sign_up(["employer"])  # nobody else's data leaks into Ada's profile
    page = await browser.page(student, "/profile")
    await page.get_by_label("Resume (PDF or DOCX, up to 10 MB)").set_input_files(
        files=[{"name": "ada.pdf", "mimeType": "application/pdf", "buffer": pdf_resume()}]
    )
    await expect(page.locator("#resume [data-upload-status]")).to_have_text("Uploaded ada.pdf")
    await expect(page.locator("#resume progress")).to_have_js_property("value", 1)
    await expect(page.locator("#toasts")).to_contain_text("Profile saved")
    # The worker reads the resume; the page hears of it live and shows the new skills.
    await expect(page.locator("#enrichment")).to_contain_text(
        "updated from your resume", timeout=30_000
    )
    await expect(page.get_by_label("Skills")).to_have_value(
        "Docker, AWS, Python, Postgres, Kubernetes, Machine Learning, REST APIs, Go, C++"
    )
    profile = await api.get(f"/api/profiles/{student.id}", as_=student)
    assert profile["resume_url"].startswith(browser.base_url + "/api/files/")
    assert "Python" in profile["skills"]["claimed"]
    await page.reload()  # rendered by the server now (a just-missed event may add detail)
    await expect(page.locator("#enrichment")).to_contain_text(
        "Your profile was updated from your resume"
    )
    browser.check()


async def test_job_attachment_gig_media_and_chat_attachment(browser: Browser, api):
    recruiter, student, conversation = await conversation_between(api, "Welcome")
    company = (await api.get("/api/me/memberships", as_=recruiter))["items"][0]["organization"]
    hr = await browser.page(recruiter, f"/jobs/new?company_id={company['id']}")
    await hr.get_by_label("Title").fill("Designer")
    await hr.get_by_label("Description").fill("Draw things")
    await hr.get_by_label("Add files (PDF, DOCX, images, video)").set_input_files(
        files=[
            {"name": "brief.pdf", "mimeType": "application/pdf", "buffer": pdf_resume("Brief")},
            {"name": "office.png", "mimeType": "image/png", "buffer": PNG},
        ]
    )
    items = hr.locator("[data-list=attachments] [data-item]")
    await expect(items).to_have_count(2)
    await items.first.get_by_label("Title").fill("The brief")
    await hr.get_by_role("button", name="Post the job").click()
    await hr.wait_for_url("**/applicants")
    await hr.get_by_role("link", name="Designer").click()
    link = hr.get_by_role("link", name="The brief")
    await expect(link).to_be_visible()
    opened = await hr.request.get(await link.get_attribute("href"))
    assert opened.status == 200
    assert (await opened.body()).startswith(b"%PDF")
    await expect(hr.get_by_role("link", name="office.png")).to_be_visible()

    await api.post("/api/me/roles", {"role": "freelancer"}, as_=student, expect=200)
    gigs = await browser.page(student, "/gigs/new")
    await gigs.get_by_label("Title").fill("Icons")
    await gigs.get_by_label("Description").fill("Crisp icons")
    basic = gigs.locator("fieldset", has_text="Basic").first  # the "Basic tier"/"package"
    await basic.get_by_label("Price").fill("20")
    await basic.get_by_label("Delivery (days)").fill("3")
    await basic.get_by_label("What is included").fill("Five icons")
    await gigs.get_by_label("Add images or videos").set_input_files(
        files=[{"name": "icon.png", "mimeType": "image/png", "buffer": PNG}]
    )
    await expect(gigs.locator("[data-list=media_gallery] [data-item]")).to_have_count(1)
    # "**/gigs/*" already matches /gigs/new: wait for the navigation to the gig itself.
    async with gigs.expect_navigation(url="**/gigs/*"):
        await gigs.get_by_role("button", name="Publish gig").click()
    image = gigs.locator("main img[src*='/api/files/']").first
    await expect(image).to_have_js_property("naturalWidth", 1)

    founder = await api.sign_up(["employer"])
    new_company = await browser.page(founder, "/companies/new")
    await new_company.get_by_label("Name").fill("Logo Co")
    await new_company.get_by_label("Logo (PNG, JPEG or WebP, up to 2 MB)").set_input_files(
        files=[{"name": "logo.png", "mimeType": "image/png", "buffer": PNG}]
    )
    await expect(new_company.locator("[data-upload-status]")).to_have_text("Uploaded logo.png")
    # "**/companies/*" already matches /companies/new: wait for the navigation to the
    # company itself.
    async with new_company.expect_navigation(url="**/companies/*"):
        await new_company.get_by_role("button", name="Create").click()
    logo = new_company.locator("main img[src*='/api/files/']")
    await expect(logo).to_have_js_property("naturalWidth", 1)

    chat = await browser.page(student, f"/messages/{conversation['id']}")
    rita = await browser.page(recruiter, f"/messages/{conversation['id']}")
    await expect(rita.locator("#messages .message")).to_have_count(1)
    await chat.get_by_label("Attach a file").set_input_files(
        files=[{"name": "sketch.png", "mimeType": "image/png", "buffer": PNG}]
    )
    await expect(rita.locator("#messages .message img.thumb")).to_have_js_property(
        "naturalWidth", 1
    )
    browser.check()


@pytest.mark.parametrize("settings", ["default"], indirect=True)
async def test_upload_works_from_a_host_other_than_public_url(
    browser: Browser, api, settings: Settings
):
    """Default settings: PUBLIC_URL is http://localhost:PORT (the start-up line prints it),
    yet the page opened at http://127.0.0.1:PORT uploads (issue 14, item 5). The grant's URL
    is on the page's own host, so the CSP's connect-src 'self' allows the PUT; the stored
    reference stays PUBLIC_URL's."""
    here, public_url = browser.base_url, settings.public_url
    assert here.startswith("http://127.0.0.1:")
    assert public_url == browser.other_host()

    student = await api.sign_up(["student"], full_name="Grace Hopper")
    page = await browser.page(student, "/profile")
    grants = []
    page.on(
        "request",
        lambda request: grants.append(request.url) if request.method == "PUT" else None,
    )
    resume = pdf_resume()
    await page.get_by_label("Resume (PDF or DOCX, up to 10 MB)").set_input_files(
        files=[{"name": "grace.pdf", "mimeType": "application/pdf", "buffer": resume}]
    )
    await expect(page.locator("#resume [data-upload-status]")).to_have_text("Uploaded grace.pdf")
    await expect(page.locator("#toasts")).to_contain_text("Profile saved")
    assert len(grants) == 1
    assert grants[0].startswith(f"{here}/storage/local/incoming/resume/")
    profile = await api.get(f"/api/profiles/{student.id}", as_=student)
    assert profile["resume_url"].startswith(f"{public_url}/api/files/")
    # Opened on the page's host (where the session cookie is), the reference reaches the
    # bytes on that same host.
    opened = await page.request.get(
        here + profile["resume_url"].removeprefix(public_url), max_redirects=0
    )
    assert opened.status == 302
    assert opened.headers["location"].startswith("/storage/local/")
    # The page links the resume on its own host too, so the click carries the cookie.
    await page.reload()
    link = page.get_by_role("link", name="Your current resume")
    assert await link.get_attribute("href") == profile["resume_url"].removeprefix(public_url)
    download = await page.request.get(await link.evaluate("a => a.href"))
    assert download.status == 200
    assert await download.body() == resume
    browser.check()
