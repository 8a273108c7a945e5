"""Issue 17's "Done when", second half, as one journey through the real pages: a student
with a resume on their profile and a conversation with a recruiter (they sent a message
and a picture) exports their data and finds their file and rows in the ZIP, signs out
their phone (whose live socket drops and whose page is signed out), changes their email
through the mailed link, and deletes their account. The recruiter then reads "Deleted
user", the student's files are gone from the store, and neither address signs in.

Also: the whole /settings/account page, every section together, at 390 and 1280 px in
light and dark (RIZEOS_SCREENSHOTS=dir keeps the screenshots)."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest
from playwright.async_api import Page, WebSocket, expect

from tests.client import PASSWORD
from tests.exports.conftest import RESUME
from tests.pages.accounts import send_text_and_picture, stored_files
from tests.pages.conftest import Browser
from tests.pages.test_browser_account_security import IPHONE, SIZES
from tests.pages.test_browser_chat import conversation_between
from tests.pages.test_browser_chat_layout import PNG
from tests.pages.test_browser_every_page import OVERFLOW
from tests.pages.test_screenshots import UNLABELLED
from tests.waits import eventually

SAID = "Here is my portfolio, as promised"
# The page's sections after the sign-in one (issue 17's part A, which may come first).
SECTIONS = [
    "Where you are signed in",
    "Change password",
    "Email address",
    "Download your data",
    "Delete your account",
]


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    path = Path(os.environ.get("RIZEOS_SCREENSHOTS") or tmp_path)
    path.mkdir(parents=True, exist_ok=True)
    return path


async def sign_in_refused(page: Page, email: str) -> None:
    """The log-in page refuses ``email`` with the right password, and says so."""
    await page.goto("/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    async with page.expect_response("**/api/auth/login") as answer:
        await page.get_by_role("button", name="Log in").click()
    assert (await answer.value).status == 401, email
    await expect(page.locator("form .form-error")).to_contain_text("wrong email or password")
    assert "/login" in page.url


async def test_a_student_exports_signs_out_a_device_changes_email_and_deletes_the_account(
    browser: Browser, api, db, client, worker, mailbox, tmp_path: Path
):
    recruiter, student, conversation = await conversation_between(api, "Tell me about you")
    resume = await api.upload(student, "resume", RESUME, filename="Sam CV.pdf")
    await api.patch(
        f"/api/profiles/{student.id}", {"resume_url": resume["url"]}, as_=student, expect=200
    )
    chat = f"/messages/{conversation['id']}"
    sam = await browser.page(student, chat)
    await send_text_and_picture(sam, SAID)
    files = await stored_files(client, db, student.id)
    assert sorted(files) == ["message_attachment", "resume"]
    assert all(path.exists() for path in files.values())
    rita = await browser.page(recruiter, chat)
    senders = rita.locator("#messages .message:not(.mine) .sender")
    await expect(senders).to_have_text(["Sam Student", "Sam Student"])
    await worker.start()

    # The phone: the same student in another browser, its page live over Socket.IO.
    phone = await browser.page(student, user_agent=IPHONE)
    sockets: list[WebSocket] = []
    phone.on("websocket", lambda ws: sockets.append(ws))
    await phone.goto("/messages")
    await expect(phone.locator("body[data-notifications=live]")).to_have_count(1)
    phone_sockets = [ws for ws in sockets if not ws.is_closed()]
    assert phone_sockets, "the phone's page has no live connection"

    # 1. Export: asked for, ready (the worker's notification updates the page), downloaded.
    await sam.goto("/settings/account")
    await expect(sam.locator("body[data-notifications=live]")).to_have_count(1)
    await sam.get_by_role("button", name="Request a data export").click()
    await expect(sam.locator("#account-export")).to_have_attribute("data-status", "ready")
    await expect(sam.locator("#account-export-status")).to_contain_text("Ready")
    async with sam.expect_download() as info:
        await sam.get_by_role("link", name="Download your data (ZIP)").click()
    target = tmp_path / "export.zip"
    await (await info.value).save_as(target)
    with zipfile.ZipFile(target) as archive:
        assert archive.read(f"files/resume/{resume['id']}-Sam CV.pdf") == RESUME
        pictures = [n for n in archive.namelist() if n.startswith("files/message_attachment/")]
        assert [archive.read(name) for name in pictures] == [PNG]
        assert json.loads(archive.read("profile.json"))["full_name"] == "Sam Student"
        assert json.loads(archive.read("account.json"))["email"] == student.email
        applications = json.loads(archive.read("applications.json"))
        assert [a["job_title"] for a in applications] == ["Backend Intern"]
        said = [m["content"] for m in json.loads(archive.read("messages.json"))]
        assert SAID in said and "Tell me about you" not in said

    # 2. Sign out the phone from this page: its socket drops, its page is signed out.
    sessions = sam.locator("#sessions > li")
    phone_row = sam.locator("#sessions > li", has_text="Mobile Safari on iOS")
    before = await sessions.count()
    await phone_row.get_by_role("button", name="Sign out").click()
    await expect(sam.locator("#toasts")).to_contain_text("Signed out Mobile Safari on iOS")
    await expect(sessions).to_have_count(before - 1)
    await eventually(
        lambda: all(ws.is_closed() for ws in phone_sockets), what="the phone's socket dropping"
    )
    await phone.wait_for_url("**/login?next=*")
    assert (await phone.context.request.get("/api/me")).status == 401
    await phone.goto("/settings/account")
    await expect(phone.get_by_role("heading", name="Log in to RizeOS")).to_be_visible()

    # 3. Change email, confirmed through the mailed link.
    new_email = f"sam-{student.id.hex[:8]}@new.example"
    form = sam.locator("#email-form")
    await form.get_by_label("New email address").fill(new_email)
    await form.get_by_label("Current password").fill(PASSWORD)
    await form.get_by_role("button", name="Send confirmation link").click()
    await expect(sam.locator("#email-pending")).to_contain_text(new_email)
    await expect(sam.locator("#email-current")).to_have_text(student.email)
    await sam.goto(f"/confirm-email?token={mailbox.last_token(new_email, 'confirm your new')}")
    await expect(sam.locator("#email-changed")).to_be_visible()
    await sam.goto("/settings/account")
    await expect(sam.locator("#email-current")).to_have_text(new_email)

    # 4. Delete the account from the danger zone.
    zone = sam.locator("#delete-account")
    await zone.get_by_label("Type your email address").fill(new_email)
    await zone.get_by_label("Your password").fill(PASSWORD)
    await zone.get_by_role("button", name="Delete my account").click()
    await sam.wait_for_url("**/?account=deleted")
    await expect(sam.locator("#account-deleted")).to_contain_text("Your account was deleted")

    await rita.reload()
    await expect(senders).to_have_text(["Deleted user", "Deleted user"])
    await expect(rita.locator("#messages .message:not(.mine) .content").first).to_have_text(SAID)
    await eventually(
        lambda: not any(path.exists() for path in files.values()),
        what=lambda: f"the student's files to go: {[p for p in files.values() if p.exists()]}",
    )
    for email in (student.email, new_email):
        await sign_in_refused(sam, email)
    browser.check()


async def test_the_whole_account_page_at_phone_and_desktop_width_light_and_dark(
    browser: Browser, api, shots: Path
):
    user = await api.sign_up(["student"], full_name="Lee Look")
    await api.post("/api/auth/login", {"email": user.email, "password": PASSWORD}, expect=200)
    await api.post(
        "/api/me/email",
        {"new_email": f"lee-{user.id.hex[:8]}@new.example", "current_password": PASSWORD},
        as_=user,
        expect=202,
    )
    for size, viewport in SIZES.items():
        for theme in ("light", "dark"):
            page = await browser.page(
                user, "/settings/account", viewport=viewport, color_scheme=theme
            )
            await expect(page.locator("#sessions > li[data-current=true]")).to_have_count(1)
            await expect(page.locator("#account-export-request")).to_be_visible()
            where = f"{size} {theme}"
            assert await page.evaluate(OVERFLOW) is None, where
            assert await page.evaluate(UNLABELLED) == [], where
            # Every section is a panel named by its own h2 (the sign-in, security, export
            # and deletion parts alike).
            checked = await page.evaluate(
                """[...document.querySelectorAll("main section.panel")].map((s) => {
                    const h = s.querySelector(":scope > h2");
                    return h && s.getAttribute("aria-labelledby") === h.id ? h.textContent : s.id;
                })"""
            )
            assert checked[-5:] == SECTIONS and len(checked) <= 6, (where, checked)
            # ... with the same space under each heading.
            gaps = await page.evaluate(
                """[...document.querySelectorAll("main section.panel > h2")].map((h) =>
                    Math.round(h.nextElementSibling.getBoundingClientRect().top
                               - h.getBoundingClientRect().bottom))"""
            )
            assert len(set(gaps)) == 1, (where, gaps)
            await page.screenshot(path=shots / f"account-page-{size}-{theme}.png", full_page=True)
            await page.context.close()
    browser.check()
